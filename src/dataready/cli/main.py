"""The ``dataready`` command.

Starting it must stay cheap (``dataready --help`` answers at once): command modules import
typer, rich and the small pure modules at the top, and the store, the engine, the API and
the connectors inside the commands that use them. ``tests/cli/test_cli_ux.py`` checks the set
of modules ``--help`` loads.
"""

from __future__ import annotations

import logging
from typing import Any

import typer
from typer import _click as click  # typer ships its own click: its types are these
from typer.core import TyperGroup, TyperOption

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
from dataready.cli.output import error
from dataready.errors import DatareadyError

_typed_display = TyperOption.display_type_rich


def _flag_display(self: TyperOption, ctx: click.Context) -> str | None:
    # A flag takes no value: no `<bool>` placeholder beside it in the help.
    return None if self.is_flag else _typed_display(self, ctx)


TyperOption.display_type_rich = _flag_display  # type: ignore[method-assign]


class _Root(TyperGroup):
    """The top group: an error no command caught is one line on stderr, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DatareadyError as exc:
            error(exc.message)
            raise typer.Exit(1) from None
        except Exception as exc:
            if not type(exc).__module__.startswith(("sqlalchemy", "psycopg", "pymysql")):
                raise
            # Only the store gets here: sources translate their drivers' errors.
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            error(f"the metadata store failed: {first} (check DATAREADY_DB__URL)")
            raise typer.Exit(1) from None


def _version(value: bool) -> None:
    if value:
        from dataready import __version__

        typer.echo(f"dataready {__version__}")
        raise typer.Exit()


app = typer.Typer(
    name="dataready",
    help="dataready: catalogue, profile, classify, describe, check and score your databases.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=_Root,
)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """dataready: catalogue, profile, classify, describe, check and score your databases.

    Try `dataready demo`, then `dataready assets list sample` and
    `dataready profile sample.sample.main.customer`.
    """


app.add_typer(db.app, name="db")
app.add_typer(definitions.app, name="definitions")
app.add_typer(configs.app, name="configs")
app.add_typer(runs.app, name="runs")
app.add_typer(services.app, name="services")
app.add_typer(assets.app, name="assets")
app.add_typer(tags.app, name="tags")
app.command("serve")(serve.serve)
app.command("token")(token.token)
app.command("run", cls=runs.RUN_COMMAND_CLASS)(runs.run)
app.command("sample")(sample.sample)
app.command("demo")(demo.demo)
app.command("profile")(profile.profile)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
