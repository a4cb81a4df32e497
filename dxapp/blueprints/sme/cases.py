"""The SME's consultation cases (相談案件, issue 12): the case wizard (dxapp.procedures.consultation_case,
mounted here), the list of the SME's cases, the case page (what experts see, the status, the actions),
editing a published case (version check: a stale edit answers the 409 page), closing it early and
withdrawing it (each with a confirmation page; POST -> 303).  A foreign case id is a 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dxapp import inputs, transaction
from dxapp.access import policy
from dxapp.blueprints.sme import bp
from dxapp.errors import conflict
from dxapp.extensions import db
from dxapp.labels import CASE_KIND_LABELS, CASE_STATUS_LABELS
from dxapp.models import Submission
from dxapp.procedures.consultation_case import PROCEDURE, display
from dxapp.procedures.consultation_case import budget as case_budget
from dxapp.procedures.consultation_case.forms import CaseEditForm, format_hours, half_hours
from dxapp.procedures.spec import calendar_in_force
from dxapp.procedures.views import refusal_page, start_refusal
from dxapp.services import cases
from dxapp.services import drafts as drafts_service
from dxapp.services.workflow import Stale
from dxapp.wizard import Answers
from dxapp.wizard.views import WizardRoutes

RULE = ("sme",)


def _sme():
    return current_user._get_current_object()


def _write_guard():
    refusal = start_refusal(_sme(), PROCEDURE)
    if refusal is None:
        return None
    return refusal_page(refusal, back_url=url_for("sme.cases"), back_text=_("Go to your cases"))


class CaseWizardRoutes(WizardRoutes):
    """The engine's routes, with the case's task list and, for an SME not approved yet, a notice on the
    task list and the check page that publishing waits for the approval (the refusal page says it too)."""

    def page_context(self, draft, step=None, **extra):
        context = super().page_context(draft, step=step, **extra)
        if cases.approved_registration(_sme()) is None:
            context["submit_notice"] = _("Your registration is not approved yet. You can write the case and save "
                                         "it; you can publish it once the secretariat has approved the "
                                         "registration of your business.")
        return context


wizard = CaseWizardRoutes(
    bp=bp, wizard=PROCEDURE.wizard, rule=RULE, owner=lambda: (PROCEDURE.owner_key(current_user), current_user.id),
    on_submit=lambda draft: PROCEDURE.submit(draft, _sme()), done_endpoint="sme.case_published",
    reference_prefix=PROCEDURE.reference_prefix, prefix="/cases/new", actor=lambda: current_user.id,
    write_guard=_write_guard, templates={"tasks": "cases/wizard_tasks.html"},
).register()


@bp.errorhandler(cases.CaseRefused)
def case_refused(refused: cases.CaseRefused):
    """Publishing (or saving) refused by the rules: nothing stays (rolled back); the page says why and
    what to do (the draft is kept)."""
    transaction.rollback()
    status = 403  # refused by the rules, whatever was sent
    return render_template("cases/refused.html", refused=refused, status_labels=CASE_STATUS_LABELS), status


# ------------------------------------------------------------------------------------------ helpers

def _owned(case_id: int):
    case = cases.owned(_sme(), case_id)
    if case is None:
        abort(404)
    return case


def _actions(case, status: str) -> dict:
    """Which actions the case page offers, from the stored status (MONEY.md §1) and the one shown."""
    return {"edit": case.status == "published", "close": case.status == "published" and status == "published",
            "withdraw": case.status in ("published", "closed")}


def _draft():
    """The SME's case in the wizard (not yet published), or None."""
    return drafts_service.get(PROCEDURE.wizard.name, PROCEDURE.owner_key(current_user))


# ------------------------------------------------------------------------------------------ pages

@bp.route("/cases", endpoint="cases")
@policy(*RULE)
def cases_list():
    user = _sme()
    rows = [(case, cases.shown_status(case)) for case in cases.of_sme(user)]
    draft = _draft()
    done, total = PROCEDURE.wizard.progress(draft.answers) if draft is not None else (0, 0)
    return render_template("cases/list.html", rows=rows, draft=draft, done=done, total=total,
                           title_of_draft=Answers(draft.answers).data("theme").get("title") if draft else None,
                           approved=cases.approved_registration(user) is not None,
                           status_labels=CASE_STATUS_LABELS, kind_labels=CASE_KIND_LABELS)


@bp.route("/cases/new/sent/<reference>")
@policy(*RULE)
def case_published(reference: str):
    submission = db.session.query(Submission).filter_by(
        wizard=PROCEDURE.wizard.name, owner_key=PROCEDURE.owner_key(current_user), reference=reference).first()
    if submission is None or submission.result_type != "consultation_case":
        abort(404)
    case = _owned(submission.result_id)
    return render_template("cases/published.html", case=case, wording=PROCEDURE.wording)


@bp.route("/cases/<int:case_id>")
@policy(*RULE)
def case_detail(case_id: int):
    case = _owned(case_id)
    facts = display.facts(case)
    return render_template("cases/detail.html", case=case, facts=facts, actions=_actions(case, facts["status"]),
                           hint=case_budget.for_user(_sme()), status_labels=CASE_STATUS_LABELS)


def _form_data(case) -> dict:
    return {"title": case.title, "goals": case.goals, "situation": case.situation,
            "areas": [a.area for a in case.areas], "kind": case.kind,
            "hours": format_hours(case.half_hours).removesuffix("時間"), "period_months": str(case.period_months),
            "mode": case.mode, "prefecture": case.prefecture or "", "place": case.place or "",
            "deadline": case.deadline, "version": str(case.version)}


def _fields(form: CaseEditForm) -> cases.CaseFields:
    online = form.mode.data == "online"
    return cases.CaseFields(
        title=form.title.data, goals=form.goals.data, situation=form.situation.data, areas=tuple(form.areas.data),
        kind=form.kind.data, half_hours=half_hours(form.hours.data), period_months=int(form.period_months.data),
        mode=form.mode.data, prefecture=None if online else (form.prefecture.data or None),
        place=None if online else (form.place.data or None), deadline=form.deadline.data)


def _typed(form: CaseEditForm) -> dict:
    """What the SME typed, by label (kept on the 409 page so that nothing is lost)."""
    from dxapp.wizard.forms import summary_rows

    return {label: value for _id, label, value in summary_rows(form)}


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@policy(*RULE)
def case_edit(case_id: int):
    case = _owned(case_id)
    if request.method == "GET":
        if case.status != "published":
            abort(409)
        form = CaseEditForm(data=_form_data(case))
        return render_template("cases/edit.html", case=case, form=form)
    form = CaseEditForm()
    version = inputs.posted_version()
    if not form.validate():
        return render_template("cases/edit.html", case=case, form=form), 422
    try:
        cases.edit(case, _fields(form), version=version, actor=_sme(), calendar=calendar_in_force())
    except cases.CaseRefused as refused:
        form.deadline.errors = [r.message for r in refused.reasons] or [_("Check the proposal deadline.")]
        return render_template("cases/edit.html", case=case, form=form), 422
    except Stale as stale:
        typed = _typed(form)

        def render():
            current = cases.owned(_sme(), case_id)
            return render_template("cases/conflict.html", case=current, facts=display.facts(current), typed=typed,
                                   status_labels=CASE_STATUS_LABELS)
        return conflict(stale, render=render)
    flash(_("The case has been changed. Experts see the new version."), "success")
    return redirect(url_for("sme.case_detail", case_id=case.id), 303)


def _confirm(case_id: int, act, done: str, page):
    """GET: the confirmation page (``page(case, status)`` -> its heading, text and button); POST: the
    action with the version the page showed (Stale: the 409 page), then 303 to the case page."""
    case = _owned(case_id)
    status = cases.shown_status(case)
    if request.method == "POST":
        version = inputs.posted_version()
        try:
            act(case, version=version, actor=_sme())
        except Stale as stale:
            return conflict(stale, back_url=url_for("sme.case_detail", case_id=case_id))
        flash(done, "success")
        return redirect(url_for("sme.case_detail", case_id=case.id), 303)
    if not _actions(case, status)["close" if act is cases.close_early else "withdraw"]:
        abort(409)
    heading, text, button, kind = page(case, status)
    back = url_for("sme.case_detail", case_id=case.id)
    return render_template("cases/confirm.html", heading=heading, text=text, button=button, button_kind=kind,
                           action_url=request.path, version_name="version", version=case.version, back_url=back,
                           back_text=_("Cancel and go back to the case"))


@bp.route("/cases/<int:case_id>/close", methods=["GET", "POST"])
@policy(*RULE)
def case_close(case_id: int):
    return _confirm(case_id, cases.close_early,
                    _("The case is closed to proposals. Proposals already sent can still be compared."),
                    lambda case, status: (
                        _("Close the case to proposals"),
                        _("Case %(ref)s「%(title)s」 will take no new proposals from now on, before its deadline. "
                          "Proposals already sent can still be compared and accepted. This cannot be undone.",
                          ref=case.reference, title=case.title),
                        _("Close to proposals now"), "primary"))


@bp.route("/cases/<int:case_id>/withdraw", methods=["GET", "POST"])
@policy(*RULE)
def case_withdraw(case_id: int):
    return _confirm(case_id, cases.withdraw, _("The case has been withdrawn. Experts no longer see it."),
                    lambda case, status: (
                        _("Withdraw the case"),
                        _("Case %(ref)s「%(title)s」 (%(status)s) will be withdrawn: experts no longer see it and "
                          "cannot send proposals. This cannot be undone; you can post a new case afterwards.",
                          ref=case.reference, title=case.title, status=CASE_STATUS_LABELS[status]),
                        _("Withdraw the case"), "warning"))


@bp.route("/cases/new/discard", methods=["GET", "POST"])
@policy(*RULE)
def case_discard():
    """Throw away the case being written (the wizard's draft); a published case is withdrawn instead."""
    draft = _draft()
    if draft is None:
        return redirect(url_for("sme.cases"), 303)
    if request.method == "POST":
        version = inputs.posted_version("draft_version")
        try:
            cases.discard_draft(draft, version, actor=_sme())
        except Stale as stale:
            return conflict(stale, back_url=url_for("sme.cases"))
        flash(_("The case you were writing has been deleted."), "success")
        return redirect(url_for("sme.cases"), 303)
    return render_template("cases/confirm.html", heading=_("Delete the case you are writing"),
                           text=_("The answers of the case you have not published yet will be deleted. This cannot "
                                  "be undone."),
                           button=_("Delete the draft"), button_kind="warning", action_url=request.path,
                           version_name="draft_version", version=draft.version, back_url=url_for("sme.cases"),
                           back_text=_("Cancel and go back to your cases"))
