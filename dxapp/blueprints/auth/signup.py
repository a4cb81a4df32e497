"""The sign-up wizard: who you are, name and e-mail, password, consent, check answers."""

from flask_babel import lazy_gettext as _l

from dxapp import clock
from dxapp.blueprints.auth.forms import AccountForm, ConsentForm, PasswordStepForm, RoleForm
from dxapp.services import terms
from dxapp.wizard import Section, Step, Wizard


def _terms_context(_answers) -> dict:
    return {"terms_versions": terms.current_versions()}


def role_panel(values, _answers) -> dict:
    """Live feedback for the first question: what this kind of account does next, and whether new
    registrations are being accepted now (dxapp.rules.calendar at program time)."""
    from dxapp.rules import calendar

    now = clock.program_now()
    window = calendar.window("registration")
    role = values.get("role") or None
    return {
        "role": role if role in ("sme", "expert", "supporter_admin") else None,
        "registration_open": calendar.is_open("registration", now),
        "before": now < window.opens_at,
        "opens_at": window.opens_at,
        "last_day": calendar.last_day(window),
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
