"""The questions of the consultation case wizard (issue 12, "Consultation cases"), one form per step;
the edit page of a published case asks them all at once (:class:`CaseEditForm`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Field, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError
from wtforms.widgets import HiddenInput

from dxapp import clock
from dxapp.forms import BaseForm, InputRequired, choices, normalising, strip
from dxapp.labels import CASE_KIND_HINTS, CASE_KIND_LABELS, CASE_MODE_LABELS
from dxapp.procedures.consultation_case import budget
from dxapp.procedures.expert_registration.forms import SUPPORT_AREA_LABELS
from dxapp.procedures.spec import calendar_in_force
from dxapp.rules import cases as rules
from dxapp.rules import normalize, subsidy
from dxapp.services import experts
from dxapp.wizard.fields import CheckboxesField, EraDateField

#: Wanted hours: half-hour steps, at most this many hours (more than the 300,000 yen cap could pay).
MAX_HOURS = 200
PERIODS = {str(n): _l("%(n)s months", n=n) if n > 1 else _l("1 month") for n in range(1, 7)}


def half_hours(text) -> int:
    """「10」「10.5」「１０時間」 -> half hours (21 for 10.5); ValueError (Japanese) otherwise."""
    hours = subsidy.parse_hours(text)
    if hours > MAX_HOURS:
        raise ValueError(f"時間数は{MAX_HOURS}時間以内で入力してください。")
    return int(hours * 2)


def format_hours(half: int) -> str:
    """21 -> 「10.5時間」, 20 -> 「10時間」."""
    return f"{half // 2}時間" if half % 2 == 0 else f"{half // 2}.5時間"


class ThemeForm(BaseForm):
    title = StringField(_l("Theme of your case"), filters=[strip],
                        description=_l("One line that tells experts what the case is about, for example "
                                       "「ネットショップを始めたい」. Up to 100 characters."),
                        validators=[InputRequired(_l("Enter the theme of your case.")),
                                    Length(max=100, message=_l("Write at most 100 characters."))])


class GoalsForm(BaseForm):
    goals = TextAreaField(_l("What your business wants to achieve"), filters=[strip],
                          description=_l("What should be different after the support? Up to 2,000 characters."),
                          validators=[InputRequired(_l("Write what your business wants to achieve.")),
                                      Length(max=2000, message=_l("Write at most 2,000 characters."))])
    situation = TextAreaField(_l("Your current situation"), filters=[strip],
                              description=_l("How you work today, the tools you use and what is in the way. Do not "
                                             "write your name, address or phone number: experts read this before a "
                                             "match. Up to 2,000 characters."),
                              validators=[InputRequired(_l("Describe your current situation.")),
                                          Length(max=2000, message=_l("Write at most 2,000 characters."))])


class AreasForm(BaseForm):
    areas = CheckboxesField(_l("Areas you want support in"), choices=choices(SUPPORT_AREA_LABELS),
                            description=_l("Choose every area that applies. Experts search cases by these areas."),
                            validators=[InputRequired(_l("Choose at least one area you want support in."))])


class KindRadioField(RadioField):
    """The kind of case; each choice is explained under its label (``choice_hints``, shown by the
    ``radios`` macro)."""

    choice_hints = CASE_KIND_HINTS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "RadioField"  # rendered and summarised as the radios it is


class KindForm(BaseForm):
    kind = KindRadioField(_l("What kind of case is it?"), choices=choices(CASE_KIND_LABELS),
                          validators=[InputRequired(_l("Choose the kind of case."))])


def _hours_text(text) -> str:
    """What the hours field shows once read: 「１０．５時間」 -> 「10.5」."""
    return format_hours(half_hours(text)).removesuffix("時間")


class HoursField(StringField):
    def display(self) -> str:
        try:
            return format_hours(half_hours(self.data))
        except (TypeError, ValueError):
            return self.data or str(_l("Not entered"))


class HoursForm(BaseForm):
    hours = HoursField(_l("Hours of support you want"), filters=[strip, normalising(_hours_text)],
                        description=_l("In half-hour steps, for example 10 or 10.5. An estimate is enough."),
                        validators=[InputRequired(_l("Enter the hours of support you want, for example 10."))],
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    period_months = SelectField(_l("Period of support"), choices=choices({"": _l("Choose the period"), **PERIODS}),
                                description=_l("How long the support should last, from the contract on."),
                                validators=[InputRequired(_l("Choose the period of support."))])

    def validate_hours(self, field):
        try:
            half_hours(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def validate_period_months(self, field):
        if field.data not in PERIODS:
            raise ValidationError(_l("Choose the period of support."))

    def extra_data(self) -> dict:
        return {"half_hours": half_hours(self.hours.data), "period_months": int(self.period_months.data)}


class ModeForm(BaseForm):
    mode = RadioField(_l("How should the support be given?"), choices=choices(CASE_MODE_LABELS),
                      validators=[InputRequired(_l("Choose online, on site or either."))])
    prefecture = SelectField(_l("Prefecture of the place"),
                             choices=choices({"": _l("Choose the prefecture"), **{p: p for p in experts.PREFECTURES}}),
                             description=_l("Needed for support on site. Experts search cases by prefecture."))
    place = StringField(_l("Place (city or area)"), filters=[strip],
                        description=_l("For example 台東区 or 浅草駅の近く. Not your street address: experts see this "
                                       "before a match."),
                        validators=[Length(max=200, message=_l("Write at most 200 characters."))])

    def validate_prefecture(self, field):
        if field.data and field.data not in experts.PREFECTURES:
            raise ValidationError(_l("Choose the prefecture."))
        if self.mode.data == "onsite" and not field.data:
            raise ValidationError(_l("Choose the prefecture of the place for support on site."))

    def extra_data(self) -> dict:
        online = self.mode.data == "online"  # no place for support online
        return {"prefecture": None if online else (self.prefecture.data or None),
                "place": None if online else (self.place.data or None)}


class DeadlineForm(BaseForm):
    deadline = EraDateField(_l("Proposal deadline"),
                            description=_l("Experts can send proposals until the end of this day. It cannot be "
                                           "later than the last day for contracts, 30 November 2021."),
                            validators=[InputRequired(_l("Enter the proposal deadline."))])

    def validate_deadline(self, field):
        if field.data is None and not field.errors:
            raise ValidationError(_l("Enter the proposal deadline."))
        if field.data is not None:
            decision = rules.deadline_problems(field.data, clock.program_now(), calendar_in_force())
            if not decision.ok:
                raise ValidationError(" ".join(r.message for r in decision.reasons))


class BudgetHintField(Field):
    """The SME's remaining honorarium under the per-SME cap when the step was saved: worked out by the
    server (``raw_parts``), never typed (the browser's value is ignored); the check page shows it."""

    widget = HiddenInput()

    def _value(self) -> str:
        return ""

    def normalised(self) -> int:
        return budget.current().remaining_yen

    def raw_parts(self) -> dict:
        return {self.name: [str(self.normalised())]}

    def display(self) -> str:
        stored = (self.raw_data or [""])[0]
        return normalize.format_yen(int(stored)) if stored.isdigit() else str(_l("Not entered"))


class BudgetForm(BaseForm):
    remaining = BudgetHintField(_l("Honorarium the program can still pay for your business"))


class CaseEditForm(ThemeForm, GoalsForm, AreasForm, KindForm, HoursForm, ModeForm, DeadlineForm):
    """Every question at once, for a published case (the version travels in a hidden field)."""

    version = HiddenField()
