"""The `dataops` command."""

from __future__ import annotations

import click

from dataops_assets.cli.generate import generate
from dataops_assets.cli.materialize import materialize
from dataops_assets.cli.products import products
from dataops_assets.cli.published import published
from dataops_assets.cli.quality import quality
from dataops_assets.cli.summary import summary
from dataops_assets.settings import load_settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Run data products on Dagster. Paths come from DATAOPS_HOME (default ./.dataops)."""
    try:  # a malformed DATAOPS_* variable is one line, whichever command reads the settings
        load_settings()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


cli.add_command(generate)
cli.add_command(materialize)
cli.add_command(products)
cli.add_command(published)
cli.add_command(summary)
cli.add_command(quality)
