"""``service-ingestion``: catalogue a service, database or schema.

Planning lists the databases and schemas (through the include/exclude filters), records
them, and marks the ones that vanished as deleted; then one task per schema describes its
tables, views and columns and syncs them into the catalogue.  A table or view the source
lists but cannot describe (a view over a dropped table, a definer without rights) is
catalogued without columns and with ``details.unreadable`` saying why, never left out.
"""

from __future__ import annotations

from typing import Any

from dataready.analysis.filters import NameFilter
from dataready.connectors.base import Connector
from dataready.domain.catalog import AssetRecord
from dataready.domain.fqn import FQN, FQNLevel
from dataready.errors import NotFound, SourceObjectUnreadable, TaskFailed, ValidationFailed
from dataready.store import assets as assets_q
from dataready.workflows.base import RunContext, TargetKind, TaskResult, TaskSpec, Workflow
from dataready.workflows.catalog_records import (
    DescribedTable,
    database_record,
    schema_record,
    table_records,
)
from dataready.workflows.config_schemas import IngestionConfig
from dataready.workflows.sources import source_connection

COUNTERS = ("tables", "views", "columns", "added", "changed", "removed", "unreadable")


def describe_schema(
    connector: Connector,
    ctx: RunContext,
    database: str,
    schema: str,
    tables: NameFilter,
    include_views: bool,
) -> list[DescribedTable]:
    """Describe the tables of one schema; a table dropped meanwhile is left out, one the
    source cannot describe is kept with the reason."""
    out: list[DescribedTable] = []
    for info in connector.list_tables(database, schema):
        if not tables.keeps(info.name):
            continue
        if not include_views and info.kind.value != "table":
            continue
        ctx.progress()
        try:
            columns = connector.get_columns(database, schema, info.name)
        except NotFound:
            continue  # dropped between listing and describing: it has vanished
        except SourceObjectUnreadable as exc:
            out.append(DescribedTable(info=info, columns=[], unreadable=str(exc.details["reason"])))
            continue
        try:
            out.append(
                DescribedTable(
                    info=info,
                    columns=columns,
                    primary_key=connector.get_primary_key(database, schema, info.name),
                    foreign_keys=connector.get_foreign_keys(database, schema, info.name),
                    unique_constraints=connector.get_unique_constraints(
                        database, schema, info.name
                    ),
                    indexes=connector.get_indexes(database, schema, info.name),
                )
            )
        except NotFound:
            continue  # dropped between listing and describing: it has vanished
    return out


class ServiceIngestion(Workflow):
    workflow_type = "service-ingestion"
    config_model = IngestionConfig
    target_kind = TargetKind.SERVICE

    def validate(
        self, asset_fqn: FQN | None, config: dict[str, Any], parameters: dict[str, Any]
    ) -> None:
        if asset_fqn is None:
            raise ValidationFailed(
                "service-ingestion needs asset_fqn: a service, database or schema FQN",
                field="asset_fqn",
            )
        merged = {**config, **parameters}
        for kind in ("databases", "schemas", "tables"):
            NameFilter.from_config(merged, kind)

    def _settings(self, ctx: RunContext) -> dict[str, Any]:
        return {**ctx.config, **ctx.parameters}

    def plan(self, ctx: RunContext) -> list[TaskSpec]:
        target = ctx.asset_fqn
        assert target is not None
        cfg = self._settings(ctx)
        db_filter = NameFilter.from_config(cfg, "databases")
        schema_filter = NameFilter.from_config(cfg, "schemas")
        with source_connection(ctx, target.service) as (connector, service_id):
            if target.database is not None:
                if target.database not in connector.list_databases():
                    raise NotFound(
                        f"database {target.database!r} is not a database of service "
                        f"{target.service!r} (a PostgreSQL service whose URL names a database "
                        "sees only that one unless its config says all_databases)"
                    )
                databases = [target.database]
            else:
                databases = db_filter.apply(connector.list_databases())
            plan: list[tuple[str, str]] = []
            for database in databases:
                ctx.progress()
                listed = connector.list_schemas(database)
                if target.schema is not None:
                    if target.schema not in listed:
                        raise NotFound(
                            f"schema {target.schema!r} does not exist in "
                            f"{target.service}.{database}"
                        )
                    schemas = [target.schema]
                else:
                    schemas = schema_filter.apply(listed)
                plan.extend((database, schema) for schema in schemas)
        self._record_containers(ctx, service_id, target, databases, plan)
        return [
            TaskSpec(
                name=f"ingest {FQN(target.service, db, schema)}",
                task_type="ingest-schema",
                asset_fqn=str(FQN(target.service, db, schema)),
                params={"database": db, "schema": schema},
            )
            for db, schema in plan
        ]

    def _record_containers(
        self,
        ctx: RunContext,
        service_id: Any,
        target: FQN,
        databases: list[str],
        plan: list[tuple[str, str]],
    ) -> None:
        """Record databases and schemas; mark the ones under the target that vanished."""
        service = target.service
        with ctx.result_session() as s:
            for database in databases:
                records: list[AssetRecord] = [database_record(service, database)]
                records += [schema_record(service, db, sc) for db, sc in plan if db == database]
                assets_q.sync_assets(
                    s,
                    ctx.tenant,
                    service_id,
                    scope_fqn=records[0].fqn,
                    records=records,
                    run_id=ctx.run_id,
                    prune=False,
                )
                if target.level is not FQNLevel.SCHEMA:
                    kept = {r.fqn for r in records}
                    gone = [
                        f
                        for f in assets_q.child_fqns(s, ctx.tenant, records[0].fqn)
                        if f not in kept
                    ]
                    assets_q.mark_deleted(s, ctx.tenant, service_id, gone, ctx.run_id)
            if target.level is FQNLevel.SERVICE:
                kept_dbs = {str(FQN(service, d)) for d in databases}
                stored = [
                    a.fqn
                    for a in assets_q.list_assets(
                        s, ctx.tenant, fqn_prefix=service, asset_type="database", limit=100000
                    )[0]
                ]
                assets_q.mark_deleted(
                    s,
                    ctx.tenant,
                    service_id,
                    [f for f in stored if f not in kept_dbs],
                    ctx.run_id,
                )

    def run_task(self, ctx: RunContext, task: TaskSpec) -> dict[str, Any]:
        target = ctx.asset_fqn
        assert target is not None
        cfg = self._settings(ctx)
        database, schema = task.params["database"], task.params["schema"]
        with source_connection(ctx, target.service) as (connector, service_id):
            if schema not in connector.list_schemas(database):
                raise TaskFailed(
                    f"schema {schema!r} no longer exists in {target.service}.{database}; it "
                    "was dropped during ingestion — run the ingestion again",
                    asset_fqn=task.asset_fqn,
                )
            tables = describe_schema(
                connector,
                ctx,
                database,
                schema,
                NameFilter.from_config(cfg, "tables"),
                bool(cfg.get("include_views", True)),
            )
        records = [schema_record(target.service, database, schema)]
        for t in tables:
            records += table_records(target.service, database, schema, t)
        with ctx.result_session() as s:  # a cancelled run changes no catalogue entry
            counts = assets_q.sync_assets(
                s,
                ctx.tenant,
                service_id,
                scope_fqn=records[0].fqn,
                records=records,
                run_id=ctx.run_id,
            )
        return {
            "tables": sum(1 for t in tables if not t.is_view),
            "views": sum(1 for t in tables if t.is_view),
            "columns": sum(len(t.columns) for t in tables),
            "added": counts.added,
            "changed": counts.changed,
            "removed": counts.removed,
            "unchanged": counts.unchanged,
            "unreadable": sum(1 for t in tables if t.unreadable is not None),
        }

    def summarize(self, ctx: RunContext, results: list[TaskResult]) -> dict[str, Any]:
        out = super().summarize(ctx, results)
        out = {k: out.get(k, 0) for k in (*COUNTERS, "unchanged")}
        out["schemas"] = sum(1 for r in results if r.status == "completed")
        return out
