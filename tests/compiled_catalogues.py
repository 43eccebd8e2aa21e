"""Compile the interface catalogues as `make translations` does, so that tests run without make
still see the French and German texts."""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[1] / "consult" / "translations"


def compile_catalogues() -> None:
    """Write each messages.mo that is missing or older than its messages.po."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with open(po_path, "rb") as po:
            catalogue = read_po(po)
        partial = mo_path.with_suffix(f".mo.{os.getpid()}")
        with open(partial, "wb") as mo:
            write_mo(mo, catalogue)
        os.replace(partial, mo_path)  # atomic: parallel test workers never read half a file
