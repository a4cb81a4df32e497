"""The `expert` blueprint: My Page for the expert role.  Its registration wizard arrives with its own issue;
My Page already shows the account, the deadlines that apply and what to do next."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from dxapp import clock
from dxapp.access import policy
from dxapp.blueprints.public import calendar_rows

bp = Blueprint("expert", __name__)


@bp.route("/")
@policy("expert")
def index():
    return render_template("mypage.html", user=current_user, rows=calendar_rows(clock.program_now()),
                           kind="expert")
