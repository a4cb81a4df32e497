"""The secretariat's review of support plans (issue 13): the queue (oldest first, by status, search by
plan id), the detail page (the plan, the quote, the budget and both caps' headroom now, the signals found
at matching, the flagged scope words), pick up, approve, return with a note per part, reject
(administrators), and confirming a cancellation.  The one review (services.plans.REVIEW, the same
four-eyes rule as registrations)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from dxapp import clock, transaction
from dxapp.access import policy
from dxapp.blueprints.secretariat import bp
from dxapp.blueprints.secretariat.match_signals import SIGNAL_TEXT
from dxapp.errors import conflict
from dxapp.extensions import db
from dxapp.forms import BaseForm, strip
from dxapp.labels import PLAN_CHANGE_LABEL
from dxapp.models import Match, Organisation, User
from dxapp.procedures import support_plan as procedure
from dxapp.procedures import support_plan_pages as pages
from dxapp.rules import subsidy
from dxapp.services import budget, plans, workflow

STAFF = ("desk", "admin")

REFUSALS = {
    "not_holder": _l("Only the clerk who picked up this plan, or an administrator, can decide on it."),
    "entered_on_behalf": _l("You entered this plan for a party, so another clerk must approve it."),
}


class QueueFilters(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("Plan id, SME or expert"), filters=[strip], validators=[Optional(), Length(max=100)])


class ApproveForm(BaseForm):
    approve_note = TextAreaField(_l("Note for both parties (optional)"), filters=[strip],
                                 validators=[Optional(), Length(max=2000)])


class RejectForm(BaseForm):
    reject_reason = TextAreaField(_l("Reason for the rejection"), filters=[strip],
                                  description=_l("Both parties receive this reason by e-mail."),
                                  validators=[Optional(), Length(max=2000)])


def _return_form():
    attrs = {f"flag_{step.slug}": TextAreaField(step.title, filters=[strip], validators=[Optional(), Length(max=1000)])
             for step in procedure.STEPS}
    attrs["return_note"] = TextAreaField(_l("General note (optional)"), filters=[strip],
                                  validators=[Optional(), Length(max=1000)])
    return type("PlanReturnForm", (BaseForm,), attrs)


def _load(plan_id: int):
    plan = plans.get(plan_id)
    if plan is None or plan.status == "draft":
        abort(404)
    return plan


def _headroom(plan) -> dict:
    """Read without creating the usage rows (a GET changes nothing): a side without a row yet has its
    whole cap (the expert's less the Phase I honoraria)."""
    standing = budget.standing()
    used, at = plans.priors(plan), clock.program_now()
    return {"program_yen": standing.remaining_yen, "sme_yen": subsidy.SME_CAP_YEN.as_of(at) - used.sme_yen,
            "expert_yen": subsidy.EXPERT_CAP_YEN.as_of(at) - used.expert_yen, "intake_open": standing.intake_open}


def _detail(plan, status: int = 200, *, refusal: str | None = None, return_form=None, reject_form=None):
    match = db.session.get(Match, plan.match_id)
    return render_template(
        "plans/secretariat_plan.html", **pages.plan_context(plan), headroom=_headroom(plan),
        signals=list(match.signals) if match is not None else [], signal_labels=SIGNAL_TEXT, refusal=refusal,
        sme=db.session.get(Organisation, plan.organisation_id), expert=db.session.get(User, plan.expert_user_id),
        has_errors=bool(refusal), holder=plans.REVIEW.holder(plan), return_form=return_form or _return_form()(formdata=None),
        reject_form=reject_form or RejectForm(formdata=None), approve_form=ApproveForm(formdata=None)), status


def _done(plan, message: str):
    flash(message, "success")
    return redirect(url_for("secretariat.plan_detail", plan_id=plan.id), 303)


def _refused(plan, refused: workflow.DecisionRefused, **forms):
    transaction.rollback()
    return _detail(_load(plan.id), 422, refusal=str(REFUSALS.get(refused.code, refused.code)), **forms)


@bp.route("/plans")
@policy(*STAFF)
def plans_queue():
    form = QueueFilters(formdata=request.args)
    status = request.args.get("status")
    if status not in ("submitted", "under_review", "approved", "concluding", "running", "returned"):
        status = None
    rows = plans.queue(status=status, q=form.q.data if form.validate() else None)
    cancel_requests = plans.cancel_requests()
    return render_template("plans/secretariat_queue.html", plans=rows, form=form, status=status,
                           labels=pages.PLAN_LABELS, cancel_requests=cancel_requests,
                           change_label=PLAN_CHANGE_LABEL)


@bp.route("/plans/<int:plan_id>")
@policy(*STAFF)
def plan_detail(plan_id: int):
    return _detail(_load(plan_id))


@bp.route("/plans/<int:plan_id>/pick-up", methods=["POST"])
@policy(*STAFF)
def plan_pick_up(plan_id: int):
    plan = _load(plan_id)
    try:
        plans.REVIEW.pick_up(plan, version=pages.version_posted(), actor=pages.me())
    except workflow.Stale as stale:
        return conflict(stale, back_url=url_for("secretariat.plan_detail", plan_id=plan_id))
    return _done(plan, _("You have picked up %(ref)s. It is now under review.", ref=plan.reference))


@bp.route("/plans/<int:plan_id>/approve", methods=["POST"])
@policy(*STAFF)
def plan_approve(plan_id: int):
    plan = _load(plan_id)
    form = ApproveForm()
    if not form.validate():
        return _detail(plan, 422)
    note = form.approve_note.data or None
    try:
        plans.REVIEW.approve(plan, version=pages.version_posted(), actor=pages.me(), note=note)
    except workflow.Stale as stale:
        return conflict(stale, typed={_("Note"): note},
                        back_url=url_for("secretariat.plan_detail", plan_id=plan_id))
    except workflow.DecisionRefused as refused:
        return _refused(plan, refused)
    except budget.LimitReached as refused:
        transaction.rollback()
        plan = _load(plan_id)
        return render_template("plans/change_limit.html", **pages.plan_context(plan), refused=refused), 409
    if plan.change_of_id is not None:
        return _done(plan, _("The change of %(ref)s has been approved and is now in force.", ref=plan.reference))
    return _done(plan, _("%(ref)s has been approved. Both parties have been told by e-mail.", ref=plan.reference))


@bp.route("/plans/<int:plan_id>/return", methods=["POST"])
@policy(*STAFF)
def plan_return(plan_id: int):
    plan = _load(plan_id)
    form = _return_form()()
    if not form.validate():
        return _detail(plan, 422, return_form=form)
    flags = {step.slug: form[f"flag_{step.slug}"].data for step in procedure.STEPS if form[f"flag_{step.slug}"].data}
    if not flags:
        form[f"flag_{procedure.STEPS[0].slug}"].errors = [_("Write what must be corrected in at least one part.")]
        return _detail(plan, 422, return_form=form)
    try:
        plans.REVIEW.return_for_correction(plan, version=pages.version_posted(), actor=pages.me(), flags=flags,
                                           note=form.return_note.data or None,
                                           titles={s.slug: str(s.title) for s in procedure.STEPS})
    except workflow.Stale as stale:
        return conflict(stale, typed={str(form[f"flag_{k}"].label.text): v for k, v in flags.items()},
                        back_url=url_for("secretariat.plan_detail", plan_id=plan_id))
    except workflow.DecisionRefused as refused:
        return _refused(plan, refused, return_form=form)
    return _done(plan, _("%(ref)s has been returned to the expert for correction.", ref=plan.reference))


@bp.route("/plans/<int:plan_id>/reject", methods=["POST"])
@policy("admin")
def plan_reject(plan_id: int):
    plan = _load(plan_id)
    form = RejectForm()
    if not form.validate() or not form.reject_reason.data:
        form.reject_reason.errors = [_("Write the reason for the rejection.")]
        return _detail(plan, 422, reject_form=form)
    try:
        plans.REVIEW.reject(plan, version=pages.version_posted(), actor=pages.me(), reason=form.reject_reason.data)
    except workflow.Stale as stale:
        return conflict(stale, typed={_("Reason"): form.reject_reason.data},
                        back_url=url_for("secretariat.plan_detail", plan_id=plan_id))
    except workflow.DecisionRefused as refused:
        return _refused(plan, refused, reject_form=form)
    return _done(plan, _("%(ref)s has been rejected. Both parties have been told by e-mail.", ref=plan.reference))


@bp.route("/plans/<int:plan_id>/cancel", methods=["POST"])
@policy(*STAFF)
def plan_cancel(plan_id: int):
    plan = _load(plan_id)
    if plan.cancel_requested_by_id is None:
        abort(404)
    try:
        plans.cancel(plan, version=pages.version_posted(), actor=pages.me())
    except workflow.Stale as stale:
        return conflict(stale, back_url=url_for("secretariat.plan_detail", plan_id=plan_id))
    return _done(plan, _("%(ref)s has been cancelled; its unused honorarium went back to the budget.",
                         ref=plan.reference))
