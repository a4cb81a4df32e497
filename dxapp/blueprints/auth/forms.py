"""Forms of the account pages.  Labels and messages are msgids; Japanese comes from the catalog."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField, StringField
from wtforms.validators import InputRequired, Length

from dxapp.forms import BaseForm, EmailMixin, NewPasswordMixin, choices


class LoginForm(EmailMixin, BaseForm):
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})


class TotpForm(BaseForm):
    code = StringField(_l("6-digit code from your authenticator app"),
                       validators=[InputRequired(_l("Enter the 6-digit code."))],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class ResetRequestForm(EmailMixin, BaseForm):
    pass


class ResetForm(NewPasswordMixin, BaseForm):
    pass


class StaffForm(EmailMixin, BaseForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the name.")), Length(max=100)])
    role = RadioField(_l("Role"), choices=choices({"desk": _l("Desk clerk"), "admin": _l("Administrator")}),
                      validators=[InputRequired(_l("Choose a role."))])
