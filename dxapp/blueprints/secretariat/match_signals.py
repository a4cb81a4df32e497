"""Fraud signals at matching (issue 12): the open signals found between the two sides of a match (same
address, phone, representative, bank account, person), each with both sides and what the code means;
a clerk acknowledges one with a note (audited).  The match itself was not stopped."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import Length

from dxapp.access import policy
from dxapp.blueprints.secretariat import bp
from dxapp.errors import conflict
from dxapp.forms import BaseForm, InputRequired
from dxapp.services import match_signals
from dxapp.services.workflow import Stale

STAFF = ("desk", "admin")

#: What each code found between the SME and the expert of a match.
SIGNAL_TEXT = {
    "shared_address": _l("The SME and the expert gave the same address."),
    "shared_phone": _l("The SME and the expert gave the same phone number."),
    "shared_representative": _l("The SME's representative has the same name as the expert's representative."),
    "shared_bank": _l("The SME and the expert gave the same bank account."),
    "same_person": _l("The SME's representative appears to be the expert themself."),
}


class AcknowledgeForm(BaseForm):
    note = TextAreaField(_l("What you found"),
                         description=_l("For example: family business, checked by phone; or: passed to the review."),
                         validators=[InputRequired(_l("Write what you found.")),
                                     Length(max=match_signals.NOTE_MAX, message=_l("Write at most 2,000 characters."))])


def _page(forms=None, status=200):
    rows = match_signals.queue()
    forms = forms or {}
    return render_template("match_signals/queue.html", rows=rows, signal_text=SIGNAL_TEXT,
                           forms=[(r.signal.id, forms.get(r.signal.id) or AcknowledgeForm(formdata=None,
                                                                                          prefix=f"s{r.signal.id}"))
                                  for r in rows]), status


@bp.route("/match-signals/")
@policy(*STAFF)
def match_signal_queue():
    return _page()


@bp.route("/match-signals/<int:signal_id>/acknowledge", methods=["POST"])
@policy(*STAFF)
def match_signal_acknowledge(signal_id: int):
    signal = match_signals.get(signal_id)
    if signal is None:
        abort(404)
    form = AcknowledgeForm(prefix=f"s{signal.id}")
    if not form.validate():
        return _page({signal.id: form}, 422)
    try:
        match_signals.acknowledge(signal, note=form.note.data, actor=current_user._get_current_object())
    except Stale as stale:
        return conflict(stale, typed={_("What you found"): form.note.data},
                        back_url=url_for("secretariat.match_signal_queue"))
    flash(_("The signal has been acknowledged."), "success")
    return redirect(url_for("secretariat.match_signal_queue"), 303)
