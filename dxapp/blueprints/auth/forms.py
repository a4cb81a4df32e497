"""Forms of the account pages.  Labels and messages are msgids; Japanese comes from the catalog."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from dxapp.forms import BaseForm, choices
from dxapp.services import passwords, terms
from dxapp.wizard.answers import Answers


def strip(value):
    """Be liberal in what we accept: spaces typed or pasted around a value are not an error."""
    return value.strip() if isinstance(value, str) else value


ROLE_CHOICES = {
    "sme": _l("A small or medium business (SME, sole proprietor, NPO and similar)"),
    "expert": _l("An IT expert (freelance, side job, or staff of an SME-supporter corporation)"),
    "supporter_admin": _l("An SME-supporter corporation (certified IT support organisation)"),
}


class EmailMixin:
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Enter your e-mail address.")), Length(max=254),
                    Email(_l("Enter an e-mail address in the form name@example.jp."))],
        filters=[strip],
        render_kw={"autocomplete": "email", "spellcheck": "false", "inputmode": "email"},
    )


class RoleForm(BaseForm):
    role = RadioField(_l("Who are you registering as?"), choices=choices(ROLE_CHOICES),
                      validators=[InputRequired(_l("Choose who you are registering as."))])


class AccountForm(EmailMixin, BaseForm):
    name = StringField(_l("Your name"), validators=[InputRequired(_l("Enter your name.")), Length(max=100)],
                       filters=[strip],
                       description=_l("The name of the person who will use this account."),
                       render_kw={"autocomplete": "name"})


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


class PasswordStepForm(NewPasswordMixin, BaseForm):
    def validate_password(self, field):
        self.email_for_policy = Answers(getattr(self, "answers", None)).text("account", "email")
        super().validate_password(field)

    def extra_data(self) -> dict:
        return {"password_hash": passwords.hash_password(self.password.data)}


class ConsentForm(BaseForm):
    agree_terms = BooleanField(_l("I agree to the terms of use"),
                               validators=[InputRequired(_l("Agree to the terms of use to continue."))])
    agree_privacy = BooleanField(_l("I agree to the handling of personal information"),
                                 validators=[InputRequired(_l("Agree to the handling of personal information to continue."))])

    def extra_data(self) -> dict:
        return {"version_ids": [v.id for v in terms.current_versions()]}


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
