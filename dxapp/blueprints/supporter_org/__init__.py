"""The `supporter_org` blueprint (/supporter): the SME-supporter corporation's registration wizard, My
Page, its administrators, and its affiliated experts (one at a time or by CSV; see experts.py)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dxapp import clock
from dxapp.access import policy
from dxapp.extensions import limiter
from dxapp.procedures.calendar import calendar_rows
from dxapp.procedures.supporter_registration import PROCEDURE
from dxapp.procedures.supporter_registration.forms import AdminInviteForm
from dxapp.procedures.views import mount, my_page_context
from dxapp.services import affiliations, supporters

bp = Blueprint("supporter_org", __name__)

KIND = "supporter"
#: Administrator invitations per account (the limiter keys authenticated requests on the user).
ADMIN_INVITE_LIMIT = "10 per hour"
registration = mount(bp, PROCEDURE)

from dxapp.blueprints.supporter_org import experts  # noqa: E402,F401  (routes of the expert roster)


@bp.route("/")
@policy("supporter_admin")
def index():
    context = my_page_context(PROCEDURE, registration, current_user._get_current_object())
    return render_template("supporter_org/mypage.html", **context, rows=calendar_rows(clock.program_now()),
                           counts=affiliations.counts(current_user.organisation_id))


@bp.route("/administrators", methods=["GET", "POST"])
@policy("supporter_admin")
@limiter.shared_limit(lambda: current_app.config.get("SUPPORTER_ADMIN_INVITE_LIMIT", ADMIN_INVITE_LIMIT),
                      scope="supporter-admin-invite", methods=["POST"])
def administrators():
    """The corporation's administrators; any administrator invites a further one (name and e-mail)."""
    form = AdminInviteForm()
    back = request.args.get("from") == "wizard"
    if request.method == "POST" and form.validate():
        try:
            supporters.invite_administrator(actor=current_user._get_current_object(), name=form.name.data,
                                            email=form.email.data)
        except supporters.SupporterError:
            form.email.errors.append(_("This person is already an administrator of your corporation."))
        else:
            flash(_("%(name)s has been invited by e-mail as an administrator.", name=form.name.data), "success")
            if back:
                return redirect(url_for(registration.ep("step"), slug="administrators"), 303)
            return redirect(url_for("supporter_org.administrators"), 303)
    status = 422 if form.errors else 200
    return render_template("supporter_org/admins.html", form=form,
                           admins=supporters.administrators(current_user.organisation_id), back=back), status
