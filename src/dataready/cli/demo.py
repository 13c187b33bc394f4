"""``dataready demo``: the one-command tour on a fresh machine.

Generates the sample database into a local SQLite file, registers it as the service
``sample``, catalogues it with ``service-ingestion`` through the engine (live progress), and
prints a summary of the catalogue.  Each capability extends this tour as it lands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.panel import Panel
from rich.table import Table

from dataready.cli.configs import configuration_for_type
from dataready.cli.context import console, fail, local_engine, local_principal
from dataready.cli.runs import follow
from dataready.cli.sample import write_sample
from dataready.errors import DatareadyError

if TYPE_CHECKING:
    from dataready.workflows.engine import Engine

SERVICE = "sample"


def _register(engine: Engine, url: str) -> None:
    from dataready.connectors.config import parse_source_url
    from dataready.store import services as services_q
    from dataready.store.crypto import CredentialCipher

    principal = local_principal(engine.settings)
    cipher = CredentialCipher(engine.settings)
    with engine.store.session() as s:
        services_q.put_service(
            s,
            principal.tenant,
            cipher,
            name=SERVICE,
            config=parse_source_url(url),
            description="dataready's DVD-rental sample database",
            created_by="demo",
        )


def _run(engine: Engine, workflow_type: str, fqn: str) -> dict[str, object]:
    from dataready.workflows.service import start_run

    principal = local_principal(engine.settings)
    with engine.store.session() as s:
        cid = configuration_for_type(s, principal, workflow_type)
        run_id = start_run(s, principal, cid, asset_fqn=fqn, parameters={}, save_all=True).id
    engine.submit(run_id)
    run = follow(engine, run_id, show_progress=True)
    if run.status != "completed":
        raise fail(f"{workflow_type} {run.status}: {run.error_message}")
    return dict(run.output or {})


def _catalogue_summary(engine: Engine) -> Table:
    from dataready.store import assets as assets_q

    tenant = local_principal(engine.settings).tenant
    table = Table(
        "table",
        "columns",
        "rows (est.)",
        "primary key",
        "references",
        title=f"catalogue of service '{SERVICE}'",
    )
    with engine.store.session() as s:
        rows, _ = assets_q.list_assets(s, tenant, fqn_prefix=SERVICE, asset_type="table", limit=500)
        for a in rows:
            refs = sorted(
                {fk["referred_fqn"].rsplit(".", 1)[-1] for fk in a.details.get("foreign_keys", [])}
            )
            table.add_row(
                a.name,
                str(a.details.get("column_count", "")),
                "" if a.row_count_estimate is None else f"{a.row_count_estimate:,}",
                ", ".join(a.details.get("primary_key", [])),
                ", ".join(refs),
            )
    return table


def _show_profile(engine: Engine, fqn: str) -> None:
    from dataready.cli.profile import profile_table_view
    from dataready.store import profiles as profiles_q
    from dataready.workflows.profile_access import readable_profile

    tenant = local_principal(engine.settings).tenant
    with engine.store.session() as s:
        row = profiles_q.latest_profile(s, tenant, fqn)
        # the tour masks personal values as the API does for viewers: it is shown on screens
        doc = readable_profile(s, tenant, fqn, row.profile, unmasked=False)
    console.print(profile_table_view(doc, f"profile of {fqn} ({doc.get('row_count'):,} rows)"))


def _evidence_text(ev: dict[str, object]) -> str:
    """A one-line reading of a tag's evidence (never a raw value: a masked example at most)."""
    bits = []
    name = ev.get("name")
    if isinstance(name, dict) and name.get("tokens"):
        bits.append("name " + "+".join(str(t) for t in name["tokens"]))
    values = ev.get("values")
    if isinstance(values, dict):
        share = values.get("validated_share") or values.get("matched_share")
        if isinstance(share, int | float):
            bits.append(
                f"{share:.0%} of {values.get('values_checked')} values pass "
                f"{values.get('validator') or values.get('pattern')}"
            )
        if values.get("masked_example"):
            bits.append(f"e.g. {values['masked_example']}")
    return "; ".join(bits)


def _pii_summary(engine: Engine) -> Table:
    from dataready.store import tags as tags_q

    table = Table("column", "tag", "confidence", "evidence", title="personal data found")
    with engine.store.session() as s:
        rows = tags_q.list_tags(
            s, local_principal(engine.settings).tenant, under=SERVICE, prefix="PII."
        )
        for t in rows:
            if t.tag in ("PII.Sensitive", "PII.NonSensitive"):
                continue
            table.add_row(
                t.asset_fqn.split(".", 3)[-1],
                t.tag,
                f"{t.confidence or 0:.2f}",
                _evidence_text(t.evidence or {}),
            )
    return table


def demo(
    scale: float = typer.Option(1.0, "--scale", help="Sample size (1 = dvdrental size)."),
) -> None:
    """Generate the sample database, catalogue it and show the catalogue."""
    from dataready.connectors.policy import default_file_roots
    from dataready.settings import get_settings

    settings = get_settings()
    # Into a directory file sources may be read from: the first allowed root (local mode:
    # data_dir/sources; the rest of data_dir, with the store and the key, is never readable).
    roots = settings.sources.file_roots or default_file_roots(settings)
    sources = roots[0] if roots else settings.data_dir / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    path = sources / "sample.db"
    url = f"sqlite:///{path}"
    console.print(Panel.fit(f"dataready demo — sample database at {path}", style="bold"))
    try:
        report = write_sample(url, scale, 42, True)
        console.print(
            f"sample: {sum(report.rows.values()):,} rows in {len(report.rows)} "
            f"tables, {len(report.faults)} kinds of planted quality faults"
        )
        with local_engine() as engine:
            _register(engine, url)
            console.print(f"service [bold]{SERVICE}[/] registered → {url}")
            out = _run(engine, "service-ingestion", SERVICE)
            console.print(
                f"ingested {out.get('tables')} tables, {out.get('views')} views, "
                f"{out.get('columns')} columns (added {out.get('added')}, changed "
                f"{out.get('changed')}, removed {out.get('removed')})"
            )
            console.print(_catalogue_summary(engine))
            out = _run(engine, "profiling", f"{SERVICE}.sample.main")
            console.print(
                f"profiled {out.get('tables_profiled')} tables, {out.get('columns_profiled')} "
                f"columns, {out.get('rows_profiled'):,} rows in {out.get('statements')} "
                "statements (one scan per table)"
            )
            out = _run(engine, "generate-pii-tags", f"{SERVICE}.sample.main")
            console.print(
                f"classified {out.get('columns_classified')} columns: "
                f"{out.get('columns_with_pii')} hold personal data, "
                f"{out.get('tags_applied')} tags applied"
            )
            console.print(_pii_summary(engine))
            # after classification: the profile shows personal columns masked
            _show_profile(engine, f"{SERVICE}.sample.main.customer")
    except DatareadyError as exc:
        raise fail(exc) from None
    console.print(
        "next: [bold]dataready serve[/] and open http://127.0.0.1:8000/api/data-readiness/docs"
    )
