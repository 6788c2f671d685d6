#!/bin/sh
# Starts one Krafter-managed Kafka node: resolve start-time values, format storage once, run Kafka.
#
# The same script runs in the official apache/kafka image on Kubernetes (defaults below are
# that image's paths) and as a local process under `krafter up` (which sets the variables).
#   KAFKA_HOME            Kafka installation (default /opt/kafka)
#   KAFKA_CLASSPATH       classpath (default $KAFKA_HOME/libs/*)
#   JAVA                  java binary (default: java on PATH)
#   KRAFTER_CONFIG_DIR    the node's files: server.config, cluster.id, metadata.version,
#                         initial.controllers, log4j2.properties (default /opt/kafka/custom-config)
#   KRAFTER_RUN_DIR       writable directory for the resolved server.properties (default /tmp/krafter)
#   KRAFTER_RACK, KRAFTER_NODE_ADDRESS, KRAFTER_POD_IP  substituted into server.config and the
#                         metrics file when they refer to them (the Pod's address is where
#                         its listeners bind)
#   KRAFTER_METRICS_LIBS  the JMX exporter agent and Strimzi's metrics reporter jars
#                         (default: copied by the init container to /opt/kafka/init/metrics)
#   KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_OPTS  JVM options, as with Kafka's own scripts
set -eu

KAFKA_HOME="${KAFKA_HOME:-/opt/kafka}"
CLASSPATH="${KAFKA_CLASSPATH:-$KAFKA_HOME/libs/*}"
JAVA="${JAVA:-java}"
CONFIG_DIR="${KRAFTER_CONFIG_DIR:-/opt/kafka/custom-config}"
RUN_DIR="${KRAFTER_RUN_DIR:-/tmp/krafter}"
INIT_DIR="${KRAFTER_INIT_DIR:-/opt/kafka/init}"
mkdir -p "$RUN_DIR"

# Start-time values: the rack (from the rack-awareness init container's file or the variable)
# and, for nodeport listeners, the Kubernetes node's address.
if [ -z "${KRAFTER_RACK:-}" ] && [ -f "$INIT_DIR/rack.id" ]; then KRAFTER_RACK="$(cat "$INIT_DIR/rack.id")"; fi
if [ -z "${KRAFTER_NODE_ADDRESS:-}" ] && [ -f "$INIT_DIR/external.address" ]; then
  KRAFTER_NODE_ADDRESS="$(cat "$INIT_DIR/external.address")"
fi
substitute() {
  sed -e "s|\${KRAFTER_RACK}|${KRAFTER_RACK:-}|g" \
      -e "s|\${KRAFTER_NODE_ADDRESS}|${KRAFTER_NODE_ADDRESS:-}|g" \
      -e "s|\${KRAFTER_POD_IP}|${KRAFTER_POD_IP:-0.0.0.0}|g" "$@"
}
substitute "$CONFIG_DIR/server.config" > "$RUN_DIR/server.properties"

LOG4J="-Dlog4j2.configurationFile=$CONFIG_DIR/log4j2.properties"

# Metrics (the node's `metrics` file): "jmx-exporter HOST:PORT" loads the JMX exporter agent
# with the rules in metrics-config.yml; "strimzi-reporter" puts the reporter on the classpath
# (server.config already names it in metric.reporters).
METRICS_LIBS="${KRAFTER_METRICS_LIBS:-$INIT_DIR/metrics}"
metrics="$(substitute "$CONFIG_DIR/metrics" 2>/dev/null || true)"
case "$metrics" in
  jmx-exporter\ *|strimzi-reporter)
    if [ ! -f "$METRICS_LIBS/jmx_prometheus_javaagent.jar" ]; then
      echo "krafter: metrics are on but $METRICS_LIBS holds no metrics jars (KRAFTER_METRICS_LIBS)" >&2
      exit 1
    fi ;;
esac
case "$metrics" in
  jmx-exporter\ *)
    KAFKA_OPTS="${KAFKA_OPTS:-} -javaagent:$METRICS_LIBS/jmx_prometheus_javaagent.jar=${metrics#jmx-exporter }:$CONFIG_DIR/metrics-config.yml" ;;
  strimzi-reporter) CLASSPATH="$CLASSPATH:$METRICS_LIBS/reporter/*" ;;
esac

# Format on first start, and whenever a log dir has no meta.properties yet (a new JBOD volume).
dirs="$(sed -n -e 's/^log\.dirs=//p' -e 's/^metadata\.log\.dir=//p' "$RUN_DIR/server.properties" | tr ',' ' ')"
needs_format=no
for dir in $dirs; do
  [ -f "$dir/meta.properties" ] || needs_format=yes
done
if [ "$needs_format" = yes ]; then
  set -- format --ignore-formatted -t "$(cat "$CONFIG_DIR/cluster.id")" -c "$RUN_DIR/server.properties" \
         --release-version "$(cat "$CONFIG_DIR/metadata.version")"
  initial="$(cat "$CONFIG_DIR/initial.controllers" 2>/dev/null || true)"
  if [ -n "$initial" ]; then set -- "$@" --initial-controllers "$initial"; else set -- "$@" --no-initial-controllers; fi
  "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 "$LOG4J" -cp "$CLASSPATH" kafka.tools.StorageTool "$@"
fi

# shellcheck disable=SC2086 # option strings are meant to split into words
exec "$JAVA" ${KAFKA_HEAP_OPTS:-} ${KAFKA_JVM_PERFORMANCE_OPTS:-} ${KAFKA_OPTS:-} "$LOG4J" -cp "$CLASSPATH" \
  kafka.Kafka "$RUN_DIR/server.properties"
