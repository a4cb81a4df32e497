"""Every declared procedure, below the blueprints (ARCHITECTURE.md, "Growing the house").

One registry: the applicant blueprints mount its procedures (dxapp.procedures.views.mount), and the
secretariat's desk and review and the CLI read it.  A procedure's spec is dxapp.procedures.spec."""

from __future__ import annotations

from dxapp.procedures import expert_registration, sme_registration, supporter_registration
from dxapp.procedures.spec import Procedure

_REGISTRY: dict[str, Procedure] = {p.kind: p for p in (
    sme_registration.PROCEDURE, expert_registration.PROCEDURE, supporter_registration.PROCEDURE)}


def get(kind: str) -> Procedure:
    """The procedure that creates applications of ``kind``; KeyError for an unknown kind."""
    return _REGISTRY[kind]


def all() -> tuple[Procedure, ...]:  # noqa: A001  (the registry's whole list, as the brief names it)
    return tuple(_REGISTRY.values())


def by_wizard(name: str) -> Procedure | None:
    """The procedure of the wizard called ``name`` (desk grants and drafts record the wizard's name)."""
    return next((p for p in _REGISTRY.values() if p.wizard.name == name), None)
