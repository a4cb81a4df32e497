"""Convention: dxapp/rules is pure (ARCHITECTURE.md "Rules as code"; issue 3 "Done when").

Every module is parsed (not imported) and must not import Flask, Flask extensions, SQLAlchemy,
Werkzeug or dxapp.clock, nor read the time itself (datetime.now, date.today, time.time ...).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dxapp.rules

RULES_DIR = Path(dxapp.rules.__file__).parent
MODULES = sorted(RULES_DIR.rglob("*.py"))

FORBIDDEN_MODULES = ("flask", "sqlalchemy", "werkzeug", "dxapp.clock")
FORBIDDEN_PREFIXES = ("flask.", "flask_", "sqlalchemy.", "werkzeug.", "dxapp.clock.")
FORBIDDEN_CALLS = {
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
    ("time", "time"), ("time", "time_ns"), ("time", "monotonic"), ("time", "localtime"), ("time", "gmtime"),
}
FORBIDDEN_NAMES = {"time", "time_ns", "monotonic", "localtime", "gmtime"}  # from time import time


def _forbidden_module(name: str) -> bool:
    return name in FORBIDDEN_MODULES or name.startswith(FORBIDDEN_PREFIXES)


def violations(source: str, module: str = "dxapp.rules.x") -> list[str]:
    """What in ``source`` breaks the purity rule."""
    found: list[str] = []
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _forbidden_module(alias.name):
                    found.append(f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import: resolve against the package
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            if _forbidden_module(base):
                found.append(f"from {base} import ...")
            for alias in node.names:
                if _forbidden_module(f"{base}.{alias.name}"):
                    found.append(f"from {base} import {alias.name}")
                if base == "time" and alias.name in FORBIDDEN_NAMES:
                    found.append(f"from time import {alias.name}")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                owner = func.value
                owner_name = owner.id if isinstance(owner, ast.Name) else (
                    owner.attr if isinstance(owner, ast.Attribute) else None)
                if (owner_name, func.attr) in FORBIDDEN_CALLS:
                    found.append(f"{owner_name}.{func.attr}()")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"ARCHITECTURE-rules-pure-{p.name}")
def test_rules_module_is_pure(path):
    """ARCHITECTURE.md Rules as code: no Flask, SQLAlchemy, Werkzeug or clock; time is an argument."""
    module = f"dxapp.rules.{path.stem}"  # __init__ too: relative imports resolve against dxapp.rules
    assert violations(path.read_text(encoding="utf-8"), module) == []


def test_the_expected_modules_exist():
    """Issue 3: the package's modules."""
    names = {p.stem for p in MODULES}
    assert {"__init__", "enterprise", "subsidy", "calendar", "payment", "budget", "expert", "normalize"} <= names


@pytest.mark.parametrize("source", [
    "import flask",
    "from flask import current_app",
    "import flask_login",
    "from flask_sqlalchemy import SQLAlchemy",
    "import sqlalchemy.orm",
    "from sqlalchemy import select",
    "from werkzeug.exceptions import NotFound",
    "import dxapp.clock",
    "from dxapp import clock",
    "from dxapp.clock import program_now",
    "from .. import clock",
    "from datetime import datetime\nx = datetime.now()",
    "import datetime\nx = datetime.datetime.now()",
    "from datetime import date\nx = date.today()",
    "import time\nx = time.time()",
    "from time import time",
], ids=lambda s: "purity-checker-catches-" + s.splitlines()[-1])
def test_the_checker_catches_violations(source):
    """The purity test would fail on each forbidden import or clock read."""
    assert violations(source)


@pytest.mark.parametrize("source", [
    "from datetime import datetime, timedelta",
    "from zoneinfo import ZoneInfo",
    "import jpholiday",
    "from dxapp.rules import JST",
    "from . import JST",
    "x = at.astimezone(JST)",
    "import flaskish",
], ids=lambda s: "purity-checker-allows-" + s)
def test_the_checker_allows_pure_code(source):
    """Pure imports and time passed in as an argument are fine."""
    assert violations(source) == []
