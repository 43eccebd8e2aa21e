"""`consult/analysis/` imports no Flask (only its views module may), and charts never pyplot."""

from __future__ import annotations

import ast
from pathlib import Path

import consult.analysis

PACKAGE = Path(consult.analysis.__file__).parent
FORBIDDEN = ("flask", "flask_", "werkzeug", "jinja2", "consult.extensions", "matplotlib.pyplot")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_analysis_modules_import_no_flask():
    modules = [p for p in PACKAGE.rglob("*.py") if p.name != "views.py"]
    assert len(modules) > 5
    offenders = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in modules
        for name in imported_modules(path)
        if forbidden(name)
    }
    assert not offenders


def forbidden(name: str) -> bool:
    return any(
        name.startswith(bad) if bad.endswith("_") else name == bad or name.startswith(bad + ".")
        for bad in FORBIDDEN
    )


def test_the_scan_sees_flask_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import flask\nfrom flask_login import current_user\nfrom matplotlib import pyplot\n"
    )
    names = imported_modules(sample)
    assert {"flask", "flask_login", "matplotlib.pyplot"} <= names
    assert all(forbidden(n) for n in ("flask", "flask_login", "matplotlib.pyplot"))
    assert not forbidden("flasky_thing") and not forbidden("consult.surveys.models")
