"""The message pages that the SME and the expert share (issue 12 "Messages"), mounted by
``blueprints/sme/messages.py`` and ``blueprints/expert/messages.py`` on their own blueprint with their
own role: the list of my threads with unread counts, the thread (oldest first, plain text, escaped, line
breaks kept, never a link), the send form (POST -> 303 -> GET; with htmx the new message is appended
from a fragment), 「新しいメッセージを確認」 (a link, no polling), mark as read (a POST: GET changes
nothing), report a message, block the other side.  Not a blueprint itself; one template set under
templates/messages/.  A thread of another organisation or expert is a 404."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import ValidationError

from dxapp import htmx, inputs
from dxapp.access import policy
from dxapp.extensions import db
from dxapp.forms import BaseForm, InputRequired
from dxapp.models import Organisation, User
from dxapp.rules import messages as message_rules
from dxapp.rules.matching import MESSAGE_MAX_CHARS, MESSAGES_PER_HOUR
from dxapp.services import messages

BODY_ERRORS = {"empty": _l("Write the message."),
               "too_long": _l("Write at most %(n)s characters.", n=f"{MESSAGE_MAX_CHARS:,}")}
REASON_ERRORS = {"empty": _l("Write what is wrong with this message."),
                 "too_long": _l("Write at most %(n)s characters.", n=f"{message_rules.REPORT_REASON_MAX_CHARS:,}")}


def _checked(errors: dict, limit: int):
    def check(form, field):
        problem = message_rules.body_problem(message_rules.normalise_body(field.data), limit=limit)
        if problem:
            raise ValidationError(str(errors[problem]))
    return check


class MessageForm(BaseForm):
    body = TextAreaField(_l("Message"),
                         description=_l("Plain text, up to %(n)s characters. Never write passwords or bank account "
                                        "numbers.", n=f"{MESSAGE_MAX_CHARS:,}"),
                         validators=[InputRequired(BODY_ERRORS["empty"]), _checked(BODY_ERRORS, MESSAGE_MAX_CHARS)])


class ReportForm(BaseForm):
    reason = TextAreaField(_l("What is wrong with this message"),
                           description=_l("For example: it asks for money outside the program, or it is harassing. "
                                          "The secretariat reads it; the other side is not told who reported."),
                           validators=[InputRequired(REASON_ERRORS["empty"]),
                                       _checked(REASON_ERRORS, message_rules.REPORT_REASON_MAX_CHARS)])


def sender_labels(thread, viewer, side: str, shown) -> dict[int, str]:
    """{user id: how ``viewer`` sees the sender} for the messages ``shown``: 「あなた」 for themselves, a
    colleague's name on the SME's side, the expert's name for the SME, and for the expert the SME's name
    only after a match."""
    labels: dict[int, str] = {viewer.id: _("You")}
    expert = db.session.get(User, thread.expert_user_id)
    other_sme = messages.counterpart_name(thread, "expert") or _("The SME of the case")
    for message in shown:
        if message.sender_id in labels:
            continue
        if message.sender_id == thread.expert_user_id:
            labels[message.sender_id] = expert.name if expert is not None else _("The IT expert")
        elif side == "sme":
            labels[message.sender_id] = db.session.get(User, message.sender_id).name
        else:
            labels[message.sender_id] = other_sme
    return labels


def staff_labels(thread, shown) -> dict[int, str]:
    """For the secretariat: every sender of the messages ``shown`` by name and side."""
    organisation = db.session.get(Organisation, thread.organisation_id)
    labels = {}
    for message in shown:
        if message.sender_id not in labels:
            user = db.session.get(User, message.sender_id)
            side = _("IT expert") if message.sender_id == thread.expert_user_id else \
                (organisation.name if organisation and organisation.name else _("SME"))
            labels[message.sender_id] = f"{user.name}（{side}）"
    return labels


def thread_title(thread) -> str:
    """The case's theme and reference, or the self-match's own words."""
    from dxapp.models import ConsultationCase

    case = db.session.get(ConsultationCase, thread.case_id) if thread.case_id else None
    if case is not None:
        return f"{case.title}（{case.reference}）"
    return str(_("Self-matching"))


def mount(bp, side: str) -> None:
    """The message pages on ``bp`` for ``side`` (``sme`` or ``expert``: also the role that may open them)."""

    def load(thread_id: int):
        thread = messages.visible_thread(current_user, thread_id)
        if thread is None:
            abort(404)
        return thread

    def ep(name: str) -> str:
        return f"{bp.name}.{name}"

    def page(thread, form=None, status=200, before=None):
        user = current_user._get_current_object()
        unread = messages.unread_counts(user).get(thread.id, 0)
        shown, older = messages.messages_page(thread, before)
        return render_template(
            "messages/thread.html", thread=thread, title=thread_title(thread), messages_=shown, older=older,
            before=before, labels=sender_labels(thread, user, side, shown), me=user, side=side, ep=ep, unread=unread,
            read_marker=thread.expert_read_message_id if side == "expert" else thread.sme_read_message_id,
            counterpart=messages.counterpart_name(thread, side), blocked=messages.is_blocked(thread),
            form=form or MessageForm(formdata=None), max_chars=MESSAGE_MAX_CHARS), status

    @policy(side)
    def listing():
        user = current_user._get_current_object()
        rows = messages.threads_of(user)
        return render_template("messages/list.html", rows=rows, side=side, ep=ep,
                               titles={row.thread.id: thread_title(row.thread) for row in rows})

    @policy(side)
    def thread_page(thread_id: int):
        return page(load(thread_id), before=inputs.form_int(request.args.get("before"), minimum=1))

    @policy(side)
    def send(thread_id: int):
        thread = load(thread_id)
        form = MessageForm()
        if not form.validate():
            return _whole_page(page(thread, form, 422))
        try:
            message = messages.post(thread, current_user._get_current_object(), form.body.data)
        except messages.MessageRefused as refused:
            if refused.code in BODY_ERRORS:  # the form checks these first; a race may still land here
                form.body.errors = [str(BODY_ERRORS[refused.code])]
                return _whole_page(page(thread, form, 422))
            return _whole_page(refusal(refused, thread, ep, form.body.data))
        if htmx.is_partial():
            user = current_user._get_current_object()
            return render_template("messages/_sent.html", thread=thread, message=message, me=user, side=side,
                                   labels=sender_labels(thread, user, side, [message]), ep=ep, form=MessageForm(formdata=None),
                                   blocked=False, max_chars=MESSAGE_MAX_CHARS)
        flash(_("Your message has been sent."), "success")
        return redirect(url_for(ep("message_thread"), thread_id=thread.id) + "#latest", 303)

    @policy(side)
    def read(thread_id: int):
        thread = load(thread_id)
        messages.mark_read(thread, current_user._get_current_object())
        if htmx.is_partial():
            return render_template("messages/_read.html")
        return redirect(url_for(ep("message_thread"), thread_id=thread.id), 303)

    @policy(side)
    def report(thread_id: int, message_id: int):
        thread = load(thread_id)
        message = messages.message_in(thread, message_id)
        user = current_user._get_current_object()
        if message is None or messages.side_of(thread, user) == _side_of_sender(thread, message):
            abort(404)  # one's own side's message cannot be reported
        form = ReportForm()
        if request.method == "POST" and form.validate():
            messages.report(message, user, form.reason.data)
            flash(_("Thank you. The secretariat will look at the message and contact you if needed."), "success")
            return redirect(url_for(ep("message_thread"), thread_id=thread.id), 303)
        return render_template("messages/report.html", thread=thread, message=message, form=form, ep=ep,
                               label=sender_labels(thread, user, side, [message]).get(message.sender_id),
                               title=thread_title(thread)), (422 if form.errors else 200)

    @policy(side)
    def block(thread_id: int):
        thread = load(thread_id)
        if request.method == "POST":
            messages.block_other_side(thread, current_user._get_current_object())
            flash(_("You have blocked the other side. Neither of you can send messages in this conversation "
                    "any more."), "success")
            return redirect(url_for(ep("message_thread"), thread_id=thread.id), 303)
        return render_template("messages/block.html", thread=thread, ep=ep, title=thread_title(thread),
                               blocked=messages.is_blocked(thread))

    bp.add_url_rule("/messages/", "messages", listing)
    bp.add_url_rule("/messages/<int:thread_id>", "message_thread", thread_page)
    bp.add_url_rule("/messages/<int:thread_id>/send", "message_send", send, methods=["POST"])
    bp.add_url_rule("/messages/<int:thread_id>/read", "message_read", read, methods=["POST"])
    bp.add_url_rule("/messages/<int:thread_id>/report/<int:message_id>", "message_report", report,
                    methods=["GET", "POST"])
    bp.add_url_rule("/messages/<int:thread_id>/block", "message_block", block, methods=["GET", "POST"])
    bp.add_app_template_global(unread_messages, "unread_messages")


def _side_of_sender(thread, message) -> str:
    return "expert" if message.sender_id == thread.expert_user_id else "sme"


def refusal(refused, thread, ep, typed: str | None):
    """The page of a message that may not be sent: why, what to do, and what was typed (kept)."""
    status = 429 if refused.code == "rate_limited" else 403
    return render_template("messages/refused.html", code=refused.code, retry_at=refused.retry_at, thread=thread,
                           ep=ep, typed=message_rules.normalise_body(typed), per_hour=MESSAGES_PER_HOUR,
                           title=thread_title(thread)), status


def _whole_page(result):
    """An answer to the htmx send form that is a whole page (an error, a refusal): htmx puts its
    ``<main>`` in place of the page's, the address staying the thread's."""
    body, status = result
    response = make_response(body, status)
    if htmx.is_htmx():
        htmx.retarget_main(response)
    return response


def unread_messages() -> dict:
    """For My Page: how many messages wait unread, over how many threads (a template global)."""
    counts = messages.unread_counts(current_user._get_current_object())
    return {"messages": sum(counts.values()), "threads": len(counts)}
