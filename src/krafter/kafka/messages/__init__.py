"""Kafka protocol message schemas kafka-python lacks, written from the KIPs that define them.

kafka-python 3 builds its request and response classes from Kafka's JSON message schemas;
these files use the same format, so `ApiMessage` subclasses load them by name from here.
"""
