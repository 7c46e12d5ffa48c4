"""Which run is latest, which failures blocked a model's checks, and which score the report may show."""

from __future__ import annotations

from dataops_assets.quality.run_causes import (
    NEVER_SCORED,
    NO_SUITE,
    CheckOutcome,
    RecordedScore,
    RunFacts,
    Verdict,
    blocked_by,
    judge_group,
    judge_model,
    latest_run,
)

CUSTOMER_KEY = CheckOutcome("stg_crm__customers", "unique_customer_id", "dbt_staging", passed=False, blocks=True)
FLEET_KEY = CheckOutcome("stg_fleet__equipment", "unique_equipment_id", "dbt_staging", passed=True, blocks=False)
FLEET_FK_WARN = CheckOutcome("stg_fleet__assignments", "relationships_equipment", "dbt_staging", passed=False,
                             blocks=False)
STAGING_ASSETS = frozenset({"stg_crm__customers", "stg_fleet__equipment", "stg_fleet__assignments"})
FLEET_ANCESTORS = {"landing/fleet/equipment", "stg_fleet__equipment", "stg_fleet__assignments"}
CUSTOMER_360_ANCESTORS = {"landing/crm/customers", "stg_crm__customers"}
REVENUE_ANCESTORS = {"customer_360", *CUSTOMER_360_ANCESTORS}


def staging_failed_run(*outcomes: CheckOutcome, run_id: str = "3f2a1b2c-0000") -> RunFacts:
    """A run whose one staging step (all views) failed; every product step was skipped."""
    return RunFacts(
        run_id=run_id,
        step_assets={"dbt_staging": STAGING_ASSETS, "dbt_mission_logistics": frozenset({"equipment_status"}),
                     "dbt_customer_360": frozenset({"customer_360"})},
        step_checked_assets={"dbt_staging": STAGING_ASSETS, "quality_equipment_status": frozenset({"equipment_status"})},
        failed_steps=frozenset({"dbt_staging"}),
        outcomes=outcomes,
    )


def test_latest_run_is_the_one_stored_last():
    assert latest_run([(3, "b"), (7, "c"), (5, "a")]) == "c"
    assert latest_run([]) is None


def test_a_failed_key_check_in_the_shared_staging_step_blocks_models_it_does_not_feed():
    run = staging_failed_run(CUSTOMER_KEY, FLEET_KEY, FLEET_FK_WARN)
    # equipment_status reads only fleet views, but they come from the same failed step.
    assert blocked_by("equipment_status", FLEET_ANCESTORS, run) == ("stg_crm__customers:unique_customer_id",)
    assert blocked_by("customer_360", CUSTOMER_360_ANCESTORS, run) == ("stg_crm__customers:unique_customer_id",)


def test_a_failed_step_without_a_failed_check_is_named():
    run = staging_failed_run(FLEET_FK_WARN)  # landing vetting raised before dbt, or a model failed to build
    assert blocked_by("equipment_status", FLEET_ANCESTORS, run) == ("step:dbt_staging",)


def test_a_failed_check_step_of_the_model_itself_is_named():
    run = RunFacts(run_id="r", step_checked_assets={"quality_customer_360": frozenset({"customer_360"})},
                   failed_steps=frozenset({"quality_customer_360"}))
    assert blocked_by("customer_360", CUSTOMER_360_ANCESTORS, run) == ("step:quality_customer_360",)


def test_failures_off_the_models_lineage_do_not_block_it():
    spend = CheckOutcome("vendor_category_spend", "orphan_vendor_id_null", "quality_vendor_category_spend",
                         passed=False, blocks=True)
    gx = CheckOutcome("customer_360", "country_not_null", "quality_customer_360", passed=False, blocks=True)
    run = RunFacts(
        run_id="r",
        step_assets={"dbt_contract_spend_analysis": frozenset({"vendor_category_spend"}),
                     "dbt_customer_360": frozenset({"customer_360"})},
        failed_steps=frozenset({"quality_vendor_category_spend", "quality_customer_360"}),
        outcomes=(spend, gx),
    )
    assert blocked_by("revenue_monthly", REVENUE_ANCESTORS, run) == ("customer_360:country_not_null",)
    assert blocked_by("equipment_status", FLEET_ANCESTORS, run) == ()


def test_a_model_blocked_in_its_latest_run_has_no_score_and_says_why():
    run = staging_failed_run(CUSTOMER_KEY)
    verdict = judge_model("equipment_status", ["status_in_set"], FLEET_ANCESTORS, run, has_suite=True)
    assert verdict.score is None and verdict.recorded is None
    assert verdict.blocked_by == ("stg_crm__customers:unique_customer_id",)
    assert verdict.reason == "not scored by the latest run 3f2a1b2c: blocked by stg_crm__customers:unique_customer_id"


def test_a_model_scored_by_its_latest_run_shows_that_score():
    recorded = RecordedScore(97.5, {"validity": 95.0, "completeness": 100.0}, 1.0)
    passed = CheckOutcome("customer_360", "country_not_null", "quality_customer_360", passed=True, blocks=False)
    run = RunFacts(run_id="r", outcomes=(passed,), scores={"customer_360": recorded})
    verdict = judge_model("customer_360", ["country_not_null"], CUSTOMER_360_ANCESTORS, run, has_suite=True)
    assert verdict == Verdict(97.5, None, (), recorded)


def test_checks_that_ran_are_not_blocked_even_in_a_failed_run():
    run = staging_failed_run(CUSTOMER_KEY, FLEET_KEY)
    verdict = judge_model("stg_crm__customers", ["unique_customer_id"], {"landing/crm/customers"}, run,
                          has_suite=False)
    assert verdict == Verdict(None, NO_SUITE, ())


def test_a_model_no_run_planned_was_never_scored():
    assert judge_model("customer_360", ["country_not_null"], set(), None, has_suite=True) == Verdict(None, NEVER_SCORED)
    assert judge_model("stg_crm__customers", ["unique"], set(), None, has_suite=False) == Verdict(None, NO_SUITE)


def test_a_group_score_is_the_mean_only_when_its_latest_runs_scored_every_suite_model():
    scored = {"a": Verdict(90.0, None), "b": Verdict(100.0, None), "no_suite": Verdict(None, NO_SUITE)}
    assert judge_group(scored, ["a", "b"]) == Verdict(95.0, None, ())
    blocked = {**scored, "b": Verdict(None, "not scored by the latest run r: blocked by x:y", ("x:y",)),
               "no_suite": Verdict(None, NO_SUITE, ("step:s",))}
    assert judge_group(blocked, ["a", "b"]) == Verdict(
        None, "not scored by the latest run: blocked by step:s, x:y", ("step:s", "x:y"))


def test_a_group_unscored_without_a_block_names_the_model_or_says_never():
    assert judge_group({"a": Verdict(90.0, None), "b": Verdict(None, "not scored by the latest run r")}, ["a", "b"]) \
        == Verdict(None, "not scored by the latest run of b")
    assert judge_group({"a": Verdict(None, NEVER_SCORED)}, ["a"]) == Verdict(None, NEVER_SCORED)
    assert judge_group({"stg": Verdict(None, NO_SUITE)}, []) == Verdict(None, NO_SUITE)
