"""The kube tier stands on a real kube-apiserver: objects and CRDs round-trip through it."""

from __future__ import annotations

import time

import pytest
from lightkube.core.exceptions import ApiError
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition
from lightkube.resources.core_v1 import ConfigMap

pytestmark = pytest.mark.kube


def test_configmap_can_be_created_read_and_deleted(kube, namespace) -> None:
    kube.client.create(ConfigMap(metadata=ObjectMeta(name="smoke", namespace=namespace), data={"a": "1"}))
    assert kube.client.get(ConfigMap, "smoke", namespace=namespace).data == {"a": "1"}
    kube.client.delete(ConfigMap, "smoke", namespace=namespace)
    with pytest.raises(ApiError) as missing:
        kube.client.get(ConfigMap, "smoke", namespace=namespace)
    assert missing.value.status.code == 404


def test_custom_resource_definition_is_established_and_deletable(kube) -> None:
    crd = CustomResourceDefinition.from_dict(
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "smokes.test.krafter.io"},
            "spec": {
                "group": "test.krafter.io",
                "names": {"kind": "Smoke", "plural": "smokes", "singular": "smoke"},
                "scope": "Namespaced",
                "versions": [
                    {
                        "name": "v1",
                        "served": True,
                        "storage": True,
                        "schema": {"openAPIV3Schema": {"type": "object"}},
                    }
                ],
            },
        }
    )
    kube.client.create(crd)
    deadline = time.monotonic() + 30
    established = False
    while time.monotonic() < deadline and not established:
        got = kube.client.get(CustomResourceDefinition, "smokes.test.krafter.io")
        conditions = (got.status.conditions if got.status else None) or []
        established = any(c.type == "Established" and c.status == "True" for c in conditions)
        time.sleep(0.2)
    assert established
    kube.client.delete(CustomResourceDefinition, "smokes.test.krafter.io")


def test_controller_manager_deletes_objects_whose_owner_is_gone(kube, namespace) -> None:
    owner = kube.client.create(ConfigMap(metadata=ObjectMeta(name="owner", namespace=namespace)))
    kube.client.create(
        ConfigMap(
            metadata=ObjectMeta(
                name="owned",
                namespace=namespace,
                ownerReferences=[{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner.metadata.uid}],
            )
        )
    )
    kube.client.delete(ConfigMap, "owner", namespace=namespace)
    # The garbage collector resyncs its resource monitors every 30 s; a CRD deleted by
    # another test can hold it for one such period.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            kube.client.get(ConfigMap, "owned", namespace=namespace)
        except ApiError as exc:
            if exc.status.code == 404:
                return
            raise
        time.sleep(0.3)
    pytest.fail("garbage collector did not delete the owned ConfigMap within 90 s")
