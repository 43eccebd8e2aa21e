"""The house style of every chart: palette, font, sizes, and rendering to SVG, PNG or PDF.

Charts are `matplotlib.figure.Figure` objects (never pyplot: it keeps global state). Text uses
DejaVu Sans, which ships with matplotlib and covers Latin, Greek and Cyrillic. SVG keeps its text
as text (`svg.fonttype = none`) and loses its XML prolog, so it can be inlined in HTML and read by
screen readers, search and PDF text extraction.
"""

from __future__ import annotations

import io
import re
import textwrap

import matplotlib
from matplotlib.figure import Figure

# Okabe & Ito (2008), a palette told apart with every common colour-vision deficiency.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
PRIMARY = OKABE_ITO[0]
HIDDEN = "#BBBBBB"
TEXT = "#222222"
MUTED = "#555555"
FONT = "DejaVu Sans"
WIDTH = 7.5  # inches
FORMATS = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}

RC = {
    "font.family": FONT,
    "font.size": 9,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": TEXT,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "text.color": TEXT,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "svg.fonttype": "none",
    "svg.hashsalt": "consult",
    "pdf.fonttype": 42,
}


def diverging(count: int) -> list:
    """`count` colours from negative (orange) through neutral grey to positive (purple), from
    ColorBrewer's colour-blind-safe PuOr."""
    cmap = matplotlib.colormaps["PuOr"]
    if count == 1:
        return [HIDDEN]
    colours = [cmap(0.1 + 0.8 * i / (count - 1)) for i in range(count)]
    if count % 2:
        colours[count // 2] = HIDDEN
    return colours


def wrap(text: str, width: int = 30) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True)) or text


def figure(rows: int, *, per_row: float = 0.42, minimum: float = 2.2) -> Figure:
    """A figure tall enough for `rows` bars (with room for title and note)."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(WIDTH, max(minimum, 1.4 + per_row * rows)), layout="constrained")
    return fig


def finish(fig: Figure, ax, title: str, note: str) -> None:
    with matplotlib.rc_context(RC):
        ax.set_title(wrap(title, 80), loc="left", fontsize=11, fontweight="bold", fontfamily=FONT)
        # A figure-level x label: constrained layout keeps room for it under the legend.
        fig.supxlabel(note, x=0.01, ha="left", fontsize=8, color=MUTED, fontfamily=FONT)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)


def render(fig: Figure, fmt: str = "svg") -> bytes:
    """The figure as SVG (inline-ready), PNG or PDF bytes; deterministic for the same input."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}")
    buffer = io.BytesIO()
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}, "png": {"Software": None}}
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format=fmt, metadata=metadata[fmt], dpi=150 if fmt == "png" else None)
    data = buffer.getvalue()
    if fmt == "svg":
        text = data.decode("utf-8")
        text = re.sub(r"^<\?xml[^>]*\?>\s*", "", text)
        text = re.sub(r"^<!DOCTYPE[^>]*>\s*", "", text)
        data = text.encode("utf-8")
    return data
