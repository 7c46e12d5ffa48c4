"""`dataops generate`: write synthetic sandbox data into the landing zone."""

from __future__ import annotations

import datetime as dt
import json

import click

from dataops_assets.settings import load_settings

DATE_FORMAT = "%Y-%m-%d"
END_FORMATS = (DATE_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")


def parse_window_end(text: str) -> dt.date | dt.datetime:
    """YYYY-MM-DD -> that date (the window ends at 23:59:59); YYYY-MM-DDTHH:MM[:SS] -> that UTC instant."""
    for fmt in END_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.date() if fmt == DATE_FORMAT else parsed
    raise ValueError(f"expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC), got {text!r}")


def _end_option(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | dt.datetime:
    if value is None:
        return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    try:
        return parse_window_end(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


@click.command()
@click.option("--scale", type=float, default=1.0, show_default=True,
              help="Size: 1 is about 1,000,000 transactions; other tables are proportional.")
@click.option("--seed", type=int, default=42, show_default=True, help="Same seed, same data.")
@click.option("--end-date", "end", callback=_end_option, default=None, metavar="YYYY-MM-DD[THH:MM[:SS]]",
              help="When the data window ends (UTC): a date means its last second, 23:59:59. "
                   "No event is later. Default: now (UTC, to the second).")
@click.option("--days", type=int, default=90, show_default=True,
              help="Length of the data window in calendar days, the end's day included "
                   "(procurement spend keeps at least 540 days of history).")
@click.option("--json", "as_json", is_flag=True, help="Print row counts as JSON.")
def generate(scale: float, seed: int, end: dt.date | dt.datetime, days: int, as_json: bool) -> None:
    """Generate the landing zone ($DATAOPS_HOME/landing/<source>/<table>/*.parquet) and the ground truth of
    the anomalies planted in it ($DATAOPS_HOME/ground_truth/)."""
    if scale <= 0:
        raise click.BadParameter(f"expected a number > 0, got {scale}", param_hint="--scale")
    if days < 1:
        raise click.BadParameter(f"expected a whole number >= 1, got {days}", param_hint="--days")
    from dataops_assets.sources.event_window import Window  # numpy/duckdb only when generating
    from dataops_assets.sources.generator import generate_landing
    from dataops_assets.sources.ground_truth import ground_truth_paths
    from dataops_assets.sources.landing_contract import load_landing_contract

    settings = load_settings()
    try:
        counts = generate_landing(settings.landing_dir, load_landing_contract(settings), scale=scale, seed=seed,
                                  end_date=end, days=days)
    except (ValueError, RuntimeError) as exc:  # the landing contract (SpecError is a ValueError) or dbt parse
        raise click.ClickException(str(exc)) from None
    window_end = Window.ending_at(end, days).end_instant.isoformat()
    truth = [str(path) for path in ground_truth_paths(settings.landing_dir)]
    if as_json:
        click.echo(json.dumps({
            "landing_dir": str(settings.landing_dir), "window_end": window_end, "ground_truth": truth,
            "tables": counts,
        }, indent=2))
        return
    for table, rows in counts.items():
        click.echo(f"{table:32} {rows:>12,} rows")
    click.echo(f"landing zone: {settings.landing_dir} (window ends {window_end} UTC)")
    for path in truth:
        click.echo(f"ground truth (planted anomalies; the models never read it): {path}")
