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
