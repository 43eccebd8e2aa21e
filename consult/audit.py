"""The audit log: one function to record, used by every service that changes state."""

from __future__ import annotations

from flask import has_request_context, request

from consult.accounts.models import AuditEvent, User
from consult.extensions import db


def record(
    action: str,
    *,
    actor: User | None,
    obj: object | None = None,
    organisation_id: int | None = None,
    ip: str | None = None,
    **details,
) -> AuditEvent:
    """Add an audit event to the session (the caller's transaction commits it)."""
    if ip is None and has_request_context():
        ip = request.remote_addr
    if organisation_id is None and actor is not None:
        organisation_id = actor.organisation_id
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        organisation_id=organisation_id,
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if obj is not None and getattr(obj, "id", None) else None,
        ip=ip,
        details={k: v for k, v in details.items() if v is not None},
    )
    db.session.add(event)
    return event
