"""Rebalancing partition replicas across brokers without Cruise Control: pure planning."""
