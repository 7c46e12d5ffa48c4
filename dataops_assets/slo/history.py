"""What the SLIs read from the Dagster instance: when each public model was published."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from dataops_assets.catalog.products import DataProduct
from dataops_assets.publish.assets import publish_asset_key

_PAGE = 1000


def publication_times(instance: dg.DagsterInstance, product: DataProduct,
                      since: dt.datetime) -> dict[str, list[dt.datetime]]:
    """Public model -> the times its publish asset materialized from `since` on (ascending), plus the
    last one before `since`: what freshness at the window's start and the go-live instant need."""
    return {model: _times(instance, publish_asset_key(model), since) for model in product.public_models}


def _times(instance: dg.DagsterInstance, key: dg.AssetKey, since: dt.datetime) -> list[dt.datetime]:
    earlier = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, before_timestamp=since.timestamp()), limit=1).records
    stamps = [record.timestamp for record in earlier]
    cursor = None
    while True:
        page = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, after_timestamp=since.timestamp()),
            limit=_PAGE, cursor=cursor, ascending=True)
        stamps.extend(record.timestamp for record in page.records)
        if not page.has_more:
            break
        cursor = page.cursor
    return [dt.datetime.fromtimestamp(stamp, dt.timezone.utc) for stamp in sorted(stamps)]
