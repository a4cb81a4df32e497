"""Pages of support plans that both parties see (issue 13): the refusal page, the conclusion with its
declaration, the request to cancel, the contract.  Below the blueprints, so the expert's and the SME's
blueprints mount the same pages (a blueprint never imports another)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dxapp import clock, pdf, transaction
from dxapp.errors import conflict
from dxapp.extensions import db
from dxapp.labels import PLAN_LABELS
from dxapp.models import Organisation, User
from dxapp.procedures import support_plan as procedure
from dxapp.procedures.spec import calendar_in_force
from dxapp.services import budget, freezes, plans
from dxapp.services.workflow import Stale


def me():
    return current_user._get_current_object()


def version_posted() -> int:
    try:
        value = int(request.form.get("version", ""))
    except ValueError:
        return 0
    return value if 0 < value < 2**31 else 0


def freeze_in_force() -> plans.Freeze | None:
    """The secretariat's freeze of new plans in force today (services.freezes; a test or an operator may
    also set config ``PLAN_FREEZE``: (first day, last day))."""
    value = current_app.config.get("PLAN_FREEZE")
    if value:
        return plans.Freeze(*value)
    row = freezes.in_force(clock.program_now())
    return plans.Freeze(row.since, row.until) if row is not None else None


def plan_context(plan) -> dict:
    """What every page showing a plan needs (templates/plans/_plan.html)."""
    return {"plan": plan, "labels": PLAN_LABELS, "mode_labels": procedure.MODE_LABELS,
            "amounts": procedure.amounts(plan, at=clock.program_now()), "steps": procedure.STEPS,
            "change": change_view(plan)}


def change_view(plan) -> dict | None:
    """For a change (計画変更): the plan in force and what changes (old and new hours, period, rate and
    honorarium); for a running plan: its change in progress, if any."""
    if plan.change_of_id is None:
        return {"open": plans.open_change(plan)} if plan.status == "running" else None
    current = plans.in_force(plan)
    old_yen, new_yen = plans.change_reservation(plan, at=clock.program_now())
    return {"in_force": current, "old_yen": old_yen, "new_yen": new_yen,
            "pending": plan.status in plans.CHANGE_OPEN}



def refusal(plan, refused: plans.PlanRefused, side: str):
    """The page that says why and what to do (never a bare error)."""
    transaction.rollback()
    return render_template("plans/refused.html", **plan_context(plan), refused=refused, side=side), \
        409


def conclude_page(plan, side: str, back_endpoint: str):
    form = procedure.DeclarationForm()
    context = {**plan_context(plan), "form": form, "side": side, "back_url": url_for(back_endpoint, plan_id=plan.id)}
    if request.method == "GET" or not form.validate():
        return render_template("plans/conclude.html", **context), 200 if request.method == "GET" else 422
    try:
        outcome = plans.conclude(plan, actor=me(), at=clock.program_now(), calendar=calendar_in_force())
    except budget.LimitReached as refused:
        return render_template("plans/limit.html", **context, refused=refused), 409
    except plans.PlanRefused as refused:
        return refusal(plan, refused, side)
    except Stale as stale:
        return conflict(stale, back_url=context["back_url"])
    flash(_("The contract is concluded: the support can begin.") if outcome == "running" else
          _("You concluded the contract. It takes effect when the other party concludes too."), "success")
    return redirect(context["back_url"], 303)


def cancel_request_page(plan, back_endpoint: str):
    form = procedure.ReasonForm()
    back_url = url_for(back_endpoint, plan_id=plan.id)
    if request.method == "GET" or not form.validate():
        return render_template("plans/cancel_request.html", **plan_context(plan), form=form, back_url=back_url), \
            200 if request.method == "GET" else 422
    try:
        plans.request_cancel(plan, actor=me(), reason=form.reason.data)
    except Stale as stale:
        return conflict(stale, typed={_("Reason"): form.reason.data}, back_url=back_url)
    flash(_("Your request to cancel was sent to the secretariat."), "success")
    return redirect(back_url, 303)


def _contract_context(plan) -> dict:
    if plan.status not in ("concluding", "running", "completed"):
        abort(404)
    return {**plan_context(plan), "expert": db.session.get(User, plan.expert_user_id),
            "sme": db.session.get(Organisation, plan.organisation_id)}


def contract_page(plan, pdf_endpoint: str):
    return render_template("plans/contract.html", **_contract_context(plan),
                           pdf_url=url_for(pdf_endpoint, plan_id=plan.id))


def contract_pdf(plan):
    """The same contract as a PDF download (WeasyPrint, fonts embedded), named by the plan id."""
    html = render_template("plans/contract_pdf.html", **_contract_context(plan), issued_at=clock.wall_now())
    return pdf.attachment(pdf.render(html), f"{plan.reference}-contract.pdf")
