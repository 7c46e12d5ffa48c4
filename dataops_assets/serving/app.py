"""The serving layer's HTTP app: REST under /api/v1, GraphQL at /graphql, OpenAPI at /openapi.json, docs at /docs.

Every route but /healthz takes `Authorization: Bearer <key>`: no key or an unknown one is 401, a product
above the key's clearance 403 (it is also left out of the catalog), past the key's rate 429 with
Retry-After. What is read comes from published snapshots only (reader.py).

No `from __future__ import annotations` here: FastAPI reads the routes' annotations (the local `Authorized`).
"""

import contextlib
import math
import time
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline

from dataops_assets.project import load_project
from dataops_assets.serving import documents
from dataops_assets.serving.access import Caller, Forbidden, RateLimited, Services, Unauthorized
from dataops_assets.serving.catalog import UnknownProduct, normalize_id
from dataops_assets.serving.query import DEFAULT_LIMIT, MAX_LIMIT, QueryError
from dataops_assets.serving.reader import NotPublished
from dataops_assets.settings import Settings

API = "/api/v1"
_bearer = HTTPBearer(auto_error=False, description="An API key: `dataops api-key create PRINCIPAL --clearance U|C|S|TS`.")
_ERRORS = {
    400: {"description": "A parameter the read cannot honour; `detail` names it and what was expected."},
    401: {"description": "No API key, or an unknown one."},
    403: {"description": "The product is classified above the key's clearance."},
    404: {"description": "No such product, model or published version."},
    429: {"description": "Past the key's rate limit; Retry-After says when to retry (seconds)."},
}


def create_app(settings: Settings, services: Services | None = None, background: bool = True) -> FastAPI:
    """The app over `settings`' published snapshots; `background`: refresh quality scores and SLIs in a
    worker, and load new versions into memory in a thread while the version before them answers (tests pass
    False: a new version answers from its first read, and they call services.insights.refresh())."""
    services = services or Services.build(settings, load_project(settings), background)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if background:
            services.insights.start()
        yield
        services.close()

    # /docs and /redoc from files shipped in the package, not a CDN: they work on a closed network.
    app = FastAPIOffline(title="dataops-assets serving", version="1", lifespan=lifespan,
                         description="Published data products: catalog, metadata and data, read from immutable "
                                     "snapshots.")
    app.state.services = services

    app.add_middleware(RecordRequests, log=services.requests)

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        return JSONResponse({"detail": f"{where}: {first.get('msg', 'invalid')}, got {first.get('input')!r}"[:500]},
                            status_code=400)

    def caller(request: Request,
               credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Caller:
        found = services.authenticate(credentials.credentials if credentials else None)
        request.state.key_id = found.key.id
        return found

    Authorized = Annotated[Caller, Depends(caller)]

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(f"{API}/products", responses=_ERRORS, response_model=documents.ProductList,
             summary="The catalog: products the key may read", tags=["REST"])
    def list_products(who: Authorized,
                      q: Annotated[str | None, Query(max_length=200, description="Words to find in a product's "
                                                     "name, description, tags or columns.")] = None,
                      limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
                      offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
        return documents.catalog(services, who, q, limit, offset)

    @app.get(f"{API}/products/{{product_id}}", responses=_ERRORS, response_model=documents.ProductDetail,
             summary="One product: spec, owners, status, SLOs, quality, lineage, schema, versions", tags=["REST"])
    def get_product(product_id: str, who: Authorized) -> dict[str, Any]:
        return documents.detail(services, who.product(product_id))

    @app.get(f"{API}/products/{{product_id}}/data", responses={**_ERRORS, 304: {"description": "Not Modified"}},
             response_model=documents.DataPage, summary="A page of a product's published data", tags=["REST"])
    def get_data(request: Request, product_id: str, who: Authorized,
                 filters: Annotated[list[str], Query(description="field:value or field:op:value, op one of eq ne "
                                                     "gt gte lt lte in like (in: values separated by |); repeat "
                                                     "for several (also as filters[]).")] = [],  # noqa: B006
                 sort: Annotated[list[str], Query(description="field:asc or field:desc; several separated by "
                                                  "commas or repeated.")] = [],  # noqa: B006
                 limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
                 offset: Annotated[int, Query(ge=0)] = 0,
                 version: Annotated[int | None, Query(ge=1, description="An older published version still kept.")] = None,
                 model: Annotated[str | None, Query(max_length=200, description="One of the product's public "
                                                    "models (default: the one named as the product).")] = None):
        filters = filters + request.query_params.getlist("filters[]")
        page = documents.data_page(services, who, who.product(product_id), filters, sort, limit, offset, version,
                                   model, request.headers.get("if-none-match"))
        headers = {"ETag": page.etag, "Cache-Control": "private, no-cache"}
        if page.body is None:
            return Response(status_code=304, headers=headers)
        return Response(page.body, media_type="application/json", headers=headers)

    @app.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError):
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(UnknownProduct)
    async def unknown(request: Request, exc: UnknownProduct):
        return JSONResponse({"detail": str(exc.args[0])}, status_code=404)

    @app.exception_handler(NotPublished)
    async def not_published(request: Request, exc: NotPublished):
        return JSONResponse({"detail": str(exc.args[0])}, status_code=404)

    @app.exception_handler(Unauthorized)
    async def unauthorized(request: Request, exc: Unauthorized):
        return JSONResponse({"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        return JSONResponse({"detail": str(exc)}, status_code=403)

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited):
        return JSONResponse({"detail": str(exc)}, status_code=429,
                            headers={"Retry-After": str(max(1, math.ceil(exc.retry_after)))})

    from dataops_assets.serving.graphql_api import graphql_router

    app.include_router(graphql_router(services, caller), prefix="/graphql", tags=["GraphQL"])
    return app


class RecordRequests:
    """Every HTTP request's route, product, status, latency and key id onto the request log's queue (a pure
    ASGI middleware: nothing is written on the request's path)."""

    def __init__(self, app, log) -> None:
        self.app, self.log = app, log

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def send_and_note(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            product = (scope.get("path_params") or {}).get("product_id")
            self.log.record(getattr(scope.get("route"), "path", scope["path"]),
                            normalize_id(product) if product else None, status,
                            1000 * (time.perf_counter() - started), (scope.get("state") or {}).get("key_id"))
