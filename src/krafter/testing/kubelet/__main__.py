"""`python -m krafter.testing.kubelet --kubeconfig FILE --state-dir DIR --nodes 3`."""

from __future__ import annotations

import argparse
import logging
import signal
from pathlib import Path
from types import FrameType

from lightkube import Client, KubeConfig

from krafter.testing.kubelet.agent import Kubelet


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m krafter.testing.kubelet", description=__doc__)
    parser.add_argument("--kubeconfig", required=True, type=Path)
    parser.add_argument("--state-dir", required=True, type=Path)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument(
        "--zones", type=int, default=None, help="zone labels to spread the nodes over (default: one each)"
    )
    parser.add_argument("--krafter-image", default=None, help="the image reference that runs this package")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args()
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for noisy in ("httpx", "httpx2", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    client = Client(KubeConfig.from_file(str(args.kubeconfig)), field_manager="process-kubelet")
    args.state_dir.mkdir(parents=True, exist_ok=True)
    kubelet = Kubelet(
        client, args.state_dir.resolve(), nodes=args.nodes, zones=args.zones, krafter_image=args.krafter_image
    )

    def stop(_signum: int, _frame: FrameType | None) -> None:
        kubelet.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    kubelet.run()


if __name__ == "__main__":
    main()
