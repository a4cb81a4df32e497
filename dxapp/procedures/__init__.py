"""Every declared procedure, below the blueprints (ARCHITECTURE.md, "Growing the house").

One registry: the applicant blueprints mount its procedures (dxapp.procedures.views.mount), and the
secretariat's desk and review and the CLI read it.  A procedure's spec is dxapp.procedures.spec."""

from __future__ import annotations

from dxapp.procedures import consultation_case, expert_registration, sme_registration, supporter_registration
from dxapp.procedures.spec import Procedure

#: The registrations: the procedures that create applications, which the desk and the review read.
_REGISTRY: dict[str, Procedure] = {p.kind: p for p in (
    sme_registration.PROCEDURE, expert_registration.PROCEDURE, supporter_registration.PROCEDURE)}
#: Declared procedures that create no application (no review queue, a start guard of their own).
_OTHERS: dict[str, Procedure] = {p.kind: p for p in (consultation_case.PROCEDURE,)}


def get(kind: str) -> Procedure:
    """The procedure of ``kind`` (an application kind, or another declared procedure such as
    ``consultation_case``); KeyError for an unknown kind."""
    return _REGISTRY[kind] if kind in _REGISTRY else _OTHERS[kind]


def all() -> tuple[Procedure, ...]:  # noqa: A001  (the registry's whole list, as the brief names it)
    """The registrations (every procedure that creates applications)."""
    return tuple(_REGISTRY.values())


def every() -> tuple[Procedure, ...]:
    """Every declared procedure: the registrations, then the others."""
    return (*_REGISTRY.values(), *_OTHERS.values())


def by_wizard(name: str) -> Procedure | None:
    """The procedure of the wizard called ``name`` (desk grants and drafts record the wizard's name)."""
    return next((p for p in _REGISTRY.values() if p.wizard.name == name), None)
