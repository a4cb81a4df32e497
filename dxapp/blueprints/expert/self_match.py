"""Self-match requests the expert received (セルフマッチング, issue 12): who asked (the SME revealed
itself by asking), with its message; confirm (the match forms) or decline."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dxapp import inputs, transaction
from dxapp.access import policy
from dxapp.blueprints.expert import bp
from dxapp.errors import conflict
from dxapp.labels import SELF_MATCH_LABELS
from dxapp.services import matches, self_matches
from dxapp.services.workflow import Stale


def _own(self_match_id: int):
    found = self_matches.owned_by_expert(current_user, self_match_id)
    if found is None:
        abort(404)
    return found


@bp.route("/self-matches/")
@policy("expert")
def self_match_list():
    items = self_matches.of_expert(current_user)
    return render_template("self_matches/expert_list.html", items=items, names=self_matches.sme_names(items),
                           labels=SELF_MATCH_LABELS, number=self_matches.registration_number(current_user))


@bp.route("/self-matches/<int:self_match_id>/confirm", methods=["POST"])
@policy("expert")
def self_match_confirm(self_match_id: int):
    item = _own(self_match_id)
    try:
        self_matches.confirm(item, version=inputs.posted_version(), actor=current_user._get_current_object())
    except Stale as stale:
        return conflict(stale, back_url=url_for("expert.self_match_list"))
    except matches.AlreadyMatched:
        transaction.rollback()
        return render_template("introductions/refused.html", code="already_matched",
                               back_url=url_for("expert.self_match_list"), back_text=None), 409
    flash(_("The self-match is confirmed. You can now exchange messages and draft the support plan."), "success")
    return redirect(url_for("expert.self_match_list"), 303)


@bp.route("/self-matches/<int:self_match_id>/decline", methods=["POST"])
@policy("expert")
def self_match_decline(self_match_id: int):
    item = _own(self_match_id)
    try:
        self_matches.decline(item, version=inputs.posted_version(), actor=current_user._get_current_object())
    except Stale as stale:
        return conflict(stale, back_url=url_for("expert.self_match_list"))
    flash(_("You have declined the self-match request."), "success")
    return redirect(url_for("expert.self_match_list"), 303)
