"""Strimzi-compatible API: typed models, CRD generation, parsing and semantic validation.

The lowest layer: it knows the resources users write and nothing about how they are run.
"""
