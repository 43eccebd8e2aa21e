"""Commands for accounts: create-user, import-authorities."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from tqdm import tqdm

from consult.accounts import passwords, registry, services
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


class _Bars:
    """One tqdm bar per step (checking, saving), on stderr; silent when it is not a terminal."""

    def __init__(self):
        self.bar = None
        self.label = None

    def step(self, label: str):
        def update(done: int, total: int) -> None:
            if self.bar is None or self.label != label:
                self.close()
                self.label = label
                self.bar = tqdm(total=total, desc=label, unit=" lines", disable=None)
            self.bar.total = total
            self.bar.update(done - self.bar.n)

        return update

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@click.command("import-authorities")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every line and report; save nothing.")
@click.option(
    "--max-problems", default=50, show_default=True, help="How many problems to list at most."
)
def import_authorities(file: Path, dry_run: bool, max_problems: int) -> None:
    """Import or update authorities from FILE.csv (our columns or Eurostat's LAU file)."""
    bars = _Bars()
    try:
        checked = registry.check_file(file.read_bytes(), progress=bars.step("Checking"))
        report = checked.report
        if report.ok and not dry_run:
            report = registry.save(
                checked, actor=None, filename=file.name, progress=bars.step("Saving")
            )
    finally:
        bars.close()
    if not report.ok:
        for problem in report.problems[:max_problems]:
            where = f"line {problem.line}" if problem.line else "file"
            column = f", {problem.column}" if problem.column else ""
            click.echo(f"{file.name}: {where}{column}: {problem.message}", err=True)
        if report.problem_count > max_problems:
            click.echo(f"… and {report.problem_count - max_problems} more.", err=True)
        raise click.ClickException(
            f"{report.problem_count} problem(s) found in {report.rows} line(s); nothing was saved."
        )
    if dry_run:
        click.echo(f"{report.rows} line(s) checked ({report.layout} layout): no problems.")
        return
    click.echo(
        f"{report.rows} line(s) imported ({report.layout} layout): {report.created} created, "
        f"{report.updated} updated, {report.unchanged} unchanged."
    )


commands = [create_user, import_authorities]
