"""Commands for the API: create-token."""

from __future__ import annotations

import click

from consult.accounts import services
from consult.api import tokens


@click.command("create-token")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for (shown in the list).")
@click.option("--expires-days", type=int, default=None, help="Days until it expires (1-3650).")
def create_token(email: str, name: str, expires_days: int | None) -> None:
    """Create a personal access token for EMAIL's account and print it (shown only once)."""
    user = services.find_user(email)
    if user is None:
        raise click.ClickException(f"No account with the address {email!r}.")
    try:
        token, secret = tokens.create_token(user, name=name, expires_days=expires_days)
    except tokens.TokenError as error:
        raise click.ClickException(error.message) from error
    click.echo(secret)
    click.echo(
        f"Token {token.prefix}… ({token.name}) for {user.email}; it is shown only this once.",
        err=True,
    )


commands = [create_token]
