"""JVM heap and options of a node: explicit settings win, else a share of the memory limit.

Kafka relies on the page cache far more than on heap, so only half the container's memory
goes to heap (at most 6 GiB, beyond which larger heaps only lengthen GC pauses).
"""

from __future__ import annotations

import re

from krafter.api.common import JvmOptions, ResourceRequirements
from krafter.plan.model import JvmPlan

_QUANTITY = re.compile(r"^(?P<number>[0-9.]+)(?P<unit>[a-zA-Z]*)$")
_UNITS = {
    "": 1,
    "k": 1000,
    "M": 1000**2,
    "G": 1000**3,
    "T": 1000**4,
    "Ki": 1024,
    "Mi": 1024**2,
    "Gi": 1024**3,
    "Ti": 1024**4,
}
MAX_DERIVED_HEAP_MB = 6144


def quantity_bytes(value: int | str) -> int | None:
    """Bytes in a Kubernetes quantity such as `4Gi` or `512M`; None if unreadable."""
    if isinstance(value, int):
        return value
    match = _QUANTITY.match(value.strip())
    if not match or match.group("unit") not in _UNITS:
        return None
    return int(float(match.group("number")) * _UNITS[match.group("unit")])


def heap_bytes(heap: str) -> int | None:
    """Bytes in a JVM size such as `2g` or `512m`."""
    match = re.match(r"^(\d+)([kKmMgG]?)$", heap)
    if not match:
        return None
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
    return int(match.group(1)) * factor


def plan_jvm(options: JvmOptions | None, resources: ResourceRequirements | None, default_heap: str | None) -> JvmPlan:
    heap_max = options.xmx if options else None
    heap_min = options.xms if options else None
    if heap_max is None:
        limit = (resources.limits or {}).get("memory") if resources and resources.limits else None
        limit_bytes = quantity_bytes(limit) if limit is not None else None
        if limit_bytes:
            heap_max = f"{min(MAX_DERIVED_HEAP_MB, max(128, limit_bytes // 2 // 1024**2))}m"
        else:
            heap_max = default_heap
    flags: list[str] = []
    for key, value in sorted(((options.xx if options else None) or {}).items()):
        text = str(value).lower()
        if text == "true":
            flags.append(f"-XX:+{key}")
        elif text == "false":
            flags.append(f"-XX:-{key}")
        else:
            flags.append(f"-XX:{key}={value}")
    if options and options.gc_logging_enabled:
        flags.append("-Xlog:gc*:stdout:time,uptime,level,tags")
    for prop in (options.java_system_properties if options else None) or []:
        if prop.name:
            flags.append(f"-D{prop.name}={prop.value or ''}")
    return JvmPlan(heap_max=heap_max, heap_min=heap_min, options=tuple(flags))
