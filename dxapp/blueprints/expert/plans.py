"""The expert's support plans (issue 13): start a plan from a match, the wizard steps over the plan row,
the live quote panel, send to the SME, conclude the contract, ask to cancel.  Thin: the procedure
(dxapp/procedures/support_plan.py) holds the forms, the service the rules of each move."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dxapp import clock, htmx
from dxapp.access import policy
from dxapp.errors import conflict
from dxapp.extensions import db
from dxapp.labels import PLAN_LABELS
from dxapp.models import Match
from dxapp.procedures import support_plan as procedure
from dxapp.procedures import support_plan_pages as pages
from dxapp.procedures.spec import calendar_in_force
from dxapp.services import matches, plans
from dxapp.services.workflow import Stale


def _plan(plan_id: int):
    plan = plans.of_expert(pages.me(), plan_id)
    if plan is None:
        abort(404)
    return plan


def register(bp) -> None:
    @bp.route("/plans")
    @policy("expert")
    def plans_list():
        me = pages.me()
        mine = plans.plans_of_expert(me)
        planned = {p.match_id for p in mine if p.status not in ("cancelled", "rejected")}
        open_matches = [m for m in matches.of_expert(me.id) if m.id not in planned]
        return render_template("plans/expert_list.html", plans=mine, matches=open_matches, labels=PLAN_LABELS)

    @bp.route("/matches/<int:match_id>/plan", methods=["POST"])
    @policy("expert")
    def plan_start(match_id: int):
        match = db.session.get(Match, match_id)
        if match is None or match.expert_user_id != pages.me().id:
            abort(404)
        try:
            plan = plans.start(match, plans.PlanFields(), actor=pages.me())
        except plans.PlanRefused as refused:
            if refused.plan is not None:
                return redirect(url_for("expert.plan_page", plan_id=refused.plan.id), 303)
            abort(404)
        return redirect(url_for("expert.plan_step", plan_id=plan.id, slug="purpose"), 303)

    @bp.route("/plans/<int:plan_id>")
    @policy("expert")
    def plan_page(plan_id: int):
        plan = _plan(plan_id)
        return render_template("plans/expert_plan.html", **pages.plan_context(plan), done=procedure.done(plan),
                               editable=plan.status in plans.EDITABLE)

    @bp.route("/plans/<int:plan_id>/<slug>", methods=["GET", "POST"])
    @policy("expert")
    def plan_step(plan_id: int, slug: str):
        if slug not in procedure.SLUGS:
            abort(404)
        plan = _plan(plan_id)
        if plan.status not in plans.EDITABLE:
            return redirect(url_for("expert.plan_page", plan_id=plan.id), 303)
        form_class = procedure.FORMS[slug]
        if request.method == "GET":
            form = form_class(data={**procedure.form_data(plan, slug), "version": plan.version})
            return _step(plan, slug, form)
        form = form_class()
        if slug == "content" and ("add" in request.form or "remove" in request.form):
            return _rows(plan, form)
        if not form.validate():
            return _step(plan, slug, form, 422)
        version = form.version_number()
        try:
            plans.save(plan, procedure.apply(plan, slug, form), version=version or 0, actor=pages.me())
        except Stale as stale:
            return conflict(stale, typed=_typed(form), back_url=url_for("expert.plan_page", plan_id=plan_id))
        if "calculate" in request.form:
            return _after_save(plan, slug)
        following = procedure.next_slug(slug)
        if "save_and_stop" in request.form or following is None:
            return _after_save(plan, None)
        return _after_save(plan, following)

    @bp.route("/plans/<int:plan_id>/panel")
    @policy("expert")
    def plan_panel(plan_id: int):
        plan = _plan(plan_id)
        return render_template("plans/_quote_panel.html", panel=procedure.panel(plan, request.args.get("hourly_rate"),
                                                                                 at=clock.program_now()))

    @bp.route("/plans/<int:plan_id>/send", methods=["POST"])
    @policy("expert")
    def plan_send(plan_id: int):
        plan = _plan(plan_id)
        try:
            plans.send_to_sme(plan, version=pages.version_posted(), actor=pages.me(), at=clock.program_now(),
                              calendar=calendar_in_force(), freeze=pages.freeze_in_force())
        except plans.PlanRefused as refused:
            return pages.refusal(plan, refused, "expert")
        flash(_("The plan was sent to the SME for its agreement."), "success")
        return redirect(url_for("expert.plan_page", plan_id=plan.id), 303)

    @bp.route("/plans/<int:plan_id>/change", methods=["POST"])
    @policy("expert")
    def plan_change(plan_id: int):
        plan = _plan(plan_id)
        try:
            change = plans.start_change(plan, actor=pages.me())
        except plans.PlanRefused as refused:
            if refused.code == "change_open":
                shown = refused.plan.id if refused.plan is not None else plan.id
                return redirect(url_for("expert.plan_page", plan_id=shown), 303)
            return pages.refusal(plan, refused, "expert")
        flash(_("A change of the plan was started. The plan in force stays as it is until the secretariat "
                "approves the change."), "success")
        return redirect(url_for("expert.plan_page", plan_id=change.id), 303)

    @bp.route("/plans/<int:plan_id>/conclude", methods=["GET", "POST"])
    @policy("expert")
    def plan_conclude(plan_id: int):
        return pages.conclude_page(_plan(plan_id), "expert", "expert.plan_page")

    @bp.route("/plans/<int:plan_id>/cancel-request", methods=["GET", "POST"])
    @policy("expert")
    def plan_cancel_request(plan_id: int):
        return pages.cancel_request_page(_plan(plan_id), "expert.plan_page")

    @bp.route("/plans/<int:plan_id>/contract")
    @policy("expert")
    def plan_contract(plan_id: int):
        return pages.contract_page(_plan(plan_id), "expert.plan_contract_pdf")

    @bp.route("/plans/<int:plan_id>/contract.pdf")
    @policy("expert")
    def plan_contract_pdf(plan_id: int):
        return pages.contract_pdf(_plan(plan_id))


def _after_save(plan, slug: str | None):
    """POST-redirect-GET to the step ``slug`` (None: the plan page); a boosted (htmx) POST is answered
    with that page itself and ``HX-Push-Url``, one round trip as in the registration wizard."""
    url = (url_for("expert.plan_step", plan_id=plan.id, slug=slug) if slug
           else url_for("expert.plan_page", plan_id=plan.id))
    if not htmx.is_boosted():
        return redirect(url, 303)
    if slug is None:
        body, status = current_app.view_functions["expert.plan_page"](plan_id=plan.id), 200
    else:
        form = procedure.FORMS[slug](formdata=None, data={**procedure.form_data(plan, slug), "version": plan.version})
        body, status = _step(plan, slug, form)
    return htmx.push_url(make_response(body, status), url)


def _typed(form) -> dict:
    return {str(f.label.text): f.data for f in form if f.type in ("StringField", "TextAreaField", "YenField",
                                                                 "DateInput", "HoursInput") and f.data}


def _step(plan, slug, form, status: int = 200):
    step = procedure.step(slug)
    context = {**pages.plan_context(plan), "step": step, "slug": slug, "form": form,
               "number": procedure.SLUGS.index(slug) + 1}
    if slug == "rate":
        typed = form.hourly_rate.data if form.hourly_rate.data else None
        context["panel"] = procedure.panel(plan, typed, at=clock.program_now())
    if slug == "scope":
        context["flags"] = plan.scope_flags or []
    return render_template("plans/step.html", **context), status


def _rows(plan, form):
    """Add a row or remove one (no JavaScript needed): the page comes back with what was typed."""
    form.validate()  # read the rows; errors of a half-typed row are not shown yet
    for entry in form.items:
        for field in entry.form:
            field.errors = []
    form.form_errors = []
    form.items.errors = []
    if "add" in request.form and len(form.items) < 30:
        form.items.append_entry()
    remove = request.form.get("remove", "")
    if remove.isdigit() and int(remove) < len(form.items) and len(form.items) > 1:
        kept = [dict(what=e.form.what.data, hours=e.form.hours.data, mode=e.form.mode.data)
                for i, e in enumerate(form.items) if i != int(remove)]
        form = procedure.ContentForm(formdata=None, data={"items": kept, "version": form.version.data})
    return _step(plan, "content", form)


