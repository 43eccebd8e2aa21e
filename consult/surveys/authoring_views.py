"""Consultation authoring pages: lists, settings, opening and closing, cloning.

Every page lives under ``/associations/<assoc_slug>/consultations``. The loaders answer 404 for
what the person may not see (another association's consultations) and 403 for what they may see
but not change (admins read everything, change nothing). The audience and invitation pages are
in `audience_views` and `invitation_views`, opening, closing and copying in `lifecycle_views`,
all on the same blueprint.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult import permissions
from consult.accounts.models import Organisation, Role
from consult.db import utcnow
from consult.extensions import db
from consult.localtime import DEFAULT_TIMEZONE, AmbiguousTime, to_local, to_utc
from consult.surveys import audience, consultations, invitation_queries, lifecycle
from consult.surveys import authoring_forms as forms
from consult.surveys.consultation_errors import (
    ConsultationError,
    InvalidConsultation,
)
from consult.surveys.consultations import ConsultationSettings
from consult.surveys.lifecycle import Status, effective_status
from consult.surveys.models import EU_LANGUAGES, Consultation

bp = Blueprint("authoring", __name__)

PREFIX = "/associations/<assoc_slug>/consultations"
PER_PAGE = 20


# Loaders and helpers.


def get_association(assoc_slug: str) -> Organisation:
    """The association whose consultations are listed; 404 unless the person may list them."""
    association = consultations.get_association(assoc_slug)
    if association is None or not permissions.can_list_consultations(current_user, association):
        abort(404)
    return association


def get_consultation_for_edit(
    slug: str, assoc_slug: str | None = None, *, check_edit: bool = True
) -> Consultation:
    """The consultation at `slug` (under `assoc_slug`): 404 when it does not exist or the
    person may not see its authoring pages, then 403 when `check_edit` and they may not
    change it (as `get_post(id, check_author=True)` in Flask's tutorial)."""
    consultation = consultations.get_by_slug(slug)
    if (
        consultation is None
        or (assoc_slug is not None and consultation.association.slug != assoc_slug)
        or not permissions.can_view_consultation_admin(current_user, consultation)
    ):
        abort(404)
    if check_edit and not permissions.can_edit_consultation(current_user, consultation):
        abort(403)
    return consultation


@bp.app_template_global()
def consultation_url(endpoint: str, consultation: Consultation, **values) -> str:
    """url_for an authoring page of `consultation`."""
    return url_for(
        endpoint, assoc_slug=consultation.association.slug, slug=consultation.slug, **values
    )


@bp.app_template_filter("consultation_status_label")
def status_label(status: Status) -> str:
    return {
        Status.DRAFT: _("Draft"),
        Status.SCHEDULED: _("Scheduled"),
        Status.OPEN: _("Open"),
        Status.CLOSED: _("Closed"),
        Status.ARCHIVED: _("Archived"),
    }[Status(status)]


def author_timezone() -> str:
    return current_user.timezone or DEFAULT_TIMEZONE


def overview_url(consultation: Consultation) -> str:
    return consultation_url("authoring.overview", consultation)


# Lists.


@bp.get("/consultations/manage")
@login_required
def index():
    """Authors go to their association's list; admins see every association's."""
    if current_user.role == Role.AUTHOR:
        return redirect(url_for("authoring.list", assoc_slug=current_user.organisation.slug))
    if not permissions.is_admin(current_user):
        abort(404)
    return _render_list(association=None)


@bp.get(PREFIX, endpoint="list")
@login_required
def list_(assoc_slug: str):
    return _render_list(association=get_association(assoc_slug))


def _render_list(association: Organisation | None):
    q = request.args.get("q", "").strip()[:100]
    status = request.args.get("status", "")
    now = utcnow()
    page = db.paginate(
        consultations.consultations_select(
            association_id=association.id if association else None, q=q, status=status, now=now
        ),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "authoring/list.html",
        association=association,
        page=page,
        q=q,
        status=status,
        statuses=list(Status),
        counts=consultations.response_counts([c.id for c in page.items]),
        effective={c.id: effective_status(c, now) for c in page.items},
        can_create=association is not None
        and permissions.can_create_consultation(current_user, association),
    )


# Creating and editing.


def _shown_languages(default: str, languages: list[str]) -> list[str]:
    shown = [lang for lang in languages if lang in EU_LANGUAGES]
    if default in EU_LANGUAGES and default not in shown:
        shown.append(default)
    return shown or ["en"]


def _form_for_post():
    default = request.form.get("default_language", "en")
    return forms.consultation_form(
        _shown_languages(default, request.form.getlist("languages")), default
    )


def _offer_saved_folds(form, consultation: Consultation | None, tz: str) -> None:
    """A saved time in a repeated hour keeps its choice when the form is shown again."""
    for name in ("opens_at", "closes_at"):
        instant = getattr(consultation, name) if consultation else None
        local = to_local(instant, tz)
        if local is None:
            continue
        try:
            to_utc(local.replace(fold=0), tz)
        except AmbiguousTime as ambiguous:
            form.offer_fold(name, ambiguous.choices, tz)
            getattr(form, f"{name}_fold").data = str(local.fold)


def _same_minute(new, old):
    """Keep the stored instant when the form shows it unchanged (forms have minutes only)."""
    if new is not None and old is not None and new == old.replace(second=0, microsecond=0):
        return old
    return new


def _settings_from_form(form, *, opens_at, closes_at, timezone, slug=None) -> ConsultationSettings:
    languages = form.text_languages
    return ConsultationSettings(
        slug=slug if slug is not None else form.slug.data,
        default_language=form.default_language.data,
        languages=list(form.languages.data or []),
        title={lang: getattr(form, f"title_{lang}").data or "" for lang in languages},
        description={lang: getattr(form, f"description_{lang}").data or "" for lang in languages},
        opens_at=opens_at,
        closes_at=closes_at,
        timezone=timezone,
        results_visibility=form.results_visibility.data,
        k_threshold=form.k_threshold.data,
        allow_unsuppressed=form.allow_unsuppressed.data,
        signoff_required=form.signoff_required.data,
        reference_prefix=form.reference_prefix.data or "",
        accepted_fallbacks=list(form.accepted_fallbacks.data or []),
    )


def apply_errors(form, errors: dict[str, str], fallback: str) -> None:
    """Put a service's field errors on the form (unknown fields on `fallback`)."""
    for name, message in errors.items():
        field = getattr(form, name, None) or getattr(form, fallback)
        field.errors = [*field.errors, message]


def _dates(form, tz: str):
    ok_open, opens_at = form.local_to_utc("opens_at", tz)
    ok_close, closes_at = form.local_to_utc("closes_at", tz)
    return ok_open and ok_close, opens_at, closes_at


@bp.route(f"{PREFIX}/new", methods=["GET", "POST"])
@login_required
def create(assoc_slug: str):
    association = get_association(assoc_slug)
    if not permissions.can_create_consultation(current_user, association):
        abort(403)
    tz = author_timezone()
    if request.method == "POST":
        form = _form_for_post()
    else:
        default = current_user.locale if current_user.locale in EU_LANGUAGES else "en"
        form = forms.consultation_form(
            [default], default, data={"default_language": default, "languages": [default]}
        )
    if request.form.get("action") != "languages" and form.validate_on_submit():
        ok, opens_at, closes_at = _dates(form, tz)
        if ok:
            try:
                consultation = consultations.create_consultation(
                    association,
                    _settings_from_form(form, opens_at=opens_at, closes_at=closes_at, timezone=tz),
                    actor=current_user,
                )
            except InvalidConsultation as error:
                apply_errors(form, error.errors, "slug")
            except ConsultationError as error:
                flash(error.message, "error")
            else:
                flash(_("The consultation is created as a draft."), "success")
                return redirect(overview_url(consultation))
    return render_template(
        "authoring/form.html", form=form, association=association, consultation=None, tz=tz
    )


def _edit_data(consultation: Consultation, tz: str) -> dict:
    data = {
        name: getattr(consultation, name)
        for name in (
            "slug",
            "default_language",
            "languages",
            "accepted_fallbacks",
            "k_threshold",
            "allow_unsuppressed",
            "signoff_required",
            "reference_prefix",
        )
    }
    data["results_visibility"] = consultation.results_visibility.value
    data["opens_at"] = to_local(consultation.opens_at, tz)
    data["closes_at"] = to_local(consultation.closes_at, tz)
    for lang in consultation.languages:
        data[f"title_{lang}"] = (consultation.title or {}).get(lang, "")
        data[f"description_{lang}"] = (consultation.description or {}).get(lang, "")
    return data


@bp.route(f"{PREFIX}/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(assoc_slug: str, slug: str):
    consultation = get_consultation_for_edit(slug, assoc_slug)
    tz = author_timezone()
    if request.method == "POST":
        form = _form_for_post()
    else:
        form = forms.consultation_form(
            _shown_languages(consultation.default_language, consultation.languages),
            consultation.default_language,
            data=_edit_data(consultation, tz),
        )
        _offer_saved_folds(form, consultation, tz)
    if request.form.get("action") != "languages" and form.validate_on_submit():
        ok, opens_at, closes_at = _dates(form, tz)
        if ok:
            settings = _settings_from_form(
                form,
                opens_at=_same_minute(opens_at, consultation.opens_at),
                closes_at=_same_minute(closes_at, consultation.closes_at),
                timezone=consultation.timezone,
            )
            try:
                consultations.update_consultation(consultation, settings, actor=current_user)
            except InvalidConsultation as error:
                apply_errors(form, error.errors, "slug")
            except ConsultationError as error:
                flash(error.message, "error")
            else:
                flash(_("The consultation is saved."), "success")
                return redirect(overview_url(consultation))
    return render_template(
        "authoring/form.html",
        form=form,
        association=consultation.association,
        consultation=consultation,
        status=effective_status(consultation),
        tz=tz,
    )


# The overview.


@bp.get(f"{PREFIX}/<slug>")
@login_required
def overview(assoc_slug: str, slug: str):
    consultation = get_consultation_for_edit(slug, assoc_slug, check_edit=False)
    status = effective_status(consultation)
    counts = consultations.response_counts([consultation.id]).get(
        consultation.id, consultations.ResponseCounts()
    )
    return render_template(
        "authoring/overview.html",
        consultation=consultation,
        status=status,
        counts=counts,
        audience_count=audience.audience_count(consultation),
        problems=lifecycle.opening_problems(consultation) if status == Status.DRAFT else [],
        invitation_summary=invitation_queries.invitation_summary(consultation),
        can_edit=permissions.can_edit_consultation(current_user, consultation),
        tz=author_timezone(),
    )


# The status, audience and invitation pages register their routes on `bp`.
from consult.surveys import audience_views, invitation_views, lifecycle_views  # noqa: E402, F401
