# The Krafter operator image: `krafter operator` (and `krafter node-init` for Kafka Pods).
# Kafka itself runs in the official apache/kafka image. The only Kafka-side files here are the
# Prometheus metrics jars (JMX exporter agent, Strimzi's metrics reporter), which that image
# lacks: the init container copies them from /opt/krafter/metrics next to Kafka.
FROM maven:3.9-eclipse-temurin-21 AS metrics
COPY src/krafter/kafka/metrics-libs.pom.xml /build/pom.xml
RUN mvn -B -q -C -f /build/pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/build/jars \
 && mkdir -p /opt/krafter/metrics/reporter \
 && mv /build/jars/jmx_prometheus_javaagent-*.jar /opt/krafter/metrics/jmx_prometheus_javaagent.jar \
 && mv /build/jars/*.jar /opt/krafter/metrics/reporter/

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --uid 1001 --no-create-home --shell /usr/sbin/nologin krafter
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY --from=metrics /opt/krafter/metrics /opt/krafter/metrics
USER 1001
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
EXPOSE 8080
ENTRYPOINT ["krafter"]
CMD ["operator"]
