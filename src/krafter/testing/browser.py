"""Headless Chromium for tests that must see a page as a person would (the verify report).

Chromium comes from Debian's packages (`chromium`); `ensure()` installs it when missing and
this machine allows it (root with apt-get), which `python -m krafter.testing.prepare` does
ahead of the tests. Pages are loaded from files with `--headless`: no server, no network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from krafter.core.errors import EnvironmentProblem

NAMES = ("chromium", "chromium-browser")
PAGE_ERRORS = ("Uncaught", "Failed to load resource", ":ERROR:CONSOLE")
"""Chromium's log lines for a page's own errors (not the browser's chatter about GPU or D-Bus)."""


def find() -> Path | None:
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def ensure(progress: Callable[[str], None] = print) -> Path:
    """The browser, installed from Debian's packages on first use when this machine can."""
    found = find()
    if found is not None:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise EnvironmentProblem("Chromium is not installed: `apt-get install -y chromium` (Debian's package)")
    progress("installing chromium from Debian's packages (apt-get)")
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise EnvironmentProblem(f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}")
    found = find()
    if found is None:
        raise EnvironmentProblem("apt-get installed chromium, but no chromium binary is on PATH")
    return found


@dataclass(frozen=True)
class PageLoad:
    dom: str
    """The document after loading, as Chromium serialized it."""
    errors: tuple[str, ...]
    """Log lines about the page's own errors (console errors, failed loads)."""


def _run(browser: Path, profile: Path, *arguments: str, timeout: float) -> subprocess.CompletedProcess[str]:
    command = [
        str(browser),
        "--headless",
        "--no-sandbox",  # tests run as root, where Chromium's sandbox refuses to start
        "--disable-gpu",
        "--no-first-run",
        "--enable-logging=stderr",
        "--v=0",
        f"--user-data-dir={profile}",
        *arguments,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def load(browser: Path, page: Path, profile: Path, timeout: float = 60.0) -> PageLoad:
    done = _run(browser, profile, "--dump-dom", page.resolve().as_uri(), timeout=timeout)
    errors = tuple(line for line in done.stderr.splitlines() if any(marker in line for marker in PAGE_ERRORS))
    return PageLoad(done.stdout, errors)


def screenshot(
    browser: Path,
    page: Path,
    output: Path,
    profile: Path,
    *,
    size: tuple[int, int] = (1280, 1400),
    timeout: float = 60.0,
) -> None:
    done = _run(
        browser,
        profile,
        f"--screenshot={output}",
        f"--window-size={size[0]},{size[1]}",
        page.resolve().as_uri(),
        timeout=timeout,
    )
    if not output.exists():
        raise EnvironmentProblem(f"Chromium wrote no screenshot (exit {done.returncode}): {done.stderr[-500:]}")
