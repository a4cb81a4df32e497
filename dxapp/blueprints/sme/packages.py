"""Support packages for SMEs (支援提供パッケージ, issue 12): browse the published packages (a plain GET
form: area, prefecture, mode), read one with what it costs the SME (rules.subsidy.quote, computed on
the server), and request it after a confirmation page: a 提案不要 case and the expert's proposal are
made in one step, once per form token; the SME then accepts the proposal like any other."""

from __future__ import annotations

import math

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from dxapp import transaction
from dxapp.access import policy
from dxapp.blueprints.sme import bp
from dxapp.forms import BaseForm, choices, strip
from dxapp.procedures.expert_registration.forms import SUPPORT_AREA_LABELS
from dxapp.services import cases, experts, introductions, packages

MODE_LABELS = {"online": _l("Online"), "onsite": _l("On site"), "either": _l("Either online or on site")}


class PackageFilters(BaseForm):
    class Meta:
        csrf = False  # a search form (GET): it changes nothing

    area = SelectField(_l("Support area"), choices=choices({"": _l("Any"), **SUPPORT_AREA_LABELS}),
                       validators=[Optional()])
    prefecture = SelectField(_l("Prefecture"), choices=choices({"": _l("Any"), **{p: p for p in experts.PREFECTURES}}),
                             validators=[Optional()])
    mode = SelectField(_l("Online or on site"),
                       choices=choices({"": _l("Any"), "online": _l("Online"), "onsite": _l("On site")}),
                       validators=[Optional()])


class RequestForm(BaseForm):
    token = HiddenField()
    situation = TextAreaField(_l("Your current situation"), filters=[strip],
                              description=_l("What you use now and what troubles you. The expert reads it with your "
                                             "request."),
                              validators=[Optional(), Length(max=packages.SUMMARY_MAX,
                                                             message=_l("Write at most 2,000 characters."))])
    prefecture = SelectField(_l("Prefecture for on-site support"),
                             choices=choices({"": _l("None (online)"), **{p: p for p in experts.PREFECTURES}}),
                             validators=[Optional()])


def _page() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _listed(package_id: int):
    package = packages.listed(package_id)
    if package is None:
        abort(404)
    return package


def _refused(code: str, status: int):
    transaction.rollback()
    return render_template("introductions/refused.html", code=code, back_url=url_for("sme.package_list"),
                           back_text=None), status


def proposals_url(case_id: int) -> str | None:
    """The case's proposals page (built by the proposals work), when the app has it."""
    path = f"/sme/cases/{case_id}/proposals"
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except Exception:  # noqa: BLE001  NotFound, MethodNotAllowed, RequestRedirect
        return None
    return path


@bp.route("/packages/")
@policy("sme")
def package_list():
    form = PackageFilters(formdata=request.args)
    form.validate()
    filters = packages.Filters(area=form.area.data or None, prefecture=form.prefecture.data or None,
                               mode=form.mode.data or None)
    page = _page()
    items, total = packages.browse(filters, page)
    names = {p.user_id: p.name for p in introductions.profiles_of(i.expert_user_id for i in items).values()}
    return render_template("packages/sme_list.html", form=form, items=items, total=total, page=page,
                           pages=max(1, math.ceil(total / packages.PAGE_SIZE)), names=names,
                           args={k: v for k, v in request.args.items() if k != "page" and v},
                           area_labels=SUPPORT_AREA_LABELS, mode_labels=MODE_LABELS), (422 if form.errors else 200)


def _profile(package):
    return introductions.profiles_of([package.expert_user_id]).get(package.expert_user_id)


@bp.route("/packages/<int:package_id>")
@policy("sme")
def package_detail(package_id: int):
    package = _listed(package_id)
    return render_template("packages/sme_detail.html", package=package, profile=_profile(package),
                           quote=packages.quote(package, current_user), area_labels=SUPPORT_AREA_LABELS,
                           mode_labels=MODE_LABELS, approved=cases.approved_registration(current_user) is not None)


@bp.route("/packages/<int:package_id>/request", methods=["GET", "POST"])
@policy("sme")
def package_request(package_id: int):
    package = _listed(package_id)
    if cases.approved_registration(current_user) is None:
        return _refused("not_approved", 409 if request.method == "POST" else 200)
    form = RequestForm(data={"token": packages.new_token()} if request.method == "GET" else None)
    if request.method == "POST" and form.validate():
        try:
            case, _proposal, _created = packages.request(current_user._get_current_object(), package,
                                                         token=form.token.data or "", situation=form.situation.data,
                                                         prefecture=form.prefecture.data or None)
        except packages.PackageRefused as refused:
            return _refused(refused.code, 409)
        except cases.CaseRefused as refused:
            return _refused(refused.code, 409)
        return redirect(url_for("sme.package_requested", case_id=case.id), 303)
    return render_template("packages/sme_request.html", package=package, profile=_profile(package), form=form,
                           quote=packages.quote(package, current_user), area_labels=SUPPORT_AREA_LABELS,
                           mode_labels=MODE_LABELS), (422 if form.errors else 200)


@bp.route("/packages/requested/<int:case_id>")
@policy("sme")
def package_requested(case_id: int):
    case = cases.owned(current_user, case_id)
    if case is None:
        abort(404)
    return render_template("packages/sme_requested.html", case=case, proposals_url=proposals_url(case.id))
