"""The base form of dxapp: a FlaskForm that, on GET, shows values kept from a POST that could not be
processed (expired session or CSRF token), so nothing typed is lost."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, validators
from wtforms.validators import Email, Length, StopValidation, ValidationError

from dxapp import kept
from dxapp.services import passwords

_WTFORMS_REQUIRED = "This field is required."  # WTForms' own message (its catalog translates it)


class InputRequired(validators.InputRequired):
    """WTForms' InputRequired, and a value of nothing but spaces is no value either: WTForms looks at
    the raw input (「 」 passes), while the fields' ``strip`` filter leaves an empty string that the
    normalisers downstream cannot read (a postal code or phone number of one space answered 500)."""

    def __call__(self, form, field):
        super().__call__(form, field)
        if isinstance(field.data, str) and not field.data.strip():
            field.errors[:] = []
            raise StopValidation(self.message or field.gettext(_WTFORMS_REQUIRED))


class BaseForm(FlaskForm):
    def __init__(self, *args, **kwargs):
        if not args and "formdata" not in kwargs and request.method == "GET":
            values = kept.take()
            if values is not None:
                kwargs["formdata"] = values
        super().__init__(*args, **kwargs)


def choices(mapping: dict) -> list[SelectChoice]:
    """Radio/select choices from {value: label} (labels may be lazy translations)."""
    return [SelectChoice(value=value, label=label) for value, label in mapping.items()]


def strip(value):
    """Be liberal in what we accept: spaces typed or pasted around a value are not an error."""
    return value.strip() if isinstance(value, str) else value


class EmailMixin:
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Enter your e-mail address.")), Length(max=254),
                    Email(_l("Enter an e-mail address in the form name@example.jp."))],
        filters=[strip],
        render_kw={"autocomplete": "email", "spellcheck": "false", "inputmode": "email"},
    )


class NewPasswordMixin:
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Enter a password."))],
        description=_l("At least 15 characters. A phrase of several words is easy to remember."),
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        _l("Password (again)"), validators=[InputRequired(_l("Enter the password again."))],
        render_kw={"autocomplete": "new-password"},
    )
    email_for_policy = ""
    min_length = 15

    def validate_password(self, field):
        try:
            passwords.check_policy(field.data or "", email=self.email_for_policy, min_length=self.min_length)
        except passwords.PasswordPolicyError as exc:
            raise ValidationError(str(exc.args[0])) from exc

    def validate_password_confirm(self, field):
        if field.data != self.password.data:
            raise ValidationError(_l("The two passwords do not match. Enter the same password twice."))


def normalised(parser):
    """A validator that runs a rules.normalize parser and shows its Japanese message on failure."""

    def check(form, field):
        if field.data not in (None, ""):
            try:
                parser(field.data)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc

    return check


def normalising(parser):
    """A filter storing the value as the rules normalise it (the input then shows it so too); left as
    typed when it cannot be read, for the validator to explain."""

    def apply(value):
        if value in (None, ""):
            return value
        try:
            return parser(value)
        except (TypeError, ValueError):
            return value

    return apply
