"""Rolling restarts: which node may restart now, decided from Kafka's own state."""
