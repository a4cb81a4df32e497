"""How a consultation case is shown (the SME's case page, and what experts see of it): the labels of
its kind, mode, areas, hours, period and industry, and the status people see now.  Templates:
cases/_facts.html (never the SME's name, address, phone or e-mail)."""

from __future__ import annotations

from dxapp.labels import CASE_KIND_LABELS, CASE_MODE_LABELS
from dxapp.procedures.consultation_case.forms import PERIODS, format_hours
from dxapp.procedures.expert_registration.forms import SUPPORT_AREA_LABELS
from dxapp.rules.enterprise import INDUSTRY_LABELS
from dxapp.services import cases


def facts(case, at=None) -> dict:
    """What the case page shows of ``case`` (``status``: as shown at program time ``at``, now by default)."""
    return {
        "status": cases.shown_status(case, at),
        "kind": CASE_KIND_LABELS[case.kind],
        "mode": CASE_MODE_LABELS[case.mode],
        "areas": [SUPPORT_AREA_LABELS.get(a.area, a.area) for a in case.areas],
        "hours": format_hours(case.half_hours),
        "period": PERIODS.get(str(case.period_months), case.period_months),
        "industry": INDUSTRY_LABELS.get(case.industry or "", None),
    }
