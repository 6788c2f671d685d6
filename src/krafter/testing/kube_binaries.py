"""kube-apiserver, kube-controller-manager, etcd and helm, built from the Go module proxy and cached.

No registry this project may use serves these binaries, and envtest's downloader needs
the open internet, so we build them: `tools/kube` and `tools/etcd` are committed wrapper
modules (go.mod + go.sum pin the exact releases and every checksum). Binaries land in
`$KRAFTER_CACHE/kube/<version>/` and `$KRAFTER_CACHE/etcd/<version>/`; a cold build
takes minutes once per machine, a warm call is a file check.

Run `python -m krafter.testing.kube_binaries` to build ahead of the tests.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from krafter.core import paths
from krafter.core.errors import EnvironmentProblem

TOOLS_DIR = Path(__file__).resolve().parents[3] / "tools"
KUBE_MODULE = TOOLS_DIR / "kube"
ETCD_MODULE = TOOLS_DIR / "etcd"
HELM_MODULE = TOOLS_DIR / "helm"
KUBE_COMMANDS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class KubeBinaries:
    kube_version: str
    etcd_version: str
    kube_apiserver: Path
    kube_controller_manager: Path
    kube_scheduler: Path
    etcd: Path
    helm: Path


def pinned_version(module_dir: Path, module: str) -> str:
    """The version a committed wrapper go.mod requires for `module`."""
    text = (module_dir / "go.mod").read_text()
    match = re.search(rf"^\s*(?:require\s+)?{re.escape(module)}\s+(v\S+)", text, re.MULTILINE)
    if not match:
        raise EnvironmentProblem(f"{module_dir}/go.mod does not require {module}.")
    return match.group(1)


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        raise EnvironmentProblem(
            "Go is needed once to build kube-apiserver and etcd for the tests and was not found. "
            "Install Go 1.26 (https://go.dev/dl/ or your distribution's golang package)."
        )
    return go


def _build(
    module_dir: Path, packages: list[str], out_dir: Path, ldflags: str, progress: Progress, *, label: str | None = None
) -> None:
    partial = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    env = {
        **os.environ,
        "GOTOOLCHAIN": "local",  # never download a toolchain behind the user's back
        "CGO_ENABLED": "0",
        "GOFLAGS": "-mod=readonly",  # the committed go.sum is the contract
    }
    started = time.monotonic()
    target = str(partial) + "/"
    command = [_go(), "build", "-trimpath", "-ldflags", ldflags, "-o", target, *packages]
    result = subprocess.run(command, cwd=module_dir, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-20:])
        raise EnvironmentProblem(f"Building {' '.join(packages)} failed:\n{tail}")
    shutil.rmtree(out_dir, ignore_errors=True)
    partial.rename(out_dir)
    what = label or ", ".join(p.rsplit("/", 1)[-1] for p in packages)
    progress(f"built {what} in {time.monotonic() - started:.0f} s")


def ensure(progress: Progress | None = None, cache: Path | None = None) -> KubeBinaries:
    """The cached binaries, building whichever are missing."""
    say = progress or (lambda _m: None)
    root = cache or paths.cache_dir()
    kube_version = pinned_version(KUBE_MODULE, "k8s.io/kubernetes")
    etcd_version = pinned_version(ETCD_MODULE, "go.etcd.io/etcd/server/v3")
    kube_dir = root / "kube" / kube_version
    etcd_dir = root / "etcd" / etcd_version
    if not all((kube_dir / name).exists() for name in KUBE_COMMANDS):
        say(f"building kube-apiserver + kube-controller-manager + kube-scheduler {kube_version} (cold: 6-15 min)")
        minor = kube_version.split(".")[1]
        version_pkg = "k8s.io/component-base/version"
        ldflags = " ".join(
            [
                "-s -w",
                f"-X {version_pkg}.gitVersion={kube_version}",
                f"-X {version_pkg}.gitMajor=1",
                f"-X {version_pkg}.gitMinor={minor}",
                f"-X {version_pkg}.gitTreeState=clean",
            ]
        )
        packages = [f"k8s.io/kubernetes/cmd/{name}" for name in KUBE_COMMANDS]
        _build(KUBE_MODULE, packages, kube_dir, ldflags, say)
    if not (etcd_dir / "etcd").exists():
        say(f"building etcd {etcd_version} (cold: ~30 s idle, ~2 min busy)")
        _build(ETCD_MODULE, ["."], etcd_dir, "-s -w", say, label="etcd")
        # `go build .` names the binary after the module's last path element.
        built = etcd_dir / "etcd"
        if not built.exists():
            only = next(p for p in etcd_dir.iterdir() if p.is_file())
            only.rename(built)
    helm_version = pinned_version(HELM_MODULE, "helm.sh/helm/v3")
    helm_dir = root / "helm" / helm_version
    if not (helm_dir / "helm").exists():
        say(f"building helm {helm_version} (cold: ~4 min), to lint and render the chart")
        _build(
            HELM_MODULE,
            ["helm.sh/helm/v3/cmd/helm"],
            helm_dir,
            f"-s -w -X helm.sh/helm/v3/internal/version.version={helm_version}",
            say,
        )
    return KubeBinaries(
        kube_version=kube_version,
        etcd_version=etcd_version,
        kube_apiserver=kube_dir / "kube-apiserver",
        kube_controller_manager=kube_dir / "kube-controller-manager",
        kube_scheduler=kube_dir / "kube-scheduler",
        etcd=etcd_dir / "etcd",
        helm=helm_dir / "helm",
    )


def main() -> None:
    binaries = ensure(progress=lambda m: print(m, file=sys.stderr, flush=True))
    print(f"kube {binaries.kube_version}: {binaries.kube_apiserver.parent}")
    print(f"etcd {binaries.etcd_version}: {binaries.etcd.parent}")
    print(f"helm: {binaries.helm}")


if __name__ == "__main__":
    main()
