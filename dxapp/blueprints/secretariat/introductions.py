"""The secretariat introduces experts (紹介, issue 12): the clerk's queue of 支援希望 cases with no
accepted introduction (oldest first), the case with its introductions and a search of the approved
experts who accept introductions (area, prefecture, mode, current load), and the introduction itself
with a note to the expert.  Thin views over :mod:`dxapp.services.introductions`."""

from __future__ import annotations

import math

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, Optional

from dxapp import transaction
from dxapp.access import policy
from dxapp.blueprints.secretariat import bp
from dxapp.forms import BaseForm, choices
from dxapp.labels import INTRODUCTION_LABELS
from dxapp.procedures.expert_registration.forms import DELIVERY_LABELS, SUPPORT_AREA_LABELS
from dxapp.services import experts, introductions

STAFF = ("desk", "admin")


class CandidateFilters(BaseForm):
    class Meta:
        csrf = False  # a search form (GET): it changes nothing

    area = SelectField(_l("Support area"), choices=choices({"": _l("Any"), **SUPPORT_AREA_LABELS}),
                       validators=[Optional()])
    prefecture = SelectField(_l("Prefecture"), choices=choices({"": _l("Any"), **{p: p for p in experts.PREFECTURES}}),
                             validators=[Optional()])
    mode = SelectField(_l("Online or on site"),
                       choices=choices({"": _l("Any"), "online": _l("Online"), "onsite": _l("On site")}),
                       validators=[Optional()])


class IntroduceForm(BaseForm):
    note = TextAreaField(_l("Note to the expert"),
                         description=_l("Why this case suits the expert, and anything to check first. The SME does "
                                        "not see this note."),
                         validators=[Optional(), Length(max=introductions.NOTE_MAX,
                                                        message=_l("Write at most 2,000 characters."))])


def _case(case_id: int):
    case = introductions.case_for_staff(case_id)
    if case is None:
        abort(404)
    return case


def _page() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _refused(code: str, back_url: str, status: int = 409):
    transaction.rollback()
    return render_template("introductions/refused.html", code=code, back_url=back_url,
                           back_text=_("Back to the case")), status


@bp.route("/introductions/")
@policy(*STAFF)
def introduction_queue():
    return render_template("introductions/queue.html", rows=introductions.queue())


@bp.route("/introductions/cases/<int:case_id>")
@policy(*STAFF)
def introduction_case(case_id: int):
    case = _case(case_id)
    form = CandidateFilters(formdata=request.args)
    form.validate()
    filters = introductions.Filters(area=form.area.data or None, prefecture=form.prefecture.data or None,
                                    mode=form.mode.data or None)
    page = _page()
    found, total = introductions.candidates(case, filters, page)
    made = introductions.of_case(case)
    return render_template("introductions/case.html", case=case, form=form, candidates=found, total=total,
                           page=page, pages=max(1, math.ceil(total / introductions.PAGE_SIZE)),
                           args={k: v for k, v in request.args.items() if k != "page" and v},
                           introductions=made, profiles=introductions.profiles_of(i.expert_user_id for i in made),
                           labels=INTRODUCTION_LABELS, area_labels=SUPPORT_AREA_LABELS,
                           delivery_labels=DELIVERY_LABELS), (422 if form.errors else 200)


@bp.route("/introductions/cases/<int:case_id>/experts/<int:expert_id>", methods=["GET", "POST"])
@policy(*STAFF)
def introduction_new(case_id: int, expert_id: int):
    case = _case(case_id)
    expert = introductions.expert_for_introduction(expert_id)
    profile = introductions.profiles_of([expert.id]).get(expert.id) if expert is not None else None
    if profile is None:
        abort(404)
    back = url_for("secretariat.introduction_case", case_id=case.id)
    form = IntroduceForm()
    if request.method == "POST" and form.validate():
        try:
            introductions.introduce(case, expert, note=form.note.data, actor=current_user._get_current_object())
        except introductions.IntroductionRefused as refused:
            return _refused(refused.code, back)
        flash(_("%(name)s has been introduced. The expert has been told by e-mail.", name=profile.name), "success")
        return redirect(back, 303)
    return render_template("introductions/new.html", case=case, profile=profile, form=form,
                           area_labels=SUPPORT_AREA_LABELS, delivery_labels=DELIVERY_LABELS), \
        (422 if form.errors else 200)
