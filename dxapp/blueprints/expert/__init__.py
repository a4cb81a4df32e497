"""The `expert` blueprint: My Page, the registration wizard with live feedback (issue 5), and the
expert directory that logged-in SMEs browse."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dxapp import clock, inputs
from dxapp.access import policy
from dxapp.blueprints.expert import cases, directory, proposals
from dxapp.blueprints.expert import messages as _messages
from dxapp.blueprints.expert import plans as plan_pages
from dxapp.labels import AFFILIATION_LABELS
from dxapp.procedures.calendar import calendar_rows
from dxapp.procedures.expert_registration import PROCEDURE, presets
from dxapp.procedures.expert_registration.wizard import EXPERT_REGISTRATION
from dxapp.procedures.views import mount, my_page_context
from dxapp.services import experts as experts_service
from dxapp.services import self_matches

bp = Blueprint("expert", __name__)
registration = mount(bp, PROCEDURE)
directory.register(bp)
plan_pages.register(bp)
proposals.register(bp)
_messages.register(bp)
cases.register(bp)


@bp.route("/")
@policy("expert")
def index():
    context = my_page_context(PROCEDURE, registration, current_user._get_current_object())
    return render_template(
        "expert/mypage.html", **context, rows=calendar_rows(clock.program_now()),
        honoraria=experts_service.honoraria(current_user), preset=presets.current(context["draft"].answers),
        profile=experts_service.profile_of(current_user),
        affiliations=[(a, name, _affiliation_date(a)) for a, name in presets.invitations(current_user)],
        affiliation_labels=AFFILIATION_LABELS, registration_number=self_matches.registration_number(current_user),
    )


def _affiliation_date(affiliation):
    """The date of the affiliation's current status."""
    return {"requested": affiliation.created_at, "invited": affiliation.invited_at or affiliation.created_at,
            "confirmed": affiliation.decided_at, "declined": affiliation.decided_at,
            "ended": affiliation.ended_at}.get(affiliation.status)


@bp.route("/invitations/<int:affiliation_id>/decline", methods=["POST"])
@policy("expert")
def decline_invitation(affiliation_id: int):
    """The expert declines a supporter corporation's invitation: kind and corporation are no longer preset
    and the expert answers those questions themselves."""
    version = inputs.posted_version()
    try:
        user = current_user._get_current_object()
        experts_service.decline_invitation(user, affiliation_id, version=version,
                                           draft_key=(EXPERT_REGISTRATION.name, PROCEDURE.owner_key(user)))
    except LookupError:
        abort(404)
    presets.forget()
    flash(_("You have declined the invitation. Choose how you take part in the registration yourself."), "success")
    return redirect(url_for("expert.index") + "#affiliations", 303)

from dxapp.blueprints.expert import introductions as _introductions  # noqa: E402,F401  issue 12
from dxapp.blueprints.expert import packages as _packages  # noqa: E402,F401  issue 12
from dxapp.blueprints.expert import self_match as _self_match  # noqa: E402,F401  issue 12
