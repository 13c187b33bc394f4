"""``dataready services``: named connections to source databases.

Sources go through the same policy as the API (file roots, never the store itself), and
their secrets are stored encrypted and printed as ``***``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from dataready.cli.context import fail, local_engine, local_principal
from dataready.cli.output import (
    Column,
    OutputFormat,
    console,
    emit_rows,
    json_option,
    output_option,
    print_json,
    resolve_format,
    say,
)
from dataready.errors import ConnectorError, DatareadyError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dataready.settings import Settings
    from dataready.store.orm import Service

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
    verify_first: bool = typer.Option(
        True,
        "--verify/--no-verify",
        help="Test the connection (read-only) before saving; --no-verify saves it untested.",
    ),
) -> None:
    """Register a service (credentials are stored encrypted)."""
    from dataready.connectors.config import parse_source_url, redact_url
    from dataready.connectors.policy import SourcePolicy
    from dataready.connectors.registry import connect
    from dataready.domain.services import check_service_name
    from dataready.store import services as services_q
    from dataready.store.crypto import CredentialCipher

    notices: list[str] = []
    try:
        config = parse_source_url(url)
        with local_engine(executor=False) as engine, engine.store.session() as s:
            policy = SourcePolicy.from_settings(engine.settings)
            policy.check(config)
            if not replace or not _exists(s, engine.settings, name):
                check_service_name(name)  # before the connection test: a bad name fails fast
            if verify_first:
                try:
                    with connect(config, engine.settings.sources, policy=policy) as connector:
                        connector.verify()
                except ConnectorError as exc:
                    raise fail(
                        f"connection failed: {exc.message}; nothing was saved (fix the "
                        "URL, or save it untested with --no-verify)"
                    ) from None
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


def _exists(s: Session, settings: Settings, name: str) -> bool:
    from dataready.store import services as services_q

    tenant = local_principal(settings).tenant
    return name in services_q.service_names(s, tenant)


def _document(row: Service) -> dict[str, Any]:
    """The service as ``GET /services/{id}`` returns it (never its credentials)."""
    from dataready.store import services as services_q

    return {
        "id": str(row.id),
        "name": row.name,
        "connection_type": row.connection_type,
        "config": services_q.public_config(row),
        "description": row.description,
        "has_credentials": row.credentials_encrypted is not None,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


@app.command()
def show(
    name: str = typer.Argument(..., help="A service name (or id)."),
    as_json: bool = typer.Option(False, "--json", help="Print the service as JSON."),
) -> None:
    """Show a service: its connection (secrets as ***) and how much of it is catalogued."""
    from dataready.domain.fqn import quote_part
    from dataready.store import assets as assets_q
    from dataready.store import services as services_q

    try:
        with local_engine(executor=False) as engine, engine.store.session() as s:
            tenant = local_principal(engine.settings).tenant
            row = services_q.resolve_service(s, tenant, name)
            doc = _document(row)
            doc["assets"] = assets_q.list_assets(s, tenant, fqn_prefix=quote_part(row.name))[1]
    except DatareadyError as exc:
        raise fail(exc.message) from None
    if as_json:
        print_json(doc)
        return
    table = Table("field", "value", title=f"service {escape(doc['name'])}", show_header=False)
    for key in ("id", "connection_type", "description", "has_credentials", "assets"):
        value = doc[key]
        table.add_row(key, escape("" if value is None else str(value)))
    for key, value in sorted(doc["config"].items()):
        table.add_row(f"config.{escape(key)}", escape(json.dumps(value)))
    console.print(table)


@app.command()
def delete(
    name: str = typer.Argument(..., help="A service name (or id)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a service with its catalogue (assets, profiles, tags)."""
    from dataready.domain.fqn import quote_part
    from dataready.store import assets as assets_q
    from dataready.store import services as services_q

    try:
        with local_engine(executor=False) as engine:
            tenant = local_principal(engine.settings).tenant
            with engine.store.session() as s:
                row = services_q.resolve_service(s, tenant, name)
                service_id, service_name = row.id, row.name
                count = assets_q.list_assets(s, tenant, fqn_prefix=quote_part(row.name))[1]
            prompt = (
                f"delete service {service_name!r} and its catalogue ({count} assets, with "
                "their profiles and tags)?"
            )
            if not yes and not typer.confirm(prompt, default=False):
                raise fail("not deleted")
            with engine.store.session() as s:
                services_q.delete_service(s, tenant, service_id)
    except DatareadyError as exc:
        raise fail(exc.message) from None
    console.print(f"deleted service {escape(service_name)}", highlight=False)


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
