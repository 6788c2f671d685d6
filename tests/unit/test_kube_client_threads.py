"""Kubernetes responses decoded by several reconcile threads at once must not crash the operator.

msgspec builds a kind's decoding info on first use, and two threads doing that at the same
moment segfault the process (what made a freshly elected operator die silently). The
operator builds every kind's decoder before its threads start; this runs the race that
crashed every time without that, in a child process so that a crash fails the test only.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.unit

RACE = textwrap.dedent(
    """
    import json, threading
    from lightkube import codecs
    from lightkube.core import decoders
    import krafter.operator.app  # every kind the operator uses is imported by then
    from krafter.platform.kubernetes.client import known_resources, prepare_decoding

    prepare_decoding()
    kinds = known_resources()
    item = {"metadata": {"name": "a", "labels": {"a": "b"}, "annotations": {"x": "y"}}}
    body = json.dumps({"items": [item] * 5, "metadata": {"resourceVersion": "1"}}).encode()
    barrier = threading.Barrier(8)

    def decode_every_kind(offset):
        barrier.wait()
        for kind in kinds[offset:] + kinds[:offset]:
            try:
                decoders.decode_list(body, kind)
                decoders.decode_object(json.dumps(item).encode(), kind)
                api = kind._api_info.resource
                group = f"{api.group}/{api.version}" if api.group else api.version
                codecs.from_dict({"apiVersion": group, "kind": api.kind, **item})
            except Exception:
                pass

    threads = [threading.Thread(target=decode_every_kind, args=(i * 5,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("survived")
    """
)


def test_threads_decoding_every_kind_at_once_do_not_crash_the_process() -> None:
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", RACE], check=False, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
        assert "survived" in done.stdout
