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


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the converted resources here instead of stdout.",
)
def convert(files: tuple[Path, ...], output: Path | None) -> None:
    """Rewrite v1beta2 and ZooKeeper-era Strimzi files as current v1 Kafka + KafkaNodePool resources.

    The report of what changed and why goes to stderr; the converted YAML to stdout (or --output).
    The output validates: apply it with kubectl or run it with `krafter up`.
    """
    from krafter.api import convert as converter
    from krafter.api import parse

    documents = []
    for path in files:
        documents += [doc for doc in parse.load_yaml(path.read_text(), str(path)) if doc is not None]
    result = converter.convert_documents(documents)
    report = converter.render_changes(result.changes)
    click.echo(report if report else "nothing to change: the files are already current v1 resources", err=True)
    for skipped in result.skipped:
        click.echo(f"note: {skipped}", err=True)
    write_or_echo(converter.to_yaml(result.documents), output)
