"""`krafter up` to healthy, versus the floor: the same nodes started directly with java.

Both runs start the quickstart cluster (3 controller+broker nodes, mTLS between them) from
empty data directories. The floor uses the very files Krafter wrote (server.properties,
certificates) and runs StorageTool + kafka.Kafka itself, so the ratio is Krafter's own
overhead: planning, certificates, the start script, and health checking.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from krafter.api import cluster as assembly
from krafter.api import parse
from krafter.kafka import dist as kafka_dist
from krafter.kafka import runtime
from krafter.plan.model import NodePlan
from krafter.platform.local import cluster as local
from krafter.platform.local import processes

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "quickstart" / "kafka.yaml"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))


def _input() -> assembly.ClusterInput:
    [cluster], _ = assembly.assemble(parse.load_files([EXAMPLE]))
    return cluster


def krafter_up(state_dir: Path) -> tuple[float, local.UpResult]:
    platform = local.LocalPlatform(state_dir)
    started = time.monotonic()
    result = platform.up(_input())
    return time.monotonic() - started, result


def floor(result: local.UpResult, dist: kafka_dist.KafkaDistribution) -> float:
    """Format and start the same nodes with plain java; healthy = same admin check as Krafter."""
    plan, state = result.plan, result.state
    for node in plan.nodes:
        for volume in node.volumes:
            shutil.rmtree(volume.mount_path, ignore_errors=True)
    started = time.monotonic()
    kafkas: list[subprocess.Popen[bytes]] = []

    def format_then_start(node: NodePlan) -> None:
        # Per node, like a Pod: format its storage, then start it; nodes proceed in parallel.
        dirs = local.dirs_of(state, node)
        config = dirs.run / "server.properties"
        args = ["format", "-t", plan.cluster_id, "-c", str(config), "--release-version", plan.metadata_version]
        initial = (dirs.config / "initial.controllers").read_text()
        args += ["--initial-controllers", initial] if initial else ["--no-initial-controllers"]
        command = runtime.java_command(dist, runtime.STORAGE_TOOL, args, heap="256m")
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        heap = node.jvm.heap_max or "512m"
        command = runtime.java_command(dist, runtime.KAFKA_MAIN, [str(config)], heap=heap)
        kafkas.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        )

    threads = [threading.Thread(target=format_then_start, args=(node,)) for node in plan.nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        # The same readiness test as `krafter up`: ports open, then Kafka's own view of health.
        deadline = time.monotonic() + 240
        while not all(local.port_open(p) for n in plan.nodes for p in local.node_ports(n)):
            if time.monotonic() > deadline:
                raise TimeoutError("floor cluster did not open its ports")
            time.sleep(0.25)
        platform = local.LocalPlatform(state.base)
        platform.wait_healthy(plan, result.identity, 240, state)
        return time.monotonic() - started
    finally:
        for proc in kafkas:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main() -> None:
    dist = kafka_dist.resolve()
    krafter_times, floor_times = [], []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as scratch:
            state_dir = Path(scratch)
            seconds, result = krafter_up(state_dir)
            krafter_times.append(seconds)
            platform = local.LocalPlatform(state_dir)
            platform.down(result.plan.name)
            for node in result.plan.nodes:
                assert processes.running_pid(local.dirs_of(result.state, node)) is None
            floor_times.append(floor(result, dist))
    best_krafter, best_floor = min(krafter_times), min(floor_times)
    print(f"local_up krafter_up_s {best_krafter:.1f} s   (runs: {', '.join(f'{t:.1f}' for t in krafter_times)})")
    print(f"local_up floor_s {best_floor:.1f} s   (runs: {', '.join(f'{t:.1f}' for t in floor_times)})")
    print(f"local_up ratio {best_krafter / best_floor:.2f}   (goal <= 1.2)")


if __name__ == "__main__":
    main()
