"""The downward API and container environment, resolved the way the kubelet resolves them.

`fieldRef` paths, `resourceFieldRef` (with divisor), `secretKeyRef`/`configMapKeyRef`
(optional or not), `envFrom` with prefixes, and `$(VAR)` expansion over the variables defined
earlier in the list (`$$` escapes), so the Pod spec under test is read exactly as a cluster reads it.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

Pod = dict[str, Any]
_SUBSCRIPT = re.compile(r"^metadata\.(labels|annotations)\['(.+)'\]$")
_REFERENCE = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")
_SUFFIXES: dict[str, Decimal | int] = {
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
    "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": 1,
    "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
}  # fmt: skip


class MissingReference(Exception):
    """A non-optional Secret/ConfigMap key the environment needs is missing: the container waits."""


def field_value(pod: Pod, path: str) -> str:
    metadata, spec, status = pod["metadata"], pod["spec"], pod.get("status") or {}
    simple: dict[str, Any] = {
        "metadata.name": metadata.get("name"),
        "metadata.namespace": metadata.get("namespace"),
        "metadata.uid": metadata.get("uid"),
        "spec.nodeName": spec.get("nodeName"),
        "spec.serviceAccountName": spec.get("serviceAccountName"),
        "status.podIP": status.get("podIP"),
        "status.hostIP": status.get("hostIP"),
        "status.podIPs": ",".join(entry["ip"] for entry in status.get("podIPs") or []),
        "status.hostIPs": ",".join(entry["ip"] for entry in status.get("hostIPs") or []),
    }
    if path in simple:
        return str(simple[path] or "")
    match = _SUBSCRIPT.match(path)
    if match:
        return str((metadata.get(match.group(1)) or {}).get(match.group(2), ""))
    if path in ("metadata.labels", "metadata.annotations"):
        values = metadata.get(path.split(".")[1]) or {}
        return "\n".join(f'{key}="{value}"' for key, value in sorted(values.items()))
    raise ValueError(f"unsupported fieldRef {path}")


def quantity(text: str) -> Decimal:
    match = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(text))
    if not match or match.group(2) not in _SUFFIXES:
        raise ValueError(f"not a quantity: {text}")
    return Decimal(match.group(1)) * Decimal(_SUFFIXES[match.group(2)])


def resource_value(pod: Pod, ref: dict[str, Any], container: dict[str, Any] | None = None) -> str:
    """requests/limits of a container, rounded up in units of the divisor (limits default to node capacity)."""
    if container is None:
        container = next(c for c in pod["spec"]["containers"] if c["name"] == ref.get("containerName"))
    section, _, resource = ref["resource"].partition(".")
    value = ((container.get("resources") or {}).get(section) or {}).get(resource)
    if value is None:
        value = {"cpu": "16", "memory": "64Gi", "ephemeral-storage": "100Gi"}.get(resource, "0")
    divisor = quantity(str(ref.get("divisor", "1")))
    return str(math.ceil(quantity(str(value)) / divisor))


def expand(text: str, defined: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return defined[name] if name in defined else match.group(0)

    return _REFERENCE.sub(replace, text)


Lookup = Callable[[str, str], Mapping[str, str] | None]
"""(kind "Secret"/"ConfigMap", name) -> its data, decoded; None when it does not exist."""


def _data(lookup: Lookup, kind: str, ref: Mapping[str, Any]) -> Mapping[str, str]:
    found = lookup(kind, ref["name"])
    if found is None:
        if ref.get("optional"):
            return {}
        raise MissingReference(f"{kind} {ref['name']} not found")
    return found


def environment(pod: Pod, container: dict[str, Any], lookup: Lookup, image_env: Mapping[str, str]) -> dict[str, str]:
    """The container's environment: the image's, then envFrom, then env, in order, each expanded."""
    env: dict[str, str] = dict(image_env)
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix", "")
        if "configMapRef" in source:
            kind, ref = "ConfigMap", source["configMapRef"]
        else:
            kind, ref = "Secret", source["secretRef"]
        for key, value in _data(lookup, kind, ref).items():
            env[prefix + key] = value
    for entry in container.get("env") or []:
        name = entry["name"]
        if "valueFrom" not in entry:
            env[name] = expand(entry.get("value", ""), env)
            continue
        source = entry["valueFrom"]
        if "fieldRef" in source:
            env[name] = field_value(pod, source["fieldRef"]["fieldPath"])
        elif "resourceFieldRef" in source:
            env[name] = resource_value(pod, source["resourceFieldRef"], container)
        else:
            kind, ref = (
                ("Secret", source["secretKeyRef"])
                if "secretKeyRef" in source
                else ("ConfigMap", source["configMapKeyRef"])
            )
            data = _data(lookup, kind, ref)
            if ref["key"] in data:
                env[name] = data[ref["key"]]
            elif not ref.get("optional"):
                raise MissingReference(f"{kind} {ref['name']} has no key {ref['key']}")
    return env


def decode_secret(data: Mapping[str, str] | None) -> dict[str, str]:
    return {key: base64.b64decode(value).decode(errors="replace") for key, value in (data or {}).items()}
