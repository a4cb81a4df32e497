"""From the SME wizard's answers (saved steps plus the values being typed) to the rules' Applicant, and
the live eligibility panel.  Nothing here is saved; it runs on every keystroke pause."""

from __future__ import annotations

from collections.abc import Mapping

from dxapp.rules import enterprise, normalize

STEPS_WITH_FACTS = ("business-type", "size", "exclusions")
_COUNTS = ("employees", "shares_total", "shares_largest_large_company", "shares_all_large_companies",
           "officers_total", "officers_from_large_companies")
_YEN = {"capital": "capital_yen", "avg_taxable_income": "avg_taxable_income_yen"}


def _merged(answers: Mapping, slug: str | None, values: Mapping | None) -> dict:
    """The raw typed strings of every step that holds facts, with ``values`` (the step being typed)
    taking the place of what is saved for ``slug``."""
    merged: dict = {}
    for step in STEPS_WITH_FACTS:
        if step == slug and values is not None:
            merged.update({k: v for k, v in values.items() if isinstance(v, str)})
            continue
        raw = (answers.get("steps") or {}).get(step, {}).get("raw") or {}
        merged.update({k: (v[0] if v else "") for k, v in raw.items()})
    return merged


def applicant_from(answers: Mapping, slug: str | None = None, values: Mapping | None = None):
    """(Applicant or None, [Japanese problems with what was typed]).  Unreadable numbers are left out
    (so the decision may be 「まだ判定できません」) and reported, never raised."""
    typed = _merged(answers, slug, values)
    problems: list[str] = []
    legal_form, industry = typed.get("legal_form") or None, typed.get("industry") or None
    if legal_form not in enterprise.LEGAL_FORMS or industry not in enterprise.INDUSTRIES:
        return None, problems
    kwargs: dict = {"legal_form": legal_form, "industry": industry}
    numbers = [(name, name, normalize.parse_count) for name in _COUNTS]
    numbers += [(name, target, normalize.parse_yen) for name, target in _YEN.items()]
    for name, target, parse in numbers:
        text = (typed.get(name) or "").strip()
        if text:
            try:
                kwargs[target] = parse(text)
            except ValueError as exc:
                problems.append(str(exc))
    for name in ("owned_by_deemed_large", "officers_all_from_deemed_large"):
        kwargs[name] = typed.get(name) == "yes"
    if legal_form not in ("company", "sole_proprietor"):
        kwargs["carries_on_business"] = typed.get("carries_on_business") != "no"
    if "shares_all_large_companies" not in kwargs and "shares_largest_large_company" in kwargs:
        # Only the largest owner given: all large companies together own at least that much (issue 11
        # item 6), so a blank total is read as the largest owner's share, not as 0 (a contradiction).
        kwargs["shares_all_large_companies"] = kwargs["shares_largest_large_company"]
    for name in ("shares_largest_large_company", "shares_all_large_companies", "officers_from_large_companies"):
        kwargs.setdefault(name, 0)
    if legal_form != "company":
        kwargs.pop("capital_yen", None)
    return enterprise.Applicant(**kwargs), problems


def decide(answers: Mapping, slug: str | None = None, values: Mapping | None = None) -> dict:
    """The panel's content: outcome, flags, reasons (as dicts) and input problems."""
    applicant, problems = applicant_from(answers, slug, values)
    if applicant is None:
        return {"outcome": "unknown", "sme": False, "small": False, "reasons": [], "problems": problems,
                "needs_type": True}
    try:
        decision = enterprise.classify(applicant)
    except ValueError as exc:
        return {"outcome": "unknown", "sme": False, "small": False, "reasons": [], "problems": [*problems, str(exc)],
                "needs_type": False}
    return {"outcome": decision.outcome, "sme": decision.sme, "small": decision.small,
            "excluded": decision.excluded, "reasons": [r.as_dict() for r in decision.reasons],
            "problems": problems, "needs_type": False}


def panel_context(answers: Mapping, *, slug: str) -> dict:
    """What the stateless live panel of ``slug`` needs from the other saved steps (their typed strings),
    sent back by htmx with the values being typed."""
    context: dict = {}
    for step in STEPS_WITH_FACTS:
        if step != slug:
            raw = (answers.get("steps") or {}).get(step, {}).get("raw") or {}
            context.update({k: (v[0] if v else "") for k, v in raw.items()})
    return context


def panel(values: Mapping, answers: Mapping, *, slug: str) -> dict:
    return decide(answers, slug, values)


def saved_decision(answers: Mapping) -> dict:
    return decide(answers)


def is_ineligible(answers: Mapping) -> bool:
    return saved_decision(answers)["outcome"] == "ineligible"
