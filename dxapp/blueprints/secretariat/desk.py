"""Desk-assisted entry (issue 6): a clerk helps a caller with their registration without ever holding
their password.

* Existing applicant: they read a support code from their My Page; the clerk types their e-mail address
  and the code and gets a grant to that applicant's draft.
* New applicant: the clerk creates the account (no password) and enters the answers with them; an
  e-mail lets the applicant choose a password, review, accept the terms and submit.

The draft is edited through the same wizard engine as the applicant's, in desk mode
(``WizardRoutes(on_behalf_of=...)``): declarations are read-only, there is no submit, and every save is
audited with the clerk as actor and the applicant as on-behalf-of.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, RadioField, StringField
from wtforms.validators import Email, Length, Optional

from dxapp import procedures
from dxapp.access import policy
from dxapp.blueprints.secretariat import bp
from dxapp.extensions import db, limiter
from dxapp.forms import BaseForm, InputRequired, choices, strip
from dxapp.models import User
from dxapp.procedures.views import refusal_page, start_refusal
from dxapp.services import accounts, desk
from dxapp.wizard.views import WizardRoutes

STAFF = ("desk", "admin")
CODE_LIMIT = "10 per 10 minutes"  # failed attempts per clerk
CODE_LIMIT_PER_APPLICANT = "5 per 30 minutes"  # failed attempts on one applicant, whoever tries

#: The procedures the desk enters answers for, by wizard name (the name desk grants record).
DESK_PROCEDURES = {p.wizard.name: p for p in procedures.all() if p.desk is not None}
WIZARDS = {name: p.wizard for name, p in DESK_PROCEDURES.items()}
# wizard name -> the endpoint name of its desk routes ("secretariat.<name>_tasks", ...)
ENDPOINT_NAMES = {name: p.desk.endpoint for name, p in DESK_PROCEDURES.items()}
WIZARD_ENDPOINTS = tuple(f"secretariat.{name}_" for name in ENDPOINT_NAMES.values())
ROUTES: dict[str, WizardRoutes] = {}  # wizard name -> desk routes
ROLE_LABELS = {p.role: p.desk.role_label for p in DESK_PROCEDURES.values()}


# ---------------------------------------------------------------------------------------------- forms

class RedeemForm(BaseForm):
    email = EmailField(_l("The applicant's e-mail address"), filters=[strip],
                       description=_l("The address the applicant logs in with."),
                       validators=[InputRequired(_l("Enter the applicant's e-mail address.")), Length(max=254),
                                   Email(_l("Enter an e-mail address in the form name@example.jp."))],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})
    code = StringField(_l("Support code"), filters=[strip],
                       description=_l("8 letters and digits shown on the applicant's My Page, for example ABCD-EF23."),
                       validators=[InputRequired(_l("Enter the support code the applicant reads to you.")),
                                   Length(max=20)],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})


class NewApplicantForm(BaseForm):
    role = RadioField(_l("Who is registering?"), validators=[InputRequired(_l("Choose who is registering."))])
    name = StringField(_l("Name of the person calling"), filters=[strip],
                       validators=[InputRequired(_l("Enter the name of the person calling.")), Length(max=100)],
                       render_kw={"autocomplete": "off"})
    organisation_name = StringField(_l("Name of the business"), filters=[strip],
                                    description=_l("Businesses only. It can be changed in the answers."),
                                    validators=[Optional(), Length(max=200)], render_kw={"autocomplete": "off"})
    email = EmailField(_l("The caller's e-mail address"), filters=[strip],
                       description=_l("The set-password e-mail goes to this address."),
                       validators=[InputRequired(_l("Enter the caller's e-mail address.")), Length(max=254),
                                   Email(_l("Enter an e-mail address in the form name@example.jp."))],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = choices({r: ROLE_LABELS[r] for r in desk.WIZARDS if r in ROLE_LABELS})
        if len(self.role.choices) == 1 and not self.role.data:
            self.role.data = self.role.choices[0].value


# ---------------------------------------------------------------------------------------------- grants in URLs

@bp.url_value_preprocessor
def _pull_grant(endpoint, values):
    """/secretariat/desk/sme/<grant>/...: the wizard views do not take the grant; it is kept in ``g``."""
    if endpoint and endpoint.startswith(WIZARD_ENDPOINTS) and values and "grant" in values:
        g.desk_grant_id = values.pop("grant")


@bp.url_defaults
def _add_grant(endpoint, values):
    if endpoint.startswith(WIZARD_ENDPOINTS) and "grant" not in values and "desk_grant_id" in g:
        values["grant"] = g.desk_grant_id


def _wizard_of_request() -> str | None:
    endpoint = request.endpoint or ""
    return next((w for w, name in ENDPOINT_NAMES.items() if endpoint.startswith(f"secretariat.{name}_")), None)


def _grant():
    """The grant of this request (the clerk's own, for this wizard, still valid), else 404."""
    grant = g.get("desk_grant")
    if grant is None:
        grant_id = g.get("desk_grant_id")
        wizard = _wizard_of_request()
        grant = desk.active_grant(grant_id, current_user, wizard=wizard) if grant_id and wizard else None
        if grant is None:
            abort(404)
        g.desk_grant = grant
        g.desk_applicant = db.session.get(User, grant.applicant_id)
    return grant


def _applicant() -> User:
    _grant()
    return g.desk_applicant


def tasks_url(grant) -> str:
    return url_for(f"secretariat.{ENDPOINT_NAMES[grant.wizard]}_tasks", grant=grant.id)


def _ineligible_notice():
    flash(_("With these answers the applicant is not eligible. Explain the reasons to the caller; "
            "the answers are saved."), "info")
    return tasks_url(_grant())


def _never(_draft):
    abort(403)  # no submit route in desk mode; kept for the engine's signature


TEMPLATES = {"tasks": "secretariat/desk/tasks.html", "check": "secretariat/desk/check.html",
             "read_only": "secretariat/desk/read_only.html", "section": "secretariat/desk/section.html"}


def _desk_routes(procedure) -> WizardRoutes:
    """The desk's routes of ``procedure``: the applicant's wizard in desk mode, for the grant's applicant."""

    def write_guard():
        refusal = start_refusal(_applicant(), procedure)
        if refusal is None:
            return None
        return refusal_page(refusal, back_url=tasks_url(_grant()), back_text=_("Back to the applicant's steps"))

    def after_save(slug, answers):
        if procedure.stops_after is not None and procedure.stops_after(slug, answers):
            return _ineligible_notice()
        return None

    return WizardRoutes(
        bp=bp, wizard=procedure.wizard, rule=STAFF, name=procedure.desk.endpoint,
        prefix=f"/desk/{procedure.desk.path}/<int:grant>",
        owner=lambda: (_grant().owner_key, _grant().applicant_id), on_submit=_never,
        done_endpoint="secretariat.desk_index", reference_prefix="D",
        actor=lambda: current_user.id, on_behalf_of=lambda: _grant().applicant_id,
        write_guard=write_guard, after_save=after_save,
        initial_answers=(lambda: procedure.initial_answers(_applicant())) if procedure.initial_answers else None,
        read_only_steps=procedure.desk.read_only_steps, templates=TEMPLATES,
    ).register()


for _name, _procedure in DESK_PROCEDURES.items():
    ROUTES[_name] = _desk_routes(_procedure)


@bp.app_context_processor
def _desk_context():
    """Templates of the desk wizard pages see the grant and the applicant (set by ``_grant``)."""
    return {"desk_grant": g.get("desk_grant"), "desk_applicant": g.get("desk_applicant")}


# ---------------------------------------------------------------------------------------------- pages

def _index_page(redeem_form=None, new_form=None, status=200):
    redeem_form = redeem_form or RedeemForm(formdata=None)
    new_form = new_form or NewApplicantForm(formdata=None, prefix="new")
    grants = desk.active_grants(current_user)
    people = {u.id: u for u in db.session.query(User).filter(User.id.in_([gr.applicant_id for gr in grants]))}
    return render_template("secretariat/desk/index.html", redeem_form=redeem_form, new_form=new_form,
                           grants=grants, people=people, tasks_url=tasks_url), status


@bp.route("/desk/")
@policy(*STAFF)
def desk_index():
    return _index_page()


def _failed(response) -> bool:
    return response.status_code == 422


def _applicant_key() -> str:
    return f"desk-code:{accounts.normalise_email(request.form.get('email', ''))}"


@bp.route("/desk/code", methods=["POST"])
@policy(*STAFF)
@limiter.limit(CODE_LIMIT, deduct_when=_failed)
@limiter.limit(CODE_LIMIT_PER_APPLICANT, key_func=_applicant_key, deduct_when=_failed)
def desk_redeem():
    form = RedeemForm()
    if form.validate():
        try:
            grant = desk.redeem(clerk=current_user._get_current_object(), email=form.email.data, code=form.code.data)
        except desk.CodeRefused:
            form.code.errors.append(_("The code is not correct, has expired or has already been used, or it belongs "
                                      "to another applicant. Ask the applicant to show a new code on their My Page."))
        else:
            flash(_("You can now help %(name)s with their answers.", name=db.session.get(User, grant.applicant_id).name),
                  "success")
            return redirect(tasks_url(grant), 303)
    return _index_page(redeem_form=form, status=422)


@bp.route("/desk/new", methods=["POST"])
@policy(*STAFF)
def desk_new():
    form = NewApplicantForm(prefix="new")
    if form.validate():
        try:
            grant = desk.start_new(clerk=current_user._get_current_object(), role=form.role.data,
                                   name=form.name.data, email=form.email.data,
                                   organisation_name=form.organisation_name.data)
        except desk.DeskError:
            form.email.errors.append(_("An account with this e-mail address already exists. Ask the caller to "
                                       "log in and read you the support code from their My Page."))
        else:
            flash(_("The account has been created. Enter the answers with the caller."), "success")
            return redirect(tasks_url(grant), 303)
    return _index_page(new_form=form, status=422)


def _own_grant(grant_id: int):
    grant = desk.active_grant(grant_id, current_user)
    if grant is None:
        abort(404)
    return grant


@bp.route("/desk/<int:grant_id>/invite", methods=["POST"])
@policy(*STAFF)
def desk_invite(grant_id: int):
    grant = _own_grant(grant_id)
    try:
        desk.send_invitation(grant, current_user._get_current_object())
    except desk.DeskError:
        flash(_("The applicant has already set a password: they can log in and continue."), "info")
    else:
        flash(_("The e-mail with the link to set a password has been sent."), "success")
    return redirect(tasks_url(grant), 303)


@bp.route("/desk/<int:grant_id>/end", methods=["POST"])
@policy(*STAFF)
def desk_end(grant_id: int):
    grant = _own_grant(grant_id)
    desk.end_grant(grant, current_user._get_current_object())
    flash(_("You have finished helping this applicant. A new support code is needed to open the answers again."),
          "success")
    return redirect(url_for("secretariat.desk_index"), 303)


# ---------------------------------------------------------------------------------------------- My Page

def _labels(step) -> dict:
    """{field name: label}, in the order the form asks them."""
    form = step.form(formdata=None, meta={"csrf": False})
    return {f.short_name: str(f.label.text) for f in form}


def _edit_row(event) -> dict:
    """One desk change for My Page: when, which page (or section), which answers (labels, no values)."""
    summary = event.summary or {}
    wizard = WIZARDS.get(summary.get("wizard"))
    slug = summary.get("step") or ""
    title, labels = None, []
    if wizard is not None and slug.startswith("section:"):
        section = next((s for s in wizard.sections if s.key == slug.split(":", 1)[1]), None)
        title = section.title if section else None
    elif wizard is not None and slug in {s.slug for s in wizard.steps}:
        title = wizard.step(slug).title
    order = {s.slug: i for i, s in enumerate(wizard.steps)} if wizard is not None else {}
    for name in summary.get("changed") or []:
        step_slug, _sep, field = name.rpartition(":")
        step_slug = step_slug or slug
        if step_slug not in order:
            continue
        names = _labels(wizard.step(step_slug))
        key = field if field in names else field.rsplit("-", 1)[0]
        if key in names:
            labels.append(((order[step_slug], list(names).index(key)), names[key]))
    return {"at": event.at, "step": title, "fields": list(dict.fromkeys(label for _pos, label in sorted(labels)))}


@bp.app_template_global("desk_mypage")
def desk_mypage() -> dict:
    """For the applicant's My Page: their support code while it is live, and the changes the desk made."""
    user = current_user._get_current_object()
    info = session.get("support_code") or {}
    live = desk.code_is_live(info.get("id"), user)
    edits = [_edit_row(event) for event in desk.desk_edits(user)]
    return {"available": user.role in desk.WIZARDS, "code": info.get("code") if live else None,
            "expires_at": live.expires_at if live else None, "edits": edits}
