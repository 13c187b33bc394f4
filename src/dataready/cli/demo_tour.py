"""The tour ``dataready demo`` runs (imported only when the command runs: the CLI starts light).

Generates the sample database into a local SQLite file, registers it as the service
``sample`` and runs the workflows through the engine (live progress on stderr): it catalogues,
profiles, finds personal data and tags data-quality findings, printing each step in a few
lines with the command to look further.  It ends by saying, for every quality fault the
sample planted, whether the workflows found it and where (:mod:`dataready.sample.findings`).

Everything it prints of the data is read as the API shows it to a viewer: profiles through
:func:`~dataready.workflows.profile_access.readable_profile` (personal values masked), tags'
evidence as the classifier left it (a masked example at most).  Names go through
:func:`rich.markup.escape`.  The views are narrow on purpose: they read at 80 columns.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from rich import box
from rich.markup import escape
from rich.table import Table

from dataready.cli.configs import configuration_for_type
from dataready.cli.context import console, fail, local_engine, local_principal
from dataready.cli.output import format_count, format_number
from dataready.cli.runs import follow
from dataready.cli.sample import write_sample
from dataready.connectors.config import parse_source_url
from dataready.connectors.policy import default_file_roots
from dataready.domain.fqn import FQN
from dataready.domain.tenant import Tenant
from dataready.errors import DatareadyError, NotFound
from dataready.sample.faults import FaultCount
from dataready.sample.findings import Detection, Observed, Status, detect_faults
from dataready.settings import get_settings
from dataready.store import assets as assets_q
from dataready.store import profiles as profiles_q
from dataready.store import runs as runs_q
from dataready.store import services as services_q
from dataready.store import tags as tags_q
from dataready.store.crypto import CredentialCipher
from dataready.store.orm import Asset, Tag
from dataready.workflows.engine import Engine
from dataready.workflows.profile_access import readable_profile
from dataready.workflows.service import start_run

SERVICE = "sample"
SCHEMA = f"{SERVICE}.sample.main"
"""The sample's schema FQN: SQLite's database is the file's stem, its schema ``main``."""
SHOWN_TABLE = f"{SCHEMA}.customer"
SHOWN_COLUMN = f"{SHOWN_TABLE}.email"
# tags that hold on nearly every column and say nothing about a fault
_STRUCTURAL = ("DQ.KeyCandidate", "DQ.CriticalDataElement")
_STATUS_STYLE = {
    Status.FOUND: "green",
    Status.PARTLY: "yellow",
    Status.HINTED: "yellow",
    Status.NOT_DETECTED: "red",
}


# -- small formatters (private: cli/output.py may take them over) ----------------------------


def _e(value: object) -> str:
    """A name or value, escaped for rich markup."""
    return escape(str(value))


def _grid(*headers: str, title: str | None = None) -> Table:
    """A compact table: a rule under the header, no vertical borders."""
    return Table(*headers, title=title, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _count(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else _short(str(value), 19)
    return format_number(value) if isinstance(value, float) else format_count(value)


def _step(number: int, title: str, what: str) -> None:
    console.print(f"\n[bold]{number}. {title}[/]")
    console.print(f"   {what}", highlight=False)


def _try(*commands: str) -> None:
    for command in commands:
        console.print(f"   [dim]try:[/] [bold]dataready {_e(command)}[/]", highlight=False)


def _column_name(fqn: str) -> str:
    """``table.column`` of a column FQN."""
    key = FQN.parse(fqn)
    return f"{key.table}.{key.column}" if key.column else str(key.table)


def _grouped(reasons: Mapping[str, str]) -> list[str]:
    """``reason: col, col`` lines, one per distinct reason, from column → reason."""
    by_reason: dict[str, list[str]] = defaultdict(list)
    for column, reason in sorted(reasons.items()):
        by_reason[reason].append(column)
    return [f"{', '.join(cols)} — {reason}" for reason, cols in sorted(by_reason.items())]


# -- running -------------------------------------------------------------------------------


def _register(engine: Engine, url: str) -> None:
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


def _run(engine: Engine, workflow_type: str, fqn: str) -> tuple[uuid.UUID, dict[str, Any]]:
    principal = local_principal(engine.settings)
    with engine.store.session() as s:
        cid = configuration_for_type(s, principal, workflow_type)
        run_id = start_run(s, principal, cid, asset_fqn=fqn, parameters={}, save_all=True).id
    engine.submit(run_id)
    run = follow(engine, run_id, show_progress=True)
    if run.status != "completed":
        raise fail(_e(f"{workflow_type} {run.status}: {run.error_message}"))
    return run_id, dict(run.output or {})


def _task_skips(engine: Engine, run_id: uuid.UUID) -> dict[str, str]:
    """``table.column`` → why a task skipped it, from the tasks' outputs."""
    tenant = local_principal(engine.settings).tenant
    skipped: dict[str, str] = {}
    with engine.store.session() as s:
        for task in runs_q.list_tasks(s, tenant, run_id):
            table = FQN.parse(task.asset_fqn).table if task.asset_fqn else "?"
            for column, reason in ((task.output or {}).get("skipped") or {}).items():
                skipped[f"{table}.{column}"] = str(reason)
    return skipped


# -- reading what the workflows left ---------------------------------------------------------


def _profiles(engine: Engine, tables: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The latest profile of each table as a viewer reads it (personal values masked)."""
    tenant = local_principal(engine.settings).tenant
    found: dict[str, dict[str, Any]] = {}
    with engine.store.session() as s:
        for fqn in tables:
            try:
                row = profiles_q.latest_profile(s, tenant, fqn)
            except NotFound:
                continue
            found[fqn] = readable_profile(s, tenant, fqn, row.profile, unmasked=False)
    return found


def _tables(engine: Engine, tenant: Tenant) -> list[Asset]:
    with engine.store.session() as s:
        rows, _ = assets_q.list_assets(s, tenant, fqn_prefix=SCHEMA, asset_type="table", limit=500)
    return rows


def _observed(
    profiles: Mapping[str, Mapping[str, Any]], tags: Iterable[Tag]
) -> dict[str, Observed]:
    by_table: dict[str, dict[str, dict[str, Mapping[str, Any]]]] = defaultdict(dict)
    for t in tags:
        key = FQN.parse(t.asset_fqn)
        if key.column and key.table:
            by_table[key.table].setdefault(key.column, {})[t.tag] = t.evidence or {}
    return {
        str(FQN.parse(fqn).table): Observed(doc, by_table.get(str(FQN.parse(fqn).table), {}))
        for fqn, doc in profiles.items()
    }


# -- views -----------------------------------------------------------------------------------


def _catalogue_view(tables: list[Asset], profiles: Mapping[str, Mapping[str, Any]]) -> Table:
    """Tables with their rows (the profile's count), columns, keys and references."""
    estimated = False
    lines = []
    for a in tables:
        doc = profiles.get(a.fqn) or {}
        rows = doc.get("row_count", a.row_count_estimate)
        exact = bool(doc.get("row_count_exact")) and rows is not None
        estimated |= not exact
        refs = sorted(
            {fk["referred_fqn"].rsplit(".", 1)[-1] for fk in a.details.get("foreign_keys", [])}
        )
        lines.append(
            (
                _e(a.name),
                "not counted" if rows is None else ("" if exact else "≈") + f"{rows:,}",
                str(a.details.get("column_count", "")),
                _e(", ".join(a.details.get("primary_key", []))),
                _e(", ".join(refs)),
            )
        )
    header = "rows (≈ est.)" if estimated else "rows"
    view = _grid("table", header, "cols", "primary key", "references")
    view.caption = "rows: " + (
        "≈ estimated by the catalogue where no profile counted them"
        if estimated
        else "counted exactly by the profile"
    )
    view.caption_justify = "left"
    view.columns[1].justify = view.columns[2].justify = "right"
    for line in lines:
        view.add_row(*line)
    return view


def _evidence_text(ev: Mapping[str, Any]) -> str:
    """A short reading of a tag's evidence (never a raw value: a masked example at most)."""
    bits = []
    values = ev.get("values")
    if isinstance(values, Mapping):
        share = values.get("validated_share") or values.get("matched_share")
        if isinstance(share, int | float):
            how = values.get("validator") or values.get("pattern")
            bits.append(f"{share:.0%} of {values.get('values_checked')} pass {how}")
        if values.get("masked_example"):
            bits.append(f"e.g. {values['masked_example']}")
    name = ev.get("name")
    if not bits and isinstance(name, Mapping) and name.get("tokens"):
        bits.append("name " + "+".join(str(t) for t in name["tokens"]))
    return _e(_short("; ".join(bits), 60))


def _pii_view(tags: Iterable[Tag]) -> Table:
    view = _grid("column", "tag", "conf.", "evidence", title="personal data found")
    for t in tags:
        if t.tag in ("PII.Sensitive", "PII.NonSensitive"):
            continue
        view.add_row(
            _e(_column_name(t.asset_fqn)),
            _e(t.tag),
            f"{t.confidence or 0:.2f}",
            _evidence_text(t.evidence or {}),
        )
    return view


def _range(col: Mapping[str, Any]) -> str:
    low, high = col.get("min"), col.get("max")
    if low is None and col.get("min_length") is not None:  # text: lengths
        low, high = col["min_length"], col.get("max_length")
        return f"len {low}-{high}" if low != high else f"len {low}"
    if low is None and high is None:
        return ""
    low, high = _count(low), _count(high)
    return low if low == high else f"{low} … {high}"


def _profile_view(doc: Mapping[str, Any], title: str) -> Table:
    """A compact profile: one line per column, the figures a person scans first."""
    view = _grid("column", "type", "nulls", "distinct", "range", "top value", title=title)
    for col in doc.get("columns") or []:
        name, family = _e(col.get("name")), _e(col.get("type_family") or "")
        if col.get("skipped_reason"):
            view.add_row(name, family, "", "", f"[dim]{_e(col['skipped_reason'])}[/]", "")
            continue
        distinct = _count(col.get("distinct_count"))
        if distinct and not col.get("distinct_exact"):
            distinct = "≈" + distinct
        top = (col.get("top_values") or [{}])[0]
        shown = f"{_short(str(top.get('value')), 19)} ({top.get('count')})" if top else ""
        view.add_row(
            name,
            family,
            f"{col.get('null_ratio') or 0:.1%}",
            distinct,
            _e(_range(col)),
            _e(shown),
        )
    view.columns[0].no_wrap = True
    return view


def _dq_view(tags: Iterable[Tag]) -> Table:
    by_tag: dict[str, list[str]] = defaultdict(list)
    for t in tags:
        by_tag[t.tag].append(_column_name(t.asset_fqn))
    view = _grid("tag", "on", "e.g.", title="data-quality tags")
    for tag, where in sorted(by_tag.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        view.add_row(_e(tag), str(len(where)), _e(_short(", ".join(where[:3]), 44)))
    return view


def _fault_view(detections: list[Detection]) -> Table:
    view = _grid("planted fault", "rows", "result", title="the planted quality faults")
    for d in detections:
        style = _STATUS_STYLE[d.status]
        found = "; ".join(f"{e.source}: {e.figure}" for e in d.evidence)
        where = sorted({e.column for e in d.evidence}) or [f"{d.fault.table}.{d.fault.column}"]
        text = f"[{style}]{d.status.value}[/] in {_e(', '.join(where))}"
        if found:
            text += f" — {_e(found)}"
        if d.missing:
            text += f" [dim]({_e(d.missing)})[/]"
        view.add_row(_e(d.fault.name), f"{d.planted:,}", text)
    return view


# -- the tour --------------------------------------------------------------------------------


def _tour(engine: Engine, url: str, planted: tuple[FaultCount, ...]) -> None:
    tenant = local_principal(engine.settings).tenant
    _register(engine, url)
    _step(2, f"Register it as the service '{SERVICE}'", f"→ {_e(url)}")
    _try("services list")

    _, out = _run(engine, "service-ingestion", SERVICE)
    n_columns = int(out.get("columns") or 0)
    _step(
        3,
        "Catalogue it (service-ingestion)",
        f"{out.get('tables')} tables, {out.get('views')} views, {n_columns} columns with their "
        "types, keys and references.",
    )
    _try(f"assets list {SCHEMA} --type table")

    _, out = _run(engine, "profiling", SCHEMA)
    tables = _tables(engine, tenant)
    profiles = _profiles(engine, [a.fqn for a in tables])
    skipped = {
        f"{FQN.parse(fqn).table}.{c['name']}": str(c["skipped_reason"])
        for fqn, doc in profiles.items()
        for c in doc.get("columns") or []
        if c.get("skipped_reason")
    }
    _step(
        4,
        "Profile every table (profiling: one scan per table)",
        f"{out.get('columns_profiled')} of {n_columns} columns profiled, "
        f"{out.get('rows_profiled') or 0:,} rows in {out.get('statements')} statements.",
    )
    for line in _grouped(skipped):
        console.print(f"   not profiled: {_e(line)}", highlight=False)
    console.print(_catalogue_view(tables, profiles))
    _try(f"profile {SCHEMA}.payment")

    run_id, out = _run(engine, "generate-pii-tags", SCHEMA)
    _step(
        5,
        "Find personal data (generate-pii-tags)",
        f"{out.get('columns_classified')} of {n_columns} columns classified: "
        f"{out.get('columns_with_pii')} hold personal data, {out.get('tags_applied')} tags.",
    )
    for line in _grouped(_task_skips(engine, run_id)):
        console.print(f"   not classified: {_e(line)}", highlight=False)
    with engine.store.session() as s:
        console.print(_pii_view(tags_q.list_tags(s, tenant, under=SERVICE, prefix="PII.")))
    _try(f"assets show {SHOWN_COLUMN}")

    profiles = _profiles(engine, profiles)  # re-read: personal columns are masked now
    doc = profiles[SHOWN_TABLE]
    _step(
        6,
        "Read a profile as a viewer does",
        f"{_e(SHOWN_TABLE)}: {doc.get('row_count'):,} rows; personal values are masked.",
    )
    console.print(_profile_view(doc, f"profile of {_e(SHOWN_TABLE)}"))
    _try(f"profile {SHOWN_TABLE}")

    _, out = _run(engine, "generate-dq-tags", SCHEMA)
    with engine.store.session() as s:
        dq = [
            t
            for t in tags_q.list_tags(s, tenant, under=SERVICE, prefix="DQ.")
            if t.tag not in _STRUCTURAL
        ]
        structural = Counter(
            t.tag for t in tags_q.list_tags(s, tenant, under=SERVICE) if t.tag in _STRUCTURAL
        )
    _step(
        7,
        "Tag data-quality findings (generate-dq-tags)",
        f"{out.get('tags_applied')} tags on {out.get('columns_tagged')} assets, each with the "
        "figure that set it.",
    )
    console.print(
        "   besides: "
        + ", ".join(f"{n} {_e(tag)}" for tag, n in sorted(structural.items()))
        + " (keys and critical columns)",
        highlight=False,
    )
    console.print(_dq_view(dq))
    _try("runs list")

    detections = detect_faults(planted, _observed(profiles, dq))
    counts = Counter(d.status for d in detections)
    _step(
        8,
        "Where the planted faults were found",
        f"{len(detections)} faults planted: "
        + ", ".join(f"{counts[s]} {s.value}" for s in Status if counts[s])
        + ".",
    )
    console.print(_fault_view(detections))


def run_tour(scale: float) -> None:
    """Generate the sample database, then catalogue, profile, classify and check it."""
    settings = get_settings()
    # Into a directory file sources may be read from: the first allowed root (local mode:
    # data_dir/sources; the rest of data_dir, with the store and the key, is never readable).
    roots = settings.sources.file_roots or default_file_roots(settings)
    sources = roots[0] if roots else settings.data_dir / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    path = sources / "sample.db"
    url = f"sqlite:///{path}"
    console.print("[bold]dataready demo[/] — a tour of the DVD-rental sample")
    try:
        report = write_sample(url, scale, 42, True)
        _step(
            1,
            "Generate a sample database",
            f"{sum(report.rows.values()):,} rows in {len(report.rows)} tables at {_e(path)}; "
            f"{len(report.faults)} quality faults planted in "
            f"{sum(f.count for f in report.faults):,} rows.",
        )
        with local_engine() as engine:
            _tour(engine, url, report.faults)
    except DatareadyError as exc:
        raise fail(exc) from None
    console.print(
        "\n[bold]next:[/] dataready serve, then open http://127.0.0.1:8000/api/data-readiness/docs",
        highlight=False,
    )
