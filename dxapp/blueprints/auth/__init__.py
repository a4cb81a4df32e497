"""Accounts: sign-up (a wizard), e-mail verification, login with TOTP for staff, logout, password
reset, consent to the terms in force."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from dxapp import clock, kept
from dxapp.access import ANONYMOUS, AUTHENTICATED, PUBLIC, policy
from dxapp.blueprints.auth.forms import LoginForm, ResetForm, ResetRequestForm, TotpForm
from dxapp.extensions import db, limiter
from dxapp.models import Submission
from dxapp.procedures.signup import SIGNUP, ConsentForm
from dxapp.services import accounts, terms
from dxapp.wizard.views import WizardRoutes

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {
    "sme": "sme.index",
    "expert": "expert.index",
    "supporter_admin": "supporter_org.index",
    "desk": "secretariat.index",
    "admin": "secretariat.index",
}


def _anon_owner() -> tuple[str, None]:
    key = session.get("signup_key")
    if not key:
        key = session["signup_key"] = secrets.token_urlsafe(18)
    return f"anon:{key}", None


def _create_account(draft):
    a = draft.answers
    data = {slug: SIGNUP.data(a, slug) for slug in ("role", "account", "password", "consent")}
    user = accounts.sign_up(
        role=data["role"]["role"], name=data["account"]["name"], email=data["account"]["email"],
        password_hash=data["password"]["password_hash"], consented_version_ids=data["consent"]["version_ids"],
        locale=session.get("lang"),  # the language the person signed up in: their mails follow it
    )
    return "user", (user.id if user else None)


def _client_key() -> str:
    return f"ip:{request.remote_addr or 'unknown'}"


#: A sign-up sends a mail (to a new address, or a notice to the owner of one that has an account): per
#: client at most this many an hour; per address, outbox.UNSOLICITED_PER_DAY (issue 11 item 25).
SIGNUP_LIMIT_PER_CLIENT = "10 per hour"

signup_routes = WizardRoutes(
    bp=bp, wizard=SIGNUP, rule=(ANONYMOUS,), owner=_anon_owner, on_submit=_create_account,
    done_endpoint="auth.signup_done", reference_prefix="U", prefix="/sign-up",
    submit_decorators=(limiter.limit(lambda: current_app.config.get("SIGNUP_LIMIT_PER_CLIENT", SIGNUP_LIMIT_PER_CLIENT),
                                     key_func=_client_key, deduct_when=lambda r: r.status_code == 303),),
).register()


@bp.route("/sign-up/sent/<reference>")
@policy(ANONYMOUS)
def signup_done(reference: str):
    owner_key, _unused = _anon_owner()
    submission = db.session.query(Submission).filter_by(
        wizard=SIGNUP.name, owner_key=owner_key, reference=reference).first()
    if submission is None:
        abort(404)
    return render_template("auth/signup_done.html", submission=submission)


@bp.route("/home")
@policy(AUTHENTICATED)
def home():
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))


# ---------------------------------------------------------------------------- e-mail verification

@bp.route("/verify/<token>", methods=["GET", "POST"])
@policy(PUBLIC, gates=False)
def verify_email(token: str):
    """The link in the e-mail opens this page; only its button (a POST) verifies the address."""
    try:
        user = accounts.resolve_token(token, "verify")
    except accounts.TokenInvalid:
        return render_template("auth/token_invalid.html", kind="verify"), 410
    if request.method == "POST":
        accounts.verify_email(user)
        flash(_("Your e-mail address has been confirmed. Log in to continue."), "success")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/verify.html", user=user)


@bp.route("/verify/resend", methods=["POST"])
@policy(PUBLIC)
@limiter.limit("5 per hour")
def resend_verification():
    form = ResetRequestForm()
    if form.validate():
        user = accounts.find_by_email(form.email.data)
        if user is not None and user.email_verified_at is None:
            accounts.resend_verification(user)
    flash(_("If the address is registered and not yet confirmed, we have sent the e-mail again."), "info")
    return redirect(url_for("auth.login"), 303)


# ---------------------------------------------------------------------------- login / logout

def _login_limit_key() -> str:
    """Per account AND client: an account's attempts from one client are limited, but nobody who knows an
    address can lock its owner out, who logs in from another client with the right password."""
    return f"login:{accounts.normalise_email(request.form.get('email', ''))}:{request.remote_addr or 'unknown'}"


def _totp_account_key() -> str:
    """Wrong codes per account, from whichever clients they come (the password step was passed)."""
    return f"totp:{session.get('mfa_user')}"


def _wrong_code(response) -> bool:
    return response.status_code == 422


def _is_post() -> bool:
    return request.method != "POST"


@bp.route("/login", methods=["GET", "POST"])
@policy(ANONYMOUS)
@limiter.limit("10 per minute", exempt_when=_is_post)
@limiter.limit("20 per hour", key_func=_login_limit_key, exempt_when=_is_post)
def login():
    form = LoginForm()
    unverified = None
    if request.method == "POST" and form.validate():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None or not user.active:
            form.password.errors.append(_("The e-mail address or password is not correct. Check them and try again."))
        elif user.email_verified_at is None:
            unverified = user.email
        elif user.is_staff:
            kept_form = kept.for_login(user.id)
            session.clear()
            if kept_form:
                session["kept_form"] = kept_form
            session["mfa_user"] = user.id
            session["mfa_started"] = clock.wall_timestamp()
            return redirect(url_for("auth.totp", next=_safe_next()), 303)
        else:
            return _finish_login(user)
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form, unverified=unverified,
                           timed_out=session.pop("timed_out", False)), status


def _safe_next() -> str | None:
    from dxapp.security import local_path

    return local_path(request.values.get("next"))


def _finish_login(user, *, mfa: bool = False):
    accounts.start_session(user)
    kept_form = kept.for_login(user.id)  # what this user typed before the session expired survives login
    session.clear()
    if kept_form:
        session["kept_form"] = kept_form
    login_user(user)
    now = clock.wall_timestamp()
    session["login_at"] = session["seen_at"] = now
    session["mfa_ok"] = mfa
    target = _safe_next() or url_for(HOME_BY_ROLE[user.role])
    return redirect(target, 303)


@bp.route("/login/code", methods=["GET", "POST"])
@policy(ANONYMOUS)
@limiter.limit("10 per minute", exempt_when=_is_post)
@limiter.limit("10 per 15 minutes", key_func=_totp_account_key, exempt_when=_is_post, deduct_when=_wrong_code)
def totp():
    user_id = session.get("mfa_user")
    started = session.get("mfa_started", 0)
    if not user_id or clock.wall_timestamp() - started > 300:
        session.pop("mfa_user", None)
        flash(_("Your login took too long. Enter your e-mail address and password again."), "info")
        return redirect(url_for("auth.login"))
    user = db.session.get(accounts.User, user_id)
    form = TotpForm()
    if request.method == "POST" and form.validate():
        if user is not None and user.active and accounts.verify_totp(user, form.code.data):
            return _finish_login(user, mfa=True)
        form.code.errors.append(_("The code is not correct or has already been used. Enter the current code."))
    status = 422 if form.errors else 200
    enrolling = user is not None and not user.totp_last_counter
    return render_template("auth/totp.html", form=form, enrolling=enrolling,
                           secret=user.totp_secret if enrolling else None), status


@bp.route("/logout", methods=["POST"])
@policy(AUTHENTICATED, gates=False)
def logout():
    accounts.end_session(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have logged out."), "success")
    return redirect(url_for("public.index"), 303)


# ---------------------------------------------------------------------------- password reset

@bp.route("/password-reset", methods=["GET", "POST"])
@policy(PUBLIC)
@limiter.limit("5 per hour", exempt_when=_is_post)
def reset_request():
    form = ResetRequestForm()
    if request.method == "POST" and form.validate():
        accounts.request_password_reset(form.email.data)
        return render_template("auth/reset_sent.html", email=form.email.data)
    status = 422 if form.errors else 200
    return render_template("auth/reset_request.html", form=form), status


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@policy(PUBLIC, gates=False)
def reset_password(token: str):
    try:
        user = accounts.resolve_token(token, "reset")
    except accounts.TokenInvalid:
        return render_template("auth/token_invalid.html", kind="reset"), 410
    form = ResetForm()
    form.email_for_policy = user.email
    form.min_length = 8 if user.is_staff else 15
    if request.method == "POST" and form.validate():
        accounts.set_password(user, form.password.data, action="account.password_reset")
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        flash(_("Your password has been changed. Log in with the new password."), "success")
        return redirect(url_for("auth.login"), 303)
    status = 422 if form.errors else 200
    return render_template("auth/reset_password.html", form=form, user=user), status


# ---------------------------------------------------------------------------- consent gate

@bp.route("/consent", methods=["GET", "POST"])
@policy(AUTHENTICATED, gates=False)
def consent():
    missing = terms.missing_consents(current_user)
    if not missing:
        return redirect(_safe_next() or url_for(HOME_BY_ROLE[current_user.role]))
    form = ConsentForm()
    if request.method == "POST" and form.validate():
        terms.consent(current_user, [v.id for v in missing])
        flash(_("Thank you. Your consent has been recorded."), "success")
        return redirect(_safe_next() or url_for(HOME_BY_ROLE[current_user.role]), 303)
    status = 422 if form.errors else 200
    return render_template("auth/consent.html", form=form, missing=missing), status
