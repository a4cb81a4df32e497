"""Affiliated experts of a supporter corporation: the list with statuses, adding one expert, the CSV
import (upload -> server-side preview -> confirm once), resending an invitation, ending an affiliation,
and confirming or declining an expert's request.  Everything is loaded through the administrator's
organisation: another corporation's ids are 404."""

from __future__ import annotations

import math

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from dxapp import inputs
from dxapp.access import policy
from dxapp.blueprints.supporter_org import bp
from dxapp.blueprints.supporter_org.roster_forms import ExpertForm, RosterUploadForm
from dxapp.errors import conflict
from dxapp.extensions import db, limiter
from dxapp.labels import AFFILIATION_LABELS_FOR_CORPORATION as STATUS_LABELS
from dxapp.labels import STATUS_LABELS as APPLICATION_STATUS_LABELS
from dxapp.models import User
from dxapp.models.supporter import AFFILIATION_STATUSES
from dxapp.rules import roster
from dxapp.services import affiliations, applications, supporters
from dxapp.services.workflow import Stale

PAGE_SIZE = 100
#: Per account (the limiter keys authenticated requests on the user); the config may lower them.
INVITE_LIMIT = "30 per hour"
RESEND_LIMIT = "20 per hour"


def _limit(name: str, default: str):
    return lambda: current_app.config.get(name, default)

CELL_ERRORS = {
    ("name", "missing"): _l("Enter the name."),
    ("name", "too_long"): _l("The name is too long. Use at most 100 characters."),
    ("name_kana", "missing"): _l("Enter the name in katakana."),
    ("name_kana", "too_long"): _l("The furigana is too long. Use at most 100 characters."),
    ("name_kana", "not_kana"): _l("Write the furigana in katakana (hiragana is accepted), with a space between "
                                  "family name and given name."),
    ("email", "missing"): _l("Enter the e-mail address."),
    ("email", "too_long"): _l("The e-mail address is too long. Use at most 254 characters."),
    ("email", "invalid"): _l("This is not an e-mail address. Write it in the form name@example.jp."),
    ("email", "affiliated"): _l("This expert is already affiliated with your corporation or invited."),
}

FILE_ERRORS = {
    "empty": _l("The file is empty. Choose the CSV file with your experts."),
    "too_large": _l("The file is too large. Upload at most 2,000 experts (1 MB) at a time."),
    "encoding": _l("The file could not be read. Save it from Excel as CSV (UTF-8 or Shift_JIS) and upload it again."),
    "csv": _l("The file is not a valid CSV file (line %(line)s). Save it from Excel as CSV and upload it again."),
    "no_rows": _l("The file has no experts in it. Fill in one expert per line below the header."),
    "too_many_rows": _l("The file has more than %(limit)s experts. Split it into several files."),
}


EXAMPLE_NOTICE = _l("This is the example row of the template (taro.yamada@example.jp): it was skipped and "
                    "nobody will be invited for it. Delete it from your file if you like.")


def cell_error(field: str, code: str, normalised: dict | None = None) -> str:
    if code == "duplicate":
        return _("The same address is on line %(line)s. Each expert needs their own address.",
                 line=(normalised or {}).get("duplicate_of", "?"))
    return str(CELL_ERRORS.get((field, code), code))


def _org() -> int:
    return current_user.organisation_id


def _owned(affiliation_id: int):
    affiliation = affiliations.owned(_org(), affiliation_id)
    if affiliation is None:
        abort(404)
    return affiliation


def _version() -> int:
    return inputs.posted_version()


def _approved() -> bool:
    registered = applications.registration(current_user, "supporter")
    return registered is not None and registered.status == "approved"


def _not_approved():
    """Inviting experts waits for the approval of the corporation's registration: the page says so
    (200 to a GET, which is the role's own page; 409 to a POST, refused in this state)."""
    return render_template("supporter_org/not_approved.html",
                           application=applications.registration(current_user, "supporter"),
                           status_labels=APPLICATION_STATUS_LABELS), 409 if request.method == "POST" else 200


# ---------------------------------------------------------------------------------------------- list

@bp.route("/experts")
@policy("supporter_admin")
def experts():
    status = request.args.get("status")
    status = status if status in AFFILIATION_STATUSES else None
    total = affiliations.count_for_organisation(_org(), status=status)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(_page_number(), pages)
    rows = affiliations.for_organisation(_org(), status=status, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("supporter_org/experts.html", rows=rows,
                           names={a.id: affiliations.shown_name(a, u) for a, u in rows},
                           total=total, page=page, pages=pages, status=status,
                           counts=affiliations.counts(_org()), status_labels=STATUS_LABELS,
                           approved=_approved())


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


# ---------------------------------------------------------------------------------------------- one expert

@bp.route("/experts/add", methods=["GET", "POST"])
@policy("supporter_admin")
@limiter.shared_limit(_limit("SUPPORTER_INVITE_LIMIT", INVITE_LIMIT), scope="supporter-expert-invite",
                      methods=["POST"])
def expert_add():
    if not _approved():
        return _not_approved()
    form = ExpertForm()
    if request.method == "POST" and form.validate():
        try:
            supporters.invite_expert(actor=current_user._get_current_object(), name=form.name.data,
                                     name_kana=form.name_kana.data, email=form.email.data)
        except supporters.SupporterError:
            return _not_approved()
        except supporters.RowInvalid as exc:
            if exc.code == "example":
                form.email.errors.append(_("This is the example address of the template. Enter the "
                                           "expert's own e-mail address."))
            for field, code in exc.row.errors.items():
                getattr(form, field).errors.append(cell_error(field, code, exc.row.normalised))
        else:
            flash(_("%(name)s has been invited by e-mail.", name=form.name.data), "success")
            return redirect(url_for("supporter_org.experts"), 303)
    status = 422 if form.errors else 200
    return render_template("supporter_org/expert_add.html", form=form), status


# ---------------------------------------------------------------------------------------------- CSV import

@bp.route("/experts/template.csv")
@policy("supporter_admin")
def roster_template():
    response = make_response(roster.template_csv())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=experts-template.csv"
    response.headers["Cache-Control"] = "no-store"
    return response


def _upload_page(form, *, file_error=None, status=200):
    return render_template("supporter_org/import.html", form=form, file_error=file_error,
                           max_rows=roster.MAX_ROWS), status


@bp.route("/experts/import", methods=["GET", "POST"])
@policy("supporter_admin")
@limiter.limit("60 per hour", methods=["POST"])
def roster_import():
    form = RosterUploadForm()
    if request.method == "GET":
        return _upload_page(form)
    if not form.validate():
        return _upload_page(form, status=422)
    upload = form.file.data
    data = upload.stream.read(roster.MAX_BYTES + 1)
    try:
        record = supporters.preview(actor=current_user._get_current_object(), filename=upload.filename or "",
                                    data=data)
    except roster.RosterFileError as exc:
        message = str(FILE_ERRORS.get(exc.code, FILE_ERRORS["encoding"])) % (exc.params or {"line": "?", "limit": ""})
        form.file.errors.append(message)
        return _upload_page(form, file_error=message, status=422)
    return redirect(url_for("supporter_org.roster_preview", import_id=record.id), 303)


@bp.route("/experts/import/<token:import_id>")
@policy("supporter_admin")
def roster_preview(import_id: str):
    record = supporters.owned_import(_org(), import_id)
    if record is None:
        abort(404)
    if record.status == "confirmed":
        return redirect(url_for("supporter_org.experts"), 303)
    if record.status != "preview":
        flash(_("A newer file replaced this upload, or it was cancelled. Check the experts of the newest "
                "upload, or upload your file again."), "info")
        return redirect(url_for("supporter_org.roster_import"), 303)
    rows = roster.errors_first(record.rows)
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(_page_number(), pages)
    shown = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return render_template("supporter_org/preview.html", record=record, rows=shown, page=page, pages=pages,
                           cell_error=cell_error, form=RosterUploadForm(formdata=None),
                           good=record.row_count - record.error_count - roster.skipped_count(record.rows),
                           skipped=roster.skipped_count(record.rows), example_notice=EXAMPLE_NOTICE,
                           approved=_approved(),
                           summary=ngettext("%(num)s expert in the file.", "%(num)s experts in the file.",
                                            record.row_count))


@bp.route("/experts/import/<token:import_id>/confirm", methods=["POST"])
@policy("supporter_admin")
@limiter.shared_limit(_limit("SUPPORTER_INVITE_LIMIT", INVITE_LIMIT), scope="supporter-expert-invite")
def roster_confirm(import_id: str):
    record = supporters.owned_import(_org(), import_id)
    if record is None:
        abort(404)
    if not _approved():
        return _not_approved()
    try:
        created = supporters.confirm(record, actor=current_user._get_current_object())
    except Stale as stale:
        db.session.rollback()
        if record.status == "confirmed":  # a second click: the first one did it
            flash(_("These experts have already been invited."), "info")
            return redirect(url_for("supporter_org.experts"), 303)
        return conflict(stale, back_url=url_for("supporter_org.roster_import"))
    except supporters.SupporterError as exc:
        if exc.code == "not_approved":
            return _not_approved()
        flash(_("Some rows have problems. Correct the file and upload it again."), "info")
        return redirect(url_for("supporter_org.roster_preview", import_id=record.id), 303)
    flash(ngettext("%(num)s expert has been invited by e-mail.", "%(num)s experts have been invited by e-mail.",
                   len(created)), "success")
    return redirect(url_for("supporter_org.experts"), 303)


@bp.route("/experts/import/<token:import_id>/discard", methods=["POST"])
@policy("supporter_admin")
def roster_discard(import_id: str):
    record = supporters.owned_import(_org(), import_id)
    if record is None:
        abort(404)
    supporters.discard(record, actor=current_user._get_current_object())
    flash(_("The upload has been cancelled. No expert was invited."), "info")
    return redirect(url_for("supporter_org.roster_import"), 303)


# ---------------------------------------------------------------------------------------------- one affiliation

@bp.route("/experts/<int:affiliation_id>/resend", methods=["POST"])
@policy("supporter_admin")
@limiter.shared_limit(_limit("SUPPORTER_RESEND_LIMIT", RESEND_LIMIT), scope="supporter-expert-resend")
def expert_resend(affiliation_id: int):
    affiliation = _owned(affiliation_id)
    if not _approved():
        return _not_approved()
    try:
        supporters.resend_invitation(affiliation, version=_version(), actor=current_user._get_current_object())
    except supporters.SupporterError as exc:
        if exc.code == "not_approved":
            return _not_approved()
        if exc.code == "resend_cap":
            flash(_("The invitation to this expert has been sent %(num)s times in the last 24 hours. Wait a day, "
                    "or ask the expert to check their spam folder.", num=supporters.RESEND_CAP), "info")
        else:
            flash(_("This invitation can no longer be sent."), "info")
        return redirect(url_for("supporter_org.experts"), 303)
    flash(_("The invitation has been sent again."), "success")
    return redirect(url_for("supporter_org.experts"), 303)


@bp.route("/experts/<int:affiliation_id>/end", methods=["GET", "POST"])
@policy("supporter_admin")
def expert_end(affiliation_id: int):
    affiliation = _owned(affiliation_id)
    if request.method == "POST":
        affiliations.end(affiliation, version=_version(), actor=current_user._get_current_object())
        flash(_("The affiliation has been ended."), "success")
        return redirect(url_for("supporter_org.experts"), 303)
    if affiliation.status not in ("requested", "invited", "confirmed"):
        abort(409)
    return render_template("supporter_org/end.html", affiliation=affiliation,
                           expert=(expert := db.session.get(User, affiliation.expert_user_id)),
                           name=affiliations.shown_name(affiliation, expert), status_labels=STATUS_LABELS)


@bp.route("/experts/<int:affiliation_id>/decide", methods=["POST"])
@policy("supporter_admin")
def expert_decide(affiliation_id: int):
    affiliation = _owned(affiliation_id)
    decision = request.form.get("decision")
    if decision not in ("confirm", "decline"):
        abort(400)
    affiliations.decide(affiliation, accept=decision == "confirm", version=_version(),
                        actor=current_user._get_current_object())
    flash(_("The expert's request has been confirmed.") if decision == "confirm"
          else _("The expert's request has been declined."), "success")
    return redirect(url_for("supporter_org.experts"), 303)


# ---------------------------------------------------------------------------------------------- the expert's side

def _my_invitation(affiliation_id: int):
    """An invitation to the logged-in expert (another person's id is 404)."""
    affiliation = affiliations.invitation_for(current_user.id, affiliation_id)
    if affiliation is None:
        abort(404)
    return affiliation


@bp.route("/invitations/<int:affiliation_id>", methods=["GET", "POST"])
@policy("expert")
def invitation(affiliation_id: int):
    """An expert who already has an account is asked by a corporation to join: accept or decline."""
    affiliation = _my_invitation(affiliation_id)
    if request.method == "POST":
        decision = request.form.get("decision")
        if decision not in ("accept", "decline"):
            abort(400)
        affiliations.respond(affiliation, accept=decision == "accept", version=_version(),
                             actor=current_user._get_current_object())
        flash(_("You have joined %(name)s.", name=affiliations.organisation_name(affiliation.organisation_id))
              if decision == "accept" else _("You have declined the invitation."), "success")
        return redirect(url_for("supporter_org.invitation", affiliation_id=affiliation.id), 303)
    return render_template("supporter_org/invitation.html", affiliation=affiliation,
                           organisation_name=affiliations.organisation_name(affiliation.organisation_id),
                           status_labels=STATUS_LABELS)
