"""The global lineage page of a real Dagster webserver shows every product group and its assets."""

from __future__ import annotations

import pytest

from tests.sandbox import REPO_ROOT
from tests.integration.test_definitions import PRODUCT_GROUPS

pytestmark = pytest.mark.e2e

PRODUCT_ASSETS = {
    "sales_daily_metrics": ["sales_daily_metrics", "int_sales__transactions_enriched"],
    "mission_logistics": ["equipment_status", "int_logistics__equipment_activity"],
    "customer_360": ["customer_360", "int_customer__order_summary", "int_customer__support_summary"],
    "product_performance": ["product_performance", "int_product__sales_and_returns"],
    "revenue_analytics": ["revenue_monthly", "int_revenue__order_payments"],
    "contract_spend_analysis": ["vendor_category_spend", "int_procurement__spend_enriched"],
}


def test_global_lineage_shows_all_product_groups(webserver_url, browser):
    assert set(PRODUCT_ASSETS) == PRODUCT_GROUPS
    page = browser.new_page(viewport={"width": 2400, "height": 1600})
    page.goto(f"{webserver_url}/asset-groups", wait_until="networkidle")
    page.get_by_text("customer_360", exact=True).first.wait_for(timeout=60_000)
    text = page.inner_text("body")
    screenshot = REPO_ROOT / "test-artifacts" / "global-lineage.png"
    screenshot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(screenshot), full_page=True)
    for group, assets in PRODUCT_ASSETS.items():
        assert group in text, f"group {group} not on the lineage page"
        for asset in assets:
            assert asset in text, f"asset {asset} of {group} not on the lineage page"
    page.close()
