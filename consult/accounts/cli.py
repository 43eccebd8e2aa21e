"""Commands for accounts: create-user."""

from __future__ import annotations

import click
import sqlalchemy as sa

from consult.accounts import passwords, services
from consult.accounts.models import ROLE_ORG_KIND, Organisation, Role, User
from consult.extensions import db


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="The person's name.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--organisation", "organisation_slug", required=True, help="Organisation slug.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given.",
)
def create_user(email: str, name: str, role: str, organisation_slug: str, password: str) -> None:
    """Create an account with a password (e.g. the first administrator)."""
    organisation = db.session.scalar(
        sa.select(Organisation).where(Organisation.slug == organisation_slug)
    )
    if organisation is None:
        raise click.ClickException(f"No organisation with slug {organisation_slug!r}.")
    if ROLE_ORG_KIND[Role(role)] != organisation.kind:
        raise click.ClickException(f"A {role} cannot belong to a {organisation.kind.value}.")
    if services.find_user(email):
        raise click.ClickException(f"{email} already has an account.")
    try:
        services.check_password_policy(password, email=email)
    except services.WeakPassword as error:
        raise click.ClickException(error.message) from error
    user = User(
        email=services.normalise_email(email),
        name=name,
        organisation=organisation,
        role=Role(role),
        password_hash=passwords.hash_password(password),
    )
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {user.email} ({role}) in {organisation.name}.")


commands = [create_user]
