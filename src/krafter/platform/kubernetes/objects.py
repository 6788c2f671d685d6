"""Plain object dicts <-> lightkube resources, for every kind Krafter renders or reads.

Rendering produces dicts (the YAML edge); lightkube wants typed resources. Kinds lightkube
has no model for (OpenShift Routes, Gateway API TLSRoutes, our own CRs) are registered as
generic resources once, here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lightkube import Client, codecs
from lightkube.generic_resource import create_namespaced_resource, get_generic_resource

from krafter.api.base import API_GROUP

# (group, version, kind, plural) of kinds lightkube does not model itself.
GENERIC_KINDS = (
    (API_GROUP, "v1", "Kafka", "kafkas"),
    (API_GROUP, "v1", "KafkaNodePool", "kafkanodepools"),
    (API_GROUP, "v1", "KafkaTopic", "kafkatopics"),
    (API_GROUP, "v1", "KafkaUser", "kafkausers"),
    (API_GROUP, "v1", "KafkaRebalance", "kafkarebalances"),
    ("route.openshift.io", "v1", "Route", "routes"),
    ("gateway.networking.k8s.io", "v1alpha2", "TLSRoute", "tlsroutes"),
)

_registered: dict[str, Any] = {}


def generic(kind: str) -> Any:
    """The lightkube resource class of a generic kind (registered on first use); typed Any
    because lightkube's generic classes are built at run time."""
    if kind not in _registered:
        for group, version, name, plural in GENERIC_KINDS:
            if name == kind:
                existing = get_generic_resource(f"{group}/{version}", kind)  # type: ignore[no-untyped-call]
                _registered[kind] = existing or create_namespaced_resource(group, version, kind, plural)
                break
        else:
            raise KeyError(f"no generic resource for kind {kind}")
    return _registered[kind]


for _group, _version, _kind, _plural in GENERIC_KINDS:
    generic(_kind)
# The older served version, so that v1beta2 documents (legacy files) can be sent as they are.
for _kind, _plural in (
    ("Kafka", "kafkas"),
    ("KafkaNodePool", "kafkanodepools"),
    ("KafkaTopic", "kafkatopics"),
    ("KafkaUser", "kafkausers"),
):
    if get_generic_resource(f"{API_GROUP}/v1beta2", _kind) is None:  # type: ignore[no-untyped-call]
        create_namespaced_resource(API_GROUP, "v1beta2", _kind, _plural)

KAFKA = generic("Kafka")
KAFKA_NODE_POOL = generic("KafkaNodePool")
KAFKA_TOPIC = generic("KafkaTopic")
KAFKA_USER = generic("KafkaUser")
KAFKA_REBALANCE = generic("KafkaRebalance")


def to_resource(obj: Mapping[str, Any]) -> Any:
    return codecs.from_dict(dict(obj))


def to_dict(resource: Any) -> dict[str, Any]:
    if isinstance(resource, dict):
        return resource
    return resource.to_dict()  # type: ignore[no-any-return]


def resource_class(obj: Mapping[str, Any]) -> Any:
    return type(to_resource({**obj, "metadata": {"name": obj["metadata"]["name"]}}))


def delete(client: Client, obj: Mapping[str, Any]) -> None:
    meta = obj["metadata"]
    client.delete(resource_class(obj), meta["name"], namespace=meta.get("namespace"))
