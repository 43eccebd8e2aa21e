"""Demo data for the embedded default (`flask --app consult seed-demo`). Idempotent.

Everything here is fictional. Later parts (consultation, responses) extend `seed`.
"""

from __future__ import annotations

import click
import pyotp
import sqlalchemy as sa
from flask import current_app

from consult.accounts import passwords
from consult.accounts.models import Organisation, OrgKind, Role, User
from consult.db import utcnow
from consult.extensions import db

DEMO_DOMAIN = "demo.consult.example"
COMMISSION_SLUG = "european-commission"
ASSOCIATION_SLUG = "demo-association"

# Fixed demo credentials, printed by seed-demo. seed-demo refuses to run in production.
DEMO_USERS = (
    # (email local part, name, role, organisation slug, password)
    ("admin", "Alex Admin", Role.ADMIN, COMMISSION_SLUG, "lantern-orchard-admin-71"),
    ("analyst", "Ana Analyst", Role.ANALYST, COMMISSION_SLUG, "copper-meadow-analyst-52"),
    ("author", "Aurelio Author", Role.AUTHOR, ASSOCIATION_SLUG, "harbour-violet-author-38"),
    ("respondent", "Rita Respondent", Role.RESPONDENT, None, "maple-signal-respond-94"),
    ("colleague", "Colin Colleague", Role.RESPONDENT, None, "willow-beacon-colleague-27"),
)
# Demo second-factor secrets for the roles that require one (base32, fictional).
DEMO_TOTP_SECRETS = {
    "admin": "DEMOADMINTOTPSECRETKEY234567ABCD",
    "analyst": "DEMOANALYSTTOTPSECRETKEY234567AB",
}


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def _get_or_create_org(slug: str, **values) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if org is None:
        org = Organisation(slug=slug, **values)
        db.session.add(org)
        db.session.flush()
    return org


def seed_organisations() -> dict[str, Organisation]:
    from consult.accounts.demo_registry import seed_authorities

    commission = _get_or_create_org(
        COMMISSION_SLUG, kind=OrgKind.COMMISSION, name="European Commission (demo)"
    )
    association = _get_or_create_org(
        ASSOCIATION_SLUG,
        kind=OrgKind.ASSOCIATION,
        name="Demo Association of Local and Regional Authorities",
    )
    authorities = seed_authorities(association, DEMO_AUTHORITIES)
    return {
        COMMISSION_SLUG: commission,
        ASSOCIATION_SLUG: association,
        "respondent_authority": authorities[0],
    }


def seed_users(orgs: dict[str, Organisation]) -> list[tuple[User, str]]:
    created = []
    for local, name, role, org_slug, password in DEMO_USERS:
        email = demo_email(local)
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                name=name,
                role=role,
                organisation=orgs[org_slug or "respondent_authority"],
                password_hash=passwords.hash_password(password),
                verified_at=utcnow(),
                is_signatory=local == "respondent",
            )
            if local in DEMO_TOTP_SECRETS:
                user.totp_secret = DEMO_TOTP_SECRETS[local]
                user.totp_enabled_at = utcnow()
            db.session.add(user)
        created.append((user, password))
    db.session.flush()
    return created


DEMO_CONSULTATION_SLUG = "local-integration-2026"
# Fictional authorities (two thirds join the association, the demo consultation's audience),
# and how many of them have answered the demo consultation: enough for every breakdown.
DEMO_AUTHORITIES = 400
DEMO_RESPONSES = 240


def seed_consultation(association: Organisation, author: User | None):
    """The demo consultation, open now for 60 days to the association's members (English and
    French), with the demo questionnaire (consult/surveys/demo_questionnaire.py)."""
    from datetime import timedelta

    from consult.surveys.demo_questionnaire import add_demo_questionnaire
    from consult.surveys.models import (
        AudienceMode,
        Consultation,
        ConsultationStatus,
        ResultsVisibility,
    )

    consultation = db.session.scalar(
        sa.select(Consultation).where(Consultation.slug == DEMO_CONSULTATION_SLUG)
    )
    if consultation is not None:
        return consultation
    now = utcnow().replace(second=0, microsecond=0)
    consultation = Consultation(
        slug=DEMO_CONSULTATION_SLUG,
        association_id=association.id,
        default_language="en",
        languages=["en", "fr"],
        title={
            "en": "Integration of migrants in our towns and regions (2026)",
            "fr": "L'intégration des personnes migrantes dans nos communes et régions (2026)",
        },
        description={
            "en": "How do **local and regional authorities** welcome and include migrants? "
            "Your answers inform the Commission's and the Committee of the Regions' work "
            "on the *Partnership for the inclusion of migrants and refugees*.",
            "fr": "Comment les **collectivités locales et régionales** accueillent-elles et "
            "incluent-elles les personnes migrantes ? Vos réponses éclairent les travaux de la "
            "Commission et du Comité européen des régions.",
        },
        status=ConsultationStatus.DRAFT,
        opens_at=now,
        closes_at=now + timedelta(days=60),
        timezone="Europe/Brussels",
        results_visibility=ResultsVisibility.PARTICIPANTS,
        k_threshold=5,
        reference_prefix="INT",
        audience_mode=AudienceMode.CRITERIA,
        audience_criteria={"members_only": True},
        created_by_id=author.id if author else None,
    )
    db.session.add(consultation)
    db.session.flush()
    add_demo_questionnaire(consultation, actor=author)
    consultation.status = ConsultationStatus.OPEN  # questions are added only to drafts
    db.session.commit()
    return consultation


def seed() -> list[tuple[User, str]]:
    orgs = seed_organisations()
    users = seed_users(orgs)
    author = next((user for user, _ in users if user.role == Role.AUTHOR), None)
    consultation = seed_consultation(orgs[ASSOCIATION_SLUG], author)
    db.session.commit()
    seed_response_states(consultation, orgs, users)
    seed_responses(consultation, keep_free=orgs["respondent_authority"])
    db.session.commit()
    return users


def seed_response_states(consultation, orgs: dict[str, Organisation], users) -> None:
    """Demo responses in every state (consult/surveys/demo_responding.py)."""
    from consult.accounts.demo_registry import seed_authorities
    from consult.surveys import demo_responding

    by_email = {user.email: user for user, _ in users}
    authorities = seed_authorities(orgs[ASSOCIATION_SLUG])
    demo_responding.seed_demo_responses(consultation, authorities)
    demo_responding.seed_respondent_states(
        consultation, by_email[demo_email("respondent")], by_email[demo_email("colleague")]
    )


def seed_responses(consultation, *, keep_free: Organisation) -> int:
    """Synthetic submitted responses from the audience, up to `DEMO_RESPONSES` in all (a second
    run adds none); the demo respondent's authority is left to answer by hand."""
    from consult.analysis.demo_responses import fill_demo_responses
    from consult.surveys.models import Response

    existing = db.session.scalar(
        sa.select(sa.func.count()).where(Response.consultation_id == consultation.id)
    )
    missing = DEMO_RESPONSES - existing
    if missing <= 0:
        return 0
    added = fill_demo_responses(
        db.session, consultation, missing, within_audience=True, exclude=[keep_free.id]
    )
    # Responses started by hand next are numbered after these.
    last = db.session.scalar(
        sa.select(sa.func.max(Response.seq)).where(Response.consultation_id == consultation.id)
    )
    consultation.response_seq = max(consultation.response_seq, last or 0)
    return added


@click.command("seed-demo")
def seed_demo() -> None:
    """Create the fictional demo organisations and users (idempotent); print the sign-ins."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-demo refuses to run in production.")
    users = seed()
    click.echo("Demo sign-ins (fictional data):")
    for user, password in users:
        extra = ""
        if user.email.split("@")[0] in DEMO_TOTP_SECRETS:
            extra = f"  second factor: `flask --app consult demo-code {user.email}`"
        click.echo(f"  {user.role.value:<11} {user.email:<36} {password}{extra}")


@click.command("demo-code")
@click.argument("email")
def demo_code(email: str) -> None:
    """Print the current second-factor code of a demo account (never in production)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("demo-code refuses to run in production.")
    local, _, domain = email.partition("@")
    if domain != DEMO_DOMAIN or local not in DEMO_TOTP_SECRETS:
        raise click.ClickException("Only the demo accounts' codes can be shown.")
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or user.totp_secret != DEMO_TOTP_SECRETS[local]:
        raise click.ClickException("That demo account does not use the demo secret.")
    click.echo(pyotp.TOTP(user.totp_secret).now())


commands = [seed_demo, demo_code]
