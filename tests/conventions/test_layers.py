"""Layers (ARCHITECTURE.md "Growing the house"): rules import nothing of the app but other rules;
models import rules, extensions and models only; services never import procedures or blueprints and
never read the request (``request``, ``session``, ``g``, ``current_user``: the view passes the actor and
the client in); procedures and the wizard engine stay below the blueprints; a blueprint never imports
another blueprint; no module uses another module's ``_private`` names; no import circle (at module
level; a blueprint package with its own route modules is Flask's pattern and allowed)."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]

#: What a service may not read: the request and what hangs on it.
REQUEST_NAMES = {"flask.request", "flask.session", "flask.g", "flask.has_request_context",
                 "flask_login.current_user"}


def imports_of(path: pathlib.Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names]
    return names


def app_imports_of(path: pathlib.Path) -> list[str]:
    return [n for n in imports_of(path) if n == "dxapp" or n.startswith("dxapp.")]


def _modules(root: pathlib.Path, layer: str):
    return sorted((root / "dxapp" / layer).rglob("*.py"))


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(path: pathlib.Path) -> list[str]:
    """``from dxapp.x import _y`` and ``x._y`` where ``x`` is a dxapp module imported here."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("dxapp"):
            for alias in node.names:
                if _is_private(alias.name):
                    found.append(f"{node.module}.{alias.name}")
                elif alias.name[:1].islower():  # a module (or a function: harmless, it has no _attributes)
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dxapp"):
                    modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules:
                found.append(ast.unparse(node))
    return found


def layer_problems(root: pathlib.Path) -> list[str]:
    allowed = {
        "rules": ("dxapp.rules",),
        "models": ("dxapp.rules", "dxapp.extensions", "dxapp.models"),
    }
    banned = {
        "services": ("dxapp.procedures", "dxapp.blueprints"),
        "procedures": ("dxapp.blueprints",),
        "wizard": ("dxapp.procedures", "dxapp.blueprints"),
    }
    problems = []
    for layer, prefixes in allowed.items():
        for path in _modules(root, layer):
            for name in app_imports_of(path):
                if not name.startswith(prefixes) and name not in ("dxapp",):
                    problems.append(f"{path.relative_to(root)} imports {name}")
    for layer, prefixes in banned.items():
        for path in _modules(root, layer):
            problems += [f"{path.relative_to(root)} imports {n}" for n in app_imports_of(path)
                         if n.startswith(prefixes)]
    for path in _modules(root, "services"):
        problems += [f"{path.relative_to(root)} reads {n}" for n in imports_of(path) if n in REQUEST_NAMES]
    blueprints = root / "dxapp" / "blueprints"
    for path in sorted(blueprints.rglob("*.py")):
        parts = path.relative_to(blueprints).parts
        if len(parts) < 2:  # blueprints/__init__.py registers them all
            continue
        own = f"dxapp.blueprints.{parts[0]}"
        problems += [f"{path.relative_to(root)} imports {n}" for n in app_imports_of(path)
                     if n.startswith("dxapp.blueprints.") and n != own and not n.startswith(own + ".")]
    return problems


def private_problems(root: pathlib.Path) -> list[str]:
    return [f"{path.relative_to(root)} uses {name}"
            for path in sorted((root / "dxapp").rglob("*.py")) for name in private_uses(path)]


def module_graph(root: pathlib.Path) -> dict[str, set[str]]:
    """dxapp module -> the dxapp modules it imports at module level (an import inside a function is
    the way to break a circle and is not counted)."""
    modules = {}
    for path in (root / "dxapp").rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in modules.items():
        deps = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("dxapp"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    deps.add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("dxapp"))
        graph[name] = {d for d in deps if d in modules and d != name}
    return graph


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def circle_problems(graph) -> list[str]:
    """Every import circle, but a blueprint package with its own route modules (the package makes
    ``bp`` and imports its route modules at its end; they import ``bp``): Flask's pattern."""
    problems = []
    for group in import_circles(graph):
        package = group[0]
        if package.startswith("dxapp.blueprints.") and all(m == package or m.startswith(package + ".")
                                                            for m in group):
            continue
        problems.append(" -> ".join(group))
    return problems


def test_no_import_circle():
    assert circle_problems(module_graph(ROOT)) == []


def test_an_import_circle_is_found():
    graph = {"dxapp.a": {"dxapp.b"}, "dxapp.b": {"dxapp.c"}, "dxapp.c": {"dxapp.a"}, "dxapp.d": {"dxapp.a"},
             "dxapp.blueprints.x": {"dxapp.blueprints.x.views"}, "dxapp.blueprints.x.views": {"dxapp.blueprints.x"}}
    assert circle_problems(graph) == ["dxapp.a -> dxapp.b -> dxapp.c"]


def test_layers():
    assert layer_problems(ROOT) == []


def test_no_module_uses_another_modules_private_names():
    assert private_problems(ROOT) == []


def test_a_violation_is_found(tmp_path):
    for folder in ("rules", "services", "blueprints/sme", "blueprints/public", "procedures", "wizard"):
        (tmp_path / "dxapp" / folder).mkdir(parents=True)
    (tmp_path / "dxapp" / "rules" / "x.py").write_text("from dxapp.extensions import db\n")
    (tmp_path / "dxapp" / "services" / "y.py").write_text("import dxapp.blueprints.auth\n")
    (tmp_path / "dxapp" / "services" / "z.py").write_text("from flask import request\n"
                                                          "from flask_login import current_user\n")
    (tmp_path / "dxapp" / "blueprints" / "sme" / "__init__.py").write_text(
        "from dxapp.blueprints.sme import forms\nfrom dxapp.blueprints.public import rows\n")
    (tmp_path / "dxapp" / "procedures" / "p.py").write_text("from dxapp.blueprints import sme\n")
    assert layer_problems(tmp_path) == ["dxapp/rules/x.py imports dxapp.extensions",
                                        "dxapp/rules/x.py imports dxapp.extensions.db",
                                        "dxapp/services/y.py imports dxapp.blueprints.auth",
                                        "dxapp/procedures/p.py imports dxapp.blueprints",
                                        "dxapp/procedures/p.py imports dxapp.blueprints.sme",
                                        "dxapp/services/z.py reads flask.request",
                                        "dxapp/services/z.py reads flask_login.current_user",
                                        "dxapp/blueprints/sme/__init__.py imports dxapp.blueprints.public",
                                        "dxapp/blueprints/sme/__init__.py imports dxapp.blueprints.public.rows"]


def test_a_private_use_is_found(tmp_path):
    (tmp_path / "dxapp").mkdir()
    (tmp_path / "dxapp" / "a.py").write_text(
        "from dxapp.services import accounts\nimport dxapp.kept as kept\nfrom dxapp.x import _y\n"
        "accounts._link('e')\nkept._secret('k')\nself._own\nform._errors\n")
    assert private_problems(tmp_path) == ["dxapp/a.py uses dxapp.x._y", "dxapp/a.py uses accounts._link",
                                          "dxapp/a.py uses kept._secret"]
