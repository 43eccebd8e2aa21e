"""Write a questionnaire document as an XLSForm workbook (encoding in `xlsform_common`)."""

from __future__ import annotations

import io

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook

from consult.surveys.settings import scale_points
from consult.surveys.xlsform_common import (
    MATRIX_SEPARATOR,
    OTHER_SUFFIX,
    YES_NO_LABELS,
    YES_NO_LIST,
    constraint_for,
    dont_know_label,
    language_header,
    specify_label,
)


class XLSFormExportError(ValueError):
    pass


class _Writer:
    def __init__(self, document: dict, languages: list[str]):
        self.document = document
        self.languages = languages
        self.survey: list[dict] = []
        self.choices: list[dict] = []
        self.codes = {q["code"] for s in document["sections"] for q in s["questions"]}
        self.used_names = set(self.codes)
        self.lists: dict[str, str] = {}  # list signature -> list name
        self.list_names: set[str] = set()

    def texts(self, kind: str, texts: dict | None) -> dict:
        return {language_header(kind, lang): text for lang, text in (texts or {}).items() if text}

    def name(self, wanted: str) -> str:
        name, n = wanted, 2
        while name in self.used_names:
            name, n = f"{wanted}_{n}", n + 1
        self.used_names.add(name)
        return name

    def new_list(self, wanted: str, *, shared: bool) -> str:
        base = wanted if shared or wanted != YES_NO_LIST else f"{wanted}_list"
        name, n = base, 2
        while name in self.list_names:
            name, n = f"{base}_{n}", n + 1
        self.list_names.add(name)
        return name

    def choice_list(self, signature: tuple, wanted: str, rows: list[dict]) -> str:
        if signature in self.lists:
            return self.lists[signature]
        name = self.new_list(wanted, shared=signature[0] != "q")
        self.lists[signature] = name
        for row in rows:
            self.choices.append({"list_name": name, **row})
        return name

    def yes_no_list(self) -> str:
        rows = [
            {
                "name": value,
                **{
                    language_header("label", lang): YES_NO_LABELS[lang][i]
                    for lang in self.languages
                },
            }
            for i, value in enumerate(("yes", "no"))
        ]
        return self.choice_list(("yes_no",), YES_NO_LIST, rows)

    def scale_list(self, settings: dict) -> str:
        points = scale_points(settings)
        labels = settings.get("labels") or {}
        rows = []
        for point in points:
            texts = labels.get(str(point)) or {}
            rows.append(
                {
                    "name": str(point),
                    **{
                        language_header("label", lang): texts.get(lang) or str(point)
                        for lang in self.languages
                    },
                }
            )
        if settings.get("dont_know"):
            texts = settings.get("dont_know_label") or {}
            rows.append(
                {
                    "name": "dont_know",
                    **{
                        language_header("label", lang): texts.get(lang) or dont_know_label(lang)
                        for lang in self.languages
                    },
                }
            )
        signature = ("scale", tuple(tuple(sorted(r.items())) for r in rows))
        return self.choice_list(signature, f"scale_{points[0]}_{points[-1]}", rows)

    def option_list(self, question: dict) -> str:
        rows = [
            {"name": o["code"], **self.texts("label", o.get("label"))}
            for o in question.get("options", [])
        ]
        return self.choice_list(("q", question["code"]), question["code"], rows)

    def row(self, type_: str, name: str, question: dict | None = None, **extra) -> dict:
        row = {"type": type_, "name": name}
        if question is not None:
            row.update(self.texts("label", question.get("label")))
            row.update(self.texts("hint", question.get("help")))
            if question.get("required"):
                row["required"] = "yes"
            if question.get("relevant"):
                row["relevant"] = question["relevant"]
        row.update({k: v for k, v in extra.items() if v})
        self.survey.append(row)
        return row

    def write(self) -> None:
        for number, section in enumerate(self.document["sections"], start=1):
            group = {"type": "begin group", "name": self.name(f"section_{number}")}
            group.update(self.texts("label", section.get("title")))
            group.update(self.texts("hint", section.get("intro")))
            self.survey.append(group)
            for question in section["questions"]:
                self.question(question)
            self.survey.append({"type": "end group"})

    def question(self, q: dict) -> None:
        qtype, code, settings = q["type"], q["code"], q.get("settings") or {}
        constraint = constraint_for(q)
        if qtype in ("single_choice", "multiple_choice", "ranking"):
            kind = {"single_choice": "select_one", "multiple_choice": "select_multiple"}.get(
                qtype, "rank"
            )
            self.row(f"{kind} {self.option_list(q)}", code, q, constraint=constraint)
            other = next((o for o in q.get("options", []) if o.get("is_other")), None)
            if other is not None:
                self.row(
                    "text",
                    self.name(f"{code}{OTHER_SUFFIX}"),
                    {
                        "label": {lang: specify_label(lang) for lang in self.languages},
                        "required": q.get("required"),
                        "relevant": f"selected(${{{code}}}, '{other['code']}')",
                    },
                )
        elif qtype == "yes_no":
            self.row(f"select_one {self.yes_no_list()}", code, q)
        elif qtype == "scale":
            self.row(f"select_one {self.scale_list(settings)}", code, q, appearance="likert")
        elif qtype == "matrix":
            scale = self.scale_list(settings)
            group = self.row("begin group", code, q, appearance="table-list")
            group.pop("required", None)
            for row in q.get("rows", []):
                name = f"{code}{MATRIX_SEPARATOR}{row['code']}"
                if name in self.used_names:
                    raise XLSFormExportError(
                        _l(
                            "Cannot export matrix %(code)s: the name %(name)s is taken by a "
                            "question.",
                            code=code,
                            name=name,
                        )
                    )
                self.used_names.add(name)
                self.row(
                    f"select_one {scale}",
                    name,
                    {"label": row.get("label"), "required": q.get("required")},
                )
            self.survey.append({"type": "end group"})
        elif qtype == "number":
            self.row(
                "integer" if settings.get("integer") else "decimal", code, q, constraint=constraint
            )
        elif qtype in ("short_text", "long_text"):
            self.row(
                "text",
                code,
                q,
                constraint=constraint,
                appearance="multiline" if qtype == "long_text" else None,
            )
        elif qtype == "date":
            self.row("date", code, q, constraint=constraint)
        elif qtype == "note":
            self.row("note", code, q)
        else:  # pragma: no cover - every type is handled above
            raise XLSFormExportError(f"Unknown question type {qtype}")


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[dict]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for values in rows:
        sheet.append([None] * len(header))
        for column, key in enumerate(header, start=1):
            value = values.get(key)
            if value is None or value == "":
                continue
            cell = sheet.cell(row=sheet.max_row, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with


def document_to_workbook(
    document: dict,
    *,
    languages: list[str],
    default_language: str,
    title: str,
    form_id: str,
    version: str | None = None,
) -> Workbook:
    """The XLSForm workbook (survey, choices, settings) of a questionnaire document."""
    languages = [default_language, *[lang for lang in languages if lang != default_language]]
    writer = _Writer(document, languages)
    writer.write()
    text_columns = [language_header(kind, lang) for kind in ("label", "hint") for lang in languages]
    survey_header = [
        "type",
        "name",
        *text_columns,
        "required",
        "relevant",
        "constraint",
        "appearance",
    ]
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "survey", survey_header, writer.survey)
    _sheet(
        workbook,
        "choices",
        ["list_name", "name", *[language_header("label", lang) for lang in languages]],
        writer.choices,
    )
    settings = {
        "form_title": title,
        "form_id": form_id,
        "default_language": f"{language_header('label', default_language).split('::', 1)[1]}",
        "version": version or "1",
    }
    _sheet(workbook, "settings", list(settings), [settings])
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
