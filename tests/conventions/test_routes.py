"""Route conventions (issue 10, ARCHITECTURE.md "Growing the house"):

* the checked-in list docs/routes.txt equals the app's url_map, so no route appears or disappears
  unnoticed: after adding or removing a route, run ``make routes`` and commit the list with the change;
* every static part of a path is kebab-case (lowercase letters, digits and hyphens; a file name may end
  in an extension such as ``.csv``);
* every variable part is typed: ids through a converter (``<int:...>``, or ``<token:...>`` for random
  ids), and an untyped part is one of the few string kinds the app knows (a slug, a reference, a token).
(That every route declares an access policy is tests/security/test_route_policy.py.)"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROUTES_TXT = ROOT / "docs" / "routes.txt"

STATIC_PART = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)?$")
VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
#: Untyped (string) parts: what they hold is not an id but text the page checks itself.
STRING_PARTS = {"slug", "key", "reference", "token", "filename"}
TYPED = {"int", "token", "path"}


def route_lines(app) -> list[str]:
    """One line per route: methods, path, endpoint (the form of docs/routes.txt)."""
    lines = []
    for rule in app.url_map.iter_rules():
        methods = ",".join(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
        lines.append(f"{methods:<9} {rule.rule}  {rule.endpoint}")
    return sorted(lines, key=lambda line: (line.split()[1], line))


def rule_problems(rule: str) -> list[str]:
    problems = []
    for part in rule.strip("/").split("/"):
        if not part or VARIABLE.fullmatch(part):
            continue
        if "<" in part or not STATIC_PART.match(part):
            problems.append(f"{rule}: '{part}' is not kebab-case")
    for match in VARIABLE.finditer(rule):
        converter, name = match["converter"], match["name"]
        if converter in TYPED:
            continue
        if converter is not None:
            problems.append(f"{rule}: unknown converter '{converter}'")
        elif name == "id" or name.endswith("_id") or name not in STRING_PARTS:
            problems.append(f"{rule}: '<{name}>' is untyped (use <int:{name}> or <token:{name}>)")
    return problems


def build_app():
    from dxapp import create_app
    from tests.fixtures.app import base_config

    return create_app(base_config("sqlite://", Path(tempfile.mkdtemp(prefix="dxapp-routes-"))))


@pytest.fixture(scope="module")
def routes_app():
    return build_app()


def test_the_checked_in_route_list_is_the_apps(routes_app):
    listed = ROUTES_TXT.read_text(encoding="utf-8").splitlines() if ROUTES_TXT.exists() else []
    actual = route_lines(routes_app)
    added = sorted(set(actual) - set(listed))
    removed = sorted(set(listed) - set(actual))
    assert not added and not removed, (
        "the routes differ from docs/routes.txt; if that is meant, run `make routes` and commit the list.\n"
        f"new: {added}\ngone: {removed}")


def test_every_route_is_kebab_case_with_typed_ids(routes_app):
    problems = [p for rule in routes_app.url_map.iter_rules() for p in rule_problems(rule.rule)]
    assert problems == []


@pytest.mark.parametrize(("rule", "problem"), [
    ("/sme/contact_edit", "'contact_edit' is not kebab-case"),
    ("/sme/Contacts", "'Contacts' is not kebab-case"),
    ("/sme/contacts/<contact_id>", "'<contact_id>' is untyped"),
    ("/sme/contacts/<name>", "'<name>' is untyped"),
    ("/sme/contacts/<uuid:contact_id>", "unknown converter 'uuid'"),
    ("/sme/contacts/x<int:contact_id>", "is not kebab-case"),
])
def test_a_broken_convention_is_found(rule, problem):
    assert any(problem in p for p in rule_problems(rule)), rule_problems(rule)


@pytest.mark.parametrize("rule", ["/", "/sme/", "/sme/contacts/<int:contact_id>/edit", "/account/sign-up/<slug>",
                                  "/supporter/experts/template.csv", "/supporter/experts/import/<token:import_id>",
                                  "/static/<path:filename>", "/secretariat/desk/sme/<int:grant>/section/<key>"])
def test_the_conventions_allow_the_usual_routes(rule):
    assert rule_problems(rule) == []


def test_an_id_beyond_the_database_range_or_a_malformed_token_is_not_found(routes_app):
    adapter = routes_app.url_map.bind("localhost")
    from werkzeug.exceptions import NotFound

    for path in ("/sme/contacts/0/edit", f"/sme/contacts/{2**31}/edit", "/supporter/experts/import/short",
                 "/supporter/experts/import/" + "x" * 65):
        with pytest.raises(NotFound):
            adapter.match(path, method="GET")
    assert adapter.match(f"/sme/contacts/{2**31 - 1}/edit")[1] == {"contact_id": 2**31 - 1}
    assert adapter.match("/supporter/experts/import/" + "aB3_-" * 4)[0] == "supporter_org.roster_preview"


if __name__ == "__main__":  # `make routes`: write the list from the app
    if "--write" in sys.argv:
        ROUTES_TXT.parent.mkdir(exist_ok=True)
        ROUTES_TXT.write_text("\n".join(route_lines(build_app())) + "\n", encoding="utf-8")
        print(f"wrote {ROUTES_TXT.relative_to(ROOT)}")
    else:
        print("\n".join(route_lines(build_app())))
