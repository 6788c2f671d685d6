"""Error types shared by every layer.

Users see these messages directly (CLI, status conditions), so each one says what is
wrong and what to do about it; callers never have to add the fix themselves.
"""

from __future__ import annotations


class KrafterError(Exception):
    """Base of every error Krafter raises on purpose."""


class EnvironmentProblem(KrafterError):
    """Something this machine lacks (Java, Maven, Go, a free port), with the fix in the message."""
