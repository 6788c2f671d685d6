"""Kubernetes types inside Strimzi resources (affinity, tolerations, securityContext, volumes, ...),
typed and documented from the Kubernetes OpenAPI schema of the Kubernetes version Krafter supports.

Users' most common complaint about Strimzi is that pod options are undocumented: `kubectl explain`
stops at `affinity`. Krafter's CRDs carry the whole Kubernetes schema there instead, so both
explains go all the way down and a typo inside a toleration is refused at `kubectl apply`.

The definitions come from the Kubernetes schema that `kubernetes-validate` bundles for
`KUBERNETES_VERSION`; `extract` keeps the ones reachable from `ROOTS` in `kubernetes.json`, which
`make crds` regenerates and a unit test keeps equal to the bundled schema (no hand copies, no
network, and no 100 MB dependency at run time). The Python models keep these fields as plain
mappings, passed to Kubernetes verbatim: Kubernetes validates them again when the Pod is created.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

KUBERNETES_VERSION = "1.36"
DATA = "kubernetes.json"
_PREFIX = "io.k8s.api.core.v1."
ROOTS = (
    "io.k8s.api.core.v1.Affinity",
    "io.k8s.api.core.v1.Toleration",
    "io.k8s.api.core.v1.PodSecurityContext",
    "io.k8s.api.core.v1.SecurityContext",
    "io.k8s.api.core.v1.TopologySpreadConstraint",
    "io.k8s.api.core.v1.HostAlias",
    "io.k8s.api.core.v1.PodDNSConfig",
    "io.k8s.api.core.v1.LocalObjectReference",
    "io.k8s.api.core.v1.VolumeMount",
    "io.k8s.api.core.v1.Volume",
    "io.k8s.api.core.v1.ResourceClaim",
    "io.k8s.api.core.v1.PersistentVolumeClaimSpec",
    "io.k8s.api.networking.v1.NetworkPolicyPeer",
    "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
)
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_QUANTITY_MARK = "x-krafter-quantity"
"""Marks quantities while converting; never left in a schema (see `schema`)."""
ADDITIONAL_VOLUME_SOURCES = ("secret", "configMap", "emptyDir", "persistentVolumeClaim", "csi", "image")
"""The volume sources Strimzi lets users add to its Pods (no hostPath and the like)."""


@dataclass(frozen=True)
class KubeType:
    """Field marker: in the CRD, this mapping (or each item of this list) is Kubernetes type `name`.

    `only` keeps some properties (e.g. the volume sources Strimzi allows).
    """

    name: str
    only: tuple[str, ...] | None = None


# --- Extraction from the bundled Kubernetes schema (make crds) -------------------------------------


def bundled_definitions() -> dict[str, Any]:
    """The `$defs` of kubernetes-validate's schema for KUBERNETES_VERSION (a development dependency)."""
    import kubernetes_validate

    folder = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{KUBERNETES_VERSION}.0-local"
    return dict(json.loads((folder / "_definitions.json").read_text())["$defs"])


def extract(definitions: dict[str, Any]) -> dict[str, Any]:
    """The definitions reachable from ROOTS, in name order (what `kubernetes.json` holds)."""
    kept: dict[str, Any] = {}
    pending = list(ROOTS)
    while pending:
        name = pending.pop()
        if name in kept:
            continue
        kept[name] = definitions[name]
        pending += _references(definitions[name])
    return {"kubernetesVersion": KUBERNETES_VERSION, "definitions": dict(sorted(kept.items()))}


def _references(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        found = [str(schema["$ref"]).rpartition("/")[2]] if "$ref" in schema else []
        return found + [ref for value in schema.values() for ref in _references(value)]
    if isinstance(schema, list):
        return [ref for value in schema for ref in _references(value)]
    return []


def write(path: Path | None = None) -> Path:
    target = path or Path(__file__).with_name(DATA)
    target.write_text(json.dumps(extract(bundled_definitions()), indent=1, sort_keys=True) + "\n")
    return target


# --- Structural schemas for the CRDs -----------------------------------------------------------------


@functools.cache
def _definitions() -> dict[str, Any]:
    text = resources.files("krafter.api").joinpath(DATA).read_text()
    return dict(json.loads(text)["definitions"])


def schema(marker: KubeType, version: str = "v1") -> dict[str, Any]:
    """The structural CRD schema of a Kubernetes type, with descriptions (a fresh copy).

    In v1beta2 a quantity accepts any value: Strimzi's v1beta2 CRDs (up to 0.48) typed it as an
    `{amount, format}` object, and files written against them must keep applying.
    """
    result = copy.deepcopy(_structural(marker.name))
    _settle_quantities(result, loose=version == "v1beta2")
    if marker.only is not None:
        result["properties"] = {k: v for k, v in result["properties"].items() if k in ("name", *marker.only)}
    return result


def _settle_quantities(node: dict[str, Any], *, loose: bool) -> None:
    """Remove the conversion's quantity marks; `loose` also lets a quantity be any value."""
    if node.pop(_QUANTITY_MARK, None) and loose:
        node.pop("x-kubernetes-int-or-string", None)
        node["x-kubernetes-preserve-unknown-fields"] = True
    children = [*node.get("properties", {}).values(), node.get("items"), node.get("additionalProperties")]
    for child in children:
        if isinstance(child, dict):
            _settle_quantities(child, loose=loose)


@functools.cache
def _structural(name: str) -> dict[str, Any]:
    return _convert(_definitions()[name])


def _convert(node: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema as kubernetes-validate writes it -> a structural OpenAPI v3 schema.

    Kept: types, properties, items, maps, descriptions. Dropped, so that Krafter's CRDs stay at
    least as permissive as Strimzi's (which type these fields from an older fabric8 model):
    `required`, `enum`, `format` and defaults; Kubernetes checks those when it creates the Pod.
    """
    description = node.get("description")
    if "$ref" in node:
        name = str(node["$ref"]).rpartition("/")[2]
        if name == _QUANTITY:
            result: dict[str, Any] = {"x-kubernetes-int-or-string": True, _QUANTITY_MARK: True}
        elif name == _INT_OR_STRING:
            result = {"x-kubernetes-int-or-string": True}
        else:
            result = dict(_structural(name))
    elif "oneOf" in node:
        result = {"x-kubernetes-int-or-string": True}
    else:
        kinds = node.get("type")
        kind = next((k for k in kinds if k != "null"), "object") if isinstance(kinds, list) else kinds or "object"
        result = {"type": kind}
        if kind == "object":
            if "properties" in node:
                result["properties"] = {k: _convert(v) for k, v in node["properties"].items()}
            elif isinstance(node.get("additionalProperties"), dict):
                result["additionalProperties"] = _convert(node["additionalProperties"])
            else:
                result["x-kubernetes-preserve-unknown-fields"] = True
        elif kind == "array":
            result["items"] = _convert(node.get("items") or {"type": "object"})
    if description:
        result["description"] = summary(str(description))
    return result


def summary(description: str) -> str:
    """The first sentence of a Kubernetes field description (the CRD must stay well below etcd's
    1.5 MB object limit with every Pod template of every version in it); `kubectl explain pod`
    has the rest."""
    text = " ".join(description.split()).split(" More info:")[0].strip()
    summary = ""
    for match in re.finditer(r"(?<=[a-z0-9)`'\"][.])\s+(?=[A-Z])", text):
        summary = text[: match.start()]
        if len(summary) >= _SHORTEST_SUMMARY:  # "Required." alone says too little
            return summary
    return text


_SHORTEST_SUMMARY = 40


def main() -> None:
    print(f"wrote {write()}")


if __name__ == "__main__":
    main()
