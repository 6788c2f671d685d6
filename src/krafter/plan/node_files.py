"""The files a node starts from: its configuration (ConfigMap) and key material (Secret).

Kubernetes mounts them from the node's ConfigMap and Secret; the local platform writes the
same names into the node's directory. One source, so both platforms start identical nodes.
"""

from __future__ import annotations

import functools
from importlib import resources

from krafter.api.common import InlineLogging
from krafter.plan import metrics, server_config
from krafter.plan.model import ClusterPlan, FormatMode, NodePlan

START_SCRIPT = "kafka-node-start.sh"
SERVER_CONFIG = "server.config"
CLUSTER_ID = "cluster.id"
METADATA_VERSION = "metadata.version"
INITIAL_CONTROLLERS = "initial.controllers"
LOG4J = "log4j2.properties"
METRICS = "metrics"
METRICS_CONFIG = "metrics-config.yml"
OPTIONAL_FILES = (METRICS, METRICS_CONFIG)
"""Files only some plans have: a platform writing files into a directory removes them when dropped."""

_BASE_LOG4J = {
    "status": "warn",
    "appender.console.type": "Console",
    "appender.console.name": "STDOUT",
    "appender.console.layout.type": "PatternLayout",
    "appender.console.layout.pattern": "%d{ISO8601} %p %m (%c) [%t]%n",
    "rootLogger.level": "INFO",
    "rootLogger.appenderRefs": "console",
    "rootLogger.appenderRef.console.ref": "STDOUT",
    "logger.request.name": "kafka.request.logger",
    "logger.request.level": "WARN",
    "logger.state.name": "state.change.logger",
    "logger.state.level": "WARN",
}


@functools.cache
def start_script() -> str:
    return resources.files("krafter.plan").joinpath(START_SCRIPT).read_text()


def properties_text(pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    """Java properties, with the characters Java treats specially escaped."""
    lines = []
    for key, value in pairs:
        escaped = value.replace("\\", "\\\\").replace("\n", "\\n")
        lines.append(f"{key}={escaped}")
    return "\n".join(lines) + "\n"


def log4j_properties(plan: ClusterPlan) -> str:
    """Kafka's log4j2 config: the external document, or a console appender plus the inline levels."""
    if plan.external_log4j is not None:
        return plan.external_log4j
    settings = dict(_BASE_LOG4J)
    logging = plan.kafka.spec.kafka.logging
    if isinstance(logging, InlineLogging):
        for key, level in sorted((logging.loggers or {}).items()):
            if key in {"rootLogger.level", "kafka.root.logger.level"}:
                settings["rootLogger.level"] = level
            elif key.startswith("logger."):
                settings[key] = level
            else:  # a bare logger name, e.g. `kafka.coordinator: DEBUG`
                slug = key.replace(".", "_")
                settings[f"logger.{slug}.name"] = key
                settings[f"logger.{slug}.level"] = level
    return properties_text(list(settings.items()))


def config_files(plan: ClusterPlan, node: NodePlan) -> dict[str, str]:
    """Node ConfigMap data (Strimzi's keys plus Krafter's start script and quorum seed)."""
    initial = plan.quorum.initial_controllers if node.format_mode is FormatMode.INITIAL_CONTROLLER else ""
    files = {
        SERVER_CONFIG: properties_text(node.server_properties),
        CLUSTER_ID: plan.cluster_id,
        METADATA_VERSION: plan.metadata_version,
        INITIAL_CONTROLLERS: initial,
        LOG4J: log4j_properties(plan),
        START_SCRIPT: start_script(),
    }
    if plan.metrics is not None and node.metrics_endpoint is not None:
        files[METRICS] = metrics.agent_line(plan.metrics, node.metrics_endpoint)
        if plan.metrics.exporter_rules is not None:
            files[METRICS_CONFIG] = plan.metrics.exporter_rules
    return files


def certificate_files(
    node_key_pem: bytes, node_chain_pem: bytes, cluster_ca_pems: bytes, clients_ca_pems: bytes
) -> dict[str, bytes]:
    """Node Secret data: the PEM keystore (key then chain) and the two trust bundles."""
    return {
        server_config.NODE_KEYSTORE: node_key_pem + node_chain_pem,
        server_config.CLUSTER_CA_FILE: cluster_ca_pems,
        server_config.CLIENTS_CA_FILE: clients_ca_pems,
    }
