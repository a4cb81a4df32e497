"""The applicant's pages of a procedure, registered once for every kind: the wizard's routes
(WizardRoutes), its steps' own routes, and the result, sent and withdraw pages, with one set of
templates (templates/application/).  A refusal of the start guard becomes one page that says why and
what to do (:func:`refusal_page`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dxapp import clock, inputs
from dxapp.access import policy
from dxapp.extensions import db
from dxapp.labels import STATUS_LABELS
from dxapp.models import Submission
from dxapp.procedures.spec import RESULT, Procedure, Refusal, calendar_in_force, may_start
from dxapp.rules.application import WITHDRAWABLE
from dxapp.services import applications, desk
from dxapp.wizard.documents import DocumentRoutes
from dxapp.wizard.views import WizardRoutes

#: Statuses of an application sent and not given back: the wizard shows it instead of a new draft.
SENT = ("submitted", "under_review", "resubmitted")


def refusal_page(refusal: Refusal, *, back_url: str, back_text: str | None = None):
    """The page of a refusal: why (the code's wording, with its parameters) and what to do (the link
    back, "Go to My Page" unless ``back_text`` says otherwise).  Its status is the refusal's (403, or 409
    for an application that already exists)."""
    return render_template("application/refused.html", refusal=refusal, back_url=back_url, back_text=back_text,
                           status_labels=STATUS_LABELS, **refusal.params), refusal.status


def start_refusal(user, procedure: Procedure) -> Refusal | None:
    """:func:`may_start` now, for ``user``, with the calendar in force."""
    return may_start(user, procedure, clock.program_now(), calendar_in_force())


def my_page_context(procedure: Procedure, routes: WizardRoutes, user) -> dict:
    """What every applicant's My Page shows of ``procedure``: the registration in force, the open
    application (and whether it may be withdrawn), a change request, the draft and its progress, the
    answers so far and the registered details."""
    application = applications.registration(user, procedure.kind)
    current = applications.open_application(user, procedure.kind)
    change = applications.latest(user, procedure.kind)
    draft = routes.draft()
    done, total = procedure.wizard.progress(draft.answers)
    approved = application is not None and application.status == "approved"
    return {
        "ineligible": ineligible_context(procedure, routes, draft.answers) if current is None else None,
        "user": user, "application": application, "current": current, "draft": draft, "done": done,
        "total": total, "status_labels": STATUS_LABELS,
        "withdrawable": procedure.withdrawable and current is not None and current.status in WITHDRAWABLE,
        "change": change if change is not None and change.change_of_id is not None else None,
        "sections": routes.answer_sections(draft.answers, complete_only=True),
        "registered_sections": routes.answer_sections(application.answers) if approved else [],
    }


def ineligible_context(procedure: Procedure, routes: WizardRoutes, answers) -> dict | None:
    """Why these answers are not eligible, and where to change them (the result page, My Page): the
    deciding reasons, the rest of the reasons, the first step holding a deciding answer (issue 11 items
    4 and 5).  None when the answers are not (yet) ineligible."""
    if procedure.decision is None:
        return None
    decision = procedure.decision(answers)
    if decision.get("outcome") != "ineligible":
        return None
    steps = decision.get("steps") or []
    codes = set(decision.get("deciding") or ())
    reasons = decision.get("reasons") or []
    deciding = [r for r in reasons if r["code"] in codes] or reasons
    step = procedure.wizard.step(steps[0]) if steps else None
    return {"decision": decision, "deciding": deciding, "others": [r for r in reasons if r not in deciding],
            "step": step, "url": url_for(routes.ep("step"), slug=step.slug) if step else url_for(routes.ep("tasks"))}


def mount(bp, procedure: Procedure, *, prefix: str = "/register") -> WizardRoutes:
    """Register ``procedure`` for its applicants on ``bp``: the wizard under ``prefix``, its documents
    and other steps, ``<bp>.result`` (when it decides eligibility), ``<bp>.submitted`` and
    ``<bp>.withdraw`` (when withdrawable) and ``<bp>.support_code`` (with desk-assisted entry).  Returns the wizard's routes."""
    name = bp.name
    rule = (procedure.role,)

    def applicant():
        return current_user._get_current_object()

    def write_guard():
        refusal = start_refusal(applicant(), procedure)
        if refusal is None:
            return None
        return refusal_page(refusal, back_url=url_for(f"{name}.index"))

    def after_save(slug, answers):
        if procedure.stops_after is not None and procedure.stops_after(slug, answers):
            return url_for(f"{name}.result")
        return None

    def blocker(answers):
        target = procedure.blocker(answers) if procedure.blocker is not None else None
        if target == RESULT:
            return url_for(f"{name}.result")
        if target is not None:
            return url_for(routes.ep("step"), slug=target)
        return documents.blocker(answers) if documents is not None else None

    def sent_instead():
        """An application sent and not returned: the wizard's pages show it, with its status, instead of
        an empty new application (issue 11 item 9)."""
        current = applications.open_application(applicant(), procedure.kind)
        if current is None or current.status not in SENT:
            return None
        return redirect(url_for(f"{name}.submitted", reference=current.reference), 303)

    def application_reference(submission) -> str:
        """One reference per application (issue 11 item 16): the confirmation page's URL carries the
        application's own reference, the one the page, My Page and the e-mail show."""
        application = applications.owned(applicant(), submission.result_id) if submission.result_id else None
        return application.reference if application is not None else submission.reference

    routes = WizardRoutes(
        bp=bp, wizard=procedure.wizard, rule=rule, owner=lambda: (procedure.owner_key(current_user), current_user.id),
        on_submit=lambda draft: procedure.submit(draft, applicant()), done_endpoint=f"{name}.submitted",
        reference_prefix=procedure.reference_prefix, prefix=prefix, actor=lambda: current_user.id,
        write_guard=write_guard, after_save=after_save, blocker=blocker,
        blocked_steps=procedure.ineligible_steps if procedure.decision is not None else None,
        read_guard=sent_instead, done_reference=application_reference,
        initial_answers=(lambda: procedure.initial_answers(applicant())) if procedure.initial_answers else None,
    ).register()
    documents = DocumentRoutes(bp, routes, procedure.documents, write_guard=write_guard).register() \
        if procedure.documents else None
    for part in procedure.step_routes:
        part.register(bp, routes, write_guard=write_guard)

    def result():
        found = ineligible_context(procedure, routes, routes.draft().answers)
        if found is None:
            return redirect(url_for(routes.ep("tasks")), 303)
        return render_template("application/result.html", panel=found["decision"], found=found,
                               wording=procedure.wording, tasks_url=url_for(routes.ep("tasks")))

    def submitted(reference: str):
        application = applications.owned_by_reference(applicant(), procedure.kind, reference)
        if application is None:
            # An older URL with the submission's reception reference: to the application's own URL.
            submission = db.session.query(Submission).filter_by(
                wizard=procedure.wizard.name, owner_key=procedure.owner_key(current_user), reference=reference).first()
            application = applications.owned(applicant(), submission.result_id) \
                if submission is not None and submission.result_id else None
            if application is None or application.kind != procedure.kind:
                abort(404)
            return redirect(url_for(f"{name}.submitted", reference=application.reference), 301)
        return render_template("application/submitted.html", application=application, wording=procedure.wording,
                               status_labels=STATUS_LABELS, sections=routes.answer_sections(application.answers))

    def withdraw(application_id: int):
        application = applications.owned(current_user, application_id)
        if application is None or application.kind != procedure.kind:
            abort(404)
        if request.method == "POST":
            version = inputs.posted_version()
            applications.withdraw(application, version=version, actor_id=current_user.id)  # Stale: the 409 page
            flash(_("The application has been withdrawn."), "success")
            return redirect(url_for(f"{name}.index"), 303)
        if application.status not in WITHDRAWABLE:
            abort(409)
        return render_template("application/withdraw.html", application=application, status_labels=STATUS_LABELS)

    def support_code():
        """A short code to read to the secretariat desk, so a clerk can open this draft (30 minutes, once)."""
        row, code = desk.issue_code(applicant())
        session["support_code"] = {"id": row.id, "code": desk.format_code(code)}
        return redirect(url_for(f"{name}.index") + "#support-code", 303)

    if procedure.decision is not None:
        bp.add_url_rule(f"{prefix}/result", "result", policy(*rule)(result))
    bp.add_url_rule(f"{prefix}/sent/<reference>", "submitted", policy(*rule)(submitted))
    if procedure.withdrawable:
        bp.add_url_rule("/applications/<int:application_id>/withdraw", "withdraw", policy(*rule)(withdraw),
                        methods=["GET", "POST"])
    if procedure.desk is not None:  # desk-assisted entry (issue 6)
        bp.add_url_rule("/support-code", "support_code", policy(*rule)(support_code), methods=["POST"])
    return routes
