"""What a Kafka Pod's init container prepares: the node's rack and external address, metrics jars.

Kafka needs `broker.rack` (rack awareness) and, for `nodeport` listeners, an address clients
outside the cluster can reach; both depend on the node the Pod landed on, known only at
start-up. The init container (`krafter node-init`) writes them as files the node start script
substitutes into server.properties. The metrics jars (JMX exporter, Strimzi's reporter) are
not in the apache/kafka image; the Krafter image carries them and this copies them over.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from krafter.core.errors import KrafterError

# Strimzi's default preference when `preferredNodePortAddressType` is not set.
DEFAULT_ADDRESS_ORDER = ("ExternalDNS", "ExternalIP", "InternalDNS", "InternalIP", "Hostname")


def choose_address(addresses: Sequence[Mapping[str, str]], preferred: str | None = None) -> str | None:
    """The node address to advertise: the preferred type first, then Strimzi's default order."""
    order = ([preferred] if preferred else []) + [t for t in DEFAULT_ADDRESS_ORDER if t != preferred]
    for address_type in order:
        for address in addresses:
            if address.get("type") == address_type and address.get("address"):
                return address["address"]
    return None


def node_facts(
    node: Mapping[str, Any], *, rack_label: str | None, external_address: bool, address_type: str | None
) -> dict[str, str]:
    """File name -> content for the init directory."""
    files: dict[str, str] = {}
    if rack_label:
        rack = ((node.get("metadata") or {}).get("labels") or {}).get(rack_label)
        if not rack:
            name = (node.get("metadata") or {}).get("name")
            raise KrafterError(f"node {name} has no label {rack_label} (spec.kafka.rack.topologyKey)")
        files["rack.id"] = rack
    if external_address:
        address = choose_address((node.get("status") or {}).get("addresses") or [], address_type)
        if address is None:
            raise KrafterError("the node reports no address for nodeport listeners")
        files["external.address"] = address
    return files


METRICS_DIR = "metrics"


def copy_metrics_libs(source: Path, output: Path) -> Path:
    if not (source / "jmx_prometheus_javaagent.jar").is_file():
        raise KrafterError(f"{source} holds no metrics jars (the Krafter image ships them in /opt/krafter/metrics)")
    target = output / METRICS_DIR
    shutil.copytree(source, target, dirs_exist_ok=True)
    return target


def run(
    *,
    rack_label: str | None,
    external_address: bool,
    address_type: str | None,
    output: Path,
    metrics_libs: Path | None = None,
) -> dict[str, str]:
    output.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    if rack_label or external_address:
        from lightkube import Client
        from lightkube.resources.core_v1 import Node

        node_name = os.environ.get("NODE_NAME")
        if not node_name:
            raise KrafterError("NODE_NAME is not set (the Pod spec passes spec.nodeName in it)")
        node = Client().get(Node, node_name).to_dict()
        files = node_facts(node, rack_label=rack_label, external_address=external_address, address_type=address_type)
        for name, content in files.items():
            (output / name).write_text(content)
    if metrics_libs is not None:
        files[METRICS_DIR] = str(copy_metrics_libs(metrics_libs, output))
    return files
