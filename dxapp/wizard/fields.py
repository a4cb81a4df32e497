"""Form fields shared by the wizards: Japanese input, liberal in what they accept (UX.md)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectMultipleField, StringField
from wtforms.utils import unset_value

from dxapp.rules import normalize

ERAS = (("western", _l("Western calendar")), ("reiwa", "令和"), ("heisei", "平成"), ("showa", "昭和"))
PARTS = ("era", "year", "month", "day")


class EraDateField(Field):
    """A date as 年/月/日 boxes with an optional era select (西暦/令和/平成/昭和, 元 = 1).

    Rendered by the ``date_era`` macro.  ``data`` is a ``date`` or None; the parts typed are kept
    exactly (``part(name)``) so an error page shows them back."""

    eras = ERAS

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.parts = {"era": "western", "year": "", "month": "", "day": ""}

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.raw_data = None
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.data = data if isinstance(data, date) else None
        self.parts = {"era": "western", "year": "", "month": "", "day": ""}
        if self.data is not None:
            self.parts.update(year=str(self.data.year), month=str(self.data.month), day=str(self.data.day))
        if formdata is None:
            return
        typed = {p: (formdata.get(f"{self.name}-{p}") or "").strip() for p in PARTS}
        if not any(typed[p] for p in ("year", "month", "day")):
            self.raw_data = []
            self.data = None
            return
        self.parts = {**typed, "era": typed["era"] or "western"}
        self.raw_data = ["|".join(self.parts[p] for p in PARTS)]
        try:
            self.data = normalize.parse_era_date(
                self.parts["era"], self.parts["year"], self.parts["month"], self.parts["day"]
            )
        except ValueError as exc:
            self.data = None
            self.process_errors.append(str(exc))

    def part(self, name: str) -> str:
        return self.parts.get(name, "")

    def raw_parts(self) -> dict:
        """The typed parts under their own input names, for refilling the form from a draft."""
        return {f"{self.name}-{p}": [self.parts[p]] for p in PARTS} if self.raw_data else {}

    def display(self) -> str:
        return normalize.format_era_date(self.data) if self.data else _("Not entered")

    def _value(self) -> str:
        return self.data.isoformat() if self.data else ""


class YenField(StringField):
    """An amount in yen typed any way people type it (「３億円」「5千万」「1.5億」), kept as typed."""

    amount: int | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)  # self.data keeps what was typed
        self.amount = None
        if self.data and self.data.strip():
            # A ValueError here becomes a field error (WTForms' process_errors).
            self.amount = normalize.parse_yen(self.data)

    def display(self) -> str:
        amount = getattr(self, "amount", None)
        return normalize.format_yen(amount) if amount is not None else (self.data or _("Not entered"))


class CheckboxesField(SelectMultipleField):
    """Several choices (checkboxes).  An empty or blank value is no choice: ``Optional()`` looks at the
    first raw value only, and when it is blank it stops the chain and clears the errors, choice check
    included, so ``qualifications=['\t', 'x']`` reached the form's code as a qualification named 'x'
    (KeyError).  Blank values are dropped from the raw data too, so Optional sees what was chosen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "SelectMultipleField"  # rendered and summarised as the checkboxes it is

    def process_formdata(self, valuelist):
        chosen = [value for value in valuelist if value.strip()]
        self.raw_data = chosen
        super().process_formdata(chosen)
