"""Audience pages of a consultation: criteria with a live count, or an explicit list."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from consult import permissions
from consult.accounts.models import AuthorityLevel, SizeClass, Urbanisation
from consult.extensions import db
from consult.surveys import audience, audience_csv
from consult.surveys import authoring_forms as forms
from consult.surveys.audience import Criteria
from consult.surveys.authoring_views import (
    PREFIX,
    bp,
    consultation_url,
    get_consultation_for_edit,
)
from consult.surveys.consultation_errors import AudienceError
from consult.surveys.language_names import country_name
from consult.surveys.lifecycle import effective_status
from consult.surveys.models import AudienceMode, Consultation

MEMBERS_PER_PAGE = 25
CANDIDATES_SHOWN = 50


def _count_message(count: int) -> str:
    return ngettext("%(num)d authority matches.", "%(num)d authorities match.", count)


def _criteria_form(consultation: Consultation) -> forms.CriteriaForm:
    if request.method == "POST":
        form = forms.CriteriaForm()
    else:
        form = forms.CriteriaForm(data=consultation.audience_criteria or {"members_only": True})
    form.countries.choices = [(c, country_name(c)) for c in audience.available_countries()]
    return form


def _criteria_summary(consultation: Consultation) -> list[tuple[str, str]]:
    """The saved criteria in words, for people who may read but not change them."""
    criteria = Criteria.from_json(consultation.audience_criteria)

    def words(values, labels) -> str:
        return ", ".join(str(labels(v)) for v in values) or _("any")

    return [
        (_("Only members of the association"), _("yes") if criteria.members_only else _("no")),
        (_("Countries"), words(criteria.countries, country_name)),
        (
            _("Levels of government"),
            words(criteria.levels, lambda v: forms.LEVEL_LABELS[AuthorityLevel(v)]),
        ),
        (_("Population"), words(criteria.size_classes, lambda v: forms.SIZE_LABELS[SizeClass(v)])),
        (
            _("Degree of urbanisation"),
            words(criteria.urbanisations, lambda v: forms.URBANISATION_LABELS[Urbanisation(v)]),
        ),
    ]


@bp.route(f"{PREFIX}/<slug>/audience", methods=["GET", "POST"])
@login_required
def audience_page(assoc_slug: str, slug: str):
    consultation = get_consultation_for_edit(slug, assoc_slug, check_edit=False)
    can_edit = permissions.can_edit_consultation(current_user, consultation)
    if request.method == "POST" and not can_edit:
        abort(403)
    form = _criteria_form(consultation)
    preview = None
    if form.validate_on_submit():
        criteria = Criteria.from_args(request.form)
        if request.form.get("action") == "count":
            preview = audience.criteria_count(criteria, consultation.association_id)
        else:
            try:
                count = audience.set_criteria(consultation, criteria, actor=current_user)
            except AudienceError as error:
                flash(error.message, "error")
            else:
                flash(
                    _("The audience is saved: %(message)s", message=_count_message(count)),
                    "success",
                )
                return redirect(consultation_url("authoring.audience_page", consultation))
    return render_template(
        "authoring/audience.html",
        consultation=consultation,
        form=form,
        preview=preview,
        preview_message=_count_message(preview) if preview is not None else None,
        current_count=audience.audience_count(consultation),
        members_count=audience.members_count(consultation),
        can_edit=can_edit,
        criteria_summary=_criteria_summary(consultation),
        mode_form=forms.ConfirmForm(),
        status=effective_status(consultation),
    )


@bp.get(f"{PREFIX}/<slug>/audience/count")
@login_required
def audience_count(assoc_slug: str, slug: str):
    """The live count: how many authorities the criteria in the query string select."""
    consultation = get_consultation_for_edit(slug, assoc_slug, check_edit=False)
    count = audience.criteria_count(Criteria.from_args(request.args), consultation.association_id)
    return jsonify(count=count, message=_count_message(count))


@bp.post(f"{PREFIX}/<slug>/audience/mode")
@login_required
def audience_mode(assoc_slug: str, slug: str):
    consultation = get_consultation_for_edit(slug, assoc_slug)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if request.form.get("mode") == AudienceMode.LIST.value:
            count = audience.use_list(consultation, actor=current_user)
            target = "authoring.audience_list"
        else:
            count = audience.set_criteria(
                consultation,
                Criteria.from_json(consultation.audience_criteria),
                actor=current_user,
            )
            target = "authoring.audience_page"
    except AudienceError as error:
        flash(error.message, "error")
        return redirect(consultation_url("authoring.audience_page", consultation))
    flash(_("The audience is saved: %(message)s", message=_count_message(count)), "success")
    return redirect(consultation_url(target, consultation))


def _render_list(consultation: Consultation, *, upload_form=None, report=None, status=200):
    search = forms.SearchForm(request.args)
    countries = audience.available_countries()
    search.country.choices = [("", _("All countries"))] + [(c, country_name(c)) for c in countries]
    q = (search.q.data or "").strip()
    country = search.country.data if search.country.data in countries else ""
    candidates = None
    if q or country:
        candidates = audience.candidates(
            consultation, q=q, country=country, limit=CANDIDATES_SHOWN + 1
        )
    page = db.paginate(
        audience.members_select(consultation), per_page=MEMBERS_PER_PAGE, error_out=False
    )
    page_html = render_template(
        "authoring/audience_list.html",
        consultation=consultation,
        page=page,
        search=search,
        candidates=candidates[:CANDIDATES_SHOWN] if candidates is not None else None,
        more_candidates=candidates is not None and len(candidates) > CANDIDATES_SHOWN,
        add_form=forms.AddMembersForm(),
        upload_form=upload_form or forms.UploadForm(),
        report=report,
        can_edit=permissions.can_edit_consultation(current_user, consultation),
        current_count=audience.audience_count(consultation),
        status=effective_status(consultation),
    )
    return page_html, status


@bp.get(f"{PREFIX}/<slug>/audience/list")
@login_required
def audience_list(assoc_slug: str, slug: str):
    consultation = get_consultation_for_edit(slug, assoc_slug, check_edit=False)
    return _render_list(consultation)


@bp.post(f"{PREFIX}/<slug>/audience/list/add")
@login_required
def audience_add(assoc_slug: str, slug: str):
    consultation = get_consultation_for_edit(slug, assoc_slug)
    form = forms.AddMembersForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        added = audience.add_members(consultation, form.authority_ids.data, actor=current_user)
    except AudienceError as error:
        flash(error.message, "error")
    else:
        flash(
            ngettext(
                "%(num)d authority added to the list.",
                "%(num)d authorities added to the list.",
                added,
            ),
            "success",
        )
    return redirect(consultation_url("authoring.audience_list", consultation))


@bp.post(f"{PREFIX}/<slug>/audience/list/upload")
@login_required
def audience_upload(assoc_slug: str, slug: str):
    consultation = get_consultation_for_edit(slug, assoc_slug)
    form = forms.UploadForm()
    if not form.validate_on_submit():
        return _render_list(consultation, upload_form=form, status=422)
    try:
        added = audience_csv.import_lau_csv(consultation, form.file.data.read(), actor=current_user)
    except AudienceError as error:
        form.file.errors = [*form.file.errors, error.message]
        return _render_list(consultation, upload_form=form, report=error.lines, status=422)
    flash(
        ngettext(
            "%(num)d authority added to the list.",
            "%(num)d authorities added to the list.",
            added,
        ),
        "success",
    )
    return redirect(consultation_url("authoring.audience_list", consultation))


@bp.route(f"{PREFIX}/<slug>/audience/list/<int:authority_id>/remove", methods=["GET", "POST"])
@login_required
def audience_remove(assoc_slug: str, slug: str, authority_id: int):
    consultation = get_consultation_for_edit(slug, assoc_slug)
    authority = audience.get_member(consultation, authority_id)
    if authority is None:
        abort(404)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            audience.remove_member(consultation, authority, actor=current_user)
        except AudienceError as error:
            flash(error.message, "error")
        else:
            flash(_("%(name)s is no longer on the list.", name=authority.name), "success")
        return redirect(consultation_url("authoring.audience_list", consultation))
    return render_template(
        "authoring/audience_remove.html", consultation=consultation, authority=authority, form=form
    )
