"""The global lineage page of a real Dagster webserver shows every product group and its assets."""

from __future__ import annotations

import json

from dataops_assets.catalog.products import load_products
from tests.sandbox import PRODUCT_IDS, REPO_ROOT, project_manifest, public_models

# The lineage page keeps its expanded groups in localStorage (dagster-webserver 1.13's key and format).
EXPANDED_GROUPS_KEY = "asset-graph-open-graph-nodes-global-__GLOBAL__"


def graph_text(page) -> str:
    """Text of the lineage graph itself (not the sidebar tree)."""
    return page.evaluate(
        "Array.from(document.querySelectorAll('svg foreignObject')).map(node => node.textContent).join('\\n')"
    )


def drawn_asset_names(page) -> list[str]:
    """Names on the asset nodes; long ones are middle-truncated by the UI (`int_sal…_enriched`). Zoomed
    out to fit a wide graph, a node shows only its name; closer, the name comes before `Latest event`."""
    texts = page.evaluate("Array.from(document.querySelectorAll('svg foreignObject')).map(node => node.textContent)")
    return [text.split("Latest event")[0].strip() for text in texts]


def is_drawn(asset: str, names: list[str]) -> bool:
    for name in names:
        head, ellipsis, tail = name.partition("\u2026")
        if name == asset or (ellipsis and asset.startswith(head) and asset.endswith(tail)):
            return True
    return False


def test_global_lineage_shows_all_product_groups_and_assets(webserver_url, browser):
    # Each product group holds the product's dbt models, as the catalog lists them.
    product_assets = {p.id: p.models for p in load_products(project_manifest()).values()}
    assert set(product_assets) == PRODUCT_IDS
    page = browser.new_page(viewport={"width": 2000, "height": 4200})
    # "load", not "networkidle": the UI keeps polling, and under load it may never be idle for long.
    page.goto(f"{webserver_url}/asset-groups", wait_until="load", timeout=60_000)
    page.locator("svg foreignObject").get_by_text("revenue_analytics", exact=True).wait_for(timeout=60_000)
    collapsed = graph_text(page)
    for group in [*product_assets, "landing", "staging"]:
        assert group in collapsed, f"group {group} not drawn on the lineage page"

    expanded = ",".join(f"global@global:{group}" for group in product_assets)
    page.evaluate(f"localStorage.setItem({EXPANDED_GROUPS_KEY!r}, {json.dumps(json.dumps({'expanded': expanded}))})")
    page.reload(wait_until="networkidle")
    # Expanded, the graph is zoomed to fit and long names are middle-truncated (`vendor_cate…_spend`).
    page.wait_for_function("Array.from(document.querySelectorAll('svg foreignObject'))"
                           ".some(node => node.textContent.startsWith('vendor_cate'))", timeout=60_000)
    page.wait_for_timeout(1500)  # let materialization badges load before the screenshot
    screenshot = REPO_ROOT / "test-artifacts" / "global-lineage.png"
    screenshot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(screenshot))
    drawn = drawn_asset_names(page)
    for group, assets in product_assets.items():
        for asset in assets:
            assert is_drawn(asset, drawn), f"asset {asset} of group {group} not drawn on the lineage page"
    for model in public_models():  # each public model's publication sits in its product's group
        assert is_drawn(f"published_{model}", drawn), f"published_{model} not drawn on the lineage page"
    page.close()
