"""The French and German catalogues: every interface string of the sources is translated, with
the same placeholders and markup, and the catalogues compile. No app needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "consult" / "translations"
LANGUAGES = ("fr", "de")
# The keywords of the Makefile's `messages` target.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "tr": (2,),
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|\{\w*\}")
TAG = re.compile(r"</?([a-zA-Z][\w-]*)")


def _source_messages() -> dict[str, str]:
    """msgid -> where it is used, extracted from the sources as `make messages` does."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def source_messages():
    return _source_messages()


@pytest.fixture(scope="module", params=LANGUAGES)
def catalogue(request):
    with open(TRANSLATIONS / request.param / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=request.param)


def _entries(catalogue):
    return [m for m in catalogue if m.id]


def _forms(message) -> list[tuple[str, str]]:
    """(source text, translation) pairs: one per plural form."""
    if isinstance(message.id, tuple):
        singular, plural = message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        return [(singular if i == 0 else plural, s) for i, s in enumerate(strings)]
    return [(message.id, message.string)]


def test_every_interface_string_of_the_sources_is_in_the_catalogue(catalogue, source_messages):
    singular_ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in _entries(catalogue)}
    missing = {m: where for m, where in source_messages.items() if m not in singular_ids}
    assert not missing, f"run `make messages` and translate: {sorted(missing.items())[:20]}"


def test_every_message_is_translated(catalogue):
    untranslated = [
        m.id
        for m in _entries(catalogue)
        if m.fuzzy or not all(translation.strip() for _, translation in _forms(m))
    ]
    assert not untranslated, untranslated[:20]


def test_plural_messages_have_every_plural_form(catalogue):
    for message in _entries(catalogue):
        if isinstance(message.id, tuple):
            assert isinstance(message.string, tuple), message.id
            assert len(message.string) == catalogue.num_plurals, message.id


def test_placeholders_and_markup_are_kept(catalogue):
    wrong = []
    for message in _entries(catalogue):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = [sorted(PLACEHOLDER.findall(text)) for text in ids]
        for source, translation in _forms(message):
            if sorted(PLACEHOLDER.findall(translation)) not in expected:
                wrong.append((source, translation))
            if TAG.findall(translation) != TAG.findall(source):
                wrong.append((source, translation))
    assert not wrong, wrong[:10]


def test_catalogue_compiles_without_errors(catalogue, tmp_path):
    problems = [(m.id, errors) for m, errors in catalogue.check() if errors]
    assert not problems, problems[:10]
    with open(tmp_path / "messages.mo", "wb") as mo:
        write_mo(mo, catalogue)
    assert (tmp_path / "messages.mo").stat().st_size > 10_000


def test_the_catalogues_know_their_plural_rules():
    for language, rule in (("fr", "(n > 1)"), ("de", "(n != 1)")):
        with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
            assert read_po(po).plural_expr == rule
