"""The expert's introductions (紹介, issue 12): the cases the secretariat introduced them to, what
experts may see of each case, and the answer: accept, or decline with a reason."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import Length

from dxapp import inputs
from dxapp.access import policy
from dxapp.blueprints.expert import bp
from dxapp.errors import conflict
from dxapp.extensions import db
from dxapp.forms import BaseForm, InputRequired
from dxapp.labels import INTRODUCTION_LABELS
from dxapp.models import ConsultationCase
from dxapp.procedures.expert_registration.forms import SUPPORT_AREA_LABELS
from dxapp.services import introductions
from dxapp.services.workflow import Stale


class DeclineForm(BaseForm):
    reason = TextAreaField(_l("Reason for declining"),
                           description=_l("Only the secretariat reads it. For example: fully booked until autumn."),
                           validators=[InputRequired(_l("Write why you decline.")),
                                       Length(max=introductions.NOTE_MAX, message=_l("Write at most 2,000 characters."))])


def _own(introduction_id: int):
    found = introductions.owned_by_expert(current_user, introduction_id)
    if found is None:
        abort(404)
    return found


@bp.route("/introductions/")
@policy("expert")
def introduction_list():
    items = introductions.of_expert(current_user)
    case_ids = {i.case_id for i in items}
    cases = {c.id: c for c in (db.session.get(ConsultationCase, i) for i in case_ids)}
    return render_template("introductions/expert_list.html", items=items, cases=cases, labels=INTRODUCTION_LABELS)


def _detail(introduction, form=None, status=200):
    return render_template("introductions/expert_detail.html", introduction=introduction,
                           case=db.session.get(ConsultationCase, introduction.case_id), form=form or DeclineForm(),
                           labels=INTRODUCTION_LABELS, area_labels=SUPPORT_AREA_LABELS), status


@bp.route("/introductions/<int:introduction_id>")
@policy("expert")
def introduction_detail(introduction_id: int):
    return _detail(_own(introduction_id))


@bp.route("/introductions/<int:introduction_id>/accept", methods=["POST"])
@policy("expert")
def introduction_accept(introduction_id: int):
    introduction = _own(introduction_id)
    try:
        introductions.accept(introduction, version=inputs.posted_version(), actor=current_user._get_current_object())
    except Stale as stale:
        return conflict(stale, back_url=url_for("expert.introduction_detail", introduction_id=introduction_id))
    flash(_("You have accepted the introduction. The SME has been told and may choose you."), "success")
    return redirect(url_for("expert.introduction_detail", introduction_id=introduction_id), 303)


@bp.route("/introductions/<int:introduction_id>/decline", methods=["POST"])
@policy("expert")
def introduction_decline(introduction_id: int):
    introduction = _own(introduction_id)
    form = DeclineForm()
    if not form.validate():
        return _detail(introduction, form, 422)
    try:
        introductions.decline(introduction, version=inputs.posted_version(), actor=current_user._get_current_object(),
                              reason=form.reason.data)
    except Stale as stale:
        return conflict(stale, typed={_("Reason for declining"): form.reason.data},
                        back_url=url_for("expert.introduction_detail", introduction_id=introduction_id))
    flash(_("You have declined the introduction. Thank you for telling the secretariat why."), "success")
    return redirect(url_for("expert.introduction_list"), 303)

