"""Review queues of the secretariat (issue "Secretariat": review queues): one queue per kind and one for
change requests, the detail of an application (answers, documents, the rules' decision, fraud signals,
timeline) and the actions pick up, approve, return for correction and reject.

Roles: desk clerks and administrators (both with TOTP).  Rejecting is for administrators only: it ends
an application for good (no resubmission), so a clerk returns for correction or asks an administrator.
Views stay thin; dxapp/services/review.py does the work."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length, Optional

from dxapp import downloads, htmx, inputs, labels, procedures
from dxapp.access import policy
from dxapp.blueprints.secretariat import bp
from dxapp.errors import conflict
from dxapp.extensions import db
from dxapp.forms import BaseForm, InputRequired
from dxapp.labels import STATUS_LABELS
from dxapp.rules.review import PREFECTURES
from dxapp.services import documents as documents_service
from dxapp.services import review
from dxapp.wizard import Answers, Wizard
from dxapp.wizard.forms import answer_sections as wizard_answer_sections

STAFF = ("desk", "admin")

#: One queue per procedure (its spec's review: title, path, kind label), and one for change requests.
QUEUE_TITLES = {**{p.kind: p.review.queue_title for p in procedures.all()}, "changes": _l("Change requests")}
KIND_LABELS = {p.kind: p.review.kind_label for p in procedures.all()}
QUEUE_PATHS = {**{p.kind: p.review.queue_path for p in procedures.all()}, "changes": "changes"}
SIGNAL_TEXT = {
    "same_person": _l("The same person (name and date of birth) is registered in another application."),
    "shared_bank": _l("The same bank account is given in another application."),
    "shared_address": _l("An application on the other side (IT expert and SME) has the same address."),
    "shared_phone": _l("An application on the other side (IT expert and SME) has the same phone number."),
    "shared_representative": _l("The representative is the same person as in an application on the other "
                                "side (IT expert and SME)."),
    "corporate_number_taken": _l("This corporate number is already registered by another organisation."),
    "affiliation_unconfirmed": _l("The expert registers as a member of a supporter corporation, but the "
                                  "corporation has not confirmed the membership. Do not approve until it does."),
}
#: What the supporter corporation decided about the expert's membership (Affiliation.status).
AFFILIATION_LABELS = {None: _l("No membership request found"), **labels.AFFILIATION_LABELS}
#: The rules' decision stored with an application (``decision.outcome``), for every value a wizard writes.
OUTCOME_LABELS = {
    "eligible": _l("Eligible"),
    "ineligible": _l("Not eligible"),
    "pending": _l("Not decided"),
    "unknown": _l("Not decided"),
    "submitted": _l("No automatic check: the secretariat checks the answers"),
}
#: Why a decision was refused (services.review.DecisionRefused.code).
REFUSALS = {
    "not_holder": _l("Only the clerk who picked up this application, or an administrator, can decide on it."),
    "entered_on_behalf": _l("You entered answers for this applicant at the desk, so another clerk must "
                            "approve this application."),
    "affiliation_unconfirmed": _l("This expert cannot be approved yet: the supporter corporation has not "
                                  "confirmed the membership. Ask the corporation to confirm it, or return the "
                                  "application for correction."),
    "signals_open": _l("This application has signals to check. Check each signal, then tick the box to confirm "
                       "that you have and approve again, or return the application for correction."),
}


#: Stored answers that no longer fit the wizard (an older shape of a step) raise these while being read;
#: anything else is a bug of the wizard and fails loudly.
ANSWER_SHAPE_ERRORS = (KeyError, TypeError, ValueError)
#: Steps whose answers are shown elsewhere on the detail page (the documents list), per kind (the
#: procedure's review spec); for a kind without a procedure, every procedure's.
HIDDEN_STEPS = {p.kind: p.review.hidden_steps for p in procedures.all()}
ANY_HIDDEN_STEP = tuple(slug for slugs in HIDDEN_STEPS.values() for slug in slugs)
#: Keys of the answer object that are not steps (dxapp/wizard/__init__.py).
NOT_STEPS = ("steps", "partial", "flags", "token", "carried_over")


def queue_endpoint(queue: str) -> str:
    return f"secretariat.review_{queue}"


# ------------------------------------------------------------------------------------------ reading answers

def wizard_of(kind: str) -> Wizard | None:
    """The registration wizard of a kind (None for an unknown kind)."""
    try:
        return procedures.get(kind).wizard
    except KeyError:
        return None


def _shape_error(application, where: str) -> None:
    current_app.logger.warning("review: answers of %s do not fit the %s wizard (%s)", application.reference,
                               application.kind, where, exc_info=True)


def _plain(value) -> str:
    if value in (None, "", [], {}):
        return _("Not entered")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "、".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def _generic_rows(data: dict) -> list[tuple[str, str]]:
    return [(field, _plain(value)) for field, value in data.items()]


def answer_sections(application) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(heading, [(label, shown value)])]: through the kind's wizard (labels and formatting as the
    applicant saw them on the check page) for the steps it knows; any other step (or a kind whose wizard
    is still being built) shows its stored values as they are."""
    return [(title, [(label, value) for label, value, _changed in rows]) for title, rows in marked_sections(application)]


def _is_changed(changed: dict, slug: str, field_id: str) -> bool:
    """Whether the typed field ``field_id`` of step ``slug`` is among the changed inputs (a date's
    inputs are ``<id>-year``, ``<id>-month``...)."""
    return any(name == field_id or name.startswith(f"{field_id}-") for name in changed.get(slug) or ())


def marked_sections(application) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """:func:`answer_sections` with a third item per row: whether the applicant changed that answer since
    the application was returned (issue 11 item 20; never while it is back with the applicant)."""
    changed = (application.changed_answers or {}) if application.status != "returned" else {}
    answers = application.answers or {}
    steps = answers.get("steps") if isinstance(answers.get("steps"), dict) else answers
    hidden = HIDDEN_STEPS.get(application.kind, ANY_HIDDEN_STEP)
    steps = {slug: step for slug, step in (steps or {}).items()
             if isinstance(step, dict) and slug not in hidden and slug not in NOT_STEPS and slug[:1] != "_"}
    out: list = []
    wizard = wizard_of(application.kind)
    if wizard is not None:
        known = {s.slug for s in wizard.steps}
        typed = {slug: step for slug, step in steps.items() if slug in known and step.get("raw")}
        try:
            sections = wizard_answer_sections(wizard, {**answers, "steps": typed})
            out = [(str(section.title), [(label, value, _is_changed(changed, step.slug, field_id))
                                         for step, field_id, label, value in rows])
                   for section, rows in sections]
            steps = {slug: step for slug, step in steps.items() if slug not in typed}
        except ANSWER_SHAPE_ERRORS:
            _shape_error(application, "answer sections")
            out = []
    for slug, step in steps.items():
        data = step.get("data") if isinstance(step.get("data"), dict) else step
        out.append((slug, [(label, value, _is_changed(changed, slug, label)) for label, value in _generic_rows(data)]))
    return [(title, rows) for title, rows in out if rows]


def step_choices(application) -> list[tuple[str, str]]:
    """(slug, title) of every step the applicant answered: what may be flagged for correction."""
    answers = application.answers or {}
    answered = Answers(answers).answered
    wizard = wizard_of(application.kind)
    if wizard is not None:
        try:
            titled = [(s.slug, str(s.title)) for s in wizard.visible_steps(answers) if s.slug in answered]
        except ANSWER_SHAPE_ERRORS:
            _shape_error(application, "steps")
            titled = []
        known = {slug for slug, _title in titled}
        return titled + [(slug, slug) for slug in answered if slug not in known]
    return [(slug, slug) for slug in answered]


# ------------------------------------------------------------------------------------------ queues

def _date(name: str) -> date | None:
    try:
        return date.fromisoformat((request.args.get(name) or "").strip())
    except ValueError:
        return None


def _queue_view(queue: str):
    def view():
        try:
            page = int(request.args.get("page", "1"))
        except ValueError:
            page = 1
        status = request.args.get("status") or None
        kind = request.args.get("kind") or None
        filters = review.Filters(
            queue=queue, status=status if status in review.QUEUE_STATUSES else None,
            kind=kind if queue == "changes" and kind in KIND_LABELS else None,
            prefecture=(request.args.get("prefecture") or "").strip() or None,
            submitted_from=_date("from"), submitted_to=_date("to"),
            q=(request.args.get("q") or "").strip()[:100] or None, page=page)
        result = review.queue(filters)
        args = {k: v for k, v in request.args.items() if k != "page" and v}
        context = {"queue": queue, "title": QUEUE_TITLES[queue], "filters": filters, "result": result,
                   "args": args, "status_labels": STATUS_LABELS, "kind_labels": KIND_LABELS,
                   "statuses": review.QUEUE_STATUSES, "prefectures": PREFECTURES,
                   "endpoint": queue_endpoint(queue)}
        return htmx.page_or_partial("secretariat/review/queue.html", "secretariat/review/_results.html", **context)

    view.__name__ = f"review_{queue}"
    return view


for _queue in review.QUEUES:
    bp.add_url_rule(f"/review/{QUEUE_PATHS[_queue]}", f"review_{_queue}", policy(*STAFF)(_queue_view(_queue)))


# ------------------------------------------------------------------------------------------ detail

def _load(application_id: int):
    application = review.get(application_id)
    if application is None:
        abort(404)
    return application


def _version() -> int:
    return inputs.posted_version()


def _detail_context(application, *, approve_form=None, refusal=None) -> dict:
    actor = current_user._get_current_object()
    held_by = review.holder(application)
    return {
        "application": application, "status_labels": STATUS_LABELS, "kind_labels": KIND_LABELS,
        "sections": marked_sections(application), "documents": review.documents_of(application),
        "to_acknowledge": review.signals_to_acknowledge(application) if application.status == "under_review" else [],
        "resubmitted_at": _resubmitted_at(application),
        "signals": review.signals(application), "signal_text": SIGNAL_TEXT, "holder": held_by,
        "timeline": review.timeline(application), "purpose_label": _purpose_label,
        "human_size": documents_service.human_size, "queue": _queue_of(application),
        "original": review.get(application.change_of_id) if application.change_of_id else None,
        "applicant": review.applicant_of(application), "step_titles": dict(step_choices(application)),
        "membership": review.membership(application), "affiliation_labels": AFFILIATION_LABELS,
        "outcome_labels": OUTCOME_LABELS, "refusals": REFUSALS,
        "blockers": review.approval_blockers(application, actor) if application.status == "under_review" else [],
        "taking_over": held_by is not None and held_by.id != actor.id and actor.role == "admin",
        "approve_form": approve_form or ApproveForm(formdata=None),
        "refusal": _refusal_text(refusal),
    }


def _resubmitted_at(application):
    """When the application was last sent again after a return (None if never): the submission date
    itself stays the first one."""
    return next((e.at for e in reversed(application.events) if e.to_status == "resubmitted"), None)


def _refusal_text(refusal) -> str | None:
    if refusal is None:
        return None
    text = str(REFUSALS[refusal.code])
    if refusal.code == "not_holder" and refusal.holder is not None:
        text += " " + _("Held by %(name)s", name=refusal.holder.name)
    return text


def _purpose_label(purpose: str) -> str:
    """The label each wizard gives the kind of document (the SME's, the expert's, the supporter's)."""
    for procedure in procedures.all():
        labels = procedure.purpose_labels()
        if purpose in labels:
            return str(labels[purpose])
    return purpose


def _queue_of(application) -> str:
    return "changes" if application.change_of_id else application.kind


@bp.route("/review/applications/<int:application_id>")
@policy(*STAFF)
def review_detail(application_id: int):
    application = _load(application_id)
    return render_template("secretariat/review/detail.html", **_detail_context(application))


@bp.route("/review/applications/<int:application_id>/documents/<int:document_id>", methods=["POST"])
@policy(*STAFF)
def review_document(application_id: int, document_id: int):
    """A document of the applicant, as an attachment.  A POST because each download is audited."""
    application = _load(application_id)
    document = review.document_of(application, document_id)
    if document is None:
        abort(404)
    if not documents_service.path_of(document).is_file():
        abort(404)
    review.record_download(application, document, actor=current_user._get_current_object())
    return downloads.attachment(document)


# ------------------------------------------------------------------------------------------ actions

def _conflict(stale, application, typed: dict | None = None):
    """Someone else acted first: the one 409 page, with the application as it is now and what this
    clerk typed (nothing lost)."""
    return conflict(stale, typed=typed, back_label=_("See the application as it is now"),
                    back_url=url_for("secretariat.review_detail", application_id=application.id))


def _done(application, message: str):
    flash(message, "success")
    return redirect(url_for("secretariat.review_detail", application_id=application.id), 303)


@bp.route("/review/applications/<int:application_id>/pick-up", methods=["POST"])
@policy(*STAFF)
def review_pick_up(application_id: int):
    application = _load(application_id)
    try:
        review.pick_up(application, version=_version(), actor=current_user._get_current_object())
    except review.Stale as stale:
        return _conflict(stale, application)
    return _done(application, _("You have picked up %(ref)s. It is now under review.", ref=application.reference))


class ApproveForm(BaseForm):
    note = TextAreaField(_l("Note for the applicant"), validators=[Optional(), Length(max=1000)])
    # Shown while a fraud signal is open: the clerk confirms having checked it (issue 11 item 20).
    acknowledge_signals = BooleanField(_l("I have checked the signals to check and approve all the same"),
                                       validators=[Optional()])


def _refused(application, refusal, template: str | None = None, **context):
    """The decision was not taken (nothing changed): the same page again, with the reason and what the
    clerk typed."""
    db.session.rollback()
    application = _load(application.id)
    if template is None:
        return render_template("secretariat/review/detail.html",
                               **_detail_context(application, refusal=refusal, **context)), 422
    return render_template(template, application=application, refusal=_refusal_text(refusal),
                           **context), 422


@bp.route("/review/applications/<int:application_id>/approve", methods=["POST"])
@policy(*STAFF)
def review_approve(application_id: int):
    application = _load(application_id)
    form = ApproveForm()
    version = _version()
    if not form.validate():
        return render_template("secretariat/review/detail.html",
                               **_detail_context(application, approve_form=form)), 422
    note = (form.note.data or "").strip() or None
    try:
        review.approve(application, version=version, actor=current_user._get_current_object(), note=note,
                       signals_acknowledged=bool(form.acknowledge_signals.data))
    except review.Stale as stale:
        return _conflict(stale, application, {_("Note for the applicant"): note} if note else None)
    except review.DecisionRefused as refused:
        return _refused(application, refused, approve_form=form)
    return _done(application, _("%(ref)s has been approved. The applicant has been told by e-mail.",
                                ref=application.reference))


def _return_form(steps):
    attrs = {f"flag_{i}": TextAreaField(title, validators=[Optional(), Length(max=1000)],
                                        description=_l("What must be corrected in this step. Leave it empty "
                                                       "when the step is fine."))
             for i, (_slug, title) in enumerate(steps)}
    attrs["note"] = TextAreaField(_l("General note (optional)"), validators=[Optional(), Length(max=1000)])
    return type("ReturnForm", (BaseForm,), attrs)


@bp.route("/review/applications/<int:application_id>/return", methods=["GET", "POST"])
@policy(*STAFF)
def review_return(application_id: int):
    application = _load(application_id)
    steps = step_choices(application)
    form = _return_form(steps)()
    fields = [(slug, form[f"flag_{i}"]) for i, (slug, _title) in enumerate(steps)]
    if request.method == "POST" and form.validate():
        flags = {slug: (f.data or "").strip() for slug, f in fields if (f.data or "").strip()}
        if not flags:
            (fields[0][1] if fields else form.note).errors = [_("Write what must be corrected in at least one step.")]
        else:
            try:
                review.return_for_correction(application, version=_version(), flags=flags,
                                             note=(form.note.data or "").strip() or None,
                                             actor=current_user._get_current_object(), titles=dict(steps))
            except review.Stale as stale:
                typed = {f.label.text: f.data for _slug, f in fields if f.data}
                if form.note.data:
                    typed[form.note.label.text] = form.note.data
                return _conflict(stale, application, typed)
            except review.DecisionRefused as refused:
                return _refused(application, refused, "secretariat/review/return.html", form=form)
            return _done(application, _("%(ref)s has been returned for correction. The applicant has been told "
                                        "by e-mail.", ref=application.reference))
    if application.status != "under_review" and request.method == "GET":
        return redirect(url_for("secretariat.review_detail", application_id=application.id), 303)
    status = 422 if any(f.errors for f in form) else 200
    return render_template("secretariat/review/return.html", application=application, form=form), status


class RejectForm(BaseForm):
    reason = TextAreaField(_l("Reason for the rejection"),
                           description=_l("The applicant receives this reason by e-mail. Name the rule that is not "
                                          "met."),
                           validators=[InputRequired(_l("Write the reason for the rejection.")), Length(max=2000)])


@bp.route("/review/applications/<int:application_id>/reject", methods=["GET", "POST"])
@policy("admin")
def review_reject(application_id: int):
    application = _load(application_id)
    form = RejectForm()
    if request.method == "POST" and form.validate():
        try:
            review.reject(application, version=_version(), actor=current_user._get_current_object(),
                          reason=form.reason.data)
        except review.ReviewError:
            form.reason.errors = [_("Write the reason for the rejection.")]
        except review.Stale as stale:
            return _conflict(stale, application, {form.reason.label.text: form.reason.data})
        except review.DecisionRefused as refused:
            return _refused(application, refused, "secretariat/review/reject.html", form=form)
        else:
            return _done(application, _("%(ref)s has been rejected. The applicant has been told by e-mail.",
                                        ref=application.reference))
    if application.status != "under_review" and request.method == "GET":
        return redirect(url_for("secretariat.review_detail", application_id=application.id), 303)
    status = 422 if form.errors else 200
    return render_template("secretariat/review/reject.html", application=application, form=form), status
