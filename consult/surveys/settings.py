"""Type settings of questions (`Question.settings`): the one place that defines and checks them.

=================  ===========================================================================
number             ``min``, ``max`` (numbers, min <= max), ``integer`` (bool; whole numbers only)
multiple_choice    ``min_selections``, ``max_selections`` (ints >= 0 / >= 1, min <= max <= the
                   number of options)
scale, matrix      ``points`` (2–11, default 5), ``start`` (first point, -10..10, default 1),
                   ``labels`` ({"point": {lang: text}}, keys are the points as text, as in JSON),
                   ``dont_know`` (bool: offer "don't know"), ``dont_know_label`` ({lang: text})
short_text         ``max_length`` (1–1000)
long_text          ``max_length`` (1–100000)
ranking            ``rank_all`` (bool: every item must be ranked) or ``max_ranked`` (int >= 1,
                   at most the number of items)
date               ``min``, ``max`` (ISO dates "YYYY-MM-DD", min <= max)
single_choice,     no settings
yes_no, note
=================  ===========================================================================

`clean_settings` returns the canonical form that is stored: unknown keys are refused, defaults
are filled (`points`, `start`) and false booleans and empty label maps are left out, so that two
equal questionnaires have equal settings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from consult.surveys.errors import InvalidSettings
from consult.surveys.models import EU_LANGUAGES

KEYS: dict[str, tuple[str, ...]] = {
    "number": ("min", "max", "integer"),
    "multiple_choice": ("min_selections", "max_selections"),
    "scale": ("points", "start", "labels", "dont_know", "dont_know_label"),
    "matrix": ("points", "start", "labels", "dont_know", "dont_know_label"),
    "short_text": ("max_length",),
    "long_text": ("max_length",),
    "ranking": ("rank_all", "max_ranked"),
    "date": ("min", "max"),
    "single_choice": (),
    "yes_no": (),
    "note": (),
}
TEXT_LIMITS = {"short_text": 1000, "long_text": 100_000}
POINTS_RANGE = (2, 11)
START_RANGE = (-10, 10)
LABEL_MAX_LENGTH = 200


def clean_settings(qtype: str, settings: Mapping[str, Any] | None) -> dict:
    """The canonical settings of a `qtype` question; raises InvalidSettings listing problems."""
    cleaned, problems = _clean(str(qtype), dict(settings or {}))
    if problems:
        raise InvalidSettings(
            "; ".join(message for _, message in problems),
            field=f"settings.{problems[0][0]}",
            problems=_as_problems(problems),
        )
    return cleaned


def settings_problems(qtype: str, settings: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(key, message) for every problem of the settings, without raising."""
    return _clean(str(qtype), dict(settings or {}))[1]


def count_problems(
    qtype: str, settings: Mapping[str, Any], n_options: int
) -> list[tuple[str, str]]:
    """Problems of settings that depend on the number of options (checked before opening)."""
    problems = []
    if qtype == "multiple_choice":
        for key in ("min_selections", "max_selections"):
            if isinstance(settings.get(key), int) and settings[key] > n_options:
                problems.append(
                    (
                        key,
                        str(
                            _l(
                                "%(key)s is %(value)s but there are only %(n)s options.",
                                key=key,
                                value=settings[key],
                                n=n_options,
                            )
                        ),
                    )
                )
    max_ranked = settings.get("max_ranked") if qtype == "ranking" else None
    if isinstance(max_ranked, int) and max_ranked > n_options:
        message = _l(
            "max_ranked is %(value)s but there are only %(n)s items.", value=max_ranked, n=n_options
        )
        problems.append(("max_ranked", str(message)))
    return problems


def scale_points(settings: Mapping[str, Any]) -> list[int]:
    start = settings.get("start", 1)
    return list(range(start, start + settings.get("points", 5)))


def _as_problems(problems):
    from consult.surveys.errors import Problem

    return [Problem(message, field=f"settings.{key}") for key, message in problems]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _clean(qtype: str, settings: dict) -> tuple[dict, list[tuple[str, str]]]:
    if qtype not in KEYS:
        return {}, [("type", str(_l("Unknown question type %(type)s.", type=qtype)))]
    problems: list[tuple[str, str]] = []

    def problem(key, message):
        problems.append((key, str(message)))

    for key in settings:
        if key not in KEYS[qtype]:
            problem(
                key,
                _l(
                    "Unknown setting %(key)s for a %(type)s question (allowed: %(allowed)s).",
                    key=key,
                    type=qtype,
                    allowed=", ".join(KEYS[qtype]) or "—",
                ),
            )
    out: dict[str, Any] = {}
    values = {k: v for k, v in settings.items() if k in KEYS[qtype] and v is not None}
    cleaner = _CLEANERS.get(qtype)
    if cleaner:
        cleaner(values, out, problem)
    return out, problems


def _bool(values, out, problem, key):
    if key in values:
        if not isinstance(values[key], bool):
            problem(key, _l("%(key)s must be true or false.", key=key))
        elif values[key]:
            out[key] = True


def _int(values, out, problem, key, low, high=None):
    if key not in values:
        return
    value = values[key]
    if not _is_int(value) or value < low or (high is not None and value > high):
        if high is None:
            problem(
                key, _l("%(key)s must be a whole number of at least %(low)s.", key=key, low=low)
            )
        else:
            problem(
                key,
                _l(
                    "%(key)s must be a whole number from %(low)s to %(high)s.",
                    key=key,
                    low=low,
                    high=high,
                ),
            )
    else:
        out[key] = value


def _ordered(out, problem, low_key, high_key):
    if low_key in out and high_key in out and out[low_key] > out[high_key]:
        problem(
            low_key,
            _l(
                "%(low)s (%(a)s) must not be greater than %(high)s (%(b)s).",
                low=low_key,
                a=out[low_key],
                high=high_key,
                b=out[high_key],
            ),
        )


def _number(values, out, problem):
    _bool(values, out, problem, "integer")
    for key in ("min", "max"):
        if key not in values:
            continue
        value = values[key]
        if not _is_number(value):
            problem(key, _l("%(key)s must be a number.", key=key))
        elif out.get("integer") and not (_is_int(value) or float(value).is_integer()):
            problem(key, _l("%(key)s must be a whole number for a whole-number question.", key=key))
        else:
            out[key] = int(value) if out.get("integer") or _is_int(value) else value
    _ordered(out, problem, "min", "max")


def _multiple(values, out, problem):
    _int(values, out, problem, "min_selections", 0)
    _int(values, out, problem, "max_selections", 1)
    _ordered(out, problem, "min_selections", "max_selections")


def _scale(values, out, problem):
    out["points"], out["start"] = 5, 1
    _int(values, out, problem, "points", *POINTS_RANGE)
    _int(values, out, problem, "start", *START_RANGE)
    points = {str(p) for p in scale_points(out)}
    labels = values.get("labels", {})
    if not isinstance(labels, Mapping):
        problem("labels", _l("labels must map points to texts per language."))
    else:
        cleaned = {}
        for point, texts in labels.items():
            if str(point) not in points:
                problem(
                    "labels",
                    _l(
                        "labels: %(point)s is not a point of this scale (%(first)s to %(last)s).",
                        point=point,
                        first=min(points, key=int),
                        last=max(points, key=int),
                    ),
                )
                continue
            texts = _texts(texts, f"labels.{point}", problem)
            if texts:
                cleaned[str(point)] = texts
        if cleaned:
            out["labels"] = dict(sorted(cleaned.items(), key=lambda kv: int(kv[0])))
    _bool(values, out, problem, "dont_know")
    if "dont_know_label" in values:
        texts = _texts(values["dont_know_label"], "dont_know_label", problem)
        if texts and not out.get("dont_know"):
            problem("dont_know_label", _l("dont_know_label is set but dont_know is not."))
        elif texts:
            out["dont_know_label"] = texts


def _texts(value, key, problem) -> dict:
    if not isinstance(value, Mapping):
        problem(key, _l("%(key)s must map language codes to texts.", key=key))
        return {}
    out = {}
    for language, text in value.items():
        if language not in EU_LANGUAGES:
            problem(key, _l("%(key)s: unknown language %(lang)s.", key=key, lang=language))
        elif not isinstance(text, str) or len(text) > LABEL_MAX_LENGTH:
            problem(
                key,
                _l(
                    "%(key)s [%(lang)s] must be a text of at most %(max)s characters.",
                    key=key,
                    lang=language,
                    max=LABEL_MAX_LENGTH,
                ),
            )
        elif text.strip():
            out[language] = text
    return out


def _text_limit(qtype):
    def clean(values, out, problem):
        _int(values, out, problem, "max_length", 1, TEXT_LIMITS[qtype])

    return clean


def _ranking(values, out, problem):
    _bool(values, out, problem, "rank_all")
    _int(values, out, problem, "max_ranked", 1)
    if out.get("rank_all") and "max_ranked" in out:
        problem("max_ranked", _l("Set either rank_all or max_ranked, not both."))


def _date(values, out, problem):
    for key in ("min", "max"):
        if key not in values:
            continue
        value = values[key]
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            date.fromisoformat(value)
        except ValueError:
            problem(key, _l("%(key)s must be a date written YYYY-MM-DD.", key=key))
        else:
            out[key] = value
    _ordered(out, problem, "min", "max")


_CLEANERS = {
    "number": _number,
    "multiple_choice": _multiple,
    "scale": _scale,
    "matrix": _scale,
    "short_text": _text_limit("short_text"),
    "long_text": _text_limit("long_text"),
    "ranking": _ranking,
    "date": _date,
}
