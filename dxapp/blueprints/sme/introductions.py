"""The accepted introductions on the SME's own case (紹介, issue 12): shown like proposals (the
expert's public profile, areas, rate, the SME's share for the case's hours), with a button to choose
one, which forms the match.  A case of another SME, or an introduction not accepted, is a 404."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dxapp import clock, transaction
from dxapp.access import policy
from dxapp.blueprints.sme import bp
from dxapp.procedures.expert_registration.forms import DELIVERY_LABELS, SUPPORT_AREA_LABELS
from dxapp.rules import subsidy
from dxapp.services import cases, introductions, matches


def _case(case_id: int):
    case = cases.owned(current_user, case_id)
    if case is None:
        abort(404)
    return case


@bp.route("/cases/<int:case_id>/introductions")
@policy("sme")
def case_introductions(case_id: int):
    case = _case(case_id)
    items = introductions.accepted_for_case(case)
    profiles = introductions.profiles_of(i.expert_user_id for i in items)
    hours = Decimal(case.half_hours) / 2
    quotes = {i.id: subsidy.quote(profiles[i.expert_user_id].hourly_rate, hours, at=clock.program_now())
              for i in items if i.expert_user_id in profiles}
    chosen = {m.introduction_id for m in matches.of_sme(case.organisation_id) if m.case_id == case.id}
    return render_template("introductions/sme_list.html", case=case, items=items, profiles=profiles, quotes=quotes,
                           chosen=chosen, area_labels=SUPPORT_AREA_LABELS, delivery_labels=DELIVERY_LABELS)


@bp.route("/cases/<int:case_id>/introductions/<int:introduction_id>/choose", methods=["POST"])
@policy("sme")
def case_introduction_choose(case_id: int, introduction_id: int):
    case = _case(case_id)
    introduction = introductions.owned_by_sme(current_user, case, introduction_id)
    if introduction is None:
        abort(404)
    back = url_for("sme.case_introductions", case_id=case.id)
    try:
        introductions.choose(introduction, actor=current_user._get_current_object())
    except introductions.IntroductionRefused as refused:
        transaction.rollback()
        return render_template("introductions/refused.html", code=refused.code, back_url=back,
                               back_text=_("Back to the introductions")), 409
    except matches.AlreadyMatched:
        transaction.rollback()
        return render_template("introductions/refused.html", code="case_matched", back_url=back,
                               back_text=_("Back to the introductions")), 409
    flash(_("You have chosen the expert. The match is made; you can now exchange messages."), "success")
    return redirect(back, 303)
