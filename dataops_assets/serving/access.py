"""Who may read what: the key a request presents, its clearance against a product's classification (default
deny), its rate, and whether it holds the product's PII grant. Shared by REST and GraphQL."""

from __future__ import annotations

from dataclasses import dataclass

from dataops_assets.governance.vault import load_grants
from dataops_assets.project import Project
from dataops_assets.serving.catalog import ServedProduct, find_product, served_products
from dataops_assets.serving.insights import Insights
from dataops_assets.serving.keys import ApiKey, KeyRing
from dataops_assets.serving.rate_limit import RateLimiter
from dataops_assets.serving.reader import SnapshotReader
from dataops_assets.serving.requests_log import RequestLog
from dataops_assets.settings import Settings


class Unauthorized(PermissionError):
    """401: no key, or one the store does not hold."""


class Forbidden(PermissionError):
    """403: the product is classified above the key's clearance."""


class RateLimited(PermissionError):
    """429: the key's bucket is empty for `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class Services:
    settings: Settings
    products: dict[str, ServedProduct]
    keys: KeyRing
    reader: SnapshotReader
    limiter: RateLimiter
    requests: RequestLog
    insights: Insights

    @classmethod
    def build(cls, settings: Settings, project: Project, background: bool = True) -> Services:
        """`background`: new versions are loaded into memory by a thread while the version before them
        answers (the server); False: by the first read of each, which waits (tests)."""
        return cls(settings, served_products(project), KeyRing(settings.api_keys_path, settings.api_keys_json),
                   SnapshotReader(settings.published_dir, settings.restricted_dir, settings.serving_duckdb_config,
                                  load_in_background=background),
                   RateLimiter(settings.rate_per_minute, settings.rate_burst),
                   RequestLog(settings.serving_requests_path), Insights(settings))

    def authenticate(self, presented: str | None) -> Caller:
        """The caller behind a bearer key, after taking one request from its rate."""
        if not presented:
            raise Unauthorized("no API key; expected the header Authorization: Bearer <key>")
        key = self.keys.find(presented)
        if key is None:
            raise Unauthorized("unknown API key")
        wait = self.limiter.take(key.id)
        if wait > 0:
            raise RateLimited(f"rate limit of {self.limiter.per_minute} requests a minute reached for key {key.id}",
                              wait)
        return Caller(key, self)

    def close(self) -> None:
        self.insights.stop()
        self.requests.close()
        self.reader.close()


@dataclass(frozen=True)
class Caller:
    key: ApiKey
    services: Services

    def may_read(self, product: ServedProduct) -> bool:
        return self.key.may_read(product.product.spec.classification)

    def product(self, product_id: str) -> ServedProduct:
        """The product, if the key's clearance reaches it (UnknownProduct, Forbidden otherwise)."""
        product = find_product(self.services.products, product_id)
        if not self.may_read(product):
            raise Forbidden(f"product {product.id} is classified {product.product.spec.classification.value}; "
                            f"key {self.key.id} has clearance {self.key.clearance.value}")
        return product

    def holds_pii_grant(self, product: ServedProduct) -> bool:
        return self.key.principal in load_grants(self.services.settings.home).get(product.id, ())
