"""Unit tests for procurement spend: contract chains, steady vendor spend, planted anomalies.

The anomaly test runs the detection rule the dbt model uses, in pandas, against the ground
truth the generator writes beside the landing zone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from dataops_assets.sources.generator import generate_landing, ground_truth_dir
from tests.manifest_fixture import fixture_landing

CONTRACT = fixture_landing()

SCALE = 0.1
# Runs pooled for the detection rates: one ends mid-month mid-day, one at the end of a month.
RUNS = ((7, dt.datetime(2024, 3, 15, 12, 0, 0)), (8, dt.date(2024, 3, 31)), (9, dt.date(2024, 2, 29)))
HISTORY_DAYS = 540
TRUTH = "procurement_spend_anomalies.parquet"


def _load(landing: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect()
    tables = {t: con.execute(f"SELECT * FROM read_parquet('{landing}/procurement/{t}/*.parquet')").df()
              for t in ("vendors", "contracts", "spend")}
    tables["truth"] = con.execute(f"SELECT * FROM read_parquet('{ground_truth_dir(landing) / TRUTH}')").df()
    return tables


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[dt.date, dict[str, pd.DataFrame]]]:
    loaded = []
    for seed, end in RUNS:
        landing = tmp_path_factory.mktemp(f"procurement{seed}") / "landing"
        generate_landing(landing, CONTRACT, scale=SCALE, seed=seed, end_date=end, days=90)
        loaded.append((end if type(end) is dt.date else end.date(), _load(landing)))
    return loaded


@pytest.fixture(scope="module")
def first(runs: list) -> tuple[dt.date, dict[str, pd.DataFrame]]:
    return runs[0]


def test_contract_chains_cover_the_spend_history_back_to_back(first: tuple) -> None:
    end, t = first
    contracts = t["contracts"].sort_values(["vendor_id", "start_date"])
    assert set(contracts["vendor_id"]) == set(t["vendors"]["vendor_id"])
    start, stop = pd.to_datetime(contracts["start_date"]), pd.to_datetime(contracts["end_date"])
    term = (stop - start).dt.days + 1
    assert term.between(365, 1095).all()
    same_vendor = contracts["vendor_id"].eq(contracts["vendor_id"].shift())
    next_day = stop.shift() + pd.Timedelta(days=1)
    assert (start[same_vendor] == next_day[same_vendor]).all()  # no gap, no overlap
    chain = contracts.assign(start=start, stop=stop).groupby("vendor_id")
    first_day = pd.Timestamp(end) - pd.Timedelta(days=HISTORY_DAYS - 1)
    assert (chain["start"].min() <= first_day).all()
    last = chain.tail(1)
    assert (last["status"] == "active").all()
    assert ((last["stop"] > pd.Timestamp(end)) & (last["start"] <= pd.Timestamp(end))).all()
    earlier = contracts.drop(last.index)
    assert set(earlier["status"]) == {"expired", "terminated"}
    assert 0.8 < (earlier["status"] == "expired").mean() < 0.97


def test_spend_is_steady_over_the_history_and_priced_by_its_contracts(first: tuple) -> None:
    end, t = first
    spend = t["spend"].assign(day=pd.to_datetime(t["spend"]["spend_date"]))
    first_day = pd.Timestamp(end) - pd.Timedelta(days=HISTORY_DAYS - 1)
    assert spend["day"].min() == first_day and spend["day"].max() == pd.Timestamp(end)
    older = (spend["day"] < first_day + pd.Timedelta(days=HISTORY_DAYS // 2)).mean()
    assert 0.47 < older < 0.53  # no recency trend
    assert 0.025 < spend["contract_id"].isna().mean() < 0.045
    # Contract value = expected on-contract spend over the term x 1.05-1.4.
    on_contract = spend[spend["contract_id"].notna()].groupby("vendor_id")["amount"].sum() / HISTORY_DAYS
    contracts = t["contracts"].join(on_contract.rename("daily"), on="vendor_id")
    days = (pd.to_datetime(contracts["end_date"]) - pd.to_datetime(contracts["start_date"])).dt.days + 1
    ratio = contracts["contract_value"] / (days * contracts["daily"])
    assert 1.1 < ratio.median() < 1.35


def test_ground_truth_lists_planted_months_with_their_amounts(first: tuple) -> None:
    end, t = first
    truth, spend = t["truth"], t["spend"]
    assert list(truth.columns) == ["vendor_id", "category", "spend_month", "anomaly", "planted_amount"]
    assert truth["anomaly"].value_counts().min() >= 3 and set(truth["anomaly"]) == {"spend_spike", "off_contract_spend"}
    assert not truth.duplicated(["vendor_id", "spend_month"]).any()
    month = pd.to_datetime(truth["spend_month"])
    assert (month.dt.day == 1).all()
    first_day = pd.Timestamp(end) - pd.Timedelta(days=HISTORY_DAYS - 1)
    first_full_month = first_day if first_day.day == 1 else first_day + pd.offsets.MonthBegin()
    assert (month >= first_full_month + pd.DateOffset(months=12)).all()  # a year of history before
    assert (truth.merge(t["vendors"], on=["vendor_id", "category"]).shape[0]) == len(truth)
    spend = spend.assign(
        spend_month=pd.to_datetime(spend["spend_date"]).dt.to_period("M").dt.to_timestamp(),
        off=spend["amount"].where(spend["contract_id"].isna(), 0.0),
    )
    totals = spend.groupby(["vendor_id", "spend_month"]).agg(total=("amount", "sum"), off=("off", "sum"))
    truth = truth.assign(spend_month=month).join(totals, on=["vendor_id", "spend_month"])
    assert (truth["total"] >= truth["planted_amount"]).all()
    off = truth[truth["anomaly"] == "off_contract_spend"]
    assert (off["off"] >= off["planted_amount"] - 0.005).all()


def _flag_vendor_months(spend: pd.DataFrame, contracts: pd.DataFrame) -> pd.DataFrame:
    """The detection rule the contract_spend_analysis model applies, per vendor x category x month."""
    key = ["vendor_id", "category", "month"]
    spend = spend.assign(
        month=pd.to_datetime(spend["spend_date"]).dt.to_period("M"),
        off=spend["amount"].where(spend["contract_id"].isna(), 0.0),
    )
    monthly = spend.groupby(key, as_index=False).agg(total=("amount", "sum"), off=("off", "sum"))
    monthly = monthly[monthly["total"] > 0]
    log_total = monthly.pivot_table(index=key[:2], columns="month", values="total").apply(np.log)
    months = pd.period_range(log_total.columns.min(), log_total.columns.max(), freq="M")
    log_total = log_total.reindex(columns=months)
    z, median = (pd.DataFrame(np.nan, index=log_total.index, columns=months) for _ in range(2))
    for i, month in enumerate(months):
        history = log_total.iloc[:, max(0, i - 12):i]  # months without spend are NaN, skipped
        enough = history.notna().sum(axis=1) >= 6
        center = history.median(axis=1)
        mad = history.sub(center, axis=0).abs().median(axis=1)
        z[month] = ((log_total[month] - center) / np.maximum(1.4826 * mad, 0.1)).where(enough)
        median[month] = center.where(enough)
    stats = pd.DataFrame({"z": z.stack(), "median": median.stack()}).rename_axis(key)
    monthly = monthly.join(stats, on=key)
    spike = (monthly["z"] >= 3) & (monthly["total"] >= 4 * np.exp(monthly["median"]))
    c = contracts.merge(monthly[key], on=key[:2])
    start, stop = pd.to_datetime(c["start_date"]), pd.to_datetime(c["end_date"])
    month_start, month_end = c["month"].dt.start_time, c["month"].dt.end_time.dt.normalize()
    days_in_month = ((np.minimum(stop, month_end) - np.maximum(start, month_start)).dt.days + 1).clip(lower=0)
    c["prorated"] = c["contract_value"] * days_in_month / ((stop - start).dt.days + 1)
    monthly = monthly.join(c.groupby(key)["prorated"].sum(), on=key)
    off_contract = monthly["off"] > 0.5 * monthly["prorated"].fillna(0.0)
    return monthly.assign(flagged=spike | off_contract)


def test_the_detection_rule_finds_the_planted_anomalies(runs: list) -> None:
    found = []
    for _, t in runs:
        flags = _flag_vendor_months(t["spend"], t["contracts"])
        truth = t["truth"].assign(month=pd.to_datetime(t["truth"]["spend_month"]).dt.to_period("M"))
        found.append(flags.merge(truth[["vendor_id", "category", "month", "anomaly"]], how="left"))
    months = pd.concat(found)
    planted = months["anomaly"].notna()
    assert planted.sum() == sum(len(t["truth"]) for _, t in runs)  # every planted month has spend
    hits = (months["flagged"] & planted).sum()
    precision, recall = hits / months["flagged"].sum(), hits / planted.sum()
    false_alarm_rate = (months["flagged"] & ~planted).sum() / (~planted).sum()
    print(f"planted {planted.sum()}, precision {precision:.3f}, recall {recall:.3f}, "
          f"flags on other vendor-months {false_alarm_rate:.4f}")
    assert precision >= 0.9 and recall >= 0.9 and false_alarm_rate < 0.02


def test_ground_truth_is_replaced_whole(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate_landing(landing, CONTRACT, scale=0.002, seed=1, end_date=dt.date(2024, 3, 31), days=30)
    first_truth = (ground_truth_dir(landing) / TRUTH).read_bytes()
    generate_landing(landing, CONTRACT, scale=0.002, seed=2, end_date=dt.date(2024, 3, 31), days=30)
    assert sorted(p.name for p in ground_truth_dir(landing).iterdir()) == [TRUTH]
    assert (ground_truth_dir(landing) / TRUTH).read_bytes() != first_truth
    assert ground_truth_dir(landing) == tmp_path / "ground_truth"
