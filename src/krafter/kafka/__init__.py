"""Everything that talks to Kafka: its runtime (dist), its processes, and its Admin API."""
