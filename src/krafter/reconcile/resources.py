"""What both reconcilers read from a resource's metadata: its key, annotations and age."""

from __future__ import annotations

from datetime import UTC, datetime

from krafter.api.common import ObjectMeta

MANAGED = "strimzi.io/managed"
"""`"false"` on a KafkaTopic: stop managing the topic (deleting the resource then leaves it)."""
PAUSE = "strimzi.io/pause-reconciliation"
"""`"true"`: leave Kafka alone until the annotation is removed."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def key(meta: ObjectMeta) -> str:
    """How results are keyed: `namespace/name`, or just the name when there is no namespace (local files)."""
    return f"{meta.namespace}/{meta.name}" if meta.namespace else meta.name or ""


def is_paused(meta: ObjectMeta) -> bool:
    return (meta.annotations or {}).get(PAUSE, "").lower() == "true"


def is_managed(meta: ObjectMeta) -> bool:
    return (meta.annotations or {}).get(MANAGED, "").lower() != "false"


def is_deleting(meta: ObjectMeta) -> bool:
    return meta.deletion_timestamp is not None


def created_at(meta: ObjectMeta) -> datetime:
    """metadata.creationTimestamp as a time; a resource without one (local files) counts as oldest."""
    text = meta.creation_timestamp
    if not text:
        return _EPOCH
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return _EPOCH
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
