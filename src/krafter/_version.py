"""The one place the package version lives (read by pyproject and `krafter version`)."""

__version__ = "0.1.0"
