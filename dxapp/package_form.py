"""The form of a support package (支援提供パッケージ, issue 12), shared by the expert's own package pages
and the supporter corporation's pages for its members: title, what the SME gets, areas, typical hours
(half-hour steps), hourly rate (yen as people type it), online / on site, regions."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from dxapp.forms import BaseForm, InputRequired, choices, strip
from dxapp.labels import CASE_MODE_LABELS
from dxapp.procedures.expert_registration.forms import SUPPORT_AREA_LABELS
from dxapp.rules import normalize, subsidy
from dxapp.services import experts, packages
from dxapp.wizard.fields import CheckboxesField


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
    mode = RadioField(_l("Online or on site"), choices=choices(CASE_MODE_LABELS),
                      validators=[InputRequired(_l("Choose online, on site or either."))])
    regions = CheckboxesField(_l("Prefectures where you give on-site support"),
                              choices=choices({p: p for p in experts.PREFECTURES}),
                              description=_l("Leave empty when you support anywhere (or online only)."),
                              validators=[Optional()])

    def fields(self) -> packages.PackageFields:
        return packages.PackageFields(title=self.title.data, summary=self.summary.data, areas=tuple(self.areas.data),
                                      half_hours=self.hours.half_hours, hourly_rate_yen=self.hourly_rate.yen,
                                      mode=self.mode.data, regions=tuple(self.regions.data or ()))


class MemberPackageForm(PackageForm):
    """A supporter corporation's package: which confirmed member delivers it comes first."""

    expert = SelectField(_l("The expert who gives the support"),
                         description=_l("Confirmed members of your corporation whose registration is approved."),
                         validators=[InputRequired(_l("Choose the expert who gives the support."))])

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.expert.choices = [("", _l("Choose"))] + [(str(u.id), u.name) for u in members]


def package_data(package) -> dict:
    """The form's values of an existing package."""
    return {"title": package.title, "summary": package.summary, "areas": [a.area for a in package.areas],
            "hours": f"{package.half_hours / 2:g}", "hourly_rate": str(package.hourly_rate_yen), "mode": package.mode,
            "regions": [r.prefecture for r in package.regions], "expert": str(package.expert_user_id)}
