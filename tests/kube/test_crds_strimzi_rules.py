"""Strimzi's rules on a real API server: what the CRDs can express is refused at `kubectl apply`.

Same table as tests/unit/test_api_strimzi_rules.py (tests/data/strimzi-rules/cases.yaml): cases
marked `crd: true` must be refused by the API server through Krafter's CRDs (CEL rules, patterns,
required fields), with the rule's message; the accepted cases must be accepted. Installing the
CRDs at all shows the CEL rules compile and fit the server's cost budget.
"""

from __future__ import annotations

import copy
import json
import ssl
import urllib.error
import urllib.request
from typing import Any

import pytest
from lightkube import codecs
from lightkube.core.exceptions import ApiError

from krafter.testing import kube_helpers, rule_cases

pytestmark = pytest.mark.kube
TABLE = rule_cases.load_table()
SERVED = ("kafka.strimzi.io/v1", "kafka.strimzi.io/v1beta2")


@pytest.fixture(scope="module")
def crds(kube):  # type: ignore[no-untyped-def]
    return kube_helpers.install_crds(kube.client)


def patched(case: dict[str, Any]) -> dict[str, Any]:
    return rule_cases.patched(TABLE, case)


def _create(kube: Any, doc: dict[str, Any], namespace: str) -> None:
    placed = {**doc, "metadata": {**doc["metadata"], "namespace": namespace}}
    kube.client.create(codecs.from_dict(placed))


ACCEPTED = [c for c in TABLE["cases"] if "refused" not in c and patched(c)["apiVersion"] in SERVED]
REFUSED = [c for c in TABLE["cases"] if c.get("crd")]


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c["name"])
def test_api_server_accepts_what_strimzi_accepts(kube, crds, namespace, case: dict[str, Any]) -> None:
    _create(kube, patched(case), namespace)


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c["name"])
def test_api_server_refuses_what_strimzi_refuses(kube, crds, namespace, case: dict[str, Any]) -> None:
    with pytest.raises(ApiError) as refused:
        _create(kube, patched(case), namespace)
    assert refused.value.status.code == 422
    message = refused.value.status.message or ""
    expected = case["refused"]
    # The server names the field like Krafter does (`spec.authorization.acls[0].operations`).
    assert expected["path"].rpartition(".")[0] in message or expected["path"] in message, message
    assert expected["message"] in message or expected["path"] in message, message


def _strict_create(kube: Any, doc: dict[str, Any], namespace: str) -> tuple[int, str]:
    """POST with `fieldValidation=Strict`, what `kubectl apply` does by default (lightkube cannot ask)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(
        f"{kube.plane.server}/apis/kafka.strimzi.io/v1/namespaces/{namespace}/kafkanodepools?fieldValidation=Strict",
        data=json.dumps({**doc, "metadata": {**doc["metadata"], "namespace": namespace}}).encode(),
        headers={"Authorization": f"Bearer {kube.plane.token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def _pool_with_toleration(toleration: dict[str, Any]) -> dict[str, Any]:
    pool = copy.deepcopy(TABLE["bases"]["pool"])
    pool["spec"]["template"] = {"pod": {"tolerations": [toleration]}}
    return pool


def test_a_typo_inside_a_kubernetes_type_is_refused_at_apply(kube, crds, namespace) -> None:
    status, body = _strict_create(kube, _pool_with_toleration({"key": "dedicated", "opertor": "Exists"}), namespace)
    assert status == 400  # strict field validation answers BadRequest
    assert 'unknown field "spec.template.pod.tolerations[0].opertor"' in json.loads(body)["message"]


def test_a_correct_kubernetes_type_is_accepted_at_apply(kube, crds, namespace) -> None:
    status, body = _strict_create(kube, _pool_with_toleration({"key": "dedicated", "operator": "Exists"}), namespace)
    assert status == 201, body
