"""`dataops generate`: write synthetic sandbox data into the landing zone."""

from __future__ import annotations

import datetime as dt
import json

import click

from dataops_assets.settings import load_settings


@click.command()
@click.option("--scale", type=float, default=1.0, show_default=True,
              help="Size: 1 is about 1,000,000 transactions; other tables are proportional.")
@click.option("--seed", type=int, default=42, show_default=True, help="Same seed, same data.")
@click.option("--end-date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day of the data window (YYYY-MM-DD). Default: today (UTC).")
@click.option("--days", type=int, default=90, show_default=True, help="Length of the data window in days.")
@click.option("--json", "as_json", is_flag=True, help="Print row counts as JSON.")
def generate(scale: float, seed: int, end_date: dt.datetime | None, days: int, as_json: bool) -> None:
    """Generate the landing zone ($DATAOPS_HOME/landing/<source>/<table>/*.parquet)."""
    if scale <= 0:
        raise click.BadParameter(f"expected a number > 0, got {scale}", param_hint="--scale")
    if days < 1:
        raise click.BadParameter(f"expected a whole number >= 1, got {days}", param_hint="--days")
    from dataops_assets.sources.generator import generate_landing  # numpy/duckdb only when generating

    settings = load_settings()
    last_day = end_date.date() if end_date else dt.datetime.now(dt.timezone.utc).date()
    counts = generate_landing(settings.landing_dir, scale=scale, seed=seed, end_date=last_day, days=days)
    if as_json:
        click.echo(json.dumps({"landing_dir": str(settings.landing_dir), "tables": counts}, indent=2))
        return
    for table, rows in counts.items():
        click.echo(f"{table:32} {rows:>12,} rows")
    click.echo(f"landing zone: {settings.landing_dir}")
