"""Layers (ARCHITECTURE.md "Growing the house"): rules import nothing of the app but other rules;
models import rules, extensions and models only; services never import procedures or blueprints."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def imports_of(path: pathlib.Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names]
    return [n for n in names if n == "dxapp" or n.startswith("dxapp.")]


def layer_problems(root: pathlib.Path) -> list[str]:
    allowed = {
        "rules": ("dxapp.rules",),
        "models": ("dxapp.rules", "dxapp.extensions", "dxapp.models"),
    }
    banned = {"services": ("dxapp.procedures", "dxapp.blueprints")}
    problems = []
    for layer, prefixes in allowed.items():
        for path in (root / "dxapp" / layer).rglob("*.py"):
            for name in imports_of(path):
                if not name.startswith(prefixes) and name not in ("dxapp",):
                    problems.append(f"{path.relative_to(root)} imports {name}")
    for layer, prefixes in banned.items():
        for path in (root / "dxapp" / layer).rglob("*.py"):
            problems += [f"{path.relative_to(root)} imports {n}" for n in imports_of(path) if n.startswith(prefixes)]
    return problems


def test_layers():
    assert layer_problems(ROOT) == []


def test_a_violation_is_found(tmp_path):
    (tmp_path / "dxapp" / "rules").mkdir(parents=True)
    (tmp_path / "dxapp" / "services").mkdir()
    (tmp_path / "dxapp" / "rules" / "x.py").write_text("from dxapp.extensions import db\n")
    (tmp_path / "dxapp" / "services" / "y.py").write_text("import dxapp.blueprints.auth\n")
    assert layer_problems(tmp_path) == ["dxapp/rules/x.py imports dxapp.extensions",
                                        "dxapp/rules/x.py imports dxapp.extensions.db",
                                        "dxapp/services/y.py imports dxapp.blueprints.auth"]
