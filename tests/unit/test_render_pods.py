"""Pods and node ConfigMaps: what each Kafka node runs and how the roller tells it is current."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from krafter.api.kafka import Kafka
from krafter.api.nodepool import KafkaNodePool
from krafter.plan import node_files
from krafter.plan.model import ClusterPlan
from krafter.plan.planner import PlanInput, plan_cluster
from krafter.plan.profile import KubernetesProfile
from krafter.render import pods
from krafter.render.cluster import render_cluster

pytestmark = pytest.mark.unit

KAFKA: dict[str, Any] = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "Kafka",
    "metadata": {"name": "my-cluster"},
    "spec": {
        "kafka": {"version": "4.3.1", "listeners": [{"name": "plain", "port": 9092, "type": "internal", "tls": False}]}
    },
}


def _pool(name: str, roles: list[str], replicas: int = 3, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaNodePool",
        "metadata": {"name": name, "labels": {"strimzi.io/cluster": "my-cluster"}},
        "spec": {
            "replicas": replicas,
            "roles": roles,
            "storage": {"type": "persistent-claim", "size": "10Gi"},
            **spec,
        },
    }


def _plan(kafka: dict[str, Any] | None = None, pools: list[dict[str, Any]] | None = None, **given: Any) -> ClusterPlan:
    pools = pools if pools is not None else [_pool("controller", ["controller"]), _pool("broker", ["broker"])]
    return plan_cluster(
        PlanInput(
            Kafka.model_validate(kafka or KAFKA),
            tuple(KafkaNodePool.model_validate(p) for p in pools),
            "Xh3u5FkPQmW2mK1sQv3m0A",
            **given,
        ),
        KubernetesProfile("myproject"),
    )


def _kafka(**kafka_spec: Any) -> dict[str, Any]:
    kafka = copy.deepcopy(KAFKA)
    kafka["spec"]["kafka"].update(kafka_spec)
    return kafka


def _pod(plan: ClusterPlan, name: str) -> dict[str, Any]:
    return next(
        o
        for o in render_cluster(plan, owner=None, secrets=None)
        if o["kind"] == "Pod" and o["metadata"]["name"] == name
    )


def _container(pod: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = pod["spec"]["containers"][0]
    return container


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_pod_gets_the_dns_name_the_plan_advertises() -> None:
    plan = _plan()
    pod = _pod(plan, "my-cluster-broker-0")
    host = f"{pod['spec']['hostname']}.{pod['spec']['subdomain']}.myproject.svc"
    advertised = plan.node(0).listener("plain").advertised
    assert advertised is not None
    assert advertised.host == host


def test_kafka_container_runs_the_start_script_from_the_official_image() -> None:
    container = _container(_pod(_plan(), "my-cluster-broker-0"))
    assert container["image"] == "apache/kafka:4.3.1"
    assert container["command"] == ["sh", "/opt/kafka/custom-config/kafka-node-start.sh"]
    assert _env(container)["KRAFTER_RUN_DIR"] == "/tmp/krafter"


def test_heap_options_come_from_the_pool_jvm_options() -> None:
    plan = _plan(
        pools=[
            _pool("controller", ["controller"]),
            _pool("broker", ["broker"], jvmOptions={"-Xmx": "2g", "-Xms": "1g"}),
        ]
    )
    assert _env(_container(_pod(plan, "my-cluster-broker-0")))["KAFKA_HEAP_OPTS"] == "-Xms1g -Xmx2g"


def test_user_jvm_options_follow_the_g1_defaults_so_they_win() -> None:
    plan = _plan(_kafka(jvmOptions={"-XX": {"MaxGCPauseMillis": "50"}}))
    options = _env(_container(_pod(plan, "my-cluster-broker-0")))["KAFKA_JVM_PERFORMANCE_OPTS"].split()
    assert options.index("-XX:MaxGCPauseMillis=50") > options.index("-XX:MaxGCPauseMillis=20")


def test_controller_only_pods_expose_and_probe_the_controller_port() -> None:
    container = _container(_pod(_plan(), "my-cluster-controller-3"))
    assert [p["name"] for p in container["ports"]] == ["tcp-ctrlplane"]
    assert container["readinessProbe"]["tcpSocket"] == {"port": 9090}
    assert container["livenessProbe"]["tcpSocket"] == {"port": 9090}


def test_broker_pods_expose_replication_and_user_listeners_and_probe_replication() -> None:
    container = _container(_pod(_plan(), "my-cluster-broker-0"))
    assert [(p["name"], p["containerPort"]) for p in container["ports"]] == [
        ("tcp-replication", 9091),
        ("tcp-plain", 9092),
    ]
    assert container["readinessProbe"]["tcpSocket"] == {"port": 9091}


def test_combined_nodes_expose_both_internal_ports() -> None:
    plan = _plan(pools=[_pool("dual", ["controller", "broker"])])
    ports = [p["name"] for p in _container(_pod(plan, "my-cluster-dual-0"))["ports"]]
    assert ports[:2] == ["tcp-ctrlplane", "tcp-replication"]


def test_metrics_port_is_exposed_when_metrics_are_configured() -> None:
    plan = _plan(_kafka(metricsConfig={"type": "strimziMetricsReporter"}))
    assert "tcp-prometheus" in [p["name"] for p in _container(_pod(plan, "my-cluster-controller-3"))["ports"]]


def test_probe_timings_come_from_the_kafka_spec() -> None:
    plan = _plan(_kafka(readinessProbe={"initialDelaySeconds": 3, "timeoutSeconds": 2, "periodSeconds": 7}))
    probe = _container(_pod(plan, "my-cluster-broker-0"))["readinessProbe"]
    assert (probe["initialDelaySeconds"], probe["timeoutSeconds"], probe["periodSeconds"]) == (3, 2, 7)


def test_liveness_probe_never_carries_a_success_threshold_other_than_one() -> None:
    plan = _plan(_kafka(livenessProbe={"successThreshold": 3}))
    assert "successThreshold" not in _container(_pod(plan, "my-cluster-broker-0"))["livenessProbe"]


def test_pod_mounts_its_config_map_certs_volumes_and_tmp() -> None:
    pod = _pod(_plan(), "my-cluster-broker-0")
    mounts = {m["mountPath"]: m["name"] for m in _container(pod)["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert volumes[mounts["/opt/kafka/custom-config"]]["configMap"] == {"name": "my-cluster-broker-0"}
    assert volumes[mounts["/opt/kafka/certs"]]["secret"] == {"secretName": "my-cluster-broker-0"}
    assert volumes[mounts["/var/lib/kafka/data"]]["persistentVolumeClaim"] == {"claimName": "data-my-cluster-broker-0"}
    assert volumes[mounts["/tmp"]]["emptyDir"] == {"medium": "Memory", "sizeLimit": "5Mi"}


def test_tmp_size_limit_comes_from_the_pod_template() -> None:
    plan = _plan(_kafka(template={"pod": {"tmpDirSizeLimit": "20Mi"}}))
    tmp = next(v for v in _pod(plan, "my-cluster-broker-0")["spec"]["volumes"] if v["name"] == "tmp")
    assert tmp["emptyDir"]["sizeLimit"] == "20Mi"


def test_ephemeral_volumes_are_empty_dirs_with_their_size_limit() -> None:
    storage = {"type": "ephemeral", "sizeLimit": "2Gi"}
    plan = _plan(pools=[_pool("controller", ["controller"]), _pool("broker", ["broker"], storage=storage)])
    data = next(v for v in _pod(plan, "my-cluster-broker-0")["spec"]["volumes"] if v["name"] == "data")
    assert data == {"name": "data", "emptyDir": {"sizeLimit": "2Gi"}}


def test_pool_pod_template_wins_over_the_kafka_template_per_property() -> None:
    kafka = _kafka(template={"pod": {"priorityClassName": "kafka", "schedulerName": "custom"}})
    pools = [
        _pool("controller", ["controller"]),
        _pool("broker", ["broker"], template={"pod": {"priorityClassName": "brokers"}}),
    ]
    spec = _pod(_plan(kafka, pools), "my-cluster-broker-0")["spec"]
    assert (spec["priorityClassName"], spec["schedulerName"]) == ("brokers", "custom")


def test_template_labels_are_added_but_never_replace_krafters() -> None:
    kafka = _kafka(template={"pod": {"metadata": {"labels": {"team": "a", "strimzi.io/cluster": "other"}}}})
    labels = _pod(_plan(kafka), "my-cluster-broker-0")["metadata"]["labels"]
    assert (labels["team"], labels["strimzi.io/cluster"]) == ("a", "my-cluster")


def test_template_env_is_added_but_cannot_replace_krafters_variables() -> None:
    kafka = _kafka(
        template={"kafkaContainer": {"env": [{"name": "A", "value": "1"}, {"name": "KRAFTER_RUN_DIR", "value": "/x"}]}}
    )
    env = _env(_container(_pod(_plan(kafka), "my-cluster-broker-0")))
    assert (env["A"], env["KRAFTER_RUN_DIR"]) == ("1", "/tmp/krafter")


def test_pod_security_context_defaults_to_the_images_group_for_writable_volumes() -> None:
    assert _pod(_plan(), "my-cluster-broker-0")["spec"]["securityContext"] == {"fsGroup": 1000}


def test_pod_security_context_from_the_template_replaces_the_default() -> None:
    plan = _plan(_kafka(template={"pod": {"securityContext": {"runAsUser": 2000}}}))
    assert _pod(plan, "my-cluster-broker-0")["spec"]["securityContext"] == {"runAsUser": 2000}


def test_templated_volumes_get_the_node_id_and_pod_name() -> None:
    volume = {"name": "per-node", "persistentVolumeClaim": {"claimName": "extra-{nodePodName}-{nodeId}"}}
    plan = _plan(_kafka(template={"pod": {"templatedVolumes": [volume]}}))
    volumes = _pod(plan, "my-cluster-broker-1")["spec"]["volumes"]
    assert volumes[-1]["persistentVolumeClaim"]["claimName"] == "extra-my-cluster-broker-1-1"


def test_topology_rack_adds_the_init_container_and_its_volume() -> None:
    plan = _plan(_kafka(rack={"topologyKey": "topology.kubernetes.io/zone"}))
    spec = _pod(plan, "my-cluster-broker-0")["spec"]
    init = spec["initContainers"][0]
    assert init["command"] == [
        "krafter",
        "node-init",
        "--rack-label",
        "topology.kubernetes.io/zone",
        "--output",
        "/opt/kafka/init",
    ]
    assert init["image"] == pods.DEFAULT_OPERATOR_IMAGE
    assert init["env"][0] == {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}
    assert {"name": "node-init", "mountPath": "/opt/kafka/init"} in spec["containers"][0]["volumeMounts"]
    assert spec["automountServiceAccountToken"] is True


def test_init_container_image_is_a_parameter() -> None:
    plan = _plan(_kafka(rack={"topologyKey": "zone"}))
    objects = render_cluster(plan, owner=None, secrets=None, operator_image="registry.example/krafter:dev")
    pod = next(o for o in objects if o["kind"] == "Pod")
    assert pod["spec"]["initContainers"][0]["image"] == "registry.example/krafter:dev"


def test_without_rack_or_node_ports_there_is_no_init_container_and_no_token() -> None:
    spec = _pod(_plan(), "my-cluster-broker-0")["spec"]
    assert "initContainers" not in spec
    assert spec["automountServiceAccountToken"] is False


def test_environment_variable_rack_maps_the_variable_to_krafter_rack() -> None:
    kafka = _kafka(
        rack={"type": "environment-variable", "envVarName": "MY_ZONE"},
        template={"kafkaContainer": {"env": [{"name": "MY_ZONE", "value": "zone-a"}]}},
    )
    container = _container(_pod(_plan(kafka), "my-cluster-broker-0"))
    names = [e["name"] for e in container["env"]]
    assert _env(container)["KRAFTER_RACK"] == "$(MY_ZONE)"
    assert names.index("MY_ZONE") < names.index("KRAFTER_RACK")


def test_node_port_listeners_make_the_init_container_find_the_external_address() -> None:
    listener = {"name": "ext", "port": 9094, "type": "nodeport", "tls": False}
    plan = _plan(_kafka(listeners=[*KAFKA["spec"]["kafka"]["listeners"], listener]))
    assert "--external-address" in _pod(plan, "my-cluster-broker-0")["spec"]["initContainers"][0]["command"]


def test_config_map_holds_the_node_files() -> None:
    plan = _plan()
    config_map = next(
        o
        for o in render_cluster(plan, owner=None, secrets=None)
        if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "my-cluster-broker-0"
    )
    assert config_map["data"] == node_files.config_files(plan, plan.node(0))


def test_pod_annotations_name_the_kafka_version_and_ca_generations() -> None:
    annotations = _pod(_plan(), "my-cluster-broker-0")["metadata"]["annotations"]
    assert annotations["strimzi.io/kafka-version"] == "4.3.1"
    assert annotations["strimzi.io/cluster-ca-cert-generation"] == "0"


def test_revision_changes_when_the_pod_spec_changes() -> None:
    before = _pod(_plan(), "my-cluster-broker-0")["metadata"]["annotations"][pods.REVISION]
    after = _pod(_plan(_kafka(image="apache/kafka:custom")), "my-cluster-broker-0")["metadata"]["annotations"][
        pods.REVISION
    ]
    assert before != after


def test_revision_ignores_pod_metadata() -> None:
    before = _pod(_plan(), "my-cluster-broker-0")["metadata"]["annotations"][pods.REVISION]
    plan = _plan(_kafka(template={"pod": {"metadata": {"labels": {"team": "a"}}}}))
    assert _pod(plan, "my-cluster-broker-0")["metadata"]["annotations"][pods.REVISION] == before


def test_configuration_hash_changes_when_server_config_changes() -> None:
    before = _pod(_plan(), "my-cluster-broker-0")["metadata"]["annotations"][pods.CONFIGURATION_HASH]
    plan = _plan(_kafka(config={"num.io.threads": 16}))
    assert _pod(plan, "my-cluster-broker-0")["metadata"]["annotations"][pods.CONFIGURATION_HASH] != before


def test_configuration_hash_ignores_quorum_bookkeeping() -> None:
    founding = _plan()
    joined = _plan(founding_voters=(3,))
    assert pods.configuration_hash(node_files.config_files(founding, founding.node(4))) == pods.configuration_hash(
        node_files.config_files(joined, joined.node(4))
    )
    assert node_files.config_files(founding, founding.node(4)) != node_files.config_files(joined, joined.node(4))


def test_configuration_hash_ignores_the_metadata_version() -> None:
    before = _plan()
    after = _plan(_kafka(metadataVersion="4.2-IV0"))
    assert pods.configuration_hash(node_files.config_files(before, before.node(0))) == pods.configuration_hash(
        node_files.config_files(after, after.node(0))
    )


def test_metrics_alone_add_the_init_container_but_no_api_token() -> None:
    spec = _pod(_plan(_kafka(metricsConfig={"type": "strimziMetricsReporter"})), "my-cluster-broker-0")["spec"]
    assert spec["initContainers"][0]["command"][2:] == [
        "--metrics-libs",
        "/opt/krafter/metrics",
        "--output",
        "/opt/kafka/init",
    ]
    assert spec["automountServiceAccountToken"] is False


def test_custom_authentication_secrets_are_mounted_where_strimzi_mounts_them() -> None:
    listener = {
        "name": "oauth",
        "port": 9095,
        "type": "internal",
        "tls": True,
        "authentication": {
            "type": "custom",
            "sasl": True,
            "listenerConfig": {"sasl.enabled.mechanisms": "OAUTHBEARER"},
            "secrets": [
                {"secretName": "oauth-client", "key": "secret"},
                {"secretName": "oauth-client", "key": "client-id"},
            ],
        },
    }
    plain = KAFKA["spec"]["kafka"]["listeners"][0]
    plan = _plan(_kafka(listeners=[plain, listener]))
    spec = _pod(plan, "my-cluster-broker-0")["spec"]
    items = [{"key": "secret", "path": "secret"}, {"key": "client-id", "path": "client-id"}]
    volume = {"name": "custom-listener-oauth-9095-0", "secret": {"secretName": "oauth-client", "items": items}}
    assert [v for v in spec["volumes"] if v["name"].startswith("custom-listener-")] == [volume]
    assert {
        "name": "custom-listener-oauth-9095-0",
        "mountPath": "/opt/kafka/custom-authn-secrets/custom-listener-oauth-9095/oauth-client",
        "readOnly": True,
    } in _container(_pod(plan, "my-cluster-broker-0"))["volumeMounts"]
    controller = _pod(plan, "my-cluster-controller-3")["spec"]
    assert not any(v["name"].startswith("custom-listener-") for v in controller["volumes"])
