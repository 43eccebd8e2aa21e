"""Administration of people and the audit log; and each organisation's own people page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult import permissions
from consult.accounts import forms, queries, services
from consult.accounts.models import ROLE_ORG_KIND, Organisation, Role, User
from consult.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
people_bp = Blueprint("people", __name__)

PER_PAGE = 25


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def get_user(user_id: int) -> User:
    """The user to manage; 404 when it does not exist or is not the actor's to see."""
    user = db.session.get(User, user_id)
    if user is None or not (
        permissions.can_manage_users(current_user)
        or user.organisation_id == current_user.organisation_id
    ):
        abort(404)
    return user


def get_organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not permissions.can_view_organisation(current_user, organisation):
        abort(404)
    return organisation


@bp.get("/users")
@login_required
def users():
    _require(permissions.can_manage_users(current_user))
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    page = db.paginate(queries.users(q=q, role=role), per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, q=q, role=role, roles=list(Role))


def _invite_form(organisation: Organisation) -> forms.InviteUserForm:
    form = forms.InviteUserForm()
    form.role.choices = [
        (value, label)
        for value, label in form.role.choices
        if ROLE_ORG_KIND[Role(value)] == organisation.kind
        and permissions.can_invite_user(current_user, organisation, Role(value))
    ]
    return form


@people_bp.route("/organisations/<int:organisation_id>/invite", methods=["GET", "POST"])
@login_required
def invite(organisation_id: int):
    organisation = get_organisation(organisation_id)
    form = _invite_form(organisation)
    if not form.role.choices:
        abort(403)
    if form.validate_on_submit():
        try:
            services.invite_user(
                actor=current_user,
                organisation=organisation,
                email=form.email.data,
                name=form.name.data,
                role=Role(form.role.data),
            )
        except services.AccountError as error:
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("people.organisation_people", organisation_id=organisation.id))
    return render_template("accounts/invite.html", form=form, organisation=organisation)


@people_bp.get("/organisations/<int:organisation_id>/people")
@login_required
def organisation_people(organisation_id: int):
    organisation = get_organisation(organisation_id)
    page = db.paginate(
        queries.users(organisation_id=organisation.id), per_page=PER_PAGE, error_out=False
    )
    return render_template(
        "accounts/people.html",
        organisation=organisation,
        page=page,
        action_form=forms.ActionForm(),
        can_invite=any(
            permissions.can_invite_user(current_user, organisation, role) for role in Role
        ),
    )


@people_bp.get("/my-organisation")
@login_required
def my_organisation():
    return redirect(
        url_for("people.organisation_people", organisation_id=current_user.organisation_id)
    )


@people_bp.post("/users/<int:user_id>/signatory")
@login_required
def set_signatory(user_id: int):
    user = get_user(user_id)
    form = forms.ActionForm()
    if not form.validate_on_submit():
        abort(400)
    value = request.form.get("value") == "1"
    try:
        services.set_signatory(actor=current_user, user=user, value=value)
    except services.AccountError as error:
        flash(error.message, "error")
    else:
        flash(
            _("%(name)s now signs off responses.", name=user.name)
            if value
            else _("%(name)s no longer signs off responses.", name=user.name),
            "success",
        )
    return redirect(url_for("people.organisation_people", organisation_id=user.organisation_id))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def user_detail(user_id: int):
    _require(permissions.can_manage_users(current_user))
    user = get_user(user_id)
    role_form = forms.RoleForm(role=user.role.value)
    role_form.role.choices = [
        (r.value, r.value) for r in Role if ROLE_ORG_KIND[r] == user.organisation.kind
    ]
    if role_form.validate_on_submit():
        try:
            services.change_role(actor=current_user, user=user, role=Role(role_form.role.data))
        except services.AccountError as error:
            flash(error.message, "error")
        else:
            flash(_("Role changed."), "success")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template(
        "admin/user_detail.html", user=user, role_form=role_form, action_form=forms.ActionForm()
    )


@bp.post("/users/<int:user_id>/active")
@login_required
def set_active(user_id: int):
    _require(permissions.can_manage_users(current_user))
    user = get_user(user_id)
    form = forms.ActionForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        services.set_active(actor=current_user, user=user, active=active)
    except services.AccountError as error:
        flash(error.message, "error")
    else:
        flash(_("Account reactivated.") if active else _("Account deactivated."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/resend-invitation")
@login_required
def resend_invitation(user_id: int):
    _require(permissions.can_manage_users(current_user))
    user = get_user(user_id)
    form = forms.ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.resend_invitation(actor=current_user, user=user)
    except services.AccountError as error:
        flash(error.message, "error")
    else:
        flash(_("Invitation sent again to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.get("/audit")
@login_required
def audit_log():
    _require(permissions.can_view_audit_log(current_user))
    action = request.args.get("action", "").strip()
    actor = request.args.get("actor", "").strip()
    page = db.paginate(
        queries.audit_events(action=action, actor_q=actor), per_page=50, error_out=False
    )
    return render_template("admin/audit.html", page=page, action=action, actor=actor)
