"""The program budget as the secretariat sees it (MONEY.md §2): total, committed, claimed, paid,
remaining and whether intake is open; an administrator sets the total (audited; never below what is
used).  The money itself moves only through dxapp/services/budget.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired

from dxapp.access import policy
from dxapp.blueprints.secretariat import bp
from dxapp.rules import normalize
from dxapp.services import budget
from dxapp.wizard.fields import YenField


class TotalForm(FlaskForm):
    total = YenField(_l("Honorarium budget (yen)"), validators=[DataRequired()],
                     description=_l("Enter the whole budget of both phases, for example 100億円 or "
                                    "10,000,000,000. It cannot be lower than what is already used."),
                     render_kw={"inputmode": "numeric", "autocomplete": "off"})


def _page(form: TotalForm, status: int = 200):
    return render_template("secretariat/budget.html", standing=budget.standing(), form=form), status


@bp.route("/budget")
@policy("desk", "admin")
def budget_page():
    form = TotalForm(formdata=None)
    return _page(form)


@bp.route("/budget/total", methods=["POST"])
@policy("admin")
def budget_total():
    form = TotalForm()
    if not form.validate() or form.total.amount is None:
        return _page(form, 422)
    try:
        budget.set_total(form.total.amount, actor=current_user._get_current_object())
    except budget.LimitReached as refused:
        form.total.errors.append(_("The budget cannot be lower than the %(used)s already used (committed, "
                                   "claimed and paid). Enter %(used)s or more.",
                                   used=normalize.format_yen(refused.headroom_yen)))
        return _page(form, 422)
    flash(_("The honorarium budget is now %(total)s.", total=normalize.format_yen(form.total.amount)), "success")
    return redirect(url_for("secretariat.budget_page"), 303)
