"""``dataready demo``: the one-command tour on a fresh machine.

The tour itself is :mod:`dataready.cli.demo_tour`, imported when the command runs so that
``dataready --help`` loads no store, engine or driver.
"""

from __future__ import annotations

import typer


def demo(
    scale: float = typer.Option(1.0, "--scale", help="Sample size (1 = dvdrental size)."),
) -> None:
    """Generate the sample database, then catalogue, profile, classify and check it."""
    from dataready.cli.demo_tour import run_tour

    run_tour(scale)
