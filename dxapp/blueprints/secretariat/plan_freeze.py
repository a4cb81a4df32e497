"""The secretariat's lever on new support plans (issue 13): suspend sending new plans between two days
(administrators), lift a suspension, see what is in force.  Everyone can still read and save drafts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import Length, ValidationError

from dxapp.access import policy
from dxapp.blueprints.secretariat import bp
from dxapp.extensions import db
from dxapp.forms import BaseForm, InputRequired, strip
from dxapp.models import PlanFreeze
from dxapp.procedures.support_plan import DateInput
from dxapp.services import freezes


class FreezeForm(BaseForm):
    since = DateInput(_l("First day of the suspension"), filters=[strip],
                      validators=[InputRequired(_l("Enter the first day."))],
                      description=_l("For example 2021-09-16 or 2021年9月16日."))
    until = DateInput(_l("Last day of the suspension"), filters=[strip],
                      validators=[InputRequired(_l("Enter the last day."))])
    reason = TextAreaField(_l("Reason (shown to the secretariat only)"), filters=[strip],
                           validators=[InputRequired(_l("Enter the reason.")), Length(max=1000)])

    def validate_until(self, field):
        if field.date and self.since.date and field.date < self.since.date:
            raise ValidationError(_l("The last day cannot be before the first day."))


def _page(form, status: int = 200):
    return render_template("plans/secretariat_freeze.html", form=form, current=freezes.in_force(),
                           upcoming=freezes.upcoming()), status


@bp.route("/plan-freeze")
@policy("desk", "admin")
def plan_freeze():
    return _page(FreezeForm(formdata=None))


@bp.route("/plan-freeze", methods=["POST"])
@policy("admin")
def plan_freeze_set():
    form = FreezeForm()
    if not form.validate():
        return _page(form, 422)
    freezes.freeze(form.since.date, form.until.date, reason=form.reason.data, actor=current_user._get_current_object())
    flash(_("New support plans are suspended from %(since)s to %(until)s.", since=form.since.data,
            until=form.until.data), "success")
    return redirect(url_for("secretariat.plan_freeze"), 303)


@bp.route("/plan-freeze/<int:freeze_id>/lift", methods=["POST"])
@policy("admin")
def plan_freeze_lift(freeze_id: int):
    row = db.session.get(PlanFreeze, freeze_id)
    if row is None:
        abort(404)
    freezes.lift(row, actor=current_user._get_current_object())
    flash(_("The suspension was lifted: new support plans can be sent again."), "success")
    return redirect(url_for("secretariat.plan_freeze"), 303)
