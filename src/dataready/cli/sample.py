"""``dataready sample``: write the DVD-rental sample database into a target."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from dataready.cli.context import err_console, fail
from dataready.cli.output import say
from dataready.errors import DatareadyError

if TYPE_CHECKING:
    from dataready.sample.generate import SampleReport


def write_sample(url: str, scale: float, seed: int, replace: bool) -> SampleReport:
    """Generate with a progress bar per table on stderr."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    from dataready.sample.generate import generate_sample

    with Progress(
        TextColumn("{task.description:>14}"), BarColumn(), MofNCompleteColumn(), console=err_console
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = bar.add_task(table, total=total)
            bar.update(tasks[table], completed=done, total=total)

        return generate_sample(url, scale=scale, seed=seed, replace=replace, progress=progress)


def sample(
    into: str = typer.Option(..., "--into", help="Target URL, e.g. sqlite:///sample.db"),
    scale: float = typer.Option(1.0, "--scale", help="1 = dvdrental size; 62 ≈ 1M payments."),
    seed: int = typer.Option(42, "--seed", help="Random seed: the same seed writes the same rows."),
    replace: bool = typer.Option(False, "--replace", help="Drop existing sample tables."),
) -> None:
    """Generate the sample database (with documented quality faults)."""
    try:
        report = write_sample(into, scale, seed, replace)
    except DatareadyError as exc:
        raise fail(exc) from None
    total = sum(report.rows.values())
    say(
        "wrote {} rows in {} tables to {} in {}s ({} rows/s); {} rows carry planted faults",
        f"{total:,}",
        len(report.rows),
        report.target,
        f"{report.seconds:.1f}",
        f"{total / max(report.seconds, 1e-9):,.0f}",
        f"{sum(f.count for f in report.faults):,}",
    )
