"""GraphQL at /graphql (strawberry): seed 000's query shape, with REST's keys, clearance, masking and reads.

    dataProduct(id: "sales-daily-metrics") {
      name version qualityScore slos { availability latencyP95 }
      data(filters: ["region:europe"], sort: ["revenue:desc"], first: 100, after: "<endCursor>") {
        edges { node cursor } pageInfo { hasNextPage endCursor } totalCount
      }
    }

A node is a row as a JSON object (columns differ per product). Queries deeper than MAX_DEPTH, with more
than MAX_ALIASES aliases or MAX_TOKENS tokens are refused before they run.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import strawberry
from fastapi import Depends
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.fastapi import GraphQLRouter
from strawberry.scalars import JSON
from strawberry.types import Info

from dataops_assets.serving import documents
from dataops_assets.serving.access import Caller, Services
from dataops_assets.serving.catalog import ServedProduct
from dataops_assets.serving.query import DEFAULT_LIMIT, MAX_LIMIT, QueryError, parse_read

MAX_DEPTH = 6
MAX_ALIASES = 20
MAX_TOKENS = 2000
_CURSOR = "offset:"


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge:
    node: JSON
    cursor: str


@strawberry.type
class DataConnection:
    edges: list[Edge]
    page_info: PageInfo
    total_count: int
    version: int
    masked: bool


@strawberry.type
class Slos:
    availability: float | None
    latency_p50: float | None
    latency_p95: float | None
    latency_p99: float | None
    freshness_minutes: float | None
    completeness: float | None


@strawberry.type
class DataProduct:
    served: strawberry.Private[ServedProduct]
    id: str
    name: str
    version: str
    classification: str
    description: str

    @strawberry.field
    def quality_score(self, info: Info) -> float | None:
        return _caller(info).services.insights.product(self.id)["quality_score"]

    @strawberry.field
    def slos(self, info: Info) -> Slos:
        return Slos(**documents.current_slis(_caller(info).services.insights.product(self.id)))

    @strawberry.field
    def models(self) -> list[str]:
        return list(self.served.models)

    @strawberry.field
    def data(self, info: Info, filters: list[str] | None = None, sort: list[str] | None = None,
             first: int = DEFAULT_LIMIT, after: str | None = None, model: str | None = None,
             version: int | None = None) -> DataConnection:
        who = _caller(info)
        if not 1 <= first <= MAX_LIMIT:
            raise QueryError(f"first: expected a whole number from 1 to {MAX_LIMIT}, got {first}")
        offset = _offset(after)
        snapshot = documents.snapshot_for(who, self.served, documents.model_of(self.served, model), version)
        page = who.services.reader.read(snapshot, parse_read(filters or [], sort or [], first, offset, snapshot.columns))
        rows = page.rows()
        edges = [Edge(node=row, cursor=_cursor(offset + n + 1)) for n, row in enumerate(rows)]
        end = offset + len(rows)
        return DataConnection(edges=edges, page_info=PageInfo(has_next_page=end < page.total,
                                                              end_cursor=_cursor(end) if rows else after),
                              total_count=page.total, version=snapshot.version, masked=not snapshot.unmasked)


@strawberry.type
class Query:
    @strawberry.field
    def data_product(self, info: Info, id: strawberry.ID) -> DataProduct:
        return _product(_caller(info).product(str(id)))

    @strawberry.field
    def data_products(self, info: Info) -> list[DataProduct]:
        who = _caller(info)
        return [_product(p) for p in who.services.products.values() if who.may_read(p)]


def graphql_router(services: Services, caller: Callable[..., Caller]) -> GraphQLRouter:
    async def context(who: Caller = Depends(caller)) -> dict:  # noqa: B008 (FastAPI's dependency injection)
        return {"caller": who}

    schema = strawberry.Schema(query=Query, extensions=[
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH), lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS)])
    return GraphQLRouter(schema, context_getter=context, graphql_ide=None)


def _caller(info: Info) -> Caller:
    return info.context["caller"]


def _product(served: ServedProduct) -> DataProduct:
    spec = served.product.spec
    return DataProduct(served=served, id=served.id, name=spec.name, version=spec.version,
                       classification=spec.classification.value, description=spec.description)


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR}{offset}".encode()).decode()


def _offset(after: str | None) -> int:
    if after is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(after.encode()).decode()
        if text.startswith(_CURSOR) and text[len(_CURSOR):].isdigit():
            return int(text[len(_CURSOR):])
    except (ValueError, UnicodeDecodeError):
        pass
    raise QueryError(f"after: expected an endCursor from an earlier page, got {after!r}")
