"""Admin pages: organisations (list, create, edit), association membership, registry import."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from consult import permissions
from consult.accounts import organisations, queries, registry, territory
from consult.accounts.forms import ActionForm
from consult.accounts.models import AuthorityLevel, Organisation, OrgKind, SizeClass
from consult.accounts.organisation_forms import URBANISATION_CHOICES, RegistryUploadForm, form_for
from consult.accounts.registry_report import ImportReport
from consult.extensions import db
from consult.jobs import Job

bp = Blueprint("organisations", __name__, url_prefix="/admin")

PER_PAGE = 25
KIND_LABELS = {
    OrgKind.ASSOCIATION.value: _l("Association"),
    OrgKind.AUTHORITY.value: _l("Authority"),
    OrgKind.COMMISSION.value: _l("Commission"),
}
LEVEL_LABELS = {
    AuthorityLevel.MUNICIPALITY.value: _l("Municipality"),
    AuthorityLevel.INTERMEDIATE.value: _l("Intermediate"),
    AuthorityLevel.REGION.value: _l("Region"),
}
URBANISATION_LABELS = dict(URBANISATION_CHOICES)
SIZE_CLASS_LABELS = {
    SizeClass.XS.value: _l("under 5 000"),
    SizeClass.S.value: _l("5 000 to 20 000"),
    SizeClass.M.value: _l("20 000 to 100 000"),
    SizeClass.L.value: _l("100 000 to 500 000"),
    SizeClass.XL.value: _l("over 500 000"),
}


@bp.context_processor
def _labels() -> dict:
    return {
        "kind_labels": KIND_LABELS,
        "level_labels": LEVEL_LABELS,
        "urbanisation_labels": URBANISATION_LABELS,
        "size_class_labels": SIZE_CLASS_LABELS,
        "fmt_number": format_decimal,
    }


def _locale() -> str:
    return str(get_locale() or "en")


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def get_organisation(organisation_id: int) -> Organisation:
    """The organisation to manage (admins only: 403 for others, then 404 when unknown)."""
    _require(permissions.can_manage_organisations(current_user))
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


def _kind(value: str) -> OrgKind:
    try:
        return OrgKind(value)
    except ValueError:
        abort(404)


def _field_error(form, error: organisations.OrganisationError) -> None:
    field = getattr(form, error.field or "", None) or form.name
    field.errors = [*field.errors, error.message]


@bp.get("/organisations")
@login_required
def index():
    _require(permissions.can_manage_organisations(current_user))
    filters = {
        name: request.args.get(name, "").strip() for name in ("q", "kind", "country", "level")
    }
    page = db.paginate(queries.organisations(**filters), per_page=PER_PAGE, error_out=False)
    return render_template(
        "admin/organisations.html",
        page=page,
        filters=filters,
        filtered=any(filters.values()),
        kinds=list(OrgKind),
        levels=list(AuthorityLevel),
        countries=territory.country_choices(_locale()),
    )


@bp.route("/organisations/new/<kind>", methods=["GET", "POST"])
@login_required
def create(kind: str):
    _require(permissions.can_manage_organisations(current_user))
    org_kind = _kind(kind)
    form = form_for(org_kind)
    if form.validate_on_submit():
        try:
            organisation = organisations.create_organisation(
                actor=current_user, kind=org_kind, data=form.data_for_service()
            )
        except organisations.OrganisationError as error:
            _field_error(form, error)
        else:
            flash(_("%(name)s created.", name=organisation.name), "success")
            return redirect(url_for(".detail", organisation_id=organisation.id))
    return render_template("admin/organisation_form.html", form=form, kind=org_kind)


@bp.get("/organisations/<int:organisation_id>")
@login_required
def detail(organisation_id: int):
    organisation = get_organisation(organisation_id)
    members = candidates = associations = None
    member_q = request.args.get("member_q", "").strip()
    if organisation.kind == OrgKind.ASSOCIATION:
        members = db.paginate(queries.members(organisation.id), per_page=PER_PAGE, error_out=False)
        candidates = queries.member_candidates(organisation.id, member_q)
    elif organisation.kind == OrgKind.AUTHORITY:
        associations = queries.associations_of(organisation.id)
    return render_template(
        "admin/organisation_detail.html",
        organisation=organisation,
        members=members,
        candidates=candidates,
        member_q=member_q,
        associations=associations,
        action_form=ActionForm(),
        country_name=territory.country_name(organisation.country or "", _locale()),
    )


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(organisation_id: int):
    organisation = get_organisation(organisation_id)
    _require(permissions.can_edit_organisation(current_user, organisation))
    form = form_for(organisation.kind, organisation)
    if form.validate_on_submit():
        try:
            changes = organisations.update_organisation(
                actor=current_user, organisation=organisation, data=form.data_for_service()
            )
        except organisations.OrganisationError as error:
            _field_error(form, error)
        else:
            flash(_("Changes saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for(".detail", organisation_id=organisation.id))
    return render_template(
        "admin/organisation_form.html", form=form, kind=organisation.kind, organisation=organisation
    )


@bp.post("/organisations/<int:organisation_id>/members")
@login_required
def add_member(organisation_id: int):
    association = get_organisation(organisation_id)
    _require(permissions.can_manage_members(current_user, association))
    if not ActionForm().validate_on_submit():
        abort(400)
    authority = db.session.get(Organisation, request.form.get("authority_id", 0, type=int))
    if authority is None:
        abort(404)
    try:
        organisations.add_member(actor=current_user, association=association, authority=authority)
    except organisations.OrganisationError as error:
        flash(error.message, "error")
    else:
        flash(_("%(name)s is now a member.", name=authority.name), "success")
    return redirect(url_for(".detail", organisation_id=association.id))


@bp.route(
    "/organisations/<int:organisation_id>/members/<int:authority_id>/remove",
    methods=["GET", "POST"],
)
@login_required
def remove_member(organisation_id: int, authority_id: int):
    association = get_organisation(organisation_id)
    _require(permissions.can_manage_members(current_user, association))
    authority = db.session.get(Organisation, authority_id)
    if authority is None or not organisations.is_member(association, authority):
        abort(404)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            organisations.remove_member(
                actor=current_user, association=association, authority=authority
            )
        except organisations.OrganisationError as error:
            flash(error.message, "error")
        else:
            flash(_("%(name)s is no longer a member.", name=authority.name), "success")
        return redirect(url_for(".detail", organisation_id=association.id))
    return render_template(
        "admin/remove_member.html", association=association, authority=authority, form=form
    )


@bp.route("/registry", methods=["GET", "POST"])
@login_required
def registry_import():
    _require(permissions.can_import_authorities(current_user))
    form = RegistryUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        job = registry.start_import(
            actor=current_user, data=upload.read(), filename=upload.filename or "upload.csv"
        )
        return redirect(url_for(".registry_job", job_id=job.id))
    recent = db.paginate(queries.registry_imports(), per_page=10, error_out=False)
    return render_template("admin/registry_import.html", form=form, recent=recent)


@bp.get("/registry/imports/<int:job_id>")
@login_required
def registry_job(job_id: int):
    _require(permissions.can_import_authorities(current_user))
    job = db.session.get(Job, job_id)
    if job is None or job.kind != registry.JOB_KIND:
        abort(404)
    report = ImportReport.from_dict(job.result) if job.result else None
    return render_template("admin/registry_job.html", job=job, report=report)
