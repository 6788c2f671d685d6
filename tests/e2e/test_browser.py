"""The headless-browser helper sees what a person would: a page's script errors are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from krafter.testing import browser

pytestmark = pytest.mark.e2e


def test_a_script_error_on_the_page_is_reported(chromium: Path, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><p>x</p><script>throw new Error("boom")</script></body></html>')
    loaded = browser.load(chromium, page, tmp_path / "profile")
    assert any("boom" in line for line in loaded.errors)
    assert "<p>x</p>" in loaded.dom
