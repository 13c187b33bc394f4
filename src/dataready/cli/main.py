"""The ``dataready`` command."""

from __future__ import annotations

import logging

import typer

from dataready.cli import (
    assets,
    configs,
    db,
    definitions,
    demo,
    profile,
    runs,
    sample,
    serve,
    services,
    tags,
    token,
)

app = typer.Typer(
    name="dataready",
    help="dataready: catalogue, profile, classify, describe, check and score your databases.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(definitions.app, name="definitions")
app.add_typer(configs.app, name="configs")
app.add_typer(runs.app, name="runs")
app.add_typer(services.app, name="services")
app.add_typer(assets.app, name="assets")
app.add_typer(tags.app, name="tags")
app.command("serve")(serve.serve)
app.command("token")(token.token)
app.command("run")(runs.run)
app.command("sample")(sample.sample)
app.command("demo")(demo.demo)
app.command("profile")(profile.profile)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
