"""``dataready services``: named connections to source databases.

Sources go through the same policy as the API (file roots, never the store itself), and
their secrets are stored encrypted and printed as ``***``.
"""

from __future__ import annotations

import typer
from rich.table import Table

from dataready.cli.context import console, fail, local_engine, local_principal
from dataready.connectors.config import parse_source_url, redact_url
from dataready.connectors.policy import SourcePolicy
from dataready.connectors.registry import connect
from dataready.errors import ConnectorError, DatareadyError
from dataready.settings import get_settings
from dataready.store import services as services_q
from dataready.store.crypto import CredentialCipher

app = typer.Typer(help="Source services (named connections).", no_args_is_help=True)


@app.command()
def add(
    name: str = typer.Argument(..., help="Service name: the first part of every FQN."),
    url: str = typer.Argument(..., help="e.g. postgresql://postgres@127.0.0.1:5432/dvdrental"),
    description: str | None = typer.Option(None, "--description"),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="Update a service of that name. Pointing it elsewhere drops its stored "
        "credentials and its catalogue (with profiles and tags).",
    ),
) -> None:
    """Register a service (credentials are stored encrypted)."""
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
    console.print(f"service [bold]{name}[/] → {redact_url(url)}", highlight=False)
    for notice in notices:
        console.print(f"[yellow]note:[/] {notice}", highlight=False)


@app.command("list")
def list_() -> None:
    """List services."""
    with local_engine(executor=False) as engine, engine.store.session() as s:
        rows, _ = services_q.list_services(s, local_principal(engine.settings).tenant, limit=500)
        table = Table("name", "type", "target", "description")
        for r in rows:
            cfg = services_q.public_config(r)
            target = (
                cfg.get("path")
                or cfg.get("url")
                or (f"{cfg.get('host', '')}:{cfg.get('port', '')}/{cfg.get('database') or ''}")
            )
            table.add_row(r.name, r.connection_type, str(target), r.description or "")
    console.print(table)


@app.command()
def verify(name: str = typer.Argument(..., help="A registered service name, or a URL.")) -> None:
    """Test a service's connection (read-only) and show what it can see."""
    settings = get_settings()
    try:
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
    console.print(
        f"[green]ok[/] {result.type} {result.server_version or ''} — database "
        f"{result.database}, {result.databases} database(s), {result.schemas} schema(s), "
        f"{result.elapsed_ms:.0f} ms, {session}"
    )
    note = result.details.get("note")
    if note:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
