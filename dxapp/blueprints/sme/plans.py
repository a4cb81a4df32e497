"""The SME's support plans (issue 13): read the plan as a clear page (what, when, how many hours, what it
pays and what the program pays), agree or return it with a comment, conclude the contract, ask to
cancel, print the contract."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from dxapp.access import policy
from dxapp.errors import conflict
from dxapp.labels import PLAN_LABELS
from dxapp.procedures import support_plan as procedure
from dxapp.procedures import support_plan_pages as pages
from dxapp.services import plans
from dxapp.services.workflow import Stale


def _plan(plan_id: int):
    plan = plans.of_sme(pages.me(), plan_id)
    if plan is None or plan.status == "draft":  # the expert's draft is not the SME's to read yet
        abort(404)
    return plan


def register(bp) -> None:
    @bp.route("/plans")
    @policy("sme")
    def plans_list():
        shown = [p for p in plans.plans_of_sme(pages.me()) if p.status != "draft"]
        return render_template("plans/sme_list.html", plans=shown, labels=PLAN_LABELS)

    @bp.route("/plans/<int:plan_id>")
    @policy("sme")
    def plan_page(plan_id: int):
        plan = _plan(plan_id)
        return render_template("plans/sme_plan.html", **pages.plan_context(plan),
                               form=procedure.CommentForm(data={"version": plan.version}))

    @bp.route("/plans/<int:plan_id>/agree", methods=["POST"])
    @policy("sme")
    def plan_agree(plan_id: int):
        plan = _plan(plan_id)
        try:
            plans.sme_agree(plan, version=pages.version_posted(), actor=pages.me())
        except plans.PlanRefused as refused:
            return pages.refusal(plan, refused, "sme")
        flash(_("You agreed to the plan. The secretariat reviews it next; you will get an e-mail."), "success")
        return redirect(url_for("sme.plan_page", plan_id=plan.id), 303)

    @bp.route("/plans/<int:plan_id>/return", methods=["POST"])
    @policy("sme")
    def plan_return(plan_id: int):
        plan = _plan(plan_id)
        form = procedure.CommentForm()
        if not form.validate():
            return render_template("plans/sme_plan.html", **pages.plan_context(plan), form=form), 422
        try:
            plans.sme_return(plan, version=pages.version_posted(), actor=pages.me(), comment=form.comment.data)
        except Stale as stale:
            return conflict(stale, typed={_("Comment"): form.comment.data},
                            back_url=url_for("sme.plan_page", plan_id=plan_id))
        flash(_("The plan was returned to the expert with your comment."), "success")
        return redirect(url_for("sme.plan_page", plan_id=plan.id), 303)

    @bp.route("/plans/<int:plan_id>/conclude", methods=["GET", "POST"])
    @policy("sme")
    def plan_conclude(plan_id: int):
        return pages.conclude_page(_plan(plan_id), "sme", "sme.plan_page")

    @bp.route("/plans/<int:plan_id>/cancel-request", methods=["GET", "POST"])
    @policy("sme")
    def plan_cancel_request(plan_id: int):
        return pages.cancel_request_page(_plan(plan_id), "sme.plan_page")

    @bp.route("/plans/<int:plan_id>/contract")
    @policy("sme")
    def plan_contract(plan_id: int):
        return pages.contract_page(_plan(plan_id), "sme.plan_contract_pdf")

    @bp.route("/plans/<int:plan_id>/contract.pdf")
    @policy("sme")
    def plan_contract_pdf(plan_id: int):
        return pages.contract_pdf(_plan(plan_id))
