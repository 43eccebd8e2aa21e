"""Country codes and the NUTS 2016 → 2021 mapping, checked against Eurostat's own files."""

from __future__ import annotations

import csv

from consult.accounts import territory


def _nuts2021(shared_data) -> dict[str, str]:
    with (shared_data / "nuts2021.csv").open(encoding="utf-8") as fh:
        return {row["nuts_id"]: row["country_code"] for row in csv.DictReader(fh)}


def test_mapping_agrees_with_eurostats_changes_table(shared_data):
    with (shared_data / "nuts2016_to_2021_changes_nuts3.csv").open(encoding="utf-8") as fh:
        changes = list(csv.DictReader(fh))
    assert len(changes) == 73
    nuts2021 = _nuts2021(shared_data)
    for row in changes:
        old, new = row["Code 2016"], row["Code 2021"]
        if old and new and old != new:
            assert territory.NUTS3_2016_TO_2021[old] == new, old
        if old and not new:  # discontinued: mapped to the new region made from it
            successor = territory.NUTS3_2016_TO_2021[old]
            made_of = " ".join(
                r["Change"] + " " + r["Explanation (new = old)"]
                for r in changes
                if r["Code 2021"] == successor
            )
            assert old in made_of, (old, successor)
        if old == new:
            assert old not in territory.NUTS3_2016_TO_2021
    targets = set(territory.NUTS3_2016_TO_2021.values())
    missing = {code for code in targets if code not in nuts2021 and not code.startswith("UK")}
    assert missing == set()


def test_every_lau2019_nuts_code_maps_to_a_nuts2021_code(shared_data):
    nuts2021 = _nuts2021(shared_data)
    with (shared_data / "lau2019.csv").open(encoding="utf-8") as fh:
        codes = {(row["country"], row["nuts3_2016"]) for row in csv.DictReader(fh)}
    unmapped = {
        (country, code)
        for country, code in codes
        if territory.nuts2021_for_lau2019(code) not in nuts2021
    }
    # Extra-Regio Mount Athos, and the UK districts that NUTS 2021 recoded after Brexit.
    assert unmapped <= {("EL", "ELZZZ"), ("UK", "UKK21"), ("UK", "UKK22")}, unmapped
    assert {territory.nuts2021_for_lau2019(code)[:2] for _, code in codes} <= set(
        territory.COUNTRIES
    )


def test_countries_are_those_of_nuts_and_lau(shared_data):
    assert set(territory.COUNTRIES) == set(_nuts2021(shared_data).values())


def test_country_codes_and_names():
    assert territory.normalise_country(" fr ") == "FR"
    assert territory.normalise_country("GR") == "EL"
    assert territory.normalise_country("gb") == "UK"
    assert territory.normalise_country("US") is None
    assert territory.normalise_country("") is None
    assert territory.country_name("EL") == "Greece"
    assert territory.country_name("DE", "fr") == "Allemagne"
    assert territory.country_name("UK", "xx-nonsense") == "United Kingdom"
    assert territory.country_choices()[1] == ("AT", "Austria (AT)")


def test_nuts_shape_and_country():
    assert territory.nuts_shape_ok("FR101") and territory.nuts_shape_ok("FR")
    assert territory.nuts_shape_ok("ELZZZ")
    assert not territory.nuts_shape_ok("FR1011")
    assert not territory.nuts_shape_ok("fr101")
    assert not territory.nuts_shape_ok("F")
    assert territory.nuts_in_country("EL303", "EL")
    assert not territory.nuts_in_country("DE300", "FR")
