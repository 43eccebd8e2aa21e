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


def can_edit_organisation(user: User | None, organisation: Organisation) -> bool:
    """Only admins change an organisation's details, their own included: the registry's
    attributes (country, NUTS, LAU, population) drive targeting and results breakdowns."""
    return is_admin(user)


def can_manage_members(user: User | None, association: Organisation) -> bool:
    """Only admins add authorities to an association or remove them; membership is agreed
    with the association outside the platform."""
    return is_admin(user) and association.kind == OrgKind.ASSOCIATION


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


# Consultations (authoring). Decision: a consultation belongs to its association; its authors
# manage it. Admins see every association's consultations (list, settings, audience,
# invitations) read-only: they run the platform, they do not speak for an association. Analysts
# read results elsewhere; respondents answer elsewhere. To anyone else an authoring page answers
# 404, so a consultation's existence (drafts included) is not revealed.


def _is_association_author(user: User | None, association: Organisation) -> bool:
    return (
        _signed_in(user)
        and user.role == Role.AUTHOR
        and association.kind == OrgKind.ASSOCIATION
        and user.organisation_id == association.id
    )


def can_list_consultations(user: User | None, association: Organisation) -> bool:
    """The association's own authors, and admins for any association."""
    if association.kind != OrgKind.ASSOCIATION:
        return False
    return is_admin(user) or _is_association_author(user, association)


def can_create_consultation(user: User | None, association: Organisation) -> bool:
    """Only the authors of an association create its consultations (admins do not)."""
    return _is_association_author(user, association)


def can_view_consultation_admin(user: User | None, consultation) -> bool:
    """The authoring pages of a consultation (settings, audience, invitations, status): the
    owning association's authors, and admins read-only."""
    return is_admin(user) or _is_association_author(user, consultation.association)


def can_edit_consultation(user: User | None, consultation) -> bool:
    """Settings, texts, questionnaire and audience: the owning association's authors only.
    Whether the consultation's state still allows a change is a rule of the services."""
    return _is_association_author(user, consultation.association)


def can_change_consultation_status(user: User | None, consultation) -> bool:
    """Open, close, reopen and archive: the owning association's authors."""
    return _is_association_author(user, consultation.association)


def can_manage_invitations(user: User | None, consultation) -> bool:
    """Invite the audience and send reminders: the owning association's authors."""
    return _is_association_author(user, consultation.association)


def can_clone_consultation(user: User | None, consultation) -> bool:
    """Copy a consultation as a new draft of the same association: its authors."""
    return can_create_consultation(user, consultation.association)


# Questionnaire builder, translations and XLSForm: the same people as the consultation's
# authoring pages.


def can_view_questionnaire(user: User | None, consultation) -> bool:
    """The builder pages, texts and XLSForm of a consultation: whoever sees its authoring pages
    (its association's authors; admins read-only). Everyone else gets 404: analysts read
    results, not drafts; respondents see only what is open to them."""
    return can_view_consultation_admin(user, consultation)


def can_edit_questionnaire(user: User | None, consultation) -> bool:
    """Sections, questions, options, conditions and translations: whoever may edit the
    consultation (its association's authors; admins do not, the questionnaire is published
    under the association's name). Whether the state still allows it is the services' call."""
    return can_edit_consultation(user, consultation)


def can_import_xlsform(user: User | None) -> bool:
    """Authors create consultations of their own association from an XLSForm; nobody else has
    an association to create them for."""
    return (
        _signed_in(user)
        and user.role == Role.AUTHOR
        and user.organisation.kind == OrgKind.ASSOCIATION
    )


# Responding. Decision: a response belongs to its authority; every active respondent of that
# authority sees and changes the one shared response (DESIGN: "all respondents of one authority
# share one response"). Nobody else reads a response through the responding pages: not other
# authorities, not the association's authors, not admins or analysts (they read results, which
# respect the respondents' publication choice). To them these pages answer 404.


def _is_authority_respondent(user: User | None, authority_id: int) -> bool:
    return (
        _signed_in(user)
        and user.role == Role.RESPONDENT
        and user.organisation_id == authority_id
        and user.organisation.kind == OrgKind.AUTHORITY
    )


def can_respond(user: User | None, consultation) -> bool:
    """Respondents of an authority in the consultation's audience, once it is no longer a draft
    (scheduled, open, closed or archived: after the deadline they still read what they sent).
    Whether answers are still accepted is the services' call (`lifecycle`)."""
    from consult.surveys import audience
    from consult.surveys.models import ConsultationStatus

    if not _signed_in(user) or user.role != Role.RESPONDENT:
        return False
    if consultation.status == ConsultationStatus.DRAFT:
        return False
    if user.organisation.kind != OrgKind.AUTHORITY:
        return False
    return audience.is_in_audience(consultation, user.organisation_id)


def can_view_response(user: User | None, response) -> bool:
    """The respondents of the response's own authority; nobody else."""
    return _is_authority_respondent(user, response.authority_id)


def can_edit_response(user: User | None, response) -> bool:
    """Save, amend and withdraw: the respondents of the response's own authority. The
    deadline and the response's state are the services' rules."""
    return _is_authority_respondent(user, response.authority_id)


def can_submit_response(user: User | None, response) -> bool:
    """Submit: any respondent of the authority, or only its designated signatory when the
    consultation requires sign-off (the others ask the signatory to sign off)."""
    if not can_edit_response(user, response):
        return False
    return not response.consultation.signoff_required or bool(user.is_signatory)


# API tokens.


def can_manage_token(user: User | None, token) -> bool:
    """A personal access token is seen and revoked by its owner; admins may revoke anyone's
    (a leaked token must be stoppable without its owner)."""
    return is_admin(user) or (_signed_in(user) and token.user_id == user.id)


def can_read_consultation(user: User | None, consultation) -> bool:
    """A consultation's description and questionnaire through the API: whoever sees its
    authoring pages (its association's authors, admins); analysts once it has left the draft
    state (they read every consultation's results); respondents who may answer it
    (`can_respond`). Everyone else gets 404."""
    from consult.surveys.models import ConsultationStatus

    if can_view_consultation_admin(user, consultation):
        return True
    if _signed_in(user) and user.role == Role.ANALYST:
        return consultation.status != ConsultationStatus.DRAFT
    return can_respond(user, consultation)


# Results. Decision: the Commission's analysts read every consultation's results once it has
# opened (a draft has none and is not theirs to see); the owning association's authors and the
# admins read them at any status. Authorities (respondents) read aggregated results only when
# the consultation says so (`results_visibility`: the audience's authorities, or everyone
# signed in) and only once it is closed, so interim figures never sway answers still to come.


def can_view_results(user: User | None, consultation) -> bool:
    """Aggregated results (pages, charts): analysts for every consultation that has opened,
    admins and the owning association's authors always, respondents of an authority of the
    audience (or of any authority when results are public) once the consultation is closed
    and its results visibility allows it."""
    from consult.surveys.lifecycle import Status, effective_status
    from consult.surveys.models import ResultsVisibility

    if not _signed_in(user):
        return False
    if is_admin(user) or _is_association_author(user, consultation.association):
        return True
    status = effective_status(consultation)
    if user.role == Role.ANALYST:
        return status != Status.DRAFT
    if user.role != Role.RESPONDENT or status not in (Status.CLOSED, Status.ARCHIVED):
        return False
    if consultation.results_visibility == ResultsVisibility.PUBLIC:
        return True
    if consultation.results_visibility == ResultsVisibility.PARTICIPANTS:
        from consult.surveys.audience import is_in_audience

        return is_in_audience(consultation, user.organisation_id)
    return False


def can_see_unsuppressed(user: User | None, consultation) -> bool:
    """Figures without small-cell suppression: only where the consultation allows it, and then
    only to admins and the owning association's authors. Analysts never: what leaves the
    platform in a briefing must be suppressed."""
    if not consultation.allow_unsuppressed:
        return False
    return is_admin(user) or _is_association_author(user, consultation.association)


def can_export_data(user: User | None, consultation) -> bool:
    """Response-level data (CSV, XLSX, JSON and the codebook): whoever reads the results, except
    authorities. Analysts for every consultation that has opened, admins and the owning
    association's authors always. Respondents never: one row per authority is too close to the
    answers of their peers, whatever the consent (they read aggregates only)."""
    from consult.surveys.lifecycle import Status, effective_status

    if not _signed_in(user):
        return False
    if is_admin(user) or _is_association_author(user, consultation.association):
        return True
    return user.role == Role.ANALYST and effective_status(consultation) != Status.DRAFT
