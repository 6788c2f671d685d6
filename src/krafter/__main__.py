"""Allows `python -m krafter`, handy where the console script is not on PATH."""

from krafter.cli.main import main

main()
