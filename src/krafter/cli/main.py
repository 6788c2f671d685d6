"""The `krafter` command: one click group; each subcommand lives in its own module."""

from __future__ import annotations

import sys

import click

from krafter._version import __version__
from krafter.core.errors import KrafterError


class _Group(click.Group):
    """Turns Krafter's own errors into one clear line and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KrafterError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="krafter")
def cli() -> None:
    """Krafter: Apache Kafka on Kubernetes (Strimzi-compatible, KRaft-only), and locally."""


@cli.command()
def version() -> None:
    """Print Krafter's version and the default Kafka version it runs."""
    from krafter.kafka.dist import DEFAULT_KAFKA_VERSION

    click.echo(f"krafter {__version__} (default Kafka {DEFAULT_KAFKA_VERSION})")


def _register() -> None:
    from krafter.cli import (
        api_commands,
        local_commands,
        monitoring_commands,
        operator_command,
        rebalance_command,
        render_commands,
        verify_command,
    )

    cli.add_command(api_commands.crds)
    cli.add_command(api_commands.explain)
    cli.add_command(api_commands.convert)
    cli.add_command(operator_command.operator)
    cli.add_command(operator_command.node_init)
    for command in (
        local_commands.up,
        local_commands.down,
        local_commands.status,
        local_commands.logs,
        local_commands.produce,
        local_commands.consume,
    ):
        cli.add_command(command)
    cli.add_command(monitoring_commands.metrics_config)
    cli.add_command(rebalance_command.rebalance)
    cli.add_command(render_commands.render)
    cli.add_command(render_commands.lint)
    cli.add_command(verify_command.verify)


_register()


def main() -> None:
    cli()
