"""Run one container of a Pod at the paths its spec names: the in-namespace half of the process kubelet.

Started by the kubelet as `unshare --mount --uts --propagation private -- python sandbox.py SPEC`,
so everything it mounts lives in a mount namespace of its own and vanishes with the container's
last process: the machine's own file system (its /etc/hosts included) is never changed. It builds
a small root on a tmpfs (the machine's /usr and /etc read-only, /proc, /dev, /sys), binds the
image's files and the Pod's volumes at their `mountPath`s, sets the Pod's hostname, drops to the
container's user and execs the command with the Pod's environment.

Standard library only, and run by path rather than as a module: it is on the path of every
container start, so it must not import the project.
"""

from __future__ import annotations

import ctypes
import json
import os
import socket
import sys
from pathlib import Path

MS_RDONLY = 1
MS_NOSUID = 2
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384

_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    if (
        _libc.mount(
            source.encode(),
            target.encode(),
            fstype.encode() if fstype else None,
            flags,
            data.encode() if data else None,
        )
        != 0
    ):
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


def _bind(source: str, target: Path, *, read_only: bool) -> None:
    if Path(source).is_dir():
        target.mkdir(parents=True, exist_ok=True)
    elif not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    _mount(source, str(target), None, MS_BIND | MS_REC)
    if read_only:
        _mount("none", str(target), None, MS_REMOUNT | MS_BIND | MS_RDONLY)


def _inside(root: Path, path: str) -> Path:
    return root / path.lstrip("/")


def build_root(spec: dict) -> Path:  # type: ignore[type-arg]
    root = Path(spec["root"])
    root.mkdir(parents=True, exist_ok=True)
    _mount("tmpfs", str(root), "tmpfs", MS_NOSUID, "mode=755")
    for top in ("usr", "etc"):
        _bind(f"/{top}", root / top, read_only=True)
    for link in ("bin", "sbin", "lib", "lib64"):
        host = Path(f"/{link}")
        if host.is_symlink():
            (root / link).symlink_to(os.readlink(host))
        elif host.is_dir():
            _bind(str(host), root / link, read_only=True)
    for special in ("proc", "dev", "sys"):
        _bind(f"/{special}", root / special, read_only=False)
    _bind(spec["hosts"], root / "etc" / "hosts", read_only=True)
    _bind(spec["hostnameFile"], root / "etc" / "hostname", read_only=True)
    # Mounts in path order, so a volume inside another volume lands on top of it.
    mounts = sorted(spec["mounts"], key=lambda m: Path(m["target"]).parts)
    targets = {m["target"].rstrip("/") for m in mounts}
    for scratch in ("/tmp", "/var/tmp", "/run"):
        if scratch not in targets:
            path = _inside(root, scratch)
            path.mkdir(parents=True, exist_ok=True)
            _mount("tmpfs", str(path), "tmpfs", MS_NOSUID, "mode=1777")
    for mount in mounts:
        _bind(mount["source"], _inside(root, mount["target"]), read_only=bool(mount.get("readOnly")))
    for directory in spec.get("directories", []):
        _inside(root, directory).mkdir(parents=True, exist_ok=True)
    return root


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    root = build_root(spec)
    socket.sethostname(spec["hostname"])
    os.chroot(root)
    os.chdir(spec.get("workingDir") or "/")
    user = spec.get("user")
    if user is not None:
        os.setgroups(user["groups"])
        os.setgid(user["gid"])
        os.setuid(user["uid"])
    env = spec["env"]
    command = spec["command"]
    try:
        os.execvpe(command[0], command, env)
    except OSError as exc:
        print(f"process kubelet: cannot run {command[0]}: {exc.strerror}", file=sys.stderr, flush=True)
        sys.exit(127)


if __name__ == "__main__":
    main()
