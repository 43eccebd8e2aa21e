"""Who may do what: every role × every action in consult/permissions.py × own/other organisation.

One explicit table. Each action row says, per role, (own, other): the answer when the object
belongs to the actor's own organisation, and when it belongs to another one. For actions
about no object, both answers are the same. Adding a function to consult/permissions.py
without rows here fails `test_every_permission_is_in_the_matrix`.
"""

from __future__ import annotations

import inspect

import pytest
from flask_login import AnonymousUserMixin

from consult import permissions
from consult.accounts.models import ROLE_ORG_KIND, Organisation, OrgKind, Role, User
from consult.extensions import db
from consult.surveys.models import AudienceMember, AudienceMode, ConsultationStatus, Response
from tests.factories import (
    AssociationFactory,
    AuthorityFactory,
    CommissionFactory,
    ConsultationFactory,
    UserFactory,
)

T, F = True, False
ROLES = ("admin", "author", "respondent", "analyst", "anonymous")


def _other(kind: OrgKind) -> Organisation:
    return {
        OrgKind.ASSOCIATION: AssociationFactory,
        OrgKind.AUTHORITY: AuthorityFactory,
        OrgKind.COMMISSION: CommissionFactory,
    }[kind]()


def _org(user, scope: str, kind: OrgKind) -> Organisation:
    """The actor's own organisation, or another organisation of `kind`."""
    if scope == "own" and getattr(user, "organisation", None) is not None:
        return user.organisation
    return _other(kind)


def _respondent_in(user, scope: str) -> User:
    return User(role=Role.RESPONDENT, organisation_id=_org(user, scope, OrgKind.AUTHORITY).id)


def _invite(role: Role):
    def ask(user, scope: str) -> bool:
        return permissions.can_invite_user(user, _org(user, scope, ROLE_ORG_KIND[role]), role)

    return ask


def _consultation(user, scope: str):
    """A consultation of the actor's own organisation (an association for authors), or of
    another association."""
    return ConsultationFactory(association=_org(user, scope, OrgKind.ASSOCIATION))


def _on_consultation(name: str):
    return lambda u, s: getattr(permissions, name)(u, _consultation(u, s))


def _open_to(user, scope: str, *, signoff: bool = False):
    """An open consultation whose audience (an explicit list) holds the actor's own
    organisation, or another authority; and that organisation."""
    consultation = ConsultationFactory(
        status=ConsultationStatus.OPEN, audience_mode=AudienceMode.LIST, signoff_required=signoff
    )
    org = _org(user, scope, OrgKind.AUTHORITY)
    db.session.add(AudienceMember(consultation_id=consultation.id, authority_id=org.id))
    db.session.commit()
    return consultation, org


def _response(user, scope: str, *, signoff: bool = False):
    """That organisation's response to the consultation open to it."""
    consultation, org = _open_to(user, scope, signoff=signoff)
    response = Response(consultation=consultation, authority_id=org.id, seq=1)
    db.session.add(response)
    db.session.commit()
    return response


def _on_response(name: str, *, signoff: bool = False):
    return lambda u, s: getattr(permissions, name)(u, _response(u, s, signoff=signoff))


def _readable(user, scope: str, *, status=None):
    """A consultation of the actor's own association (or another), its audience a list that
    holds the actor's own authority (or another)."""
    from consult.surveys.models import ConsultationStatus as CS

    consultation = ConsultationFactory(
        association=_org(user, scope, OrgKind.ASSOCIATION),
        status=status or CS.OPEN,
        audience_mode=AudienceMode.LIST,
    )
    org = _org(user, scope, OrgKind.AUTHORITY)
    db.session.add(AudienceMember(consultation_id=consultation.id, authority_id=org.id))
    db.session.commit()
    return consultation


def _token(user, scope: str):
    """A personal access token of the actor, or of another person."""
    from consult.api.models import ApiToken

    owner = user if scope == "own" and getattr(user, "id", None) else UserFactory()
    return ApiToken(user_id=owner.id, name="t", prefix="cst_x", token_hash="x" * 64)


def _on_association(name: str):
    return lambda u, s: getattr(permissions, name)(u, _org(u, s, OrgKind.ASSOCIATION))


def _open_consultation(user, scope: str, **values):
    """An open consultation (results exist) of the actor's own association, or of another."""
    from datetime import timedelta

    from consult.db import utcnow
    from consult.surveys.models import ConsultationStatus

    return ConsultationFactory(
        association=_org(user, scope, OrgKind.ASSOCIATION),
        status=ConsultationStatus.OPEN,
        opens_at=utcnow() - timedelta(days=1),
        closes_at=utcnow() + timedelta(days=30),
        **values,
    )


CONSULTATION_ACTIONS = (
    "can_view_consultation_admin",
    "can_edit_consultation",
    "can_change_consultation_status",
    "can_manage_invitations",
    "can_clone_consultation",
    "can_view_questionnaire",
    "can_edit_questionnaire",
)


# action name → how to ask it, given the acting user and the scope ("own" or "other").
ACTIONS = {
    "is_admin": lambda u, s: permissions.is_admin(u),
    "can_manage_organisations": lambda u, s: permissions.can_manage_organisations(u),
    "can_import_authorities": lambda u, s: permissions.can_import_authorities(u),
    "can_manage_users": lambda u, s: permissions.can_manage_users(u),
    "can_view_audit_log": lambda u, s: permissions.can_view_audit_log(u),
    "can_view_organisation": lambda u, s: permissions.can_view_organisation(
        u, _org(u, s, OrgKind.AUTHORITY)
    ),
    "can_edit_organisation": lambda u, s: permissions.can_edit_organisation(
        u, _org(u, s, OrgKind.AUTHORITY)
    ),
    "can_manage_members": lambda u, s: permissions.can_manage_members(
        u, _org(u, s, OrgKind.ASSOCIATION)
    ),
    **{f"can_invite_user[{role.value}]": _invite(role) for role in Role},
    "can_mark_signatory": lambda u, s: permissions.can_mark_signatory(u, _respondent_in(u, s)),
    **{name: _on_consultation(name) for name in CONSULTATION_ACTIONS},
    "can_list_consultations": _on_association("can_list_consultations"),
    "can_create_consultation": _on_association("can_create_consultation"),
    "can_import_xlsform": lambda u, s: permissions.can_import_xlsform(u),
    "can_respond": lambda u, s: permissions.can_respond(u, _open_to(u, s)[0]),
    "can_view_response": _on_response("can_view_response"),
    "can_edit_response": _on_response("can_edit_response"),
    "can_submit_response": _on_response("can_submit_response"),
    "can_submit_response[signoff]": _on_response("can_submit_response", signoff=True),
    "can_read_consultation": lambda u, s: permissions.can_read_consultation(u, _readable(u, s)),
    "can_read_consultation[draft]": lambda u, s: permissions.can_read_consultation(
        u, _readable(u, s, status=ConsultationStatus.DRAFT)
    ),
    "can_manage_token": lambda u, s: permissions.can_manage_token(u, _token(u, s)),
    "can_view_results": lambda u, s: permissions.can_view_results(u, _open_consultation(u, s)),
    "can_see_unsuppressed": lambda u, s: permissions.can_see_unsuppressed(
        u, _open_consultation(u, s, allow_unsuppressed=True)
    ),
    "can_export_data": lambda u, s: permissions.can_export_data(u, _open_consultation(u, s)),
    "can_export_data[draft]": lambda u, s: permissions.can_export_data(u, _consultation(u, s)),
}

# fmt: off
MATRIX = {
    # action                         admin     author    respondent analyst   anonymous
    "is_admin":                      [(T, T), (F, F), (F, F), (F, F), (F, F)],
    "can_manage_organisations":      [(T, T), (F, F), (F, F), (F, F), (F, F)],
    "can_import_authorities":        [(T, T), (F, F), (F, F), (F, F), (F, F)],
    "can_manage_users":              [(T, T), (F, F), (F, F), (F, F), (F, F)],
    "can_view_audit_log":            [(T, T), (F, F), (F, F), (F, F), (F, F)],
    "can_view_organisation":         [(T, T), (T, F), (T, F), (T, F), (F, F)],
    "can_edit_organisation":         [(T, T), (F, F), (F, F), (F, F), (F, F)],
    # Own: the actor's organisation, which is an association only for authors.
    "can_manage_members":            [(F, T), (F, F), (F, F), (F, F), (F, F)],
    # Own: the actor's organisation; an invitation's role must match the organisation's kind.
    "can_invite_user[admin]":        [(T, T), (F, F), (F, F), (F, F), (F, F)],
    "can_invite_user[analyst]":      [(T, T), (F, F), (F, F), (F, F), (F, F)],
    "can_invite_user[author]":       [(F, T), (T, F), (F, F), (F, F), (F, F)],
    "can_invite_user[respondent]":   [(F, T), (F, F), (T, F), (F, F), (F, F)],
    # Own: a respondent of the actor's organisation.
    "can_mark_signatory":            [(T, T), (F, F), (T, F), (F, F), (F, F)],
    # Consultations. Own: a consultation of the actor's association (authors); admins see every
    # association's consultations but change nothing.
    "can_view_consultation_admin":   [(T, T), (T, F), (F, F), (F, F), (F, F)],
    "can_edit_consultation":         [(F, F), (T, F), (F, F), (F, F), (F, F)],
    "can_change_consultation_status": [(F, F), (T, F), (F, F), (F, F), (F, F)],
    "can_manage_invitations":        [(F, F), (T, F), (F, F), (F, F), (F, F)],
    "can_clone_consultation":        [(F, F), (T, F), (F, F), (F, F), (F, F)],
    "can_list_consultations":        [(F, T), (T, F), (F, F), (F, F), (F, F)],
    "can_create_consultation":       [(F, F), (T, F), (F, F), (F, F), (F, F)],
    # The questionnaire builder: the consultation's authoring people (admins read-only).
    "can_view_questionnaire":        [(T, T), (T, F), (F, F), (F, F), (F, F)],
    "can_edit_questionnaire":        [(F, F), (T, F), (F, F), (F, F), (F, F)],
    "can_import_xlsform":            [(F, F), (T, T), (F, F), (F, F), (F, F)],
    # Responding. Own: a consultation open to the actor's own organisation (an authority for
    # respondents), and that authority's response; other: another authority's.
    "can_respond":                   [(F, F), (F, F), (T, F), (F, F), (F, F)],
    "can_view_response":             [(F, F), (F, F), (T, F), (F, F), (F, F)],
    "can_edit_response":             [(F, F), (F, F), (T, F), (F, F), (F, F)],
    "can_submit_response":           [(F, F), (F, F), (T, F), (F, F), (F, F)],
    # With sign-off, only the signatory submits (the matrix's respondent is not one).
    "can_submit_response[signoff]":  [(F, F), (F, F), (F, F), (F, F), (F, F)],
    # The API. Own: a consultation of the actor's association whose audience holds the actor's
    # authority; other: neither. Analysts read every consultation that has left the draft state.
    "can_read_consultation":         [(T, T), (T, F), (T, F), (T, T), (F, F)],
    "can_read_consultation[draft]":  [(T, T), (T, F), (F, F), (F, F), (F, F)],
    # Own: the actor's own token; admins may revoke anyone's.
    "can_manage_token":              [(T, T), (T, F), (T, F), (T, F), (F, F)],
    # Results of an open consultation (results visibility "staff", the default): analysts read
    # every consultation's; respondents none while it is open (see tests/results).
    "can_view_results":              [(T, T), (T, F), (F, F), (T, T), (F, F)],
    # Of a consultation that allows unsuppressed figures; analysts never see them.
    "can_see_unsuppressed":          [(T, T), (T, F), (F, F), (F, F), (F, F)],
    # Response-level data: as results, but never respondents; analysts once it has opened.
    "can_export_data":               [(T, T), (T, F), (F, F), (T, T), (F, F)],
    "can_export_data[draft]":        [(T, T), (T, F), (F, F), (F, F), (F, F)],
}
# fmt: on

CASES = [
    pytest.param(
        action, role, scope, expected[ROLES.index(role)][index], id=f"{action}-{role}-{scope}"
    )
    for action, expected in MATRIX.items()
    for role in ROLES
    for index, scope in enumerate(("own", "other"))
]


def _actor(role: str):
    if role == "anonymous":
        return AnonymousUserMixin()
    return UserFactory(role=Role(role))


@pytest.mark.parametrize(("action", "role", "scope", "expected"), CASES)
def test_permission_matrix(db, action, role, scope, expected):
    assert ACTIONS[action](_actor(role), scope) is expected


@pytest.mark.parametrize("action", list(MATRIX))
def test_nobody_signed_out_or_deactivated_may_do_anything(db, action):
    admin = UserFactory(role=Role.ADMIN, active=False)
    assert ACTIONS[action](admin, "own") is False
    assert ACTIONS[action](None, "other") is False


def test_every_permission_is_in_the_matrix():
    functions = {
        name
        for name, value in inspect.getmembers(permissions, inspect.isfunction)
        if value.__module__ == permissions.__name__ and not name.startswith("_")
    }
    asked = {name.split("[")[0] for name in MATRIX}
    assert functions == asked
    assert set(MATRIX) == set(ACTIONS)
    assert all(len(row) == len(ROLES) for row in MATRIX.values())


def test_every_permission_has_a_docstring():
    for name in {name.split("[")[0] for name in MATRIX}:
        assert getattr(permissions, name).__doc__, name
