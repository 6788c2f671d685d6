"""Kubernetes Events about a Kafka resource (`kubectl describe kafka` shows them)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from lightkube import Client
from lightkube.models.core_v1 import EventSource, ObjectReference
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Event

COMPONENT = "krafter-operator"
MAX_MESSAGE = 1024


def post(client: Client, involved: Mapping[str, Any], event_type: str, reason: str, message: str) -> None:
    meta = involved["metadata"]
    now = datetime.now(UTC)
    client.create(
        Event(
            metadata=ObjectMeta(name=f"{meta['name']}.{secrets.token_hex(8)}", namespace=meta.get("namespace")),
            involvedObject=ObjectReference(
                apiVersion=involved.get("apiVersion"),
                kind=involved.get("kind"),
                name=meta["name"],
                namespace=meta.get("namespace"),
                uid=meta.get("uid"),
                resourceVersion=meta.get("resourceVersion"),
            ),
            type=event_type,
            reason=reason,
            message=message[:MAX_MESSAGE],
            source=EventSource(component=COMPONENT),
            firstTimestamp=now,
            lastTimestamp=now,
            count=1,
            reportingComponent=COMPONENT,
            reportingInstance=COMPONENT,
        )
    )
