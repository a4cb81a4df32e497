"""The support plan wizard (支援計画, issue 13): the expert's steps over the plan row itself.

The draft *is* the plan row (status 下書き): each step's POST saves its part through
``services.plans.save`` with the version the page was shown with (a stale save answers the 409 page with
what was typed), so nothing typed is lost and the SME, the secretariat and the money read typed columns
only.  The content step is a list of rows that can be added and removed without JavaScript (submit
buttons ``add`` and ``remove``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, ValidationError

from dxapp.forms import BaseForm, InputRequired, choices, strip
from dxapp.rules import normalize, subsidy
from dxapp.rules import plan as plan_rules
from dxapp.services import plans
from dxapp.wizard.fields import YenField

MODE_LABELS = {"online": _l("Online"), "onsite": _l("On site"), "either": _l("Online or on site")}


@dataclass(frozen=True)
class Step:
    slug: str
    title: object


STEPS = (
    Step("purpose", _l("Purpose and the SME's issue")),
    Step("content", _l("Content of the sessions")),
    Step("period", _l("Period")),
    Step("rate", _l("Hourly rate")),
    Step("scope", _l("Scope of the support")),
)
SLUGS = tuple(step.slug for step in STEPS)


def step(slug: str) -> Step | None:
    return next((s for s in STEPS if s.slug == slug), None)


def next_slug(slug: str) -> str | None:
    index = SLUGS.index(slug)
    return SLUGS[index + 1] if index + 1 < len(SLUGS) else None


# ------------------------------------------------------------------------------------------ parsing

_DATE = re.compile(r"^\s*(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str) -> date:
    """A date typed as 2021-06-15, 2021/6/15 or 2021年6月15日 (full-width digits too)."""
    found = _DATE.match(unicodedata.normalize("NFKC", text or ""))
    if not found:
        raise ValueError("日付は「2021-06-15」または「2021年6月15日」の形で入力してください。")
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError as exc:
        raise ValueError("その日付はありません。年・月・日を確かめてください。") from exc


def parse_half_hours(text: str) -> int:
    """Hours typed as 1.5 or 1時間30分 (half-hour steps) as half-hour integers."""
    value = unicodedata.normalize("NFKC", text or "").strip().replace("時間30分", ".5").replace("時間", "")
    hours = subsidy.parse_hours(value)
    if hours > 500:
        raise ValueError("時間数が大きすぎます。1行の時間数は500時間以内で入力してください。")
    return int(hours * 2)


class DateInput(StringField):
    """A date, typed liberally; ``date`` holds it once read."""

    date: date | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.date = None
        if self.data and self.data.strip():
            self.date = parse_date(self.data)  # a ValueError becomes the field's error


class HoursInput(StringField):
    half_hours: int | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.half_hours = None
        if self.data and self.data.strip():
            self.half_hours = parse_half_hours(self.data)


def _hours_text(half_hours: int | None) -> str:
    if not half_hours:
        return ""
    return f"{half_hours // 2}" if half_hours % 2 == 0 else f"{half_hours // 2}.5"


# ------------------------------------------------------------------------------------------ forms

class VersionedForm(BaseForm):
    version = HiddenField()

    def version_number(self) -> int | None:
        try:
            value = int(self.version.data or "")
        except ValueError:
            return None
        return value if 1 <= value < 2**31 else None


class PurposeForm(VersionedForm):
    purpose = TextAreaField(_l("Purpose of the support"), filters=[strip],
                            validators=[InputRequired(_l("Enter the purpose of the support.")), Length(max=2000)],
                            description=_l("What the SME will be able to do after the support."))
    issue = TextAreaField(_l("The SME's issue"), filters=[strip],
                          validators=[InputRequired(_l("Enter the issue the SME has today.")), Length(max=2000)])


class _InRow:
    """Marks a field of a content row as required (「必須」): the row's own check (ContentForm) says what
    is missing, a blank extra row is left out."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        pass


class ItemForm(Form):
    what = StringField(_l("What is done"), filters=[strip], validators=[_InRow(), Length(max=300)])
    hours = HoursInput(_l("Planned hours"), filters=[strip], render_kw={"inputmode": "decimal"}, validators=[_InRow()],
                       description=_l("In half-hour steps, for example 1.5."))
    mode = RadioField(_l("Online or on site"), choices=choices({k: MODE_LABELS[k] for k in ("online", "onsite")}),
                      default="online", validate_choice=True, validators=[_InRow()])


class ContentForm(VersionedForm):
    items = FieldList(FormField(ItemForm), min_entries=1, max_entries=30)

    def rows(self) -> list[plans.Item]:
        found = []
        for entry in self.items:
            row = entry.form
            if row.what.data and row.hours.half_hours:
                found.append(plans.Item(row.what.data, row.hours.half_hours, row.mode.data or "online"))
        return found

    def validate_items(self, field):
        for entry in field:
            row = entry.form
            typed = bool(row.what.data) or bool(row.hours.data)
            if typed and not row.what.data:
                row.what.errors.append(_l("Enter what is done in this session."))
            if typed and not row.hours.half_hours and not row.hours.errors:
                row.hours.errors.append(_l("Enter the planned hours of this session."))
        if any(entry.form.errors for entry in field):
            raise ValidationError(_l("Check the rows marked below."))
        if not self.rows():
            raise ValidationError(_l("Enter at least one session: what is done and the planned hours."))


class PeriodForm(VersionedForm):
    start = DateInput(_l("Start date"), filters=[strip], validators=[InputRequired(_l("Enter the start date."))],
                      description=_l("For example 2021-06-15 or 2021年6月15日."))
    end = DateInput(_l("End date"), filters=[strip], validators=[InputRequired(_l("Enter the end date."))],
                    description=_l("At most 6 months after the start, and no later than the support deadline."))


class RateForm(VersionedForm):
    hourly_rate = YenField(_l("Hourly rate (yen)"), filters=[strip],
                           validators=[InputRequired(_l("Enter the hourly rate."))],
                           description=_l("The fee for one hour of support; the program pays up to 3,500 yen of "
                                          "it and the SME at least 500 yen."),
                           render_kw={"inputmode": "numeric", "autocomplete": "off"})

    def validate_hourly_rate(self, field):
        if field.amount is not None and not 0 < field.amount <= 1_000_000:
            raise ValidationError(_l("Enter an hourly rate between 1 and 1,000,000 yen."))


class ScopeForm(VersionedForm):
    declared = BooleanField(_l("The support is consulting (準委任), not the production of content, web pages "
                               "or designs for the SME"),
                            validators=[InputRequired(_l("Confirm that the support is consulting only."))])


class CommentForm(BaseForm):
    version = HiddenField()
    comment = TextAreaField(_l("What should the expert change?"), filters=[strip],
                            validators=[InputRequired(_l("Enter what the expert should change.")), Length(max=2000)])


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Reason"), filters=[strip],
                           validators=[InputRequired(_l("Enter the reason.")), Length(max=2000)])


class DeclarationForm(BaseForm):
    agree = BooleanField(_l("I have read the contract above and conclude it"),
                         validators=[InputRequired(_l("Tick the box to conclude the contract."))])


FORMS = {"purpose": PurposeForm, "content": ContentForm, "period": PeriodForm, "rate": RateForm,
         "scope": ScopeForm}


# ------------------------------------------------------------------------------------------ plan <-> form

def fields_of(plan) -> plans.PlanFields:
    return plans.PlanFields(purpose=plan.purpose or "", issue=plan.issue or "",
                            items=tuple(plans.Item(i.what, i.half_hours, i.mode) for i in plan.items),
                            start_date=plan.start_date, end_date=plan.end_date,
                            hourly_rate_yen=plan.hourly_rate_yen or 0, scope_declared=plan.scope_declared)


def form_data(plan, slug: str) -> dict:
    """What the step's form shows for the plan as stored."""
    if slug == "purpose":
        return {"purpose": plan.purpose, "issue": plan.issue}
    if slug == "content":
        rows = [{"what": i.what, "hours": _hours_text(i.half_hours), "mode": i.mode} for i in plan.items]
        return {"items": rows or [{}]}
    if slug == "period":
        return {"start": plan.start_date.isoformat() if plan.start_date else "",
                "end": plan.end_date.isoformat() if plan.end_date else ""}
    if slug == "rate":
        return {"hourly_rate": f"{plan.hourly_rate_yen:,}" if plan.hourly_rate_yen else ""}
    return {"declared": plan.scope_declared}


def apply(plan, slug: str, form) -> plans.PlanFields:
    """The plan's fields with this step's answers."""
    current = fields_of(plan)
    if slug == "purpose":
        return replace(current, purpose=form.purpose.data, issue=form.issue.data)
    if slug == "content":
        return replace(current, items=tuple(form.rows()))
    if slug == "period":
        return replace(current, start_date=form.start.date, end_date=form.end.date)
    if slug == "rate":
        return replace(current, hourly_rate_yen=form.hourly_rate.amount)
    return replace(current, scope_declared=bool(form.declared.data))


def done(plan) -> dict[str, bool]:
    missing = set(plans.missing_parts(plan))
    return {slug: slug not in missing for slug in SLUGS}


# ------------------------------------------------------------------------------------------ the quote panel

@dataclass(frozen=True)
class Panel:
    """What the quote panel shows (templates/plans/_quote_panel.html)."""

    state: str  # quoted, invalid, empty
    message: str = ""
    rate_yen: int = 0
    hours: object = 0
    per_hour_yen: int = 0
    sme_per_hour_yen: int = 0
    fee_total_yen: int = 0
    honorarium_yen: int = 0
    sme_total_yen: int = 0
    cut_yen: int = 0
    cut_by: str | None = None  # sme / expert: whose cap cuts the honorarium
    reasons: tuple = ()


def panel(plan, rate_text: str | None = None, at=None) -> Panel:
    """The plan's quote with this SME's and this expert's usage so far; ``rate_text`` as typed (the rate
    step's live panel), else the stored rate."""
    if rate_text is not None and rate_text.strip():
        try:
            rate = normalize.parse_yen(rate_text)
        except ValueError as exc:
            return Panel("invalid", message=str(exc))
    else:
        rate = plan.hourly_rate_yen
    if not rate or not plan.half_hours:
        return Panel("empty")
    if not 0 < rate <= 1_000_000:
        return Panel("invalid", message=str(_l("Enter an hourly rate between 1 and 1,000,000 yen.")))
    used = plans.priors(plan)
    quote = subsidy.quote(rate, plan_rules.hours_of(plan.half_hours), sme_prior_yen=used.sme_yen,
                          expert_prior_yen=used.expert_yen, at=at)
    cut = quote.raw_subsidy_total - quote.subsidy_total
    cut_by = None
    if cut:
        sme_left = subsidy.SME_CAP_YEN.as_of(at or subsidy.PHASE2_START) - used.sme_yen
        expert_left = subsidy.EXPERT_CAP_YEN.as_of(at or subsidy.PHASE2_START) - used.expert_yen
        cut_by = "sme" if sme_left <= expert_left else "expert"
    return Panel("quoted", rate_yen=rate, hours=quote.hours, per_hour_yen=quote.subsidy_per_hour,
                 sme_per_hour_yen=quote.sme_burden_per_hour, fee_total_yen=quote.fee_total,
                 honorarium_yen=quote.subsidy_total, sme_total_yen=quote.sme_burden_total, cut_yen=cut,
                 cut_by=cut_by, reasons=tuple(quote.reasons))


def amounts(plan, at=None) -> Panel:
    """What the plan pays and what the program pays: the reservation once the contract stands (it does
    not move with later usage), else the quote now."""
    if plan.status in ("running", "completed") and plan.half_hours and plan.hourly_rate_yen:
        hours = plan_rules.hours_of(plan.half_hours)
        per_hour = subsidy.honorarium_per_hour(plan.hourly_rate_yen, at or subsidy.PHASE2_START)
        fee = int(plan.hourly_rate_yen * hours)
        return Panel("quoted", rate_yen=plan.hourly_rate_yen, hours=hours, per_hour_yen=per_hour,
                     sme_per_hour_yen=plan.hourly_rate_yen - per_hour, fee_total_yen=fee,
                     honorarium_yen=plan.reserved_yen, sme_total_yen=fee - plan.reserved_yen)
    return panel(plan, at=at)
