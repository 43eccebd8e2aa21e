"""Fictional demo authorities with plausible NUTS codes, populations and urbanisation."""

from __future__ import annotations

import random

import sqlalchemy as sa

from consult.accounts.models import (
    AuthorityLevel,
    Organisation,
    OrgKind,
    Urbanisation,
    size_class_for,
)
from consult.extensions import db

# Real NUTS 3 (2021) codes per country, used to place the fictional authorities.
NUTS3 = {
    "AT": ["AT130", "AT221", "AT312", "AT323"],
    "BE": ["BE100", "BE211", "BE234", "BE323"],
    "DE": ["DE300", "DE212", "DEA11", "DE711", "DEE02"],
    "ES": ["ES300", "ES511", "ES523", "ES618"],
    "FR": ["FR101", "FRK26", "FRL04", "FRI12", "FRE11"],
    "IT": ["ITC11", "ITC4C", "ITI43", "ITF33"],
    "NL": ["NL329", "NL333", "NL414", "NL226"],
    "PL": ["PL911", "PL213", "PL514", "PL633"],
    "PT": ["PT170", "PT11A", "PT16E"],
    "SE": ["SE110", "SE224", "SE232"],
    "EL": ["EL303", "EL522", "EL643"],
    "IE": ["IE061", "IE053"],
}
SYLLABLES = ["vel", "mar", "dor", "sil", "ken", "bra", "lun", "tor", "fal", "ri", "ost", "an"]
SUFFIXES = {"municipality": "", "intermediate": " District", "region": " Region"}


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def demo_authorities(count: int = 200, seed: int = 2026) -> list[dict]:
    """The same `count` fictional authorities every time (deterministic)."""
    rng = random.Random(seed)  # noqa: S311 (fictional demo data, not security)
    countries = sorted(NUTS3)
    rows, seen = [], set()
    while len(rows) < count:
        country = countries[len(rows) % len(countries)]
        nuts3 = rng.choice(NUTS3[country])
        level = rng.choices(list(AuthorityLevel), weights=[85, 8, 7])[0]
        if level == AuthorityLevel.REGION:
            population = rng.randint(300_000, 6_000_000)
            urbanisation = None
            nuts = nuts3[:4]
        else:
            population = int(rng.lognormvariate(9.2, 1.4))
            urbanisation = (
                Urbanisation.CITY
                if population > 80_000
                else Urbanisation.TOWN
                if population > 12_000
                else Urbanisation.RURAL
            )
            nuts = nuts3
        name = _name(rng) + SUFFIXES[level.value]
        code = f"D{len(rows) + 1:04d}"
        if (country, name) in seen:
            continue
        seen.add((country, name))
        rows.append(
            {
                "country": country,
                "lau_code": code,
                "name": name,
                "nuts_code": nuts,
                "population": population,
                "urbanisation": urbanisation,
                "level": level,
            }
        )
    return rows


def seed_authorities(association: Organisation, count: int = 200) -> list[Organisation]:
    """Create the first `count` demo authorities that do not exist yet; two thirds join the
    association."""
    existing = {
        (o.country, o.lau_code): o
        for o in db.session.scalars(sa.select(Organisation).where(Organisation.slug.like("demo-%")))
    }
    authorities = []
    for index, row in enumerate(demo_authorities(count)):
        org = existing.get((row["country"], row["lau_code"]))
        if org is None:
            org = Organisation(
                kind=OrgKind.AUTHORITY,
                slug=f"demo-{row['country'].lower()}-{row['lau_code'].lower()}",
                size_class=size_class_for(row["population"]),
                contact_email=f"contact.{row['lau_code'].lower()}@demo.consult.example",
                **row,
            )
            db.session.add(org)
            if index % 3 != 2:
                association.members.append(org)
        authorities.append(org)
    db.session.flush()
    return authorities
