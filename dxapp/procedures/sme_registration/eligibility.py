"""From the SME wizard's answers (saved steps plus the values being typed) to the rules' Applicant, and
the live eligibility panel.  Nothing here is saved; it runs on every keystroke pause."""

from __future__ import annotations

from collections.abc import Mapping

from wtforms.fields.core import UnboundField

from dxapp.rules import enterprise, normalize

STEPS_WITH_FACTS = ("business-type", "size", "exclusions", "taxable-income")
#: The exclusion step that does not apply to a legal form (the other one holds its exclusions).
_NOT_FOR = {"sole_proprietor": "exclusions"}
_NOT_FOR_OTHERS = "taxable-income"
#: Answers about shares and officers, which a sole proprietor does not have (issue 11 item 7).
_CORPORATE_ONLY = ("shares_total", "shares_largest_large_company", "shares_all_large_companies", "officers_total",
                   "officers_from_large_companies", "owned_by_deemed_large", "officers_all_from_deemed_large")
_COUNTS = ("employees", "shares_total", "shares_largest_large_company", "shares_all_large_companies",
           "officers_total", "officers_from_large_companies")
_YEN = {"capital": "capital_yen", "avg_taxable_income": "avg_taxable_income_yen"}
#: The question whose answer a deciding reason is about (rules.enterprise reason codes -> form field).
DECIDED_BY = {
    "excluded_single_large_owner": "shares_largest_large_company",
    "excluded_large_owners_two_thirds": "shares_all_large_companies",
    "excluded_large_officers": "officers_from_large_companies",
    "excluded_owned_by_deemed_large": "owned_by_deemed_large",
    "excluded_officers_from_deemed_large": "officers_all_from_deemed_large",
    "excluded_taxable_income": "avg_taxable_income",
    "sme_employees_over": "employees",
    "sme_capital_over": "capital",
    "sme_size_over": "employees",
    "small_employees_over": "employees",
    "no_business_activity": "carries_on_business",
}


def _saved_raw(answers: Mapping, step: str) -> dict:
    raw = ((answers.get("steps") or {}).get(step) or {}).get("raw") or {}
    return {k: (v[0] if v else "") for k, v in raw.items()}


def legal_form_of(answers: Mapping) -> str | None:
    """The legal form saved on the business-type step (None before it is answered)."""
    return ((answers.get("steps") or {}).get("business-type") or {}).get("data", {}).get("legal_form")


def _skipped(legal_form: str | None) -> str:
    """The exclusion step whose answers do not count for ``legal_form`` (it is not shown)."""
    return _NOT_FOR.get(legal_form or "", _NOT_FOR_OTHERS)


def _merged(answers: Mapping, slug: str | None, values: Mapping | None) -> dict:
    """The raw typed strings of every step that holds facts for this legal form, with ``values`` (the
    step being typed) taking the place of what is saved for ``slug``."""
    typed = {k: v for k, v in (values or {}).items() if isinstance(v, str)}
    if slug == "business-type" and values is not None:
        legal_form = typed.get("legal_form")
    else:
        legal_form = _saved_raw(answers, "business-type").get("legal_form") or typed.get("legal_form")
    merged: dict = {}
    for step in STEPS_WITH_FACTS:
        if step == _skipped(legal_form):
            continue
        if step == slug and values is not None:
            merged.update(typed)
            continue
        merged.update(_saved_raw(answers, step))
    if legal_form == "sole_proprietor":
        for name in _CORPORATE_ONLY:
            merged.pop(name, None)
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
    deciding = [r.code for r in enterprise.deciding_reasons(applicant)]
    return {"outcome": decision.outcome, "sme": decision.sme, "small": decision.small,
            "excluded": decision.excluded, "reasons": [r.as_dict() for r in decision.reasons],
            "deciding": deciding, "steps": _steps_of(deciding, answers, slug, values),
            "problems": problems, "needs_type": False}


def _field_names(form_class) -> set[str]:
    return {name for name in dir(form_class) if isinstance(getattr(form_class, name, None), UnboundField)}


def _steps_of(codes, answers: Mapping, slug: str | None, values: Mapping | None) -> list[str]:
    """The steps (in wizard order) holding the answers that decided ``codes``: where to change them."""
    from dxapp.procedures.sme_registration.wizard import SME_REGISTRATION

    fields = {DECIDED_BY[code] for code in codes if code in DECIDED_BY}
    visible = SME_REGISTRATION.visible_steps(answers)
    return [step.slug for step in visible if step.slug in STEPS_WITH_FACTS and fields & _field_names(step.form)
            ] if fields else []


def panel_context(answers: Mapping, *, slug: str) -> dict:
    """What the stateless live panel of ``slug`` needs from the other saved steps (their typed strings),
    sent back by htmx with the values being typed."""
    context: dict = {}
    skipped = _skipped(_saved_raw(answers, "business-type").get("legal_form"))
    for step in STEPS_WITH_FACTS:
        if step not in (slug, skipped):
            context.update(_saved_raw(answers, step))
    return context


def panel(values: Mapping, answers: Mapping, *, slug: str) -> dict:
    return decide(answers, slug, values)


def saved_decision(answers: Mapping) -> dict:
    return decide(answers)


def is_ineligible(answers: Mapping) -> bool:
    return saved_decision(answers)["outcome"] == "ineligible"
