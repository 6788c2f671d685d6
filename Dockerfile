# The Krafter operator image: `krafter operator` (and `krafter node-init` for Kafka Pods).
# Kafka itself runs in the official apache/kafka image; nothing Kafka-specific is baked in here.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --uid 1001 --no-create-home --shell /usr/sbin/nologin krafter
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER 1001
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
EXPOSE 8080
ENTRYPOINT ["krafter"]
CMD ["operator"]
