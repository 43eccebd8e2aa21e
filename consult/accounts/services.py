"""Account services: sign-in checks, invitations, password resets, second factor, deactivation.

Services take plain arguments, own their transaction and raise AccountError subclasses with a
message that can be shown as it is.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from consult import audit, permissions
from consult.accounts import emails, passwords, sessions, tokens, totp
from consult.accounts.models import ROLE_ORG_KIND, Organisation, Role, TokenPurpose, User
from consult.db import utcnow
from consult.extensions import db


class AccountError(Exception):
    """A refusal with a message for the person who asked."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field


class WeakPassword(AccountError):
    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems), field="password")
        self.problems = problems


class NotAllowed(AccountError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def check_password_policy(password: str, user: User | None = None, email: str = "") -> None:
    inputs = (email, *(([user.email, user.name, user.organisation.name]) if user else ()))
    problems = passwords.password_problems(password, user_inputs=tuple(inputs))
    if problems:
        raise WeakPassword(problems)


def check_password(user: User, password: str) -> bool:
    return passwords.verify_password(user.password_hash, password)


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, else None (with a failed sign-in
    audited). Takes the same time whether or not the account exists."""
    user = find_user(email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        audit.record(
            "auth.sign_in_failed",
            actor=None,
            obj=user,
            organisation_id=user.organisation_id if user else None,
            email=normalise_email(email)[:254],
        )
        db.session.commit()
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.session.commit()
    return user


def record_sign_in(user: User, *, second_factor: str | None) -> None:
    audit.record("auth.sign_in", actor=user, obj=user, second_factor=second_factor)
    db.session.commit()


def record_sign_out(user: User) -> None:
    audit.record("auth.sign_out", actor=user, obj=user)
    db.session.commit()


def verify_second_factor(user: User, code: str) -> str | None:
    """'totp' or 'recovery_code' when `code` is accepted, else None (audited)."""
    method = None
    if totp.verify_totp(user, code):
        method = "totp"
    elif totp.use_recovery_code(user, code):
        method = "recovery_code"
        audit.record("auth.recovery_code_used", actor=user, obj=user)
    else:
        audit.record("auth.second_factor_failed", actor=None, obj=user)
    db.session.commit()
    return method


def enable_totp(user: User, secret: str, code: str) -> list[str]:
    """Turn on the second factor once `code` proves the authenticator works; returns the
    recovery codes to show once."""
    if not totp.check_new_secret(secret, code):
        raise AccountError(
            _l("That code is not valid. Check the time on your device and try again."),
            field="code",
        )
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = None
    totp.verify_totp(user, code)  # the setup code cannot be replayed at sign-in
    codes = totp.new_recovery_codes(user)
    audit.record("auth.totp_enabled", actor=user, obj=user)
    db.session.commit()
    return codes


def disable_totp(user: User, password: str) -> None:
    if user.totp_required:
        raise NotAllowed(_l("Your role requires a second factor; it cannot be turned off."))
    if not passwords.verify_password(user.password_hash, password):
        raise AccountError(_l("The password is not correct."), field="password")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    totp.delete_recovery_codes(user)
    audit.record("auth.totp_disabled", actor=user, obj=user)
    db.session.commit()


def regenerate_recovery_codes(user: User) -> list[str]:
    codes = totp.new_recovery_codes(user)
    audit.record("auth.recovery_codes_regenerated", actor=user, obj=user)
    db.session.commit()
    return codes


def invite_user(
    *, actor: User | None, organisation: Organisation, email: str, name: str, role: Role
) -> User:
    """Create the account of a person and e-mail them a single-use link to choose a password."""
    if ROLE_ORG_KIND[role] != organisation.kind:
        raise AccountError(
            _l("This role belongs to an organisation of another kind."),
            field="role",
        )
    if actor is not None and not permissions.can_invite_user(actor, organisation, role):
        raise NotAllowed(_l("You cannot invite people to this organisation."))
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError(
            _l("Someone with this e-mail address already has an account."), field="email"
        )
    user = User(email=email, name=name.strip(), organisation=organisation, role=role, active=True)
    db.session.add(user)
    db.session.flush()
    token = tokens.issue(
        user,
        TokenPurpose.INVITE,
        timedelta(hours=current_app.config["TOKEN_INVITE_HOURS"]),
        created_by=actor,
    )
    audit.record(
        "user.invited",
        actor=actor,
        obj=user,
        organisation_id=organisation.id,
        email=email,
        role=role.value,
    )
    db.session.commit()
    emails.send_invitation(user, token, inviter=actor)
    return user


def resend_invitation(*, actor: User, user: User) -> None:
    if user.password_hash is not None:
        raise AccountError(_l("This person has already accepted the invitation."))
    token = tokens.issue(
        user,
        TokenPurpose.INVITE,
        timedelta(hours=current_app.config["TOKEN_INVITE_HOURS"]),
        created_by=actor,
    )
    audit.record("user.invitation_resent", actor=actor, obj=user, email=user.email)
    db.session.commit()
    emails.send_invitation(user, token, inviter=actor)


def invitation_user(token: str) -> User:
    """The invited user for a still-valid invitation link (raises tokens.InvalidToken)."""
    return tokens.peek(token, TokenPurpose.INVITE).user


def accept_invitation(token: str, password: str) -> User:
    """Set the password chosen through an invitation link; the link is then used up."""
    user = invitation_user(token)
    check_password_policy(password, user)
    tokens.consume(token, TokenPurpose.INVITE)
    user.password_hash = passwords.hash_password(password)
    user.verified_at = user.verified_at or utcnow()
    audit.record("user.invitation_accepted", actor=user, obj=user)
    db.session.commit()
    return user


def request_password_reset(email: str) -> None:
    """E-mail a reset link when an active account has this address; silent otherwise."""
    user = find_user(email)
    if user is None or not user.active:
        audit.record("auth.reset_requested_unknown", actor=None, email=normalise_email(email)[:254])
        db.session.commit()
        return
    token = tokens.issue(
        user, TokenPurpose.RESET, timedelta(minutes=current_app.config["TOKEN_RESET_MINUTES"])
    )
    audit.record("auth.reset_requested", actor=None, obj=user, organisation_id=user.organisation_id)
    db.session.commit()
    emails.send_password_reset(user, token)


def reset_user(token: str) -> User:
    return tokens.peek(token, TokenPurpose.RESET).user


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link; every session of the user ends."""
    user = reset_user(token)
    check_password_policy(password, user)
    tokens.consume(token, TokenPurpose.RESET)
    user.password_hash = passwords.hash_password(password)
    user.verified_at = user.verified_at or utcnow()
    sessions.end_all_sessions(user)
    audit.record("auth.password_reset", actor=user, obj=user)
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not passwords.verify_password(user.password_hash, current):
        raise AccountError(_l("Your current password is not correct."), field="current_password")
    check_password_policy(new, user)
    user.password_hash = passwords.hash_password(new)
    audit.record("auth.password_changed", actor=user, obj=user)
    db.session.commit()


def update_profile(user: User, *, name: str, locale: str | None, timezone: str | None) -> None:
    user.name = name.strip()
    user.locale = locale or None
    user.timezone = timezone or None
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


def set_active(*, actor: User, user: User, active: bool) -> None:
    """Deactivate (every session ends at its next request) or reactivate an account."""
    if not permissions.can_manage_users(actor):
        raise NotAllowed(_l("Only administrators can do this."))
    if user.id == actor.id and not active:
        raise AccountError(_l("You cannot deactivate your own account."))
    user.active = active
    if not active:
        sessions.end_all_sessions(user)
    audit.record(
        "user.deactivated" if not active else "user.reactivated",
        actor=actor,
        obj=user,
        organisation_id=user.organisation_id,
    )
    db.session.commit()


def change_role(*, actor: User, user: User, role: Role) -> None:
    if not permissions.can_manage_users(actor):
        raise NotAllowed(_l("Only administrators can do this."))
    if ROLE_ORG_KIND[role] != user.organisation.kind:
        raise AccountError(
            _l("This role belongs to an organisation of another kind."),
            field="role",
        )
    if user.id == actor.id:
        raise AccountError(_l("You cannot change your own role."))
    old = user.role
    user.role = role
    sessions.end_all_sessions(user)
    audit.record(
        "user.role_changed",
        actor=actor,
        obj=user,
        organisation_id=user.organisation_id,
        old=old.value,
        new=role.value,
    )
    db.session.commit()


def set_signatory(*, actor: User, user: User, value: bool) -> None:
    if not permissions.can_mark_signatory(actor, user):
        raise NotAllowed(_l("You cannot change who signs off for this authority."))
    user.is_signatory = value
    audit.record(
        "user.signatory_set" if value else "user.signatory_unset",
        actor=actor,
        obj=user,
        organisation_id=user.organisation_id,
    )
    db.session.commit()
