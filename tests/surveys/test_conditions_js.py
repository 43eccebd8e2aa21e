"""The browser's condition evaluator (static/js/respond.js) decides as the server's does.

Every case is evaluated by both, with Node.js running the very file the pages load; any
difference is a failure. The cases cover each rule of evaluator.py's docstring.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from consult.surveys.conditions import evaluate, parse

RESPOND_JS = Path(__file__).resolve().parents[2] / "consult" / "static" / "js" / "respond.js"
NODE = shutil.which("node") or shutil.which("nodejs")

ANSWERS = [
    {},
    {"a": "yes", "n": 5, "t": "Köln", "m": ["x", "y"], "d": "2024-03-01", "s": "12"},
    {"a": "no", "n": 5.5, "t": "", "m": [], "d": "2023-12-31", "s": "abc", "g": {"r": 1}},
    {"a": "", "n": 0, "t": "a b", "m": ["y"], "d": "not a date", "s": " 7 ", "b": True},
    {"a": "x y", "n": -3, "t": "10", "m": ["x"], "d": "2024-03-01", "s": "1_000", "e": "1e3"},
    {"n": 12, "s": "inf", "t": "😀x", "e": ".5", "m": ["z", "x"]},
]

CONDITIONS = [
    "${a} = 'yes'",
    "${a} != 'yes'",
    "${a} = ''",
    "${a} != ''",
    "${n} > 3",
    "${n} <= 5",
    "${n} = 5",
    "${n} != 5",
    "${n} = 'abc'",
    "${n} != 'abc'",
    "${s} > 10",
    "${s} = 12",
    "${s} < ${n}",
    "${e} = 1000",
    "${e} > 0.4",
    "${t} = 'Köln'",
    "${t} > 'a'",
    "${t} < 20",
    "${m} = 'x y'",
    "selected(${m}, 'x')",
    "selected(${a}, 'yes')",
    "selected(${g}, 'r')",
    "count-selected(${m}) >= 2",
    "count-selected(${a}) = 1",
    "string-length(${t}) > 2",
    "string-length(${t}) = 2",
    "${d} > '2024-01-01'",
    "${d} <= '2023-12-31'",
    "${g} = ''",
    "${b} = ''",
    "${missing} = ''",
    "${missing} != 'x'",
    "not(${a} = 'yes')",
    "${a} = 'yes' and ${n} > 3",
    "${a} = 'yes' or ${n} < 0",
    "(${a} = 'no' or ${a} = 'x y') and not(selected(${m}, 'y'))",
    "${n} >= -3 and ${n} < 5.5",
    "'2' > '10'",
    "'abc' < 'abd'",
]


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_browser_and_the_server_decide_alike():
    asts = [parse(text) for text in CONDITIONS]
    cases = [(ast, answers) for ast in asts for answers in ANSWERS]
    script = (
        f"const c = require({json.dumps(str(RESPOND_JS))});"
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(cases.map(([n, a]) => c.evaluate(n, a))));"
    )
    run = subprocess.run(
        [NODE, "-e", script],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    browser = json.loads(run.stdout)
    server = [evaluate(ast, answers) for ast, answers in cases]
    differences = [
        (CONDITIONS[i // len(ANSWERS)], ANSWERS[i % len(ANSWERS)], server[i], browser[i])
        for i in range(len(cases))
        if server[i] != browser[i]
    ]
    assert differences == []
    assert any(server) and not all(server)
