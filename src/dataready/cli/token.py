"""``dataready token``: mint a development token signed with the configured secret."""

from __future__ import annotations

import sys

import typer

from dataready.domain.enums import Role


def token(
    client_id: str = typer.Option(..., "--client-id", help="The token's client_id claim."),
    project_id: str = typer.Option(..., "--project-id", help="The token's project_id claim."),
    role: list[Role] = typer.Option(
        [],
        "--role",
        help="A role; repeat for more. Without one the token has no roles claim and gets the "
        "server's default role (viewer unless DATAREADY_AUTH__DEFAULT_ROLE says otherwise).",
    ),
    ttl: int | None = typer.Option(None, "--ttl", help="Lifetime in seconds."),
) -> None:
    """Print a development token (only the token) on stdout."""
    from dataready.auth.tokens import mint_token
    from dataready.settings import get_settings

    settings = get_settings()
    text = mint_token(
        settings,
        client_id=client_id,
        project_id=project_id,
        roles=[r.value for r in role] or None,
        ttl_seconds=ttl,
    )
    sys.stdout.write(text + "\n")
