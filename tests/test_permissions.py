"""The permissions matrix: every role × every action × own / other organisation.

Each row names a permission function, the role of the person asking, whether the object is
their own organisation's, and the answer expected. Parts of the product add their rows.
"""

from __future__ import annotations

import pytest

from consult import permissions
from consult.accounts.models import Role
from tests.factories import AssociationFactory, ConsultationFactory, UserFactory

ROLES = list(Role)

# Consultation authoring: (action, roles allowed on their own association's consultation,
# roles allowed on another association's).
CONSULTATION_RULES = {
    "can_view_consultation_admin": ({Role.AUTHOR, Role.ADMIN}, {Role.ADMIN}),
    "can_edit_consultation": ({Role.AUTHOR}, set()),
    "can_change_consultation_status": ({Role.AUTHOR}, set()),
    "can_manage_invitations": ({Role.AUTHOR}, set()),
    "can_clone_consultation": ({Role.AUTHOR}, set()),
}
ASSOCIATION_RULES = {
    "can_list_consultations": ({Role.AUTHOR, Role.ADMIN}, {Role.ADMIN}),
    "can_create_consultation": ({Role.AUTHOR}, set()),
}


def _matrix(rules):
    for action, (own, other) in rules.items():
        for role in ROLES:
            yield action, role, "own", role in own
            yield action, role, "other", role in other


@pytest.mark.parametrize(("action", "role", "whose", "allowed"), list(_matrix(CONSULTATION_RULES)))
def test_consultation_permissions(app, action, role, whose, allowed):
    user = UserFactory(role=role)
    association = (
        user.organisation if whose == "own" and role == Role.AUTHOR else AssociationFactory()
    )
    consultation = ConsultationFactory(association=association)
    assert getattr(permissions, action)(user, consultation) is allowed


@pytest.mark.parametrize(("action", "role", "whose", "allowed"), list(_matrix(ASSOCIATION_RULES)))
def test_association_permissions(app, action, role, whose, allowed):
    user = UserFactory(role=role)
    association = (
        user.organisation if whose == "own" and role == Role.AUTHOR else AssociationFactory()
    )
    assert getattr(permissions, action)(user, association) is allowed


@pytest.mark.parametrize("action", [*CONSULTATION_RULES, *ASSOCIATION_RULES])
def test_nobody_signed_out_or_deactivated_may_do_anything(app, action):
    author = UserFactory(role=Role.AUTHOR)
    consultation = ConsultationFactory(association=author.organisation)
    target = consultation if action in CONSULTATION_RULES else author.organisation
    assert getattr(permissions, action)(None, target) is False
    author.active = False
    assert getattr(permissions, action)(author, target) is False


def test_every_permission_function_has_a_docstring():
    for name in dir(permissions):
        if name.startswith(("can_", "is_")):
            assert getattr(permissions, name).__doc__, name
