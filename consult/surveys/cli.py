"""Commands for questionnaires (import-xlsform, export-xlsform) and results tallies
(rebuild-tallies, compact-tallies)."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa

from consult.accounts.models import Organisation, OrgKind
from consult.extensions import db
from consult.surveys import tallies
from consult.surveys.errors import QuestionnaireError
from consult.surveys.models import Consultation
from consult.surveys.tally_models import AnswerTallyState
from consult.surveys.xlsform import (
    XLSFormError,
    XLSFormExportError,
    XLSFormImportRefused,
    export_xlsform,
    import_xlsform,
)


def _echo_report(items) -> None:
    for item in items:
        click.echo(f"  - {item}")


@click.command("import-xlsform")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--association", "association_slug", required=True, help="Association slug.")
@click.option("--slug", default=None, help="Slug of the new consultation (default: form_id).")
@click.option("--partial", is_flag=True, help="Import the rows that map when others do not.")
def import_xlsform_command(file: Path, association_slug: str, slug: str | None, partial: bool):
    """Create a draft consultation from an XLSForm workbook."""
    association = db.session.scalar(
        sa.select(Organisation).where(
            Organisation.slug == association_slug, Organisation.kind == OrgKind.ASSOCIATION
        )
    )
    if association is None:
        raise click.ClickException(f"No association with slug {association_slug!r}.")
    try:
        consultation, report = import_xlsform(
            file.read_bytes(),
            association=association,
            actor=None,
            slug=slug,
            allow_partial=partial,
        )
    except XLSFormImportRefused as error:
        click.echo(error.message, err=True)
        _echo_report(error.report)
        raise click.ClickException(
            "Nothing was imported. Run again with --partial to import the rows that map."
        ) from error
    except (XLSFormError, QuestionnaireError) as error:
        _echo_report(getattr(error, "report", []))
        raise click.ClickException(error.message) from error
    click.echo(
        f"Created draft consultation {consultation.slug} with {len(consultation.questions)} "
        f"questions in {len(consultation.sections)} sections."
    )
    if report:
        click.echo("Not imported:")
        _echo_report(report)


@click.command("export-xlsform")
@click.argument("consultation_slug")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_xlsform_command(consultation_slug: str, file: Path) -> None:
    """Write a consultation's questionnaire as an XLSForm workbook."""
    consultation = db.session.scalar(
        sa.select(Consultation).where(Consultation.slug == consultation_slug)
    )
    if consultation is None:
        raise click.ClickException(f"No consultation with slug {consultation_slug!r}.")
    try:
        file.write_bytes(export_xlsform(consultation))
    except XLSFormExportError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Wrote {file}.")


def _consultation(slug: str) -> Consultation:
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(f"No consultation with slug {slug!r}.")
    return consultation


@click.command("rebuild-tallies")
@click.argument("consultation_slug")
def rebuild_tallies_command(consultation_slug: str) -> None:
    """Recount a consultation's results tallies from its submitted answers (after a bulk load);
    until then its results are computed by scanning the answers."""
    consultation = _consultation(consultation_slug)
    rows = tallies.rebuild(db.session, consultation.id)
    tallies.vacuum(db.session)
    click.echo(f"Rebuilt the tallies of {consultation.slug}: {rows} rows.")


@click.command("compact-tallies")
@click.argument("consultation_slugs", nargs=-1)
def compact_tallies_command(consultation_slugs: tuple[str, ...]) -> None:
    """Merge the tallies' +1/-1 rows (every consultation with tallies when no slug is given);
    results are unchanged. Run it from cron, e.g. hourly."""
    if consultation_slugs:
        found = [_consultation(slug) for slug in consultation_slugs]
    else:
        found = db.session.scalars(
            sa.select(Consultation)
            .join(AnswerTallyState, AnswerTallyState.consultation_id == Consultation.id)
            .order_by(Consultation.id)
        ).all()
    for consultation in found:
        before, after = tallies.compact(db.session, consultation.id)
        click.echo(f"{consultation.slug}: {before} tally rows merged into {after}.")
    tallies.vacuum(db.session)


commands = [
    import_xlsform_command,
    export_xlsform_command,
    rebuild_tallies_command,
    compact_tallies_command,
]
