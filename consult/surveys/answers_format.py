"""The answer value format: the contract shared by authoring (conditions), responding and results.

A response's answers are a dict ``{question_code: value}``; a question without an answer is
absent (or None). Values by question type:

=================  ===========================================================================
single_choice      the option code (str)
multiple_choice    a list of option codes, in the order the options are shown
yes_no             "yes" or "no"
scale              the point (int), or "dont_know" when the scale offers it
matrix             {row_code: point (int) or "dont_know"}
ranking            a list of option codes in rank order (first = rank 1)
number             int or float
short_text         str
long_text          str
date               "YYYY-MM-DD"
note               never answered
=================  ===========================================================================

"Other, please specify" texts live in a separate dict ``{question_code: text}``, for single and
multiple choice questions whose chosen option has ``is_other``.

Type settings (bounds, selections, scale points…) are defined in `consult.surveys.settings`;
conditions over these values are evaluated by `consult.surveys.conditions.evaluate`.
"""

from __future__ import annotations

DONT_KNOW = "dont_know"
YES = "yes"
NO = "no"
YES_NO = (YES, NO)
