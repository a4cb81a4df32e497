"""The secretariat blueprint (desk clerks and administrators, both with TOTP).  The foundation holds
the dashboard and staff account management; review queues arrive with their own issue."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from dxapp import clock
from dxapp.access import policy
from dxapp.blueprints.secretariat.staff_forms import StaffForm
from dxapp.extensions import db
from dxapp.models import Inquiry, OutboxMessage, User
from dxapp.procedures.calendar import calendar_rows
from dxapp.services import accounts

bp = Blueprint("secretariat", __name__)


@bp.route("/")
@policy("desk", "admin")
def index():
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    open_inquiries = db.session.scalar(select(func.count()).select_from(Inquiry).where(Inquiry.status != "closed"))
    unsent = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))
    from dxapp.blueprints.secretariat.review import KIND_LABELS, QUEUE_TITLES, queue_endpoint
    from dxapp.labels import STATUS_LABELS
    from dxapp.services import review

    return render_template("secretariat/index.html", counts=counts, open_inquiries=open_inquiries,
                           unsent=unsent, rows=calendar_rows(clock.program_now()),
                           review_counts=review.dashboard_counts(), queues=review.QUEUES,
                           queue_titles=QUEUE_TITLES, queue_endpoint=queue_endpoint, kind_labels=KIND_LABELS,
                           review_statuses=review.QUEUE_STATUSES, status_labels=STATUS_LABELS)


@bp.route("/staff", methods=["GET", "POST"])
@policy("admin")
def staff():
    form = StaffForm()
    if request.method == "POST" and form.validate():
        if accounts.find_by_email(form.email.data):
            form.email.errors.append(_("An account with this e-mail address already exists."))
        else:
            accounts.create_staff(email=form.email.data, name=form.name.data, role=form.role.data,
                                  actor=current_user._get_current_object())
            flash(_("The account has been created. A set-up e-mail has been sent."), "success")
            return redirect(url_for("secretariat.staff"), 303)
    members = db.session.scalars(select(User).where(User.role.in_(("desk", "admin"))).order_by(User.id)).all()
    status = 422 if form.errors else 200
    return render_template("secretariat/staff.html", form=form, members=members), status


from dxapp.blueprints.secretariat import budget as _budget  # noqa: E402,F401  the honorarium budget
from dxapp.blueprints.secretariat import desk as _desk  # noqa: E402,F401  desk-assisted entry
from dxapp.blueprints.secretariat import inquiries as _inquiries  # noqa: E402,F401  inquiry inbox
from dxapp.blueprints.secretariat import introductions as _introductions  # noqa: E402,F401  introductions
from dxapp.blueprints.secretariat import match_signals as _match_signals  # noqa: E402,F401  matching signals
from dxapp.blueprints.secretariat import messages as _messages  # noqa: E402,F401  reported messages
from dxapp.blueprints.secretariat import plan_freeze as _plan_freeze  # noqa: E402,F401  suspending new plans
from dxapp.blueprints.secretariat import plans as _plans  # noqa: E402,F401  review of support plans
from dxapp.blueprints.secretariat import review as _review  # noqa: E402,F401  review queues
