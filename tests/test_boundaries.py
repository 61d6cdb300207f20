"""The app talks to the engine over HTTP only: nothing outside components/ imports rasa."""

import ast

from core.config import ROOT

APP_PACKAGES = ("bot", "core", "actions", "tests")


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_the_app_never_imports_rasa():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for package in APP_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        for module in imported_modules(path)
        if module == "rasa" or module.startswith("rasa.")
    ]
    assert not offenders


def test_core_imports_nothing_from_the_rest_of_the_project():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "core").rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in ("bot", "actions", "components", "tests")
    ]
    assert not offenders
