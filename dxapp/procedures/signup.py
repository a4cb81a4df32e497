"""The sign-up wizard and its forms: who you are, name and e-mail, password, consent, check answers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import Length

from dxapp import clock
from dxapp.forms import BaseForm, EmailMixin, InputRequired, NewPasswordMixin, choices, strip
from dxapp.procedures.spec import calendar_in_force, window_refusal
from dxapp.rules import calendar as calendars
from dxapp.services import passwords, terms
from dxapp.wizard import Section, Step, Wizard
from dxapp.wizard.answers import Answers

ROLE_CHOICES = {
    "sme": _l("A small or medium business (SME, sole proprietor, NPO and similar)"),
    "expert": _l("An IT expert (freelance, side job, or staff of an SME-supporter corporation)"),
    "supporter_admin": _l("An SME-supporter corporation (certified IT support organisation)"),
}


class RoleForm(BaseForm):
    role = RadioField(_l("Who are you registering as?"), choices=choices(ROLE_CHOICES),
                      validators=[InputRequired(_l("Choose who you are registering as."))])


class AccountForm(EmailMixin, BaseForm):
    name = StringField(_l("Your name"), validators=[InputRequired(_l("Enter your name.")), Length(max=100)],
                       filters=[strip],
                       description=_l("The name of the person who will use this account."),
                       render_kw={"autocomplete": "name"})


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


def _terms_context(_answers) -> dict:
    return {"terms_versions": terms.current_versions()}


def role_panel(values, _answers) -> dict:
    """Live feedback for the first question: what this kind of account does next, and whether new
    registrations are being accepted now (the calendar in force at program time)."""
    now = clock.program_now()
    calendar = calendar_in_force()
    window = calendars.window("registration", calendar)
    role = values.get("role") or None
    return {
        "role": role if role in ("sme", "expert", "supporter_admin") else None,
        "registration_open": window_refusal("registration", now, calendar) is None,
        "before": now < window.opens_at,
        "opens_at": window.opens_at,
        "last_day": calendars.last_day(window),
    }


SIGNUP = Wizard(
    name="signup",
    title=_l("Create an account"),
    submit_label=_l("Create the account with these details"),
    sections=(
        Section("about", _l("About you")),
        Section("login", _l("Login details")),
        Section("consent", _l("Terms of use")),
    ),
    steps=(
        Step("role", _l("Who are you registering as?"), RoleForm, "about", panel=role_panel,
             panel_template="auth/_role_panel.html"),
        Step("account", _l("Your name and e-mail address"), AccountForm, "about"),
        Step("password", _l("Choose a password"), PasswordStepForm, "login"),
        Step("consent", _l("Terms of use and personal information"), ConsentForm, "consent",
             template="auth/signup_consent.html", context=_terms_context),
    ),
)
