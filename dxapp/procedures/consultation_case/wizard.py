"""The consultation case wizard (issue 12, "Consultation cases"): declared steps, saved at every step,
check your answers, published once."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dxapp.procedures.consultation_case import budget
from dxapp.procedures.consultation_case.forms import (
    AreasForm,
    BudgetForm,
    DeadlineForm,
    GoalsForm,
    HoursForm,
    KindForm,
    ModeForm,
    ThemeForm,
)
from dxapp.wizard import Section, Step, Wizard

NAME = "consultation_case"


def owner_key(user) -> str:
    """The draft case belongs to the SME: every member (contact person) continues it."""
    return f"org:{user.organisation_id}"


def _budget_context(_answers) -> dict:
    return {"hint": budget.current()}


CONSULTATION_CASE = Wizard(
    name=NAME,
    title=_l("Post a consultation case"),
    submit_label=_l("Publish this case"),
    sections=(
        Section("about", _l("What the case is about")),
        Section("support", _l("The support you want")),
        Section("practical", _l("Place and deadline")),
        Section("budget", _l("Budget hint")),
    ),
    steps=(
        Step("theme", _l("Theme of the case"), ThemeForm, "about"),
        Step("goals", _l("Goals and current situation"), GoalsForm, "about"),
        Step("areas", _l("Support areas"), AreasForm, "support"),
        Step("kind", _l("Kind of case"), KindForm, "support"),
        Step("hours", _l("Hours and period"), HoursForm, "support"),
        Step("mode", _l("Online or on site"), ModeForm, "practical"),
        Step("deadline", _l("Proposal deadline"), DeadlineForm, "practical"),
        Step("budget", _l("Your remaining honorarium"), BudgetForm, "budget", template="cases/wizard_budget.html",
             context=_budget_context),
    ),
)
