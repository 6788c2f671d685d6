"""CLI commands about the API itself: `crds`, `explain`, `convert`, `validate`."""

from __future__ import annotations

from pathlib import Path

import click

from krafter.api import crds as crd_module
from krafter.api import explain as explain_module


@click.command()
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one file per CRD into this directory instead of printing them.",
)
def crds(output_dir: Path | None) -> None:
    """Print Krafter's CustomResourceDefinitions (apply them with kubectl apply --server-side -f -)."""
    if output_dir is None:
        click.echo(crd_module.crds_yaml(), nl=False)
        return
    output_dir.mkdir(parents=True, exist_ok=True)
    for name, text in crd_module.crd_files().items():
        (output_dir / name).write_text(text)
        click.echo(f"wrote {output_dir / name}", err=True)


@click.command()
@click.argument("path")
@click.option("--recursive", "-r", is_flag=True, help="Show every nested field, not just the direct ones.")
@click.option("--api-version", default="v1", type=click.Choice(["v1", "v1beta2"]), show_default=True)
def explain(path: str, recursive: bool, api_version: str) -> None:
    """Document a field: type, description, default, allowed values.

    PATH is Kind.field.subfield, e.g. Kafka.spec.kafka.listeners or KafkaNodePool.spec.storage.
    """
    click.echo(explain_module.explain(path, recursive=recursive, version=api_version), nl=False)


def write_or_echo(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text)
