"""Commands for results: `export` (data and codebook) and `report` (summary, PDF or HTML).

Files are written to a temporary file beside `--out` and renamed at the end, so a failure never
leaves half a file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import click
import sqlalchemy as sa

from consult.analysis import exports
from consult.extensions import db
from consult.surveys.models import Consultation


def _consultation(slug: str) -> Consultation:
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(f"No consultation {slug!r}.")
    return consultation


def write_atomically(out: Path, chunks: Iterable[bytes]) -> int:
    """Write `chunks` to `out` through a temporary file in the same folder; returns bytes."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    size = 0
    try:
        with os.fdopen(handle, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
                size += len(chunk)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return size


def codebook_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}-codebook.csv")


@click.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="csv")
@click.option("--codebook", is_flag=True, help="Also write the codebook (FILE-codebook.csv).")
@click.option("--language", default=None, help="Language of labels (default: the consultation's).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_command(slug: str, fmt: str, codebook: bool, language: str | None, out: Path) -> None:
    """Write the submitted responses of a consultation, one row each (consent respected)."""
    consultation = _consultation(slug)
    if language and language not in consultation.languages:
        raise click.ClickException(f"{slug} is not offered in {language!r}.")
    if fmt == "csv":
        chunks = exports.csv_chunks(db.session, consultation, language=language)
    elif fmt == "json":
        chunks = exports.json_chunks(db.session, consultation, language=language)
    else:
        path = exports.xlsx_file(db.session, consultation, language=language)
        chunks = exports.file_chunks(path)
    size = write_atomically(out, chunks)
    click.echo(f"Wrote {out} ({size:,} bytes).")
    if codebook:
        book = codebook_path(out)
        write_atomically(book, exports.codebook_chunks(db.session, consultation, language=language))
        click.echo(f"Wrote {book}.")


@click.command("report")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(("pdf", "html")), default="pdf")
@click.option(
    "--language", default=None, help="Language of the report (default: the consultation's)."
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def report_command(slug: str, fmt: str, language: str | None, out: Path) -> None:
    """Write the summary report of a consultation (small cells suppressed)."""
    from consult.analysis.report import build_report
    from consult.results.report_render import render_html, render_pdf

    consultation = _consultation(slug)
    if language and language not in consultation.languages:
        raise click.ClickException(f"{slug} is not offered in {language!r}.")
    report = build_report(db.session, consultation, language=language)
    data = render_pdf(report) if fmt == "pdf" else render_html(report).encode("utf-8")
    size = write_atomically(out, [data])
    click.echo(f"Wrote {out} ({size:,} bytes).")


commands = (export_command, report_command)
