"""Turning WTForms forms into stored answers and back, and into check-your-answers rows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, HiddenField, PasswordField, SubmitField
from wtforms.fields import RadioField, SelectField, SelectMultipleField

from dxapp.wizard.answers import Answers

SKIP = ("csrf_token", "draft_version", "action")


def _jsonable(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def answer_fields(form):
    for f in form:
        if f.name in SKIP or isinstance(f, SubmitField | HiddenField):
            continue
        yield f


def raw_of(form) -> dict:
    """What the user typed, field by field (lists of strings), so a form can be refilled exactly.
    Password fields are never kept."""
    raw: dict = {}
    for f in answer_fields(form):
        if isinstance(f, PasswordField):
            continue
        parts = getattr(f, "raw_parts", None)
        raw.update(parts() if callable(parts) else {f.name: list(f.raw_data or [])})
    return raw


def data_of(form) -> dict:
    data = {}
    for f in answer_fields(form):
        if isinstance(f, PasswordField):
            continue
        normalised = getattr(f, "normalised", None)
        data[f.name] = _jsonable(normalised() if callable(normalised) else getattr(f, "amount", f.data))
    extra = getattr(form, "extra_data", None)
    if callable(extra):
        data.update(_jsonable(extra()))
    return data


def refill(form_class, raw: dict | None, **kwargs):
    """A form showing stored raw answers (or empty), without validating it."""
    if raw:
        return form_class(formdata=MultiDict([(k, v) for k, vs in raw.items() for v in vs]), **kwargs)
    return form_class(formdata=None, **kwargs)


def display_value(f) -> str:
    if isinstance(f, PasswordField):
        return _("(set)")
    if isinstance(f, BooleanField):
        return _("Yes") if f.data else _("No")
    if isinstance(f, SelectMultipleField):
        labels = [str(label) for value, label, *_rest in f.iter_choices() if _rest and _rest[0]]
        return "、".join(labels) if labels else _("Not entered")
    if isinstance(f, RadioField | SelectField):
        for value, label, selected, *_rest in f.iter_choices():
            if selected and value not in ("", None):
                return str(label)
        return _("Not entered")
    formatter = getattr(f, "display", None)
    if callable(formatter):
        return formatter()
    value = f._value() if hasattr(f, "_value") else f.data
    return str(value) if value not in (None, "") else _("Not entered")


def summary_rows(form) -> list[tuple[str, str, str]]:
    """(field id, label, shown value) for every answer field."""
    return [(f.id, str(f.label.text), display_value(f)) for f in answer_fields(form)
            if not (getattr(f, "summary_skip_empty", False) and f.data in (None, "", []))]


def answer_sections(wizard, answers, *, complete_only: bool = False) -> list:
    """[(section, [(step, field id, label, shown value)])] for every visible step of ``wizard`` answered
    (``complete_only``: only the steps complete, not flagged), as check-your-answers shows them."""
    sections = []
    view = Answers(answers)
    for section in wizard.sections:
        rows = []
        for step in wizard.visible_steps(answers):
            if step.section != section.key or not view.has(step.slug):
                continue
            if complete_only and not view.is_complete(step.slug):
                continue
            form = refill(step.form, view.raw(step.slug))
            for field_id, label, value in summary_rows(form):
                rows.append((step, field_id, label, value))
        if rows:
            sections.append((section, rows))
    return sections
