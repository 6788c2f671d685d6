"""Which Kafka a KafkaTopic or KafkaUser event is for, including `watchedNamespace`.

A topic or user names its cluster only by the `strimzi.io/cluster` label; the Kafka lives in
the resource's namespace, or, with `entityOperator.topicOperator/userOperator.watchedNamespace`,
in another one that watches this namespace. Kafka events keep this index current, so a
resource event reaches the right cluster's pass without listing every Kafka.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Key = tuple[str, str]
"""(namespace, name) of a Kafka."""


def watched_namespaces(kafka_spec: Mapping[str, Any] | None) -> set[str]:
    entity = (kafka_spec or {}).get("entityOperator") or {}
    found = set()
    for part in ("topicOperator", "userOperator"):
        namespace = (entity.get(part) or {}).get("watchedNamespace")
        if isinstance(namespace, str) and namespace:
            found.add(namespace)
    return found


class WatchIndex:
    def __init__(self) -> None:
        self._watching: dict[Key, set[str]] = {}

    def update(self, kafka: Key, spec: Mapping[str, Any] | None) -> None:
        """Record a Kafka's watched namespaces (`spec` None: the Kafka is gone)."""
        namespaces = watched_namespaces(spec) - {kafka[0]} if spec is not None else set()
        if namespaces:
            self._watching[kafka] = namespaces
        else:
            self._watching.pop(kafka, None)

    def clusters_for(self, namespace: str, cluster: str) -> list[Key]:
        """The Kafka keys whose topic/user pass covers a resource labelled `cluster` in `namespace`."""
        keys = [(namespace, cluster)]
        for kafka, namespaces in sorted(self._watching.items()):
            if kafka[1] == cluster and namespace in namespaces:
                keys.append(kafka)
        return keys
