"""Read an XLSForm workbook into a questionnaire document, reporting every row that does not map.

pyxform reads the workbook (`get_xlsform`: the raw rows, numbered as in the sheet) and checks it
(`workbook_to_json`: a form pyxform refuses is refused whole, with its message). The rows are then
mapped by the encoding described in `xlsform_common`; what cannot be mapped is reported with its
sheet, row and reason. `blocking` report items mean the import would lose something of the form:
the caller must then confirm a partial import.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from marshmallow import ValidationError
from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform

from consult.surveys import conditions
from consult.surveys.checks import structure_problems
from consult.surveys.schemas import QuestionnaireSchema
from consult.surveys.settings import clean_settings, settings_problems
from consult.surveys.xlsform_common import (
    MATRIX_SEPARATOR,
    OTHER_SUFFIX,
    YES_NO_LIST,
    constraint_settings,
    dont_know_label,
    resolve_language,
)

METADATA_TYPES = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
    "email", "audit", "start-geopoint", "background-audio", "instanceid", "uri:email",
    "uri:deviceid", "uri:username", "uri:phonenumber", "uri:subscriberid", "uri:simserial",
}  # fmt: skip
TYPE_ALIASES = {
    "begin_group": "begin group", "end_group": "end group", "begin_repeat": "begin repeat",
    "end_repeat": "end repeat", "select one": "select_one",
    "select all that apply": "select_multiple",
    "select multiple": "select_multiple", "select_all_that_apply": "select_multiple",
    "int": "integer", "string": "text", "begin lgroup": "begin group",
}  # fmt: skip
HANDLED_COLUMNS = {"type", "name", "required", "relevant", "constraint", "appearance"}
NOTE_COLUMNS = ("constraint_message", "required_message", "guidance_hint")
GROUP_APPEARANCES = {"table-list", "field-list"}
TRUE_VALUES = {"yes", "true", "true()", "1"}
FALSE_VALUES = {"no", "false", "false()", "0", ""}


@dataclass
class ReportItem:
    sheet: str
    row: int | None
    reason: str
    blocking: bool = True

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}" if self.row else self.sheet
        return f"{where}: {self.reason}" + ("" if self.blocking else " (ignored)")


@dataclass
class ImportedForm:
    document: dict
    languages: list[str]
    default_language: str
    title: str
    form_id: str | None
    items: list[ReportItem] = field(default_factory=list)

    @property
    def blocking(self) -> list[ReportItem]:
        return [i for i in self.items if i.blocking]


class XLSFormUnreadable(Exception):
    def __init__(self, items: list[ReportItem]):
        super().__init__("; ".join(str(i) for i in items))
        self.items = items


def _cell(row: dict, key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _norm_type(raw: str) -> tuple[str, list[str]]:
    text = re.sub(r"\s+", " ", raw.strip())
    lowered = text.lower()
    for alias, canonical in TYPE_ALIASES.items():
        if lowered == alias or lowered.startswith(alias + " "):
            text = canonical + text[len(alias) :]
            lowered = text.lower()
            break
    parts = text.split(" ")
    if lowered in ("begin group", "end group", "begin repeat", "end repeat"):
        return lowered, []
    return parts[0].lower(), parts[1:]


def read_workbook(data: bytes) -> tuple:
    """(definition, pyxform warnings); raises XLSFormUnreadable with pyxform's message."""
    try:
        definition = get_xlsform(io.BytesIO(data))
        warnings: list[str] = []
        workbook_to_json(
            workbook_dict=get_xlsform(io.BytesIO(data)),
            form_name="data",
            fallback_form_name="data",
            default_language="default",
            warnings=warnings,
        )
    except PyXFormError as error:
        message = str(error)
        match = re.search(r"\[row\s*:\s*(\d+)\]", message)
        sheet = "choices" if "choices" in message.lower() else "survey"
        raise XLSFormUnreadable(
            [ReportItem(sheet, int(match.group(1)) if match else None, message)]
        ) from error
    except Exception as error:  # pyxform may fail in other ways on broken files
        raise XLSFormUnreadable(
            [ReportItem("workbook", None, str(_l("The file could not be read: %(e)s", e=error)))]
        ) from error
    return definition, warnings


class _Reader:
    def __init__(self, definition, default_language: str | None):
        self.d = definition
        self.items: list[ReportItem] = []
        settings = (definition.settings or [{}])[0] if definition.settings else {}
        self.settings = {k: _cell(settings, k) for k in settings}
        self.default_language = default_language or "en"
        if self.settings.get("default_language"):
            resolved = resolve_language(self.settings["default_language"])
            if resolved:
                self.default_language = resolved
            else:
                self.report(
                    "settings",
                    2,
                    _l(
                        "Unknown default_language %(l)s: English is used.",
                        l=self.settings["default_language"],
                    ),
                    blocking=False,
                )
        self.languages: list[str] = []
        self.survey_columns = self.text_columns("survey", definition.survey_header)
        self.choice_columns = self.text_columns("choices", definition.choices_header)
        self.lists = self.read_choices()

    def report(self, sheet, row, reason, *, blocking=True) -> None:
        self.items.append(ReportItem(sheet, row, str(reason), blocking))

    def text_columns(self, sheet: str, header) -> dict[str, tuple[str, str]]:
        """{column: (kind, language)} for label and hint columns."""
        columns = {}
        for column in header[0] if header else {}:
            match = re.match(r"^(label|hint)(?:\s*::?\s*(.+))?$", column, re.IGNORECASE)
            if not match:
                continue
            kind, name = match.group(1).lower(), match.group(2)
            language = resolve_language(name) if name else self.default_language
            if language is None:
                self.report(
                    sheet,
                    1,
                    _l(
                        "Column %(c)s: the language is not one of the EU's "
                        "official languages; its texts are not imported.",
                        c=column,
                    ),
                    blocking=False,
                )
                continue
            columns[column] = (kind, language)
            if language not in self.languages:
                self.languages.append(language)
        return columns

    def texts(self, row: dict, kind: str, columns) -> dict:
        out = {}
        for column, (k, language) in columns.items():
            value = _cell(row, column)
            if k == kind and value and language not in out:
                out[language] = value
        return out

    def read_choices(self) -> dict[str, list[dict]]:
        lists: dict[str, list[dict]] = {}
        for index, row in enumerate(self.d.choices or [], start=2):
            name, list_name = _cell(row, "name"), _cell(row, "list_name") or _cell(row, "list name")
            if not row or not list_name:
                continue
            lists.setdefault(list_name, []).append(
                {"code": name, "label": self.texts(row, "label", self.choice_columns), "row": index}
            )
        return lists

    # --- survey

    def read(self) -> dict:
        tree = self.tree()
        sections: list[dict] = []
        loose: list[dict] = []

        def flush_loose():
            if loose:
                title = {self.default_language: self.settings.get("form_title") or "Questions"}
                sections.append({"title": title, "intro": {}, "questions": list(loose)})
                loose.clear()

        for node in tree:
            if node["kind"] == "group" and not self.matrix_like(node):
                flush_loose()
                section = {
                    "title": self.texts(node["row"], "label", self.survey_columns),
                    "intro": self.texts(node["row"], "hint", self.survey_columns),
                    "questions": [],
                }
                self.children(node, section["questions"], _cell(node["row"], "relevant"))
                sections.append(section)
            else:
                self.children({"children": [node]}, loose, "")
        flush_loose()
        return {"sections": sections}

    def tree(self) -> list[dict]:
        root: list[dict] = []
        stack: list[dict] = []
        for index, row in enumerate(self.d.survey or [], start=2):
            raw_type = _cell(row, "type")
            if not raw_type:
                if any(_cell(row, k) for k in row):
                    self.report("survey", index, _l("A row without a type is not imported."))
                continue
            kind, args = _norm_type(raw_type)
            target = stack[-1]["children"] if stack else root
            if kind in ("begin group", "begin repeat"):
                node = {
                    "kind": "group" if kind == "begin group" else "repeat",
                    "row": row,
                    "index": index,
                    "children": [],
                }
                target.append(node)
                stack.append(node)
            elif kind in ("end group", "end repeat"):
                if stack:
                    stack.pop()
            else:
                target.append({"kind": kind, "args": args, "row": row, "index": index})
        return root

    def matrix_like(self, node: dict) -> bool:
        if _cell(node["row"], "appearance").split(" ")[0] not in GROUP_APPEARANCES:
            return False
        kids = node["children"]
        lists = {tuple(k.get("args", ())) for k in kids}
        return (
            bool(kids)
            and all(k["kind"] == "select_one" for k in kids)
            and len(lists) == 1
            and self.scale_of(next(iter(lists))[0] if next(iter(lists)) else "") is not None
        )

    def scale_of(self, list_name: str) -> dict | None:
        """The scale settings of a list whose choices are consecutive whole numbers (and
        optionally dont_know), else None."""
        choices = self.lists.get(list_name) or []
        points = [c for c in choices if c["code"] != "dont_know"]
        try:
            numbers = [int(c["code"]) for c in points]
        except ValueError:
            return None
        if len(points) < 2 or numbers != list(range(numbers[0], numbers[0] + len(numbers))):
            return None
        settings: dict = {"points": len(numbers), "start": numbers[0]}
        labels = {}
        for choice in points:
            texts = {k: v for k, v in choice["label"].items() if v != choice["code"]}
            if texts:
                labels[choice["code"]] = texts
        if labels:
            settings["labels"] = labels
        dont_know = next((c for c in choices if c["code"] == "dont_know"), None)
        if dont_know is not None:
            settings["dont_know"] = True
            texts = {k: v for k, v in dont_know["label"].items() if v != dont_know_label(k)}
            if texts:
                settings["dont_know_label"] = texts
        if settings_problems("scale", settings):
            return None
        return settings

    def children(self, group: dict, out: list[dict], inherited: str) -> None:
        kids = group["children"]
        i = 0
        while i < len(kids):
            node = kids[i]
            relevant = _and(inherited, _cell(node["row"], "relevant"))
            if node["kind"] == "repeat":
                self.report(
                    "survey",
                    node["index"],
                    lazy_ngettext(
                        "Repeats are not supported: the repeat and its %(num)d row are not "
                        "imported.",
                        "Repeats are not supported: the repeat and its %(num)d rows are not "
                        "imported.",
                        _count(node),
                    ),
                )
            elif node["kind"] == "group" and self.matrix_like(node):
                out.append(self.matrix(node, relevant))
            elif node["kind"] == "group":
                self.report(
                    "survey",
                    node["index"],
                    _l("A group inside a section is flattened: its questions join the section."),
                    blocking=False,
                )
                self.children(node, out, relevant)
            else:
                question = self.question(node, relevant)
                if question is not None:
                    follower = kids[i + 1] if i + 1 < len(kids) else None
                    if follower is not None and self.is_other_text(question, follower):
                        i += 1
                    out.append(question)
            i += 1

    def is_other_text(self, question: dict, node: dict) -> bool:
        if question["type"] not in ("single_choice", "multiple_choice") or node["kind"] != "text":
            return False
        try:
            ast = conditions.parse(_cell(node["row"], "relevant"))
        except conditions.ConditionSyntaxError:
            return False
        if ast.get("type") != "selected" or ast["code"] != question["code"]:
            return False
        name, code = _cell(node["row"], "name"), question["code"]
        option = next((o for o in question["options"] if o["code"] == ast["option"]), None)
        if option is None or not (
            name.startswith(code + OTHER_SUFFIX)
            or name.startswith(code + "_specify")
            or option["code"] == "other"
        ):
            return False
        for other in question["options"]:
            other["is_other"] = other is option
        return True

    def base(self, node: dict, qtype: str, relevant: str) -> dict:
        row = node["row"]
        required = _cell(row, "required").lower()
        if required not in TRUE_VALUES | FALSE_VALUES:
            self.report(
                "survey",
                node["index"],
                _l(
                    "required %(v)s (a condition) is not supported: the question is not required.",
                    v=_cell(row, "required"),
                ),
            )
        for column in row:
            base_column = column.split("::")[0].split(":")[0].strip().lower()
            if column in HANDLED_COLUMNS or column in self.survey_columns or not _cell(row, column):
                continue
            blocking = base_column not in NOTE_COLUMNS
            self.report(
                "survey",
                node["index"],
                _l("Column %(c)s is not supported: its value is not imported.", c=column),
                blocking=blocking,
            )
        return {
            "code": _cell(row, "name"),
            "type": qtype,
            "label": self.texts(row, "label", self.survey_columns),
            "help": self.texts(row, "hint", self.survey_columns),
            "required": required in TRUE_VALUES and qtype != "note",
            "settings": {},
            "relevant": relevant or None,
            "options": [],
            "rows": [],
            "_row": node["index"],
        }

    def question(self, node: dict, relevant: str) -> dict | None:
        kind, args, row, index = node["kind"], node["args"], node["row"], node["index"]
        appearance = _cell(row, "appearance").lower().split()
        if kind in METADATA_TYPES:
            self.report(
                "survey",
                index,
                _l("%(t)s is form metadata, not a question.", t=kind),
                blocking=False,
            )
            return None
        if kind in ("select_one", "select_multiple", "rank"):
            if not args:
                self.report("survey", index, _l("%(t)s needs a choice list.", t=kind))
                return None
            list_name, extra = args[0], args[1:]
            if extra and extra != ["or_other"]:
                self.report(
                    "survey", index, _l("Type %(t)s is not supported.", t=_cell(row, "type"))
                )
                return None
            if (
                kind == "select_one"
                and list_name == YES_NO_LIST
                and not extra
                and [c["code"] for c in self.lists.get(list_name, [])] == ["yes", "no"]
            ):
                return self.base(node, "yes_no", relevant)
            scale = self.scale_of(list_name) if kind == "select_one" else None
            if scale is not None and "likert" in appearance and not extra:
                question = self.base(node, "scale", relevant)
                question["settings"] = scale
                return question
            qtype = {"select_one": "single_choice", "select_multiple": "multiple_choice"}.get(
                kind, "ranking"
            )
            question = self.base(node, qtype, relevant)
            question["options"] = [
                {"code": c["code"], "label": c["label"], "is_other": False}
                for c in self.lists.get(list_name, [])
            ]
            if extra == ["or_other"]:
                question["options"].append(
                    {"code": "other", "label": {self.default_language: "Other"}, "is_other": True}
                )
        elif kind in ("integer", "decimal"):
            question = self.base(node, "number", relevant)
            if kind == "integer":
                question["settings"]["integer"] = True
        elif kind == "text":
            qtype = "long_text" if "multiline" in appearance else "short_text"
            question = self.base(node, qtype, relevant)
        elif kind in ("date", "note"):
            question = self.base(node, kind, relevant)
        else:
            self.report(
                "survey",
                index,
                _l("Type %(t)s is not supported: the row is not imported.", t=_cell(row, "type")),
            )
            return None
        self.constraint(question, _cell(row, "constraint"), index)
        return question

    def constraint(self, question: dict, text: str, index: int) -> None:
        if not text:
            return
        settings = constraint_settings(question, text)
        if settings is None:
            self.report(
                "survey",
                index,
                _l(
                    "The constraint %(c)s is not imported: only simple bounds are understood.",
                    c=text,
                ),
            )
            return
        merged = {**question["settings"], **settings}
        if settings_problems(question["type"], merged):
            self.report(
                "survey",
                index,
                _l("The constraint %(c)s does not fit this question and is not imported.", c=text),
            )
            return
        question["settings"] = merged

    def matrix(self, node: dict, relevant: str) -> dict:
        question = self.base(node, "matrix", relevant)
        kids = node["children"]
        question["settings"] = self.scale_of(kids[0]["args"][0])
        question["required"] = all(_cell(k["row"], "required").lower() in TRUE_VALUES for k in kids)
        prefix = question["code"] + MATRIX_SEPARATOR
        for kid in kids:
            name = _cell(kid["row"], "name")
            if _cell(kid["row"], "relevant"):
                self.report(
                    "survey",
                    kid["index"],
                    _l("A matrix row's own condition is not supported and is not imported."),
                )
            question["rows"].append(
                {
                    "code": name[len(prefix) :] if name.startswith(prefix) else name,
                    "label": self.texts(kid["row"], "label", self.survey_columns),
                }
            )
        return question


def _count(node: dict) -> int:
    return sum(1 + _count(k) if k.get("children") is not None else 1 for k in node["children"])


def _and(a: str, b: str) -> str:
    if a and b:
        return f"({a}) and ({b})"
    return a or b


def read_xlsform(data: bytes, *, default_language: str | None = None) -> ImportedForm:
    """Map an XLSForm workbook onto a questionnaire document, reporting what does not map.

    Raises XLSFormUnreadable when pyxform refuses the file. Questions whose rows do not map, or
    whose conditions refer to questions that were not imported, are left out and reported."""
    definition, warnings = read_workbook(data)
    reader = _Reader(definition, default_language)
    document = reader.read()
    for warning in warnings:
        reader.report("survey", None, warning, blocking=False)
    _drop_invalid(document, reader)
    for section in document["sections"]:
        for question in section["questions"]:
            question.pop("_row", None)
            question["settings"] = clean_settings(question["type"], question["settings"])
    document = _load(document, reader)
    languages = reader.languages or [reader.default_language]
    if reader.default_language not in languages:
        languages.insert(0, reader.default_language)
    return ImportedForm(
        document=document,
        languages=languages,
        default_language=reader.default_language,
        title=reader.settings.get("form_title") or reader.settings.get("form_id") or "XLSForm",
        form_id=reader.settings.get("form_id") or None,
        items=reader.items,
    )


def _load(document: dict, reader: _Reader) -> dict:
    """The document through the schema; questions (or section texts) the schema refuses, such
    as texts over the length limits, are left out and reported."""
    for _ in range(3):
        try:
            return QuestionnaireSchema().load(document)
        except ValidationError as error:
            for s_index, section_errors in error.messages.get("sections", {}).items():
                section = document["sections"][s_index]
                question_errors = section_errors.pop("questions", {})
                for key in section_errors:
                    reader.report(
                        "survey",
                        None,
                        _l(
                            "Section %(n)s: %(field)s is not valid and is left empty.",
                            n=s_index + 1,
                            field=key,
                        ),
                    )
                    section[key] = {}
                for q_index in sorted(question_errors, reverse=True):
                    question = section["questions"].pop(q_index)
                    reader.report(
                        "survey",
                        None,
                        _l(
                            "Question %(code)s is not imported: %(reason)s",
                            code=question.get("code"),
                            reason=question_errors[q_index],
                        ),
                    )
    return QuestionnaireSchema().load(document)


def _drop_invalid(document: dict, reader: _Reader) -> None:
    """Leave out, one round at a time, the questions with structure problems (a condition that
    refers to a question left out is a problem in the next round)."""
    for _ in range(1000):
        problems = structure_problems(document)
        if not problems:
            return
        bad = {}
        codes = {q["code"] for s in document["sections"] for q in s["questions"]}
        if not any(p.question in codes for p in problems):
            return
        for problem in problems:
            bad.setdefault(problem.question, problem)
        for section in document["sections"]:
            kept = []
            for question in section["questions"]:
                problem = bad.get(question["code"])
                if problem is None:
                    kept.append(question)
                    continue
                reader.report(
                    "survey",
                    question.get("_row"),
                    _l(
                        "Question %(code)s is not imported: %(reason)s",
                        code=question["code"],
                        reason=(f"{problem.field}: " if problem.field else "") + problem.message,
                    ),
                )
            section["questions"] = kept
        # a duplicate code drops every question using it; codes stay unique afterwards
