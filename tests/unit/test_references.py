"""The registry of reference prefixes (issue 10): one letter, one meaning; every minting goes through it."""

import ast
import pathlib
import re
from datetime import datetime

import pytest

from dxapp import procedures
from dxapp.rules import references
from dxapp.services import applications

ROOT = pathlib.Path(__file__).resolve().parents[2] / "dxapp"


def test_letters_and_names_are_unique():
    letters = [r.letter for r in references.REFERENCES]
    names = [r.name for r in references.REFERENCES]
    assert len(letters) == len(set(letters)), letters
    assert len(names) == len(set(names)), names
    assert all(re.fullmatch(r"[A-Z]", letter) for letter in letters)


@pytest.mark.parametrize("name, letter, digits", [
    ("consultation", "K", 8), ("support_plan", "S", 11), ("report", "J", 10), ("honorarium_claim", "H", 10),
    ("sme_application", "C", 8), ("expert_application", "E", 8), ("supporter_application", "B", 8),
])
def test_the_issue_10_prefixes(name, letter, digits):
    ref = references.get(name)
    assert (ref.letter, ref.digits, ref.shape) == (letter, digits, references.PLAIN)
    value = references.mint(name, 42)
    assert value == letter + "42".zfill(digits) and references.valid(name, value)
    assert references.kind_of(value) is ref


def test_format_and_validation():
    assert references.mint("sme_registration", 7, datetime(2026, 6, 1)) == "R-2606-000007"
    assert references.mint("inquiry", 9) == "Q-00000009"
    assert not references.valid("inquiry", "Q-DEMO0001")
    assert not references.valid("sme_application", "C1234567")  # one digit short
    assert not references.valid("sme_application", "S12345678")
    assert references.kind_of("Z123") is None and references.kind_of("") is None
    with pytest.raises(ValueError):
        references.mint("consultation", 10**8)
    with pytest.raises(ValueError):
        references.mint("signup", 1)  # dated: needs the time


def test_every_procedure_and_application_kind_uses_a_registered_prefix():
    for procedure in procedures.every():  # the registrations and the consultation case
        assert references.by_letter(procedure.reference_prefix).shape == references.DATED, procedure.kind
    for kind, name in applications.REFERENCE.items():
        assert references.get(name).shape == references.PLAIN, kind


def test_the_supporter_registration_no_longer_uses_s():
    assert references.get("supporter_application").letter != "S"
    supporter = [p for p in procedures.all() if p.kind == "supporter"][0]
    assert supporter.reference_prefix != "S"


def _literal_prefixes(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "reference_prefix" and isinstance(node.value, ast.Constant):
            yield node.value.value


def test_no_reference_is_minted_outside_the_registry():
    """An f-string reference (``f"X{n:08d}"`` assigned to ``reference=``) bypasses the registry; literal
    wizard prefixes must be registered dated letters."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "reference" and isinstance(node.value, ast.JoinedStr):
                if path.name != "demo.py":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.value.lineno}")
        for letter in _literal_prefixes(tree):
            ref = references.BY_LETTER.get(letter)
            if ref is None or ref.shape != references.DATED:
                offenders.append(f"{path.relative_to(ROOT)}: reference_prefix={letter!r}")
    assert not offenders, offenders
