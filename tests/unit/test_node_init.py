"""The init container's choices: rack from the node label, the address nodeport clients can reach."""

from __future__ import annotations

import pytest

from krafter.core.errors import KrafterError
from krafter.platform.kubernetes import node_init

pytestmark = pytest.mark.unit

NODE = {
    "metadata": {"name": "worker-1", "labels": {"topology.kubernetes.io/zone": "eu-1a"}},
    "status": {
        "addresses": [
            {"type": "InternalIP", "address": "10.0.0.5"},
            {"type": "Hostname", "address": "worker-1"},
            {"type": "ExternalIP", "address": "203.0.113.7"},
        ]
    },
}


def test_rack_comes_from_the_topology_label() -> None:
    facts = node_init.node_facts(
        NODE, rack_label="topology.kubernetes.io/zone", external_address=False, address_type=None
    )
    assert facts == {"rack.id": "eu-1a"}


def test_missing_rack_label_names_the_label_and_the_field() -> None:
    with pytest.raises(KrafterError, match="topologyKey"):
        node_init.node_facts(NODE, rack_label="zone", external_address=False, address_type=None)


def test_external_address_prefers_external_ip_by_default() -> None:
    facts = node_init.node_facts(NODE, rack_label=None, external_address=True, address_type=None)
    assert facts == {"external.address": "203.0.113.7"}


def test_preferred_address_type_wins() -> None:
    facts = node_init.node_facts(NODE, rack_label=None, external_address=True, address_type="InternalIP")
    assert facts == {"external.address": "10.0.0.5"}
