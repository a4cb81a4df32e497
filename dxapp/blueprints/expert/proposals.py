"""The expert's proposals (提案, issue 12): the proposal form of a published case
(``/expert/cases/<reference>/propose``, with the live quote panel), the list of my proposals with their
status and a withdraw button, and the stateless quote panel that htmx asks as the rate and hours are
typed (``/expert/proposals/quote``: the query string alone, no database; the support packages reuse it).

Every refusal is a page that says why and what to do (``proposals/refused.html``); a hidden, draft or
unknown case is a 404.  Works without JavaScript: the 「計算する」 button sends the form by GET to the
proposal page, which shows the same panel with what was typed kept."""

from __future__ import annotations

import math

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from dxapp import inputs, transaction
from dxapp.access import PUBLIC, policy
from dxapp.errors import conflict
from dxapp.forms import BaseForm, InputRequired, strip
from dxapp.labels import PROPOSAL_LABELS, STATUS_LABELS
from dxapp.procedures.expert_registration.forms import SUPPORT_AREA_LABELS
from dxapp.rules import normalize, subsidy
from dxapp.rules.matching import MESSAGE_MAX_CHARS
from dxapp.services import applications, cases, experts, matches
from dxapp.services import proposals as service
from dxapp.services.workflow import Stale


def _page() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _check_hours(form, field):
    try:
        subsidy.parse_hours(field.data or "")
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def _check_rate(form, field):
    try:
        rate = normalize.parse_yen(field.data or "")
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    if rate > 10_000_000:
        raise ValidationError(_("Enter an hourly rate of at most 10,000,000 yen."))


class ProposalForm(BaseForm):
    message = TextAreaField(_l("Message to the SME"), filters=[strip],
                            validators=[InputRequired(_l("Write a message to the SME.")),
                                        Length(max=MESSAGE_MAX_CHARS)],
                            description=_l("Who you are and why you can help with this case. Up to 2,000 characters."))
    plan_outline = TextAreaField(_l("Outline of the support plan"), filters=[strip],
                                 validators=[InputRequired(_l("Write an outline of how you would support the SME.")),
                                             Length(max=MESSAGE_MAX_CHARS)],
                                 description=_l("What you would do, in what order. Up to 2,000 characters."))
    hours = StringField(_l("Estimated hours"), filters=[strip],
                        validators=[InputRequired(_l("Enter the estimated hours, for example 10 or 7.5.")), _check_hours],
                        description=_l("In half-hour steps, for example 10 or 7.5."),
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    hourly_rate = StringField(_l("Hourly rate (yen, tax included)"), filters=[strip],
                              validators=[InputRequired(_l("Enter your hourly rate in yen.")), _check_rate],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})

    def fields(self) -> service.ProposalFields:
        return service.ProposalFields(message=self.message.data, plan_outline=self.plan_outline.data,
                                      half_hours=int(subsidy.parse_hours(self.hours.data) * 2),
                                      hourly_rate_yen=normalize.parse_yen(self.hourly_rate.data))


def _case(reference: str):
    """The case as an expert may reach it: 404 for an unknown, hidden or draft case."""
    case = service.visible_case(reference)
    if case is None:
        abort(404)
    return case


def refused(code: str, *, case=None, proposal=None, status: int | None = None):
    """The page that says why a proposal action is refused, and what to do."""
    transaction.rollback()  # nothing of a refused action stays
    registration = applications.registration(current_user, "expert") if code == "not_approved" else None
    statuses = {"not_approved": 403, "case_not_found": 404}
    return render_template("proposals/refused.html", code=code, side="expert", case=case, proposal=proposal,
                           registration=registration, status_labels=STATUS_LABELS,
                           proposal_labels=PROPOSAL_LABELS), status or statuses.get(code, 409)


def _detail_url(case) -> str | None:
    """The case's page in the experts' case search, once that exists."""
    if "expert.case_detail" in current_app.view_functions:
        return url_for("expert.case_detail", reference=case.reference)
    return None


def _panel_context(case, user) -> dict:
    sides = matches.sides_of_case(case, user.id)
    sme_prior, expert_prior = service.prior_amounts(sides.sme_user_id, user.id)
    return {"sme_prior": str(sme_prior), "expert_prior": str(expert_prior)}


def register(bp) -> None:
    @policy("expert")
    def propose(reference: str):
        case = _case(reference)
        user = current_user._get_current_object()
        if not service.approved_expert(user):
            return refused("not_approved", case=case)
        if code := service.case_refusal(case):
            return refused(code, case=case)
        existing = service.open_proposal(case.id, user.id)
        if request.method == "POST":
            form = ProposalForm()
            if form.validate():
                fields = form.fields()
                try:
                    service.send(user, case, fields)
                except service.ProposalRefused as exc:
                    if exc.code == "already_proposed" and _same(exc.proposal, fields):
                        transaction.rollback()  # a second identical POST lands where the first did
                        return redirect(url_for("expert.proposals"), 303)
                    return refused(exc.code, case=case, proposal=exc.proposal)
                flash(_("Your proposal has been sent. The SME has been told by e-mail; you will get an e-mail "
                        "when it decides."), "success")
                return redirect(url_for("expert.proposals"), 303)
        else:
            if existing is not None:
                return refused("already_proposed", case=case, proposal=existing)
            typed = request.args if ("hours" in request.args or "hourly_rate" in request.args) else None
            profile = experts.profile_of(user)
            defaults = {"hours": f"{case.half_hours / 2:g}",
                        "hourly_rate": str(profile.hourly_rate) if profile and profile.hourly_rate else ""}
            form = ProposalForm(formdata=typed, data=None if typed else defaults)
        context = _panel_context(case, user)
        panel = service.quote_panel(form.hourly_rate.data, form.hours.data,
                                    sme_prior_yen=int(context["sme_prior"]),
                                    expert_prior_yen=int(context["expert_prior"]))
        return render_template("proposals/propose.html", form=form, case=case, panel=panel, panel_context=context,
                               detail_url=_detail_url(case), area_labels=SUPPORT_AREA_LABELS,
                               shown_status=cases.shown_status(case)), 422 if form.errors else 200

    @policy("expert")
    def listing():
        user = current_user._get_current_object()
        page = _page()
        rows, total = service.of_expert(user, page=page)
        return render_template("proposals/mine.html", rows=rows, total=total, page=page,
                               pages=max(1, math.ceil(total / 20)), labels=PROPOSAL_LABELS,
                               approved=service.approved_expert(user))

    @policy("expert")
    def withdraw(proposal_id: int):
        user = current_user._get_current_object()
        proposal = service.own(user, proposal_id)
        if proposal is None:
            abort(404)
        version = inputs.posted_version()
        try:
            service.withdraw(proposal, version=version, actor=user)
        except service.ProposalRefused as exc:
            return refused(exc.code, proposal=exc.proposal)
        except Stale as stale:
            return conflict(stale, back_url=url_for("expert.proposals"))
        flash(_("Your proposal has been withdrawn."), "success")
        return redirect(url_for("expert.proposals"), 303)

    @policy(PUBLIC, stateless=True)
    def quote():
        """The quote panel from the query string alone (rate, hours, the two prior amounts): no login,
        no database, no session."""
        panel = service.quote_panel(request.args.get("hourly_rate"), request.args.get("hours"),
                                    sme_prior_yen=service.prior_from_text(request.args.get("sme_prior")),
                                    expert_prior_yen=service.prior_from_text(request.args.get("expert_prior")))
        # Rendered without the context processors: flask-login's would load the user (one SQL query).
        return current_app.jinja_env.get_template("proposals/_quote_panel.html").render(panel=panel)

    bp.add_url_rule("/cases/<reference>/propose", "propose", propose, methods=["GET", "POST"])
    bp.add_url_rule("/proposals", "proposals", listing)
    bp.add_url_rule("/proposals/<int:proposal_id>/withdraw", "withdraw_proposal", withdraw, methods=["POST"])
    bp.add_url_rule("/proposals/quote", "proposal_quote", quote)


def _same(proposal, fields: service.ProposalFields) -> bool:
    return proposal is not None and (proposal.message, proposal.plan_outline, proposal.half_hours,
                                     proposal.hourly_rate_yen) == (fields.message.strip(), fields.plan_outline.strip(),
                                                                   fields.half_hours, fields.hourly_rate_yen)
