"""What the XLSForm import and export share: language columns, fixed lists and their labels.

Encoding of our types in XLSForm (documented once, here; the import reads exactly this back):

- A section is a top-level ``begin group`` / ``end group`` (label = title, hint = intro).
- single_choice: ``select_one L``; multiple_choice: ``select_multiple L`` (min/max selections as
  ``constraint`` ``count-selected(.) >= 1 and count-selected(.) <= 3``); ranking: ``rank L``
  (``count-selected(.) = N`` for rank_all, ``count-selected(.) <= N`` for max_ranked). L is the
  question code (or code_list when that name is taken).
- "Other, please specify": the option stays in the list and is followed by a ``text`` row named
  ``<code>_other`` with relevant ``selected(${code}, '<option>')``.
- yes_no: ``select_one yes_no`` over the shared list yes_no (choices yes, no).
- scale: ``select_one scale_<start>_<end>`` with ``appearance=likert``; the list's choices are the
  points (their labels, or the point itself when unlabelled) and ``dont_know`` when offered.
  Scales with the same points and labels share a list (suffix _2, _3… otherwise).
- matrix: a ``begin group <code>`` with ``appearance=table-list`` (label, hint, relevant of the
  question) holding one ``select_one <scale list>`` per row, named ``<code>__<row>``.
- number: ``integer`` (integer=true) or ``decimal``; bounds as ``. >= min and . <= max``.
- short_text: ``text``; long_text: ``text`` with ``appearance=multiline``; max_length as
  ``string-length(.) <= N``.
- date: ``date``; bounds as ``. >= date('YYYY-MM-DD') and . <= date('YYYY-MM-DD')``.
- note: ``note``. Help is ``hint``; ``required`` is yes; ``relevant`` is our condition text.
- Texts are ``label::English (en)`` / ``hint::English (en)`` columns, one per offered language.
"""

from __future__ import annotations

import re

from consult.surveys.models import EU_LANGUAGES

ENGLISH_NAMES = {
    "bg": "Bulgarian",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fi": "Finnish",
    "fr": "French",
    "ga": "Irish",
    "hr": "Croatian",
    "hu": "Hungarian",
    "it": "Italian",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "mt": "Maltese",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sv": "Swedish",
}

YES_NO_LABELS = {
    "bg": ("Да", "Не"),
    "cs": ("Ano", "Ne"),
    "da": ("Ja", "Nej"),
    "de": ("Ja", "Nein"),
    "el": ("Ναι", "Όχι"),
    "en": ("Yes", "No"),
    "es": ("Sí", "No"),
    "et": ("Jah", "Ei"),
    "fi": ("Kyllä", "Ei"),
    "fr": ("Oui", "Non"),
    "ga": ("Tá", "Níl"),
    "hr": ("Da", "Ne"),
    "hu": ("Igen", "Nem"),
    "it": ("Sì", "No"),
    "lt": ("Taip", "Ne"),
    "lv": ("Jā", "Nē"),
    "mt": ("Iva", "Le"),
    "nl": ("Ja", "Nee"),
    "pl": ("Tak", "Nie"),
    "pt": ("Sim", "Não"),
    "ro": ("Da", "Nu"),
    "sk": ("Áno", "Nie"),
    "sl": ("Da", "Ne"),
    "sv": ("Ja", "Nej"),
}
DONT_KNOW_LABELS = {
    "en": "Don't know",
    "fr": "Je ne sais pas",
    "de": "Weiß nicht",
    "es": "No sé",
    "it": "Non so",
    "nl": "Weet niet",
    "pt": "Não sei",
    "pl": "Nie wiem",
}
SPECIFY_LABELS = {
    "en": "Please specify",
    "fr": "Veuillez préciser",
    "de": "Bitte angeben",
    "es": "Especifique",
    "it": "Specificare",
    "nl": "Gelieve te specificeren",
    "pt": "Especifique",
    "pl": "Proszę określić",
}
YES_NO_LIST = "yes_no"
MATRIX_SEPARATOR = "__"
OTHER_SUFFIX = "_other"


def dont_know_label(language: str) -> str:
    return DONT_KNOW_LABELS.get(language, DONT_KNOW_LABELS["en"])


def specify_label(language: str) -> str:
    return SPECIFY_LABELS.get(language, SPECIFY_LABELS["en"])


def language_header(kind: str, language: str) -> str:
    return f"{kind}::{ENGLISH_NAMES[language]} ({language})"


_CODE_IN_NAME = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\s*\)\s*$")
_BY_NAME = {name.lower(): code for code, name in ENGLISH_NAMES.items()}
_BY_NAME.update({name.lower(): code for code, name in EU_LANGUAGES.items()})


def resolve_language(name: str) -> str | None:
    """Our language code for an XLSForm language name ("English (en)", "Français", "fr")."""
    name = name.strip()
    match = _CODE_IN_NAME.search(name)
    if match:
        code = match.group(1).lower()
        return code if code in EU_LANGUAGES else None
    lowered = name.lower()
    if lowered in EU_LANGUAGES:
        return lowered
    return _BY_NAME.get(lowered)


# --- constraints: our settings <-> simple XLSForm constraints


def _num(value) -> str:
    return str(value)


def constraint_for(question: dict) -> str | None:
    """Our settings of a question as an XLSForm constraint (None when there is nothing)."""
    qtype, settings = question["type"], question.get("settings") or {}
    parts = []
    if qtype == "number":
        if "min" in settings:
            parts.append(f". >= {_num(settings['min'])}")
        if "max" in settings:
            parts.append(f". <= {_num(settings['max'])}")
    elif qtype == "date":
        if "min" in settings:
            parts.append(f". >= date('{settings['min']}')")
        if "max" in settings:
            parts.append(f". <= date('{settings['max']}')")
    elif qtype == "multiple_choice":
        if "min_selections" in settings:
            parts.append(f"count-selected(.) >= {settings['min_selections']}")
        if "max_selections" in settings:
            parts.append(f"count-selected(.) <= {settings['max_selections']}")
    elif qtype == "ranking":
        if settings.get("rank_all"):
            parts.append(f"count-selected(.) = {len(question.get('options', []))}")
        if "max_ranked" in settings:
            parts.append(f"count-selected(.) <= {settings['max_ranked']}")
    elif qtype in ("short_text", "long_text") and "max_length" in settings:
        parts.append(f"string-length(.) <= {settings['max_length']}")
    return " and ".join(parts) or None


_NUM = r"(-?\d+(?:\.\d+)?)"
_BOUND = {
    "number": re.compile(rf"^\.\s*(>=|<=)\s*{_NUM}$"),
    "date": re.compile(r"^\.\s*(>=|<=)\s*(?:date\(\s*)?'(\d{4}-\d{2}-\d{2})'\s*\)?$"),
    "multiple_choice": re.compile(r"^count-selected\(\s*\.\s*\)\s*(>=|<=|=)\s*(\d+)$"),
    "ranking": re.compile(r"^count-selected\(\s*\.\s*\)\s*(<=|=)\s*(\d+)$"),
    "short_text": re.compile(r"^string-length\(\s*\.\s*\)\s*(<=)\s*(\d+)$"),
}
_BOUND["long_text"] = _BOUND["short_text"]


def constraint_settings(question: dict, text: str) -> dict | None:
    """Our settings for a simple XLSForm constraint (bounds joined by `and`), else None."""
    pattern = _BOUND.get(question["type"])
    if pattern is None:
        return None
    settings: dict = {}
    for part in re.split(r"\s+and\s+", text.strip()):
        match = pattern.match(part.strip().strip("()").strip())
        if not match:
            return None
        op, value = match.groups()
        qtype = question["type"]
        if qtype == "number":
            number = float(value) if "." in value else int(value)
            settings["min" if op == ">=" else "max"] = number
        elif qtype == "date":
            settings["min" if op == ">=" else "max"] = value
        elif qtype == "multiple_choice":
            if op in (">=", "="):
                settings["min_selections"] = int(value)
            if op in ("<=", "="):
                settings["max_selections"] = int(value)
        elif qtype == "ranking":
            if op == "=" and int(value) == len(question["options"]):
                settings["rank_all"] = True
            elif op == "<=":
                settings["max_ranked"] = int(value)
            else:
                return None
        else:
            settings["max_length"] = int(value)
    return settings
