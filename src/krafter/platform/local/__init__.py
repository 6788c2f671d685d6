"""The local platform: a cluster plan run as Kafka processes on 127.0.0.1 (`krafter up`)."""
