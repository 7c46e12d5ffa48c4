"""Pure pieces of the dbt room: which landing tables a selection reads."""

import dagster as dg

from dataops_assets.dbt.assets import landing_keys_upstream

K = dg.AssetKey
DEPS = {
    K("customer_360"): {K("stg_crm__customers"), K("int_customer__order_summary")},
    K("int_customer__order_summary"): {K("stg_shop__orders")},
    K("stg_crm__customers"): {K(["landing", "crm", "customers"])},
    K("stg_shop__orders"): {K(["landing", "shop", "orders"])},
    K("revenue_monthly"): {K("customer_360"), K("stg_shop__payments")},
    K("stg_shop__payments"): {K(["landing", "shop", "payments"])},
}


def test_landing_tables_reached_through_views_and_models():
    assert landing_keys_upstream(DEPS, [K("customer_360")]) == {
        K(["landing", "crm", "customers"]),
        K(["landing", "shop", "orders"]),
    }


def test_cross_product_selection_reaches_every_landing_table():
    assert len(landing_keys_upstream(DEPS, [K("revenue_monthly")])) == 3


def test_staging_only_selection():
    assert landing_keys_upstream(DEPS, [K("stg_shop__payments")]) == {K(["landing", "shop", "payments"])}


def test_dbt_parse_errors_become_one_line():
    from dataops_assets.dbt.manifest import dbt_error_summary

    output = """\x1b[0m01:17:58  Encountered an error:
Parsing Error
  Error reading dataops: staging/broken.yml - Runtime Error
    Syntax error near line 5
    ------------------------------
    2  | models:
    4  |     columns: [

    Raw Error:
    ------------------------------
    while parsing a flow node
"""
    assert dbt_error_summary(output) == (
        "Parsing Error: Error reading dataops: staging/broken.yml - Runtime Error: Syntax error near line 5"
    )
    assert dbt_error_summary("") == "no output"


def test_a_blocked_table_is_found_through_a_product_built_in_another_step():
    """The monthly step's revenue_monthly reads crm.customers only through customer_360 (unpartitioned
    step): vetting walks the whole project's lineage, so revenue_monthly is blocked too."""
    assert K(["landing", "crm", "customers"]) in landing_keys_upstream(DEPS, [K("revenue_monthly")])
