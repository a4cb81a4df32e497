"""The expert's support packages (支援提供パッケージ, issue 12): my packages, a new one, edit, publish,
unpublish and publish again.  Only an approved expert makes packages (others get the page that says
why).  The form is shared with the SME side's view of a package only through the service."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from dxapp import inputs, transaction
from dxapp.access import policy
from dxapp.blueprints.expert import bp
from dxapp.errors import conflict
from dxapp.forms import BaseForm, InputRequired, choices, strip
from dxapp.labels import PACKAGE_LABELS
from dxapp.procedures.expert_registration.forms import SUPPORT_AREA_LABELS
from dxapp.rules import normalize, subsidy
from dxapp.services import experts, introductions, packages
from dxapp.services.workflow import Stale
from dxapp.wizard.fields import CheckboxesField

MODE_LABELS = {"online": _l("Online"), "onsite": _l("On site"), "either": _l("Either online or on site")}


def _hours(form, field):
    try:
        field.half_hours = int(subsidy.parse_hours(field.data) * 2)
    except ValueError as exc:
        raise ValidationError(_("Enter the hours in half-hour steps, for example 10 or 12.5.")) from exc
    if not 1 <= field.half_hours <= 400:
        raise ValidationError(_("Enter between 0.5 and 200 hours."))


def _rate(form, field):
    try:
        field.yen = normalize.parse_yen(field.data)
    except ValueError as exc:
        raise ValidationError(_("Enter the hourly rate in yen, for example 5,000.")) from exc
    if not 0 <= field.yen <= 1_000_000:
        raise ValidationError(_("Enter an hourly rate of at most 1,000,000 yen."))


class PackageForm(BaseForm):
    title = StringField(_l("Title"), filters=[strip],
                        validators=[InputRequired(_l("Write the package's title.")),
                                    Length(max=packages.TITLE_MAX, message=_l("Write at most 100 characters."))])
    summary = TextAreaField(_l("What the SME gets"), filters=[strip],
                            description=_l("The support you give and what the SME has at the end, in up to 2,000 "
                                           "characters."),
                            validators=[InputRequired(_l("Write what the SME gets.")),
                                        Length(max=packages.SUMMARY_MAX, message=_l("Write at most 2,000 characters."))])
    areas = CheckboxesField(_l("Support areas"), choices=choices(SUPPORT_AREA_LABELS),
                            validators=[InputRequired(_l("Choose at least one support area."))])
    hours = StringField(_l("Typical hours"), filters=[strip], description=_l("In half-hour steps, for example 10."),
                        validators=[InputRequired(_l("Enter the typical hours.")), _hours],
                        render_kw={"inputmode": "decimal"})
    hourly_rate = StringField(_l("Hourly rate (yen)"), filters=[strip],
                              description=_l("The honorarium pays up to 3,500 yen an hour; the SME pays the rest, at "
                                             "least 500 yen an hour."),
                              validators=[InputRequired(_l("Enter the hourly rate.")), _rate],
                              render_kw={"inputmode": "numeric"})
    mode = RadioField(_l("Online or on site"), choices=choices(MODE_LABELS),
                      validators=[InputRequired(_l("Choose online, on site or either."))])
    regions = CheckboxesField(_l("Prefectures where you give on-site support"),
                              choices=choices({p: p for p in experts.PREFECTURES}),
                              description=_l("Leave empty when you support anywhere (or online only)."),
                              validators=[Optional()])

    def fields(self) -> packages.PackageFields:
        return packages.PackageFields(title=self.title.data, summary=self.summary.data, areas=tuple(self.areas.data),
                                      half_hours=self.hours.half_hours, hourly_rate_yen=self.hourly_rate.yen,
                                      mode=self.mode.data, regions=tuple(self.regions.data or ()))


def _data(package) -> dict:
    return {"title": package.title, "summary": package.summary, "areas": [a.area for a in package.areas],
            "hours": f"{package.half_hours / 2:g}", "hourly_rate": str(package.hourly_rate_yen), "mode": package.mode,
            "regions": [r.prefecture for r in package.regions]}


def _refused(code: str, status: int | None = None):
    """The page that says why (200 to a GET, the role's own page in this state; 409 to a POST)."""
    status = status or (409 if request.method == "POST" else 200)
    transaction.rollback()
    return render_template("introductions/refused.html", code=code, back_url=url_for("expert.index"),
                           back_text=None), status


def _own(package_id: int):
    found = packages.owned(current_user, package_id)
    if found is None:
        abort(404)
    return found


@bp.route("/packages/")
@policy("expert")
def package_list():
    return render_template("packages/expert_list.html", items=packages.mine(current_user), labels=PACKAGE_LABELS,
                           approved=introductions.approved_expert(current_user) is not None,
                           requests={p.id: packages.requests_of(p) for p in packages.mine(current_user)})


@bp.route("/packages/new", methods=["GET", "POST"])
@policy("expert")
def package_new():
    if introductions.approved_expert(current_user) is None:
        return _refused("not_approved")
    form = PackageForm()
    if request.method == "POST" and form.validate():
        try:
            package = packages.create(current_user._get_current_object(), form.fields())
        except packages.PackageRefused as refused:
            return _refused(refused.code)
        flash(_("The package has been saved as a draft. Publish it when it is ready."), "success")
        return redirect(url_for("expert.package_edit", package_id=package.id), 303)
    return render_template("packages/form.html", form=form, package=None), (422 if form.errors else 200)


@bp.route("/packages/<int:package_id>/edit", methods=["GET", "POST"])
@policy("expert")
def package_edit(package_id: int):
    package = _own(package_id)
    form = PackageForm(data=_data(package) if request.method == "GET" else None)
    if request.method == "POST" and form.validate():
        try:
            packages.edit(package, form.fields(), version=inputs.posted_version(),
                          actor=current_user._get_current_object())
        except Stale as stale:
            return conflict(stale, typed={_("Title"): form.title.data, _("What the SME gets"): form.summary.data},
                            back_url=url_for("expert.package_edit", package_id=package_id))
        flash(_("The package has been saved."), "success")
        return redirect(url_for("expert.package_edit", package_id=package_id), 303)
    return render_template("packages/form.html", form=form, package=package, labels=PACKAGE_LABELS,
                           quote=packages.quote(package)), (422 if form.errors else 200)


def _move(package_id: int, action, message: str):
    package = _own(package_id)
    try:
        action(package, version=inputs.posted_version(), actor=current_user._get_current_object())
    except packages.PackageRefused as refused:
        return _refused(refused.code)
    except Stale as stale:
        return conflict(stale, back_url=url_for("expert.package_edit", package_id=package_id))
    flash(message, "success")
    return redirect(url_for("expert.package_list"), 303)


@bp.route("/packages/<int:package_id>/publish", methods=["POST"])
@policy("expert")
def package_publish(package_id: int):
    return _move(package_id, packages.publish, _("The package is published. SMEs can find and request it."))


@bp.route("/packages/<int:package_id>/unpublish", methods=["POST"])
@policy("expert")
def package_unpublish(package_id: int):
    return _move(package_id, packages.unpublish, _("The package is no longer shown to SMEs. You can publish it again."))
