"""The checkers themselves: Java and vnu.jar are there (or the skip says how to install them), the Nu
HTML Checker finds a known error, axe-core finds a known violation.  A checker that silently passes
everything would make the zero-error assertions of the other modules worthless."""

from __future__ import annotations

import pytest

from tests.fixtures.markup import NuPages, java_missing

pytestmark = pytest.mark.markup

GOOD = ('<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>正しい文書</title></head>'
        '<body><main><h1>見出し</h1><p>本文</p></main></body></html>')
BAD = ('<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>誤りのある文書</title></head>'
       '<body><main><h1>見出し</h1><p><div>段落の中のdiv</div><span id="a"></span><span id="a"></span>'
       '</main></body></html>')


def test_nu_checker_reports_errors_and_passes_valid_html(tmp_path):
    if reason := java_missing():
        from tests.fixtures.markup import unavailable

        unavailable(reason)
    pages = NuPages(tmp_path)
    pages.add(GOOD, "good document", "fixture")
    pages.add(BAD, "bad document", "fixture")
    errors = pages.errors()
    assert errors, "vnu.jar reported no error in a document with a duplicate id"
    assert all("bad document" in e for e in errors), errors
    assert any("Duplicate ID" in e for e in errors), errors


def test_axe_reports_a_violation(open_tab):
    """An image without alternative text, injected into a real page, must be reported."""
    for js in (True, False):
        tab = open_tab(js=js)
        tab.goto("/account/login")
        tab.page.locator("main").evaluate(
            "m => { const i = document.createElement('img'); i.src = 'data:,'; m.appendChild(i); }")
        violations = tab.axe.violations(tab.page, js=js)
        assert "image-alt" in {v["id"] for v in violations}, (tab.mode, violations)
