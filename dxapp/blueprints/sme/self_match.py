"""Self-matching for the SME (セルフマッチング, issue 12): enter the registration number of an expert you
already know and an optional message.  The answer is the same page whether the number names an approved
expert or not ("sent if the number is right"); the expert's name is shown only once the expert has
confirmed.  A waiting request can be cancelled."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from dxapp import inputs, transaction
from dxapp.access import policy
from dxapp.blueprints.sme import bp
from dxapp.errors import conflict
from dxapp.forms import BaseForm, InputRequired, strip
from dxapp.labels import SELF_MATCH_LABELS
from dxapp.services import cases, introductions, self_matches
from dxapp.services.workflow import Stale


class SelfMatchForm(BaseForm):
    number = StringField(_l("The expert's registration number"), filters=[strip],
                         description=_l("The expert finds it on their My Page: E and 8 digits, for example "
                                        "E00001234."),
                         validators=[InputRequired(_l("Enter the expert's registration number.")),
                                     Length(max=40, message=_l("Enter E and 8 digits, for example E00001234."))],
                         render_kw={"autocomplete": "off", "spellcheck": "false"})
    message = TextAreaField(_l("Message to the expert"),
                            description=_l("The expert sees it with your business's name when they confirm."),
                            filters=[strip],
                            validators=[Optional(), Length(max=self_matches.MESSAGE_MAX,
                                                           message=_l("Write at most 1,000 characters."))])

    def validate_number(self, field):
        if not self_matches.well_formed(self_matches.normalise_number(field.data)):
            field.errors.append(_("Enter E and 8 digits, for example E00001234."))


def _page(form, status=200):
    items = self_matches.of_sme(current_user.organisation_id)
    confirmed = [s for s in items if s.status == "confirmed"]
    names = {s.id: p.name for s in confirmed
             if (p := introductions.profiles_of([s.expert_user_id]).get(s.expert_user_id)) is not None}
    numbers = {s.id: self_matches.registration_number_of(s.expert_user_id) for s in items if s.status == "requested"}
    return render_template("self_matches/sme.html", form=form, items=items, names=names, numbers=numbers,
                           labels=SELF_MATCH_LABELS), status


@bp.route("/self-match", methods=["GET", "POST"])
@policy("sme")
def self_match():
    if cases.approved_registration(current_user) is None:
        # The page that says why: 200 to a GET (the role's own page in this state), 409 to a POST.
        return render_template("introductions/refused.html", code="not_approved", back_url=url_for("sme.index"),
                               back_text=None), (409 if request.method == "POST" else 200)
    form = SelfMatchForm()
    if request.method == "POST":
        if not form.validate():
            return _page(form, 422)
        try:
            self_matches.request(current_user._get_current_object(), form.number.data, form.message.data)
        except self_matches.SelfMatchRefused as refused:
            transaction.rollback()
            return render_template("introductions/refused.html", code=refused.code, back_url=url_for("sme.index"),
                                   back_text=None), 409
        return redirect(url_for("sme.self_match_sent"), 303)
    return _page(form)


@bp.route("/self-match/sent")
@policy("sme")
def self_match_sent():
    return render_template("self_matches/sent.html")


@bp.route("/self-match/<int:self_match_id>/cancel", methods=["POST"])
@policy("sme")
def self_match_cancel(self_match_id: int):
    item = self_matches.owned_by_sme(current_user, self_match_id)
    if item is None:
        abort(404)
    try:
        self_matches.cancel(item, version=inputs.posted_version(), actor=current_user._get_current_object())
    except Stale as stale:
        return conflict(stale, back_url=url_for("sme.self_match"))
    flash(_("Your request has been cancelled."), "success")
    return redirect(url_for("sme.self_match"), 303)
