"""Forms of the account pages.  Labels and messages are msgids; Japanese comes from the catalog."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import ValidationError

from dxapp.forms import BaseForm, EmailMixin, InputRequired, NewPasswordMixin
from dxapp.services.accounts import totp_digits


class LoginForm(EmailMixin, BaseForm):
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})


def _six_digits(_form, field) -> None:
    if totp_digits(field.data) is None:
        raise ValidationError(_l("Enter the 6-digit code with the digits 0 to 9."))


class TotpForm(BaseForm):
    code = StringField(_l("6-digit code from your authenticator app"),
                       validators=[InputRequired(_l("Enter the 6-digit code.")), _six_digits],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class ResetRequestForm(EmailMixin, BaseForm):
    pass


class ResetForm(NewPasswordMixin, BaseForm):
    pass
