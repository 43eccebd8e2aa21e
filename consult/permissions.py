"""Who may do what: one named function per question, used by views, API and CLI alike.

Every function takes the acting user first and answers True or False; loaders turn False on an
object of another organisation into 404, so its existence is not revealed.
"""

from __future__ import annotations

from consult.accounts.models import ROLE_ORG_KIND, Organisation, OrgKind, Role, User


def _signed_in(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.active


def is_admin(user: User | None) -> bool:
    """Admins run the platform for the Commission and the Committee of the Regions."""
    return _signed_in(user) and user.role == Role.ADMIN


def can_manage_organisations(user: User | None) -> bool:
    """Only admins create and edit organisations and association memberships."""
    return is_admin(user)


def can_import_authorities(user: User | None) -> bool:
    """Only admins load the authority registry."""
    return is_admin(user)


def can_manage_users(user: User | None) -> bool:
    """Only admins list every user, change roles and deactivate accounts."""
    return is_admin(user)


def can_view_audit_log(user: User | None) -> bool:
    """Only admins read the audit log."""
    return is_admin(user)


def can_view_organisation(user: User | None, organisation: Organisation) -> bool:
    """Admins see every organisation; others only their own."""
    return is_admin(user) or (_signed_in(user) and user.organisation_id == organisation.id)


def can_invite_user(user: User | None, organisation: Organisation, role: Role) -> bool:
    """Admins invite anyone to any organisation (role matching its kind). Authors invite fellow
    authors to their own association, respondents fellow officials to their own authority."""
    if ROLE_ORG_KIND[role] != organisation.kind:
        return False
    if is_admin(user):
        return True
    if not _signed_in(user) or user.organisation_id != organisation.id:
        return False
    return (user.role, role) in {(Role.AUTHOR, Role.AUTHOR), (Role.RESPONDENT, Role.RESPONDENT)}


def can_mark_signatory(user: User | None, target: User) -> bool:
    """An authority's own officials, or an admin, designate who signs off its responses."""
    if target.role != Role.RESPONDENT:
        return False
    if is_admin(user):
        return True
    return (
        _signed_in(user)
        and user.role == Role.RESPONDENT
        and user.organisation_id == target.organisation_id
        and user.organisation.kind == OrgKind.AUTHORITY
    )


# --- questionnaire builder, translations and XLSForm


def _author_of(user: User | None, association_id: int) -> bool:
    return (
        _signed_in(user)
        and user.role == Role.AUTHOR
        and user.organisation_id == association_id
        and user.organisation.kind == OrgKind.ASSOCIATION
    )


def can_view_questionnaire(user: User | None, consultation) -> bool:
    """The authors of the owning association, and admins (who see everything, read-only), see
    the builder pages of a consultation, download its texts and its XLSForm. Everyone else gets
    404: analysts read results, not drafts; respondents see only what is open to them."""
    return is_admin(user) or _author_of(user, consultation.association_id)


def can_edit_questionnaire(user: User | None, consultation) -> bool:
    """Only the authors of the owning association change its questionnaire (sections,
    questions, options, conditions) and its translations. Admins do not: the questionnaire is
    the association's own work, published under its name; an admin who must help does it with
    the association. Whether the consultation's state still allows the change is the services'
    call (`NotEditable`), not a permission."""
    return _author_of(user, consultation.association_id)


def can_import_xlsform(user: User | None) -> bool:
    """Authors create consultations of their own association from an XLSForm; nobody else has
    an association to create them for."""
    return (
        _signed_in(user)
        and user.role == Role.AUTHOR
        and user.organisation.kind == OrgKind.ASSOCIATION
    )
