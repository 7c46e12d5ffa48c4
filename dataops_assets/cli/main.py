"""The `dataops` command."""

from __future__ import annotations

import importlib

import click

from dataops_assets.settings import load_settings

# Subcommand -> where it lives, imported only when run: `dataops materialize` starts Dagster
# three times itself and should not pay for importing it first.
COMMANDS = {
    "api-key": "dataops_assets.cli.api_keys:api_key",
    "audit": "dataops_assets.cli.datasets:audit",
    "contract": "dataops_assets.cli.contract:contract",
    "datasets": "dataops_assets.cli.datasets:datasets",
    "generate": "dataops_assets.cli.generate:generate",
    "impact": "dataops_assets.cli.impact:impact",
    "landing": "dataops_assets.cli.landing:landing",
    "materialize": "dataops_assets.cli.materialize:materialize",
    "pii": "dataops_assets.cli.pii:pii",
    "policy": "dataops_assets.cli.policy:policy",
    "product": "dataops_assets.cli.product:product",
    "products": "dataops_assets.cli.products:products",
    "published": "dataops_assets.cli.published:published",
    "quality": "dataops_assets.cli.quality:quality",
    "serve": "dataops_assets.cli.serve:serve",
    "slo": "dataops_assets.cli.slo:slo",
    "sql": "dataops_assets.cli.sql:sql",
    "summary": "dataops_assets.cli.summary:summary",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Run data products on Dagster. Paths come from DATAOPS_HOME (default ./.dataops)."""
    try:  # a malformed DATAOPS_* variable is one line, whichever command reads the settings
        load_settings()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


if __name__ == "__main__":  # `python -m dataops_assets.cli.main`: the dataops command from a checkout on PYTHONPATH
    cli()
