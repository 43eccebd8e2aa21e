"""Countries and NUTS codes: the checks shared by the organisation forms and the registry import.

Country codes are Eurostat's two-letter codes, the ones NUTS and LAU codes start with: ISO 3166-1
alpha-2 except Greece (EL, ISO GR) and the United Kingdom (UK, ISO GB). The ISO codes GR and GB
are accepted and stored as EL and UK.
"""

from __future__ import annotations

import re

from babel import Locale, UnknownLocaleError

# Every country with NUTS 2021 regions or LAU 2019 units: EU 27, EFTA, candidates and the UK.
COUNTRIES = (
    "AL", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR",
    "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "ME", "MK", "MT", "NL", "NO", "PL", "PT",
    "RO", "RS", "SE", "SI", "SK", "TR", "UK",
)  # fmt: skip
COUNTRY_SET = frozenset(COUNTRIES)
# ISO 3166-1 codes that Eurostat writes differently.
ISO_TO_EUROSTAT = {"GR": "EL", "GB": "UK"}
EUROSTAT_TO_ISO = {v: k for k, v in ISO_TO_EUROSTAT.items()}

NUTS_RE = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")

# NUTS 3 codes of 2016 that changed in NUTS 2021, from Eurostat's "Changes NUTS-3" table
# (NUTS2016-NUTS2021.xlsx, 73 rows; unchanged and renamed-only codes left out). A discontinued
# region maps to the 2021 region that took it over (or most of it, for the Sardinian provinces).
NUTS3_2016_TO_2021 = {
    # Belgium
    "BE221": "BE224", "BE222": "BE225", "BE321": "BE32A", "BE322": "BE32B", "BE324": "BE328",
    "BE325": "BE32C", "BE326": "BE32D", "BE327": "BE328",
    # Estonia
    "EE006": "EE009", "EE007": "EE00A",
    # Croatia
    "HR041": "HR050", "HR042": "HR065", "HR043": "HR064", "HR044": "HR062", "HR045": "HR063",
    "HR046": "HR061", "HR047": "HR021", "HR048": "HR022", "HR049": "HR023", "HR04A": "HR024",
    "HR04B": "HR025", "HR04C": "HR026", "HR04D": "HR027", "HR04E": "HR028",
    # Italy (Sardinia)
    "ITG25": "ITG2D", "ITG26": "ITG2E", "ITG27": "ITG2F", "ITG28": "ITG2G", "ITG29": "ITG2D",
    "ITG2A": "ITG2E", "ITG2B": "ITG2H", "ITG2C": "ITG2H",
    # Norway
    "NO011": "NO081", "NO012": "NO082", "NO021": "NO020", "NO022": "NO020", "NO031": "NO082",
    "NO032": "NO082", "NO033": "NO091", "NO034": "NO091", "NO041": "NO092", "NO042": "NO092",
    "NO043": "NO0A1", "NO051": "NO0A2", "NO052": "NO0A2", "NO053": "NO0A3", "NO061": "NO060",
    "NO062": "NO060", "NO072": "NO074", "NO073": "NO074",
    # United Kingdom
    "UKK21": "UKK24", "UKK22": "UKK25", "UKN10": "UKN0A", "UKN11": "UKN0B", "UKN12": "UKN0C",
    "UKN13": "UKN0D", "UKN14": "UKN0E", "UKN15": "UKN0F", "UKN16": "UKN0G",
}  # fmt: skip

# The LAU 2019 file writes Albania's NUTS 3 codes without their NUTS 1 digit (AL11 for AL011,
# Dibër); NUTS 2021 has the full codes.
LAU2019_NUTS3_FIXES = {
    f"AL{region}{county}": f"AL0{region}{county}"
    for region, counties in (("1", "12345"), ("2", "12"), ("3", "12345"))
    for county in counties
}


def normalise_country(raw: str | None) -> str | None:
    """The Eurostat country code for `raw` (any case, ISO GR/GB accepted), or None if unknown."""
    code = (raw or "").strip().upper()
    code = ISO_TO_EUROSTAT.get(code, code)
    return code if code in COUNTRY_SET else None


def normalise_nuts(raw: str | None) -> str:
    return (raw or "").strip().upper()


def nuts_shape_ok(code: str) -> bool:
    """A NUTS code looks like FR, FR1, FR10 or FR101 (Extra-Regio codes such as FRZZZ too)."""
    return bool(NUTS_RE.match(code))


def nuts_in_country(code: str, country: str) -> bool:
    """NUTS codes start with their country's Eurostat code."""
    return code[:2] == country


def nuts2021_for_lau2019(code: str) -> str:
    """The NUTS 2021 code for a LAU 2019 file's NUTS 3 (2016) code."""
    code = LAU2019_NUTS3_FIXES.get(code, code)
    return NUTS3_2016_TO_2021.get(code, code)


def country_name(code: str, locale: str = "en") -> str:
    """The country's name in `locale` (from the CLDR data Babel ships), or the code itself."""
    try:
        territories = Locale.parse(locale).territories
    except (UnknownLocaleError, ValueError):
        territories = Locale("en").territories
    return territories.get(EUROSTAT_TO_ISO.get(code, code), code)


def country_choices(locale: str = "en") -> list[tuple[str, str]]:
    """(code, "Name (CODE)") for select boxes, sorted by name in `locale`."""
    pairs = [(code, f"{country_name(code, locale)} ({code})") for code in COUNTRIES]
    return sorted(pairs, key=lambda pair: pair[1].casefold())
