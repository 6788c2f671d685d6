"""The CustomResourceDefinitions Krafter serves, generated from the models.

Names, short names, printer columns and subresources match Strimzi's so that `kubectl get k`
and users' scripts keep working. Both `v1` (storage) and `v1beta2` are served; they share
one schema shape except for the fields marked version-only in the models, so no conversion
webhook is needed (`None` conversion keeps every field users wrote).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel

from krafter.api import crdgen
from krafter.api.base import ALL_VERSIONS, API_GROUP, V1
from krafter.api.kafka import Kafka
from krafter.api.nodepool import KafkaNodePool
from krafter.api.rebalance import KafkaRebalance
from krafter.api.topic import KafkaTopic
from krafter.api.user import KafkaUser

_READY = {
    "name": "Ready",
    "description": "Whether the resource is ready",
    "jsonPath": '.status.conditions[?(@.type=="Ready")].status',
    "type": "string",
}


@dataclass(frozen=True)
class KindInfo:
    kind: str
    plural: str
    singular: str
    short_names: tuple[str, ...]
    model: type[BaseModel]
    printer_columns: tuple[dict[str, str], ...]
    scale: bool = False


KINDS: tuple[KindInfo, ...] = (
    KindInfo(
        "Kafka",
        "kafkas",
        "kafka",
        ("k",),
        Kafka,
        (
            {**_READY, "description": "Whether the cluster is ready"},
            {
                "name": "Warnings",
                "description": "Whether there are warnings (see status.conditions)",
                "jsonPath": '.status.conditions[?(@.type=="Warning")].status',
                "type": "string",
            },
            {
                "name": "Kafka version",
                "description": "Kafka version the cluster runs",
                "jsonPath": ".status.kafkaVersion",
                "type": "string",
            },
            {
                "name": "Metadata version",
                "description": "KRaft metadata version in effect",
                "jsonPath": ".status.kafkaMetadataVersion",
                "type": "string",
            },
        ),
    ),
    KindInfo(
        "KafkaNodePool",
        "kafkanodepools",
        "kafkanodepool",
        ("knp",),
        KafkaNodePool,
        (
            {
                "name": "Desired replicas",
                "description": "Desired number of nodes",
                "jsonPath": ".spec.replicas",
                "type": "integer",
            },
            {
                "name": "Roles",
                "description": "Roles of the pool's nodes",
                "jsonPath": ".status.roles",
                "type": "string",
            },
            {
                "name": "NodeIds",
                "description": "Node ids of the pool's nodes",
                "jsonPath": ".status.nodeIds",
                "type": "string",
            },
        ),
        scale=True,
    ),
    KindInfo(
        "KafkaTopic",
        "kafkatopics",
        "kafkatopic",
        ("kt",),
        KafkaTopic,
        (
            {
                "name": "Cluster",
                "description": "Kafka cluster of the topic",
                "jsonPath": ".metadata.labels.strimzi\\.io/cluster",
                "type": "string",
            },
            {
                "name": "Partitions",
                "description": "Desired number of partitions",
                "jsonPath": ".spec.partitions",
                "type": "integer",
            },
            {
                "name": "Replication factor",
                "description": "Desired replicas per partition",
                "jsonPath": ".spec.replicas",
                "type": "integer",
            },
            _READY,
        ),
    ),
    KindInfo(
        "KafkaUser",
        "kafkausers",
        "kafkauser",
        ("ku",),
        KafkaUser,
        (
            {
                "name": "Cluster",
                "description": "Kafka cluster of the user",
                "jsonPath": ".metadata.labels.strimzi\\.io/cluster",
                "type": "string",
            },
            {
                "name": "Authentication",
                "description": "How the user authenticates",
                "jsonPath": ".spec.authentication.type",
                "type": "string",
            },
            {
                "name": "Authorization",
                "description": "How the user is authorised",
                "jsonPath": ".spec.authorization.type",
                "type": "string",
            },
            _READY,
        ),
    ),
    KindInfo(
        "KafkaRebalance",
        "kafkarebalances",
        "kafkarebalance",
        ("kr",),
        KafkaRebalance,
        (
            {
                "name": "Cluster",
                "description": "The name of the Kafka cluster this resource rebalances",
                "jsonPath": ".metadata.labels.strimzi\\.io/cluster",
                "type": "string",
            },
            {
                "name": "Template",
                "description": "If this rebalance resource is a template",
                "jsonPath": ".metadata.annotations.strimzi\\.io/rebalance-template",
                "type": "string",
            },
            {
                "name": "Status",
                "description": "Status of the current rebalancing operation",
                "jsonPath": ".status.conditions[*].type",
                "type": "string",
            },
        ),
    ),
)


def kind_info(kind: str) -> KindInfo:
    for info in KINDS:
        if info.kind == kind:
            return info
    raise KeyError(kind)


def _version(info: KindInfo, version: str) -> dict[str, Any]:
    schema = crdgen.model_schema(info.model, version)
    # metadata is the API server's; a schema for it is not allowed beyond `type: object`.
    schema["properties"]["metadata"] = {"type": "object"}
    schema["properties"]["apiVersion"] = {
        "type": "string",
        "description": "APIVersion defines the versioned schema of this representation of an object.",
    }
    schema["properties"]["kind"] = {
        "type": "string",
        "description": "Kind is a string value representing the REST resource this object represents.",
    }
    schema.pop("required", None)  # the models require apiVersion/kind/metadata; the server sets those
    if version == V1:
        schema["required"] = ["spec"]  # as Strimzi's v1 CRDs (its v1beta2 ones did not require it)
    subresources: dict[str, Any] = {"status": {}}
    if info.scale:
        subresources["scale"] = {
            "specReplicasPath": ".spec.replicas",
            "statusReplicasPath": ".status.replicas",
            "labelSelectorPath": ".status.labelSelector",
        }
    return {
        "name": version,
        "served": True,
        "storage": version == V1,
        "subresources": subresources,
        "additionalPrinterColumns": [dict(c) for c in info.printer_columns],
        "schema": {"openAPIV3Schema": schema},
    }


def crd(info: KindInfo) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": f"{info.plural}.{API_GROUP}",
            "labels": {"app": "krafter", "strimzi.io/crd-install": "true"},
        },
        "spec": {
            "group": API_GROUP,
            "names": {
                "kind": info.kind,
                "listKind": f"{info.kind}List",
                "plural": info.plural,
                "singular": info.singular,
                "shortNames": list(info.short_names),
                "categories": ["strimzi", "krafter"],
            },
            "scope": "Namespaced",
            "conversion": {"strategy": "None"},
            "versions": [_version(info, version) for version in ALL_VERSIONS],
        },
    }


def all_crds() -> list[dict[str, Any]]:
    return [crd(info) for info in KINDS]


HEADER = "# Generated by `krafter crds` from Krafter's models (make crds). Do not edit.\n"


def crd_yaml(info: KindInfo) -> str:
    return HEADER + yaml.safe_dump(crd(info), sort_keys=False, width=100)


def crds_yaml() -> str:
    """Every CRD as one multi-document YAML stream (what `krafter crds` prints)."""
    return HEADER + "---\n".join(yaml.safe_dump(doc, sort_keys=False, width=100) for doc in all_crds())


def crd_files() -> dict[str, str]:
    """File name -> content, one file per CRD (the layout of install/crds and the Helm chart)."""
    return {f"{info.plural}.{API_GROUP}.yaml": crd_yaml(info) for info in KINDS}
