"""The inquiry inbox of the secretariat (issue 6): the public form's questions, searchable and
filterable; assign, reply by e-mail (the thread is kept), close and reopen.  Every change carries the
version the page showed: a clerk acting on an inquiry someone else just changed gets a 409 page with
what they typed kept."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from dxapp import inputs
from dxapp.access import policy
from dxapp.blueprints.secretariat import bp
from dxapp.errors import conflict
from dxapp.extensions import db
from dxapp.forms import BaseForm, InputRequired
from dxapp.labels import INQUIRY_LABELS as STATUS_LABELS
from dxapp.models import User
from dxapp.services import inquiries
from dxapp.services.workflow import Stale

STAFF = ("desk", "admin")
CATEGORY_LABELS = {"registration": _l("Registration"), "matching": _l("Finding an expert or an SME"),
                   "contract": _l("Support plans and contracts"), "report": _l("Reports and honorarium claims"),
                   "other": _l("Something else")}


class ReplyForm(BaseForm):
    body = TextAreaField(_l("Your reply"), description=_l("Sent by e-mail to the address of the inquiry. "
                                                          "Never write passwords or bank account numbers."),
                         validators=[InputRequired(_l("Write the reply.")),
                                     Length(max=4000, message=_l("Write at most 4,000 characters."))])


class AssignForm(BaseForm):
    assignee = SelectField(_l("Staff member"), validators=[InputRequired(_l("Choose a staff member."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee.choices = [(str(u.id), u.name) for u in inquiries.staff_members()]


def _load(inquiry_id: int):
    item = inquiries.get(inquiry_id)
    if item is None:
        abort(404)
    return item


def _version() -> int:
    return inputs.posted_version()


@bp.route("/inquiries/")
@policy(*STAFF)
def inquiry_list():
    q = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") or ""
    mine = request.args.get("mine") == "1"
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    items, total = inquiries.search(q=q, status=status, mine_id=current_user.id if mine else None, page=page)
    pages = max(1, -(-total // inquiries.PAGE_SIZE))
    staff = {u.id: u.name for u in inquiries.staff_members()}
    return render_template("secretariat/inquiries/list.html", items=items, total=total, page=page, pages=pages,
                           q=q, status=status, mine=mine, status_labels=STATUS_LABELS, category_labels=CATEGORY_LABELS,
                           staff=staff)


def _detail(item, *, reply_form=None, assign_form=None, status=200, stale=False):
    assign_form = assign_form or AssignForm(formdata=None, data={"assignee": str(item.assigned_to_id or current_user.id)})
    reply_form = reply_form or ReplyForm(formdata=None)
    assigned = db.session.get(User, item.assigned_to_id) if item.assigned_to_id else None
    authors = {u.id: u.name for u in inquiries.staff_members()}
    return render_template("secretariat/inquiries/detail.html", item=item, thread=inquiries.thread(item),
                           reply_form=reply_form, assign_form=assign_form, assigned=assigned, authors=authors,
                           status_labels=STATUS_LABELS, category_labels=CATEGORY_LABELS, stale=stale), status


@bp.route("/inquiries/<int:inquiry_id>")
@policy(*STAFF)
def inquiry_detail(inquiry_id: int):
    return _detail(_load(inquiry_id))


@bp.route("/inquiries/<int:inquiry_id>/assign", methods=["POST"])
@policy(*STAFF)
def inquiry_assign(inquiry_id: int):
    item = _load(inquiry_id)
    form = AssignForm()
    if not form.validate():
        return _detail(item, assign_form=form, status=422)
    assignee = db.session.get(User, int(form.assignee.data))
    try:
        inquiries.assign(item, version=_version(), assignee=assignee, actor=current_user._get_current_object())
    except Stale as stale:
        return conflict(stale, render=lambda: _detail(_load(inquiry_id), stale=True))
    flash(_("The inquiry has been assigned to %(name)s.", name=assignee.name), "success")
    return redirect(url_for("secretariat.inquiry_detail", inquiry_id=inquiry_id), 303)


@bp.route("/inquiries/<int:inquiry_id>/reply", methods=["POST"])
@policy(*STAFF)
def inquiry_reply(inquiry_id: int):
    item = _load(inquiry_id)
    form = ReplyForm()
    if not form.validate():
        return _detail(item, reply_form=form, status=422)
    try:
        inquiries.reply(item, version=_version(), body=form.body.data, actor=current_user._get_current_object())
    except Stale as stale:
        # Nothing sent; the reply typed is shown again under the latest version of the inquiry.
        return conflict(stale, render=lambda: _detail(_load(inquiry_id), reply_form=form, stale=True))
    flash(_("The reply has been sent by e-mail and added to the thread."), "success")
    return redirect(url_for("secretariat.inquiry_detail", inquiry_id=inquiry_id), 303)


@bp.route("/inquiries/<int:inquiry_id>/close", methods=["POST"])
@policy(*STAFF)
def inquiry_close(inquiry_id: int):
    item = _load(inquiry_id)
    action = inquiries.reopen if request.form.get("reopen") == "1" else inquiries.close
    try:
        action(item, version=_version(), actor=current_user._get_current_object())
    except Stale as stale:
        return conflict(stale, render=lambda: _detail(_load(inquiry_id), stale=True))
    flash(_("The inquiry has been reopened.") if action is inquiries.reopen else _("The inquiry has been closed."),
          "success")
    return redirect(url_for("secretariat.inquiry_detail", inquiry_id=inquiry_id), 303)
