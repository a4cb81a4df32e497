"""Convention (issue 10, "Tests"): no test module imports another test module or a conftest.  Shared
helpers live in tests/fixtures/ (factories, walks, page checks) and shared pytest fixtures in a conftest,
so a test file can be run, moved or deleted on its own and no helper is copied between files."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _is_test_module(dotted: str) -> bool:
    last = dotted.rsplit(".", 1)[-1]
    return dotted.startswith("tests.") and (last.startswith("test_") or last == "conftest")


def imported_test_modules(source: str) -> list[str]:
    """The test modules (test_*.py, conftest.py under tests/) that ``source`` imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if _is_test_module(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if _is_test_module(node.module):
                found.append(node.module)
            found += [f"{node.module}.{a.name}" for a in node.names if _is_test_module(f"{node.module}.{a.name}")]
        elif isinstance(node, ast.ImportFrom) and node.level:
            found += [f"(relative) {node.module or ''}.{a.name}" for a in node.names]
    return found


def test_no_test_module_imports_another_test_module():
    offenders = {}
    for path in sorted(TESTS.rglob("*.py")):
        if "node_modules" in path.parts:
            continue
        found = imported_test_modules(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(TESTS.parent))] = found
    assert not offenders, f"move these helpers to tests/fixtures/ or a conftest: {offenders}"


def test_the_check_sees_every_spelling():
    spellings = ("from tests.blueprints.test_x import go\n", "from tests.blueprints import test_x\n",
                 "import tests.e2e.test_x\n", "from tests.security.conftest import mail_link\n",
                 "from .test_x import go\n")
    assert all(imported_test_modules(s) for s in spellings)
    assert not imported_test_modules("from tests.fixtures.factories import submitted_sme\n"
                                     "from tests.fixtures import walks\nfrom dxapp import test_mode\n")
