"""The demo consultation's questionnaire: every question type, a few conditions, English and
French. Built through the questionnaire services, so it obeys the builder's rules."""

from __future__ import annotations

from consult.accounts.models import User
from consult.surveys import questionnaire
from consult.surveys.models import Consultation


def _t(en: str, fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr}


def _options(*pairs: tuple[str, str, str], other: str | None = None) -> list[dict]:
    options = [{"code": code, "label": _t(en, fr)} for code, en, fr in pairs]
    if other:
        options.append({"code": other, "label": _t("Other", "Autre"), "is_other": True})
    return options


AGREEMENT = {
    "points": 5,
    "labels": {
        "1": _t("Strongly disagree", "Pas du tout d'accord"),
        "3": _t("Neither agree nor disagree", "Ni d'accord ni pas d'accord"),
        "5": _t("Strongly agree", "Tout à fait d'accord"),
    },
    "dont_know": True,
}

SECTIONS = [
    {
        "title": _t("Your authority", "Votre collectivité"),
        "intro": _t(
            "A few facts about your authority's role in integration.",
            "Quelques éléments sur le rôle de votre collectivité dans l'intégration.",
        ),
        "questions": [
            {
                "code": "strategy",
                "type": "yes_no",
                "required": True,
                "label": _t(
                    "Does your authority have a local integration strategy?",
                    "Votre collectivité a-t-elle une stratégie locale d'intégration ?",
                ),
            },
            {
                "code": "strategy_year",
                "type": "date",
                "relevant": "${strategy} = 'yes'",
                "label": _t(
                    "When was the strategy adopted?", "Quand la stratégie a-t-elle été adoptée ?"
                ),
                "help": _t("The date of the council's decision.", "La date de la délibération."),
                "settings": {"min": "1990-01-01", "max": "2026-12-31"},
            },
            {
                "code": "staff",
                "type": "number",
                "label": _t(
                    "How many staff (full-time equivalent) work on integration?",
                    "Combien d'agents (équivalent temps plein) travaillent sur l'intégration ?",
                ),
                "settings": {"min": 0, "max": 5000},
            },
        ],
    },
    {
        "title": _t("Services and challenges", "Services et difficultés"),
        "questions": [
            {
                "code": "services",
                "type": "multiple_choice",
                "required": True,
                "label": _t(
                    "Which services does your authority offer to migrants?",
                    "Quels services votre collectivité propose-t-elle aux personnes migrantes ?",
                ),
                "settings": {"min_selections": 1},
                "options": _options(
                    ("language", "Language courses", "Cours de langue"),
                    ("housing", "Housing support", "Aide au logement"),
                    ("jobs", "Employment support", "Aide à l'emploi"),
                    ("health", "Health services", "Services de santé"),
                    ("schools", "Support in schools", "Soutien scolaire"),
                    other="other_service",
                ),
            },
            {
                "code": "main_challenge",
                "type": "single_choice",
                "required": True,
                "label": _t(
                    "What is your main challenge?", "Quelle est votre principale difficulté ?"
                ),
                "options": _options(
                    ("funding", "Funding", "Le financement"),
                    ("housing", "Housing", "Le logement"),
                    ("staff", "Qualified staff", "Le personnel qualifié"),
                    ("coordination", "Coordination with other levels", "La coordination"),
                    other="other_challenge",
                ),
            },
            {
                "code": "housing_detail",
                "type": "long_text",
                "relevant": "${main_challenge} = 'housing' or selected(${services}, 'housing')",
                "label": _t(
                    "Describe your housing situation.",
                    "Décrivez la situation du logement.",
                ),
                "settings": {"max_length": 2000},
            },
            {
                "code": "priorities",
                "type": "ranking",
                "label": _t(
                    "Rank these priorities for EU support.",
                    "Classez ces priorités pour le soutien de l'UE.",
                ),
                "settings": {"max_ranked": 3},
                "options": _options(
                    ("funding", "Direct funding", "Financement direct"),
                    ("exchange", "Exchange of practices", "Échange de pratiques"),
                    ("data", "Data and evidence", "Données et études"),
                    ("training", "Staff training", "Formation du personnel"),
                ),
            },
        ],
    },
    {
        "title": _t("Cooperation", "Coopération"),
        "questions": [
            {
                "code": "cooperation",
                "type": "matrix",
                "label": _t(
                    "How well does cooperation work with…",
                    "La coopération fonctionne-t-elle bien avec…",
                ),
                "settings": AGREEMENT,
                "rows": [
                    {"code": "national", "label": _t("national authorities", "l'État")},
                    {"code": "regional", "label": _t("the region", "la région")},
                    {"code": "ngos", "label": _t("civil society", "la société civile")},
                ],
            },
            {
                "code": "satisfaction",
                "type": "scale",
                "required": True,
                "label": _t(
                    "EU funding for integration meets our needs.",
                    "Le financement européen de l'intégration répond à nos besoins.",
                ),
                "settings": AGREEMENT,
            },
        ],
    },
    {
        "title": _t("Your views", "Votre avis"),
        "questions": [
            {
                "code": "thanks_note",
                "type": "note",
                "label": _t(
                    "Almost done: tell us what works in your area.",
                    "Presque terminé : dites-nous ce qui fonctionne chez vous.",
                ),
            },
            {
                "code": "contact_unit",
                "type": "short_text",
                "label": _t(
                    "Which department is responsible for integration?",
                    "Quel service est chargé de l'intégration ?",
                ),
                "settings": {"max_length": 200},
            },
            {
                "code": "good_practice",
                "type": "long_text",
                "label": _t(
                    "Describe a good practice you would like to share.",
                    "Décrivez une bonne pratique que vous souhaitez partager.",
                ),
                "settings": {"max_length": 4000},
            },
        ],
    },
]


def add_demo_questionnaire(consultation: Consultation, *, actor: User | None) -> None:
    """Add the demo sections and questions to a draft consultation without any."""
    for section_spec in SECTIONS:
        section = questionnaire.add_section(
            consultation,
            actor=actor,
            title=section_spec["title"],
            intro=section_spec.get("intro"),
        )
        for spec in section_spec["questions"]:
            questionnaire.add_question(section, actor=actor, **spec)
