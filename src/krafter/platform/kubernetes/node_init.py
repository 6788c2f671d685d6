"""What a Kafka Pod's init container learns about its Kubernetes node: rack and external address.

Kafka needs `broker.rack` (rack awareness) and, for `nodeport` listeners, an address clients
outside the cluster can reach; both depend on the node the Pod landed on, known only at
start-up. The init container (`krafter node-init`) writes them as files the node start script
substitutes into server.properties.
"""

from __future__ import annotations

import os
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


def run(*, rack_label: str | None, external_address: bool, address_type: str | None, output: Path) -> dict[str, str]:
    from lightkube import Client
    from lightkube.resources.core_v1 import Node

    node_name = os.environ.get("NODE_NAME")
    if not node_name:
        raise KrafterError("NODE_NAME is not set (the Pod spec passes spec.nodeName in it)")
    node = Client().get(Node, node_name).to_dict()
    files = node_facts(node, rack_label=rack_label, external_address=external_address, address_type=address_type)
    output.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (output / name).write_text(content)
    return files
