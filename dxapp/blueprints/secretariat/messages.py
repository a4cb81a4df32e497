"""The secretariat's queue of reported messages (issue 12 "Messages"): threads with an open report,
the longest waiting first; the whole thread with its reports; handle a report with a note; block the
two sides.  Linked from the dashboard."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import ValidationError

from dxapp.access import policy
from dxapp.blueprints.secretariat import bp
from dxapp.errors import conflict
from dxapp.extensions import db
from dxapp.forms import BaseForm, InputRequired
from dxapp.labels import REPORT_LABELS
from dxapp.models import Message, User
from dxapp.procedures.message_pages import staff_labels, thread_title
from dxapp.rules import messages as message_rules
from dxapp.services import messages
from dxapp.services.workflow import Stale

STAFF = ("desk", "admin")


def _note_given(form, field):
    problem = message_rules.body_problem(message_rules.normalise_body(field.data),
                                         limit=message_rules.REPORT_REASON_MAX_CHARS)
    if problem == "empty":
        raise ValidationError(_("Write what you did about the report."))
    if problem:
        raise ValidationError(_("Write at most %(n)s characters.", n=f"{message_rules.REPORT_REASON_MAX_CHARS:,}"))


class HandleForm(BaseForm):
    note = TextAreaField(_l("What you did"), description=_l("For example: called the expert and warned them. "
                                                            "Kept with the report; not sent to anyone."),
                         validators=[InputRequired(_l("Write what you did about the report.")), _note_given])


def _load(thread_id: int):
    thread = messages.get_thread(thread_id)
    if thread is None:
        abort(404)
    return thread


@bp.route("/messages/")
@policy(*STAFF)
def message_reports():
    rows = messages.reported_threads()
    return render_template("messages/queue.html", rows=rows, titles={t.id: thread_title(t) for t, _n in rows})


def _thread_page(thread, *, failed: tuple | None = None, status=200):
    """The thread with its reports; each open report has its own handle form (``failed``: the report id
    and the form posted for it, with its errors)."""
    reports = messages.reports_of(thread)
    forms = {r.id: HandleForm(formdata=None, prefix=f"r{r.id}") for r in reports if r.status == "open"}
    form = None
    if failed is not None:
        forms[failed[0]] = form = failed[1]
    people = {u.id: u.name for u in db.session.query(User).filter(
        User.id.in_({r.reporter_id for r in reports} | {r.handled_by_id for r in reports if r.handled_by_id}))}
    shown = messages.messages_of(thread)
    return render_template("messages/staff_thread.html", thread=thread, title=thread_title(thread),
                           messages_=shown, labels=staff_labels(thread, shown), reports=reports,
                           people=people, report_labels=REPORT_LABELS, blocked=messages.is_blocked(thread),
                           form=form or HandleForm(formdata=None), forms=forms, me=None, side="secretariat"), status


@bp.route("/messages/<int:thread_id>")
@policy(*STAFF)
def message_report_thread(thread_id: int):
    return _thread_page(_load(thread_id))


@bp.route("/messages/<int:thread_id>/reports/<int:report_id>/handle", methods=["POST"])
@policy(*STAFF)
def message_report_handle(thread_id: int, report_id: int):
    thread = _load(thread_id)
    report = messages.get_report(report_id)
    message = db.session.get(Message, report.message_id) if report is not None else None
    if message is None or message.thread_id != thread.id:
        abort(404)
    form = HandleForm(prefix=f"r{report.id}")
    if not form.validate():
        return _thread_page(thread, failed=(report.id, form), status=422)
    try:
        messages.handle(report, current_user._get_current_object(), form.note.data)
    except Stale as stale:
        return conflict(stale, typed={_("What you did"): form.note.data},
                        back_url=url_for("secretariat.message_report_thread", thread_id=thread_id))
    flash(_("The report has been marked as handled."), "success")
    return redirect(url_for("secretariat.message_report_thread", thread_id=thread.id), 303)


@bp.route("/messages/<int:thread_id>/block", methods=["POST"])
@policy(*STAFF)
def message_report_block(thread_id: int):
    thread = _load(thread_id)
    messages.block_pair(thread, current_user._get_current_object())
    flash(_("The two sides can no longer send each other messages."), "success")
    return redirect(url_for("secretariat.message_report_thread", thread_id=thread.id), 303)


def open_reports() -> int:
    """For the dashboard."""
    return messages.open_report_count()


bp.add_app_template_global(open_reports, "open_message_reports")
