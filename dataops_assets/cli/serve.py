"""`dataops serve`: the REST, GraphQL and OpenAPI server over the published snapshots."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (keep it loopback unless "
              "a proxy with TLS is in front).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve published products: /api/v1 (REST), /graphql, /docs and /openapi.json; keys: `dataops api-key`."""
    import uvicorn

    from dataops_assets.cli.products import load_project_or_exit
    from dataops_assets.serving.access import Services
    from dataops_assets.serving.app import create_app
    from dataops_assets.serving.keys import KeyStoreError
    from dataops_assets.settings import load_settings

    settings = load_settings()
    project = load_project_or_exit()
    try:
        services = Services.build(settings, project)
    except KeyStoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"serving {settings.published_dir} on http://{host}:{port} (docs: /docs)", err=True)
    # No access log: request lines go to the request log (serving/requests.jsonl), which never holds a key.
    # Keep-alive 30 s (uvicorn's 5 s races clients reusing a connection when the machine is busy).
    uvicorn.run(create_app(settings, services), host=host, port=port, access_log=False, log_level="warning",
                timeout_keep_alive=30)
