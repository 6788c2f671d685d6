"""Writing a custom resource's status: only when it differs, as a merge patch of the subresource."""

from __future__ import annotations

from typing import Any

from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.types import PatchType

from krafter.platform.kubernetes.apply import is_subset


def same(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return is_subset(wanted, current) and is_subset(current, wanted)


def write_status(client: Client, resource: Any, item: dict[str, Any], status: dict[str, Any]) -> bool:
    """Patch `item`'s status to `status` unless it already says that; True if a write was made.

    A resource deleted meanwhile is not an error: there is no status left to keep.
    """
    if same(item.get("status") or {}, status):
        return False
    meta = item["metadata"]
    try:
        client.patch(
            resource.Status, meta["name"], {"status": status}, namespace=meta["namespace"], patch_type=PatchType.MERGE
        )
    except ApiError as exc:
        if exc.status.code == 404:
            return False
        raise
    return True
