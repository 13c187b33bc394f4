"""``dataready services``: named connections to source databases.

Sources go through the same policy as the API (file roots, never the store itself), and
their secrets are stored encrypted and printed as ``***``.
"""

from __future__ import annotations

import typer

from dataready.cli.context import fail, local_engine, local_principal
from dataready.cli.output import (
    Column,
    OutputFormat,
    emit_rows,
    json_option,
    output_option,
    resolve_format,
    say,
)
from dataready.errors import ConnectorError, DatareadyError

app = typer.Typer(help="Source services (named connections).", no_args_is_help=True)

URL_HELP = (
    "A SQLAlchemy-style URL: postgres:// or postgresql[+driver]://user[:password]@host:5432/db, "
    "mysql:// or mariadb://…, sqlite:///file.db, duckdb:///file.duckdb, or any installed "
    "SQLAlchemy dialect (trino://, snowflake://, …)."
)


@app.command()
def add(
    name: str = typer.Argument(..., help="Service name: the first part of every FQN."),
    url: str = typer.Argument(..., help=URL_HELP),
    description: str | None = typer.Option(None, "--description", help="Free text."),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="Update a service of that name. Pointing it elsewhere drops its stored "
        "credentials and its catalogue (with profiles and tags).",
    ),
) -> None:
    """Register a service (credentials are stored encrypted)."""
    from dataready.connectors.config import parse_source_url, redact_url
    from dataready.connectors.policy import SourcePolicy
    from dataready.store import services as services_q
    from dataready.store.crypto import CredentialCipher

    notices: list[str] = []
    try:
        config = parse_source_url(url)
        with local_engine(executor=False) as engine, engine.store.session() as s:
            SourcePolicy.from_settings(engine.settings).check(config)
            principal = local_principal(engine.settings)
            cipher = CredentialCipher(engine.settings)
            save = services_q.put_service_change if replace else services_q.create_service
            saved = save(
                s,
                principal.tenant,
                cipher,
                name=name,
                config=config,
                description=description,
                created_by=principal.client_id,
            )
            if isinstance(saved, services_q.ServiceChange):
                notices = saved.notices
    except DatareadyError as exc:
        raise fail(exc) from None
    say("service [bold]{}[/] → {}", name, redact_url(url))
    for notice in notices:
        say("[yellow]note:[/] {}", notice)


@app.command("list")
def list_(output: OutputFormat = output_option(), as_json: bool = json_option()) -> None:
    """List services."""
    from dataready.store import services as services_q

    with local_engine(executor=False) as engine, engine.store.session() as s:
        rows, _ = services_q.list_services(s, local_principal(engine.settings).tenant, limit=500)
        cells = []
        for r in rows:
            cfg = services_q.public_config(r)
            target = (
                cfg.get("path")
                or cfg.get("url")
                or (f"{cfg.get('host', '')}:{cfg.get('port', '')}/{cfg.get('database') or ''}")
            )
            cells.append([r.name, r.connection_type, str(target), r.description])
    columns = [Column("name"), Column("type"), Column("target"), Column("description")]
    emit_rows(columns, cells, resolve_format(output, as_json))


@app.command()
def verify(name: str = typer.Argument(..., help="A registered service name, or a URL.")) -> None:
    """Test a service's connection (read-only) and show what it can see."""
    from dataready.connectors.config import parse_source_url
    from dataready.connectors.policy import SourcePolicy
    from dataready.connectors.registry import connect
    from dataready.settings import get_settings
    from dataready.store import services as services_q
    from dataready.store.crypto import CredentialCipher

    try:
        settings = get_settings()
        if "://" in name:
            config = parse_source_url(name)
        else:
            with local_engine(executor=False) as engine, engine.store.session() as s:
                svc = services_q.get_service_by_name(s, local_principal(settings).tenant, name)
                config = services_q.connection_config(svc, CredentialCipher(settings))
        policy = SourcePolicy.from_settings(settings)
        with connect(config, settings.sources, policy=policy) as connector:
            result = connector.verify()
    except ConnectorError as exc:
        raise fail(f"connection failed: {exc.message}") from None
    except DatareadyError as exc:
        raise fail(exc) from None
    session = (
        "read-only session"
        if result.read_only
        else "[bold red]the session is NOT read-only on this engine[/]: give the service a "
        "role that can only read"
    )
    say(
        "[green]ok[/] {} {} — database {}, {} database(s), {} schema(s), {} ms, " + session,
        result.type,
        result.server_version or "",
        result.database,
        result.databases,
        result.schemas,
        f"{result.elapsed_ms:.0f}",
    )
    note = result.details.get("note")
    if note:
        say("[yellow]note:[/] {}", note)
