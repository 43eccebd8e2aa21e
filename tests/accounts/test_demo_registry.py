"""seed-demo: about 400 fictional authorities in at least 10 countries, idempotent."""

from __future__ import annotations

import csv

import sqlalchemy as sa

from consult.accounts.models import Organisation, OrgKind, association_members
from consult.demo import ASSOCIATION_SLUG


def snapshot(db) -> dict:
    """Every row of every table, so a second run that changes anything shows."""
    db.session.expire_all()
    with db.engine.connect() as conn:
        return {
            table.name: sorted(
                (tuple(str(v) for v in row) for row in conn.execute(sa.select(table))),
            )
            for table in db.metadata.sorted_tables
        }


def test_seed_demo_twice_changes_nothing(db, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    before = snapshot(db)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert snapshot(db) == before
    assert len(before["organisations"]) == 402
    # The five demo sign-ins, and nine officials (no password) whose authorities answered.
    assert len(before["users"]) == 5 + 9


def test_demo_authorities_are_plausible(db, runner, shared_data):
    runner.invoke(args=["seed-demo"])
    authorities = db.session.scalars(
        sa.select(Organisation).where(Organisation.kind == OrgKind.AUTHORITY)
    ).all()
    assert 390 <= len(authorities) <= 410
    assert len({a.country for a in authorities}) >= 10
    with (shared_data / "nuts2021.csv").open(encoding="utf-8") as fh:
        nuts2021 = {row["nuts_id"] for row in csv.DictReader(fh)}
    assert {a.nuts_code for a in authorities} <= nuts2021
    assert all(a.nuts_code.startswith(a.country) for a in authorities)
    assert len({a.slug for a in authorities}) == len(authorities)
    assert all(a.population is not None and a.size_class is not None for a in authorities)


def test_demo_association_has_members(db, runner):
    runner.invoke(args=["seed-demo"])
    association = db.session.scalar(
        sa.select(Organisation).where(Organisation.slug == ASSOCIATION_SLUG)
    )
    members = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(association_members)
        .where(association_members.c.association_id == association.id)
    )
    assert 200 <= members < 400
