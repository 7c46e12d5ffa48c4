"""Contract-spend anomalies measured against the ground truth the generator plants (scale 0.1).

The generator writes the vendor-months it made anomalous to ground_truth/, beside the landing zone
(the models never read it); dbt builds vendor_category_spend on that landing data, and the flags
are scored against it.
"""

from __future__ import annotations

import subprocess

import duckdb
import pandas as pd
import pytest

from tests.sandbox import REPO_ROOT, VENV_BIN, dataops_env, generate

ANOMALY_SCALE = 0.1


@pytest.fixture(scope="module")
def spend_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("spend_anomalies")
    generate(home, scale=ANOMALY_SCALE, seed=11)
    project = REPO_ROOT / "dbt_project"
    result = subprocess.run(
        [str(VENV_BIN / "dbt"), "build", "--select", "+vendor_category_spend", "--exclude-resource-type", "unit_test",
         "--project-dir", str(project), "--profiles-dir", str(project), "--target-path", str(home / "target")],
        env=dataops_env(home), capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return home


def test_planted_anomalies_are_found_with_precision_and_recall_of_90_pct(spend_home, capsys):
    truth = pd.read_parquet(spend_home / "ground_truth" / "procurement_spend_anomalies.parquet")
    with duckdb.connect(str(spend_home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("select vendor_id, category, spend_month, invoice_count, is_anomaly, anomaly_reason "
                           "from main.vendor_category_spend").df()
    key = ["vendor_id", "category", "spend_month"]
    truth["spend_month"] = pd.to_datetime(truth["spend_month"])
    rows["spend_month"] = pd.to_datetime(rows["spend_month"])
    scored = rows.merge(truth[[*key, "anomaly"]], on=key, how="left")
    planted = scored["anomaly"].notna()
    flagged = scored["is_anomaly"]
    true_positives = int((planted & flagged).sum())
    precision = true_positives / max(int(flagged.sum()), 1)
    recall = true_positives / len(truth)
    # over months that had spend (contract months without any cannot be flagged and would dilute it)
    clean_flag_rate = float(flagged[~planted & (scored["invoice_count"] > 0)].mean())
    reason_agrees = float((scored.loc[planted & flagged, "anomaly_reason"] == scored.loc[planted & flagged, "anomaly"]).mean())
    with capsys.disabled():  # the figures belong in the test log, not only in a failure report
        print(f"\nspend anomalies at scale {ANOMALY_SCALE}: {len(truth)} planted in {len(rows)} vendor-months, "
              f"{int(flagged.sum())} flagged; precision {precision:.3f}, recall {recall:.3f}, "
              f"flag rate on months with spend but no planted anomaly {clean_flag_rate:.4f}, reason agrees {reason_agrees:.3f}")
    assert len(truth) >= 20 and planted.sum() == len(truth)  # every planted month is a row of the product
    assert precision >= 0.9
    assert recall >= 0.9
    assert clean_flag_rate < 0.02
