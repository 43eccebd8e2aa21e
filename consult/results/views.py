"""Results pages: the list, a consultation's overview, one page per question, chart downloads.

Every page is a GET: the breakdown and filter form is a GET form (works without JavaScript) whose
parameters travel to the question pages and downloads. The loader answers 404 to anyone who may
not read a consultation's results, so its existence is not revealed. Figures are suppressed
unless the person may see them unsuppressed *and* asks (`unsuppressed=1`).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, format_percent, get_locale
from flask_login import current_user, login_required

from consult import permissions
from consult.analysis.cache import make_cache
from consult.analysis.results import label_text
from consult.db import utcnow
from consult.extensions import db
from consult.results import services
from consult.results.params import (
    BREAKDOWNS,
    answer_choices,
    filterable_questions,
    parse_view,
    view_args,
)
from consult.surveys.lifecycle import Status, effective_status
from consult.surveys.models import Consultation

bp = Blueprint("results", __name__)
PREFIX = "/results/<slug>"
PER_PAGE = 20
CHART_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}


@bp.record_once
def _make_cache(state) -> None:
    """One chart cache per app: Redis when REDIS_URL is set (shared by every worker)."""
    app = state.app
    client = None
    if app.config.get("REDIS_URL"):
        from redis import Redis

        client = Redis.from_url(app.config["REDIS_URL"])
    app.extensions["chart_cache"] = make_cache(client)


def chart_cache():
    return current_app.extensions["chart_cache"]


# Loaders.


def get_consultation_for_results(slug: str) -> Consultation:
    """The consultation whose results the person may read; 404 for anyone else."""
    consultation = services.get_consultation(db.session, slug)
    if consultation is None or not permissions.can_view_results(current_user, consultation):
        abort(404)
    return consultation


def get_question(consultation: Consultation, code: str):
    question = services.get_question(db.session, consultation, code)
    if question is None:
        abort(404)
    return question


def language_for(consultation: Consultation) -> str:
    """Questionnaire texts in the interface language when the consultation offers it."""
    locale = str(get_locale())
    return locale if locale in consultation.languages else consultation.default_language


def read_view(consultation: Consultation, questions):
    choices = services.filter_choices(db.session, consultation)
    view = parse_view(request.args, questions, association_ids=set(choices.associations))
    allowed = permissions.can_see_unsuppressed(current_user, consultation)
    view.unsuppressed = view.unsuppressed and allowed
    return view, choices, allowed


def _context(consultation, questions, view, choices, allowed) -> dict:
    language = language_for(consultation)
    return {
        "consultation": consultation,
        "language": language,
        "label": lambda text: label_text(text, language, consultation.default_language),
        "can_admin": permissions.can_view_consultation_admin(current_user, consultation),
        "view": view,
        "spec": view.spec,
        "args": view_args(view.spec, unsuppressed=view.unsuppressed),
        "choices": choices,
        "breakdowns": BREAKDOWNS,
        "filter_questions": filterable_questions(questions),
        "answer_choices": answer_choices,
        "may_unsuppress": allowed,
    }


# Pages.


@bp.get("/results")
@login_required
def index():
    """Every consultation whose results the person may read, newest first."""
    stmt = services.visible_consultations(db.session, current_user, utcnow())
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    items = [c for c in page.items if permissions.can_view_results(current_user, c)]
    counts = {c.id: services.submitted_count(db.session, c.id) for c in items}
    return render_template("results/index.html", page=page, items=items, counts=counts)


@bp.get(PREFIX)
@login_required
def overview(slug: str):
    consultation = get_consultation_for_results(slug)
    questions = services.questions_of(db.session, consultation)
    view, choices, allowed = read_view(consultation, questions)
    context = _context(consultation, questions, view, choices, allowed)
    if not view.valid:
        return render_template("results/overview.html", data=None, **context), 400
    data = services.overview(
        db.session,
        chart_cache(),
        consultation,
        view.spec,
        language=context["language"],
        unsuppressed=view.unsuppressed,
    )
    return render_template("results/overview.html", data=data, **context)


@bp.get(PREFIX + "/questions/<code>")
@login_required
def question(slug: str, code: str):
    consultation = get_consultation_for_results(slug)
    question = get_question(consultation, code)
    questions = services.questions_of(db.session, consultation)
    view, choices, allowed = read_view(consultation, questions)
    context = _context(consultation, questions, view, choices, allowed)
    if not view.valid:
        page = render_template("results/question.html", item=None, question=question, **context)
        return page, 400
    item = services.question_page(
        db.session,
        chart_cache(),
        question,
        view.spec,
        language=context["language"],
        unsuppressed=view.unsuppressed,
    )
    search = request.args.get("search", "").strip()
    texts = services.texts(
        db.session,
        question,
        view.spec,
        page=request.args.get("page", 1, type=int) or 1,
        search=search,
        unsuppressed=view.unsuppressed,
        per_page=PER_PAGE,
    )
    return render_template(
        "results/question.html",
        item=item,
        question=question,
        texts=texts,
        search=search,
        **context,
    )


def _download(data: bytes, fmt: str, filename: str) -> Response:
    response = Response(data, mimetype=CHART_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get(PREFIX + "/questions/<code>/chart.<fmt>")
@login_required
def question_chart(slug: str, code: str, fmt: str):
    consultation = get_consultation_for_results(slug)
    if fmt not in CHART_TYPES:
        abort(404)
    question = get_question(consultation, code)
    questions = services.questions_of(db.session, consultation)
    view, _choices, _allowed = read_view(consultation, questions)
    if not view.valid:
        abort(400, description="; ".join(str(message) for _, message in view.errors))
    data = services.question_chart(
        db.session,
        chart_cache(),
        question,
        view.spec,
        language=language_for(consultation),
        fmt=fmt,
        unsuppressed=view.unsuppressed,
    )
    if data is None:
        abort(404)
    return _download(data, fmt, f"{consultation.slug}-{question.code}.{fmt}")


@bp.get(PREFIX + "/participation.<fmt>")
@login_required
def participation_chart(slug: str, fmt: str):
    consultation = get_consultation_for_results(slug)
    by = request.args.get("chart_by", "country")
    if fmt not in CHART_TYPES or by not in services.PARTICIPATION_BY:
        abort(404)
    questions = services.questions_of(db.session, consultation)
    view, _choices, _allowed = read_view(consultation, questions)
    if not view.valid:
        abort(400, description="; ".join(str(message) for _, message in view.errors))
    data = services.participation_chart_bytes(
        db.session,
        chart_cache(),
        consultation,
        view.spec,
        by=by,
        fmt=fmt,
        unsuppressed=view.unsuppressed,
    )
    return _download(data, fmt, f"{consultation.slug}-participation-{by}.{fmt}")


@bp.app_template_global()
def results_url(endpoint: str, consultation: Consultation, args: dict | None = None, **values):
    """url_for a results page of `consultation`, carrying the view's parameters `args`."""
    return url_for(endpoint, slug=consultation.slug, **(args or {}), **values)


@bp.app_template_filter("percent")
def percent(share: float | None) -> str:
    return "" if share is None else format_percent(share, "#,##0%")


@bp.app_template_filter("decimal")
def decimal(value: float | None) -> str:
    return "" if value is None else format_decimal(value, "#,##0.##")


@bp.app_template_filter("effective_status")
def status_of(consultation: Consultation) -> Status:
    return effective_status(consultation)
