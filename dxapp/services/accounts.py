"""Accounts: sign-up, e-mail verification, login, sessions, password reset, TOTP, staff accounts."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata

import pyotp
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from dxapp import clock, offline
from dxapp.extensions import db
from dxapp.models import Organisation, User
from dxapp.models.account import STAFF_ROLES
from dxapp.services import audit, outbox, passwords, rows
from dxapp.services.terms import record_consents

SELF_SERVICE_ROLES = ("sme", "expert", "supporter_admin")


class TokenInvalid(Exception):
    pass


class _WallClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock.wall_timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"dxapp.{purpose}", signer=_WallClockSigner
    )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def new_session_token() -> str:
    return secrets.token_hex(16)


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def load_user(user_id: str) -> User | None:
    """flask-login loader: '<id>.<session token>'; a rotated token means a revoked cookie."""
    try:
        raw_id, token = user_id.split(".", 1)
        user = db.session.get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def reset_link(user: User) -> str:
    """The e-mailed link to choose a (first or new) password: a reset token on the public base URL."""
    return offline.external_url("auth.reset_password", token=make_token(user, "reset"))


# ---------------------------------------------------------------- tokens in e-mail links

def _fingerprint(user: User, purpose: str) -> str:
    """Part of the token that changes once the token has been used, making it single-use."""
    basis = {
        "verify": f"{user.email}|{user.email_verified_at is not None}",
        "reset": f"{user.password_hash or ''}|{user.session_token}",
        "staff-setup": f"{user.password_hash or ''}",
    }[purpose]
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user, purpose)})


def resolve_token(token: str, purpose: str) -> User:
    try:
        data = _serializer(purpose).loads(token, max_age=current_app.config["TOKEN_MAX_AGE_SECONDS"])
    except (SignatureExpired, BadSignature) as exc:
        raise TokenInvalid(purpose) from exc
    user = db.session.get(User, data.get("u"))
    if user is None or not secrets.compare_digest(_fingerprint(user, purpose), data.get("f", "")):
        raise TokenInvalid(purpose)
    return user


# ---------------------------------------------------------------- sign-up

def sign_up(*, role: str, name: str, email: str, password_hash: str, consented_version_ids: list[int],
            locale: str | None = None) -> User | None:
    """Create an unverified account and send the verification e-mail.

    When the address is already registered, nothing is created and the owner of that address is told
    by e-mail instead, so the sign-up page never reveals which addresses have accounts.
    """
    if role not in SELF_SERVICE_ROLES:
        raise ValueError(role)
    email = normalise_email(email)
    existing = find_by_email(email)
    if existing is not None:
        _signed_up_again(existing, role)
        return None
    now = clock.wall_now()
    organisation = None
    if role in ("sme", "supporter_admin"):
        organisation = Organisation(kind="sme" if role == "sme" else "supporter", created_at=now)
    user = User(
        email=email, name=name.strip(), role=role, password_hash=password_hash, organisation=organisation,
        session_token=new_session_token(), created_at=now, password_changed_at=now, totp_last_counter=0,
        active=True, locale=locale if locale in LOCALES else None,
    )
    if not rows.insert_once(*(o for o in (organisation, user) if o is not None)):
        # The same address signed up by a parallel request a moment ago: the same answer as above.
        _signed_up_again(find_by_email(email), role)
        return None
    record_consents(user, consented_version_ids)
    audit.record("account.created", "user", user.id, actor=user, summary={"role": role})
    send_verification(user)
    return user


#: The mails a sign-up with someone's address sends them (capped per address: outbox.UNSOLICITED_PER_DAY).
SIGNUP_MAILS = ("signup-existing", "verify-email")


def _signed_up_again(existing: User, role: str) -> None:
    """The owner of an address that has an account is told of the sign-up, at most a few times a day
    (anyone can type the address, as often as they like); the page says the same either way."""
    if not outbox.may_send_unsolicited(existing.email, SIGNUP_MAILS):
        audit.record("account.signup_repeated", "user", existing.id, summary={"role": role, "mail": "capped"})
        return
    outbox.enqueue(existing.email, "signup-existing", "アカウントはすでに登録されています",
                   "signup_existing.txt", user=existing, login_url=offline.external_url("auth.login"),
                   reset_url=offline.external_url("auth.reset_request"))
    audit.record("account.signup_repeated", "user", existing.id, summary={"role": role})


#: The languages an account may prefer (its e-mails go out in it; Japanese when none is set).
LOCALES = ("ja", "en")


def set_locale(user: User, locale: str) -> bool:
    """The account's language, as chosen with the language switch; its e-mails follow it.  True when
    it changed (audited)."""
    if locale not in LOCALES or user.locale == locale:
        return False
    user.locale = locale
    audit.record("account.language_set", "user", user.id, actor=user, summary={"locale": locale})
    db.session.flush()
    return True


def resend_verification(user: User) -> bool:
    """The verification mail again (the login page's offer): anyone may ask it for an address, so at
    most ``outbox.UNSOLICITED_PER_DAY`` sign-up mails a day reach it.  True when sent."""
    if not outbox.may_send_unsolicited(user.email, SIGNUP_MAILS):
        return False
    send_verification(user)
    return True


def send_verification(user: User) -> None:
    outbox.enqueue(user.email, "verify-email", "メールアドレスの確認をお願いします", "verify_email.txt",
                   user=user, link=offline.external_url("auth.verify_email", token=make_token(user, "verify")))


def verify_email(user: User) -> bool:
    changed = db.session.execute(
        update(User).where(User.id == user.id, User.email_verified_at.is_(None))
        .values(email_verified_at=clock.wall_now())
    ).rowcount
    if changed:
        audit.record("account.email_verified", "user", user.id, actor=user)
    db.session.flush()
    db.session.refresh(user)
    return bool(changed)


# ---------------------------------------------------------------- login and sessions

def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    if not passwords.verify_password(user.password_hash if user else None, password):
        audit.record("auth.login_failed", "user", user.id if user else None,
                     summary={"email_known": user is not None})
        db.session.flush()
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


def start_session(user: User) -> None:
    """Rotate the session token (session fixation, revocation) and record the login."""
    user.session_token = new_session_token()
    audit.record("auth.login", "user", user.id, actor=user)
    db.session.flush()


def end_session(user: User) -> None:
    user.session_token = new_session_token()
    audit.record("auth.logout", "user", user.id, actor=user)
    db.session.flush()


def set_password(user: User, password: str, *, actor: User | None = None, action="account.password_changed") -> None:
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = clock.wall_now()
    user.session_token = new_session_token()
    if action == "account.password_reset" and user.email_verified_at is None:
        user.email_verified_at = user.password_changed_at  # the e-mailed link proved the mailbox
    audit.record(action, "user", user.id, actor=actor or user)
    db.session.flush()


#: Anyone who knows an address can ask for its reset link: at most this many a day per address, from
#: any number of clients (the route limits each client).
RESETS_PER_DAY = 5


def request_password_reset(email: str) -> None:
    user = find_by_email(email)
    if user is None or not user.active:
        return
    if not outbox.may_send_unsolicited(user.email, ("password-reset",), RESETS_PER_DAY):
        audit.record("account.password_reset_requested", "user", user.id, summary={"mail": "capped"})
        db.session.flush()
        return
    outbox.enqueue(user.email, "password-reset", "パスワード再設定のご案内", "password_reset.txt",
                   user=user, link=reset_link(user))
    audit.record("account.password_reset_requested", "user", user.id)
    db.session.flush()


def disable(user: User, *, actor: User) -> None:
    user.active = False
    user.session_token = new_session_token()
    audit.record("account.disabled", "user", user.id, actor=actor)
    db.session.flush()


# ---------------------------------------------------------------- TOTP for the secretariat

def totp_for(user: User) -> pyotp.TOTP:
    return pyotp.TOTP(user.totp_secret)


def totp_digits(code: str | None) -> str | None:
    """The six digits of a typed code: full-width digits (a Japanese IME) are read as the digits they
    are (NFKC), spaces and hyphens are ignored; anything else (other scripts' digits) is not a code."""
    code = unicodedata.normalize("NFKC", code or "")
    code = "".join(ch for ch in code if ch not in " -")
    return code if len(code) == 6 and code.isascii() and code.isdigit() else None


def verify_totp(user: User, code: str) -> bool:
    """Accept the current or the neighbouring 30-second step, never a step already used.  A refused code
    writes an audit row (``auth.totp_failed``, with why: wrong, reused or not a code; never the code)."""
    code = totp_digits(code)
    if not user.totp_secret or code is None:
        return _totp_failed(user, "not_a_code" if user.totp_secret else "no_secret")
    totp = totp_for(user)
    now = clock.wall_timestamp()
    for drift in (0, -1, 1):
        counter = int(now // totp.interval) + drift
        if secrets.compare_digest(totp.generate_otp(counter), code):
            # Conditional UPDATE: a code (counter) can be used once, even by two parallel requests.
            used = db.session.execute(
                update(User).where(User.id == user.id, User.totp_last_counter < counter)
                .values(totp_last_counter=counter)
            ).rowcount
            db.session.flush()
            return True if used else _totp_failed(user, "reused")
    return _totp_failed(user, "wrong")


def _totp_failed(user: User, reason: str) -> bool:
    audit.record("auth.totp_failed", "user", user.id, summary={"reason": reason})
    db.session.flush()
    return False


def create_staff(*, email: str, name: str, role: str, actor: User | None, password: str | None = None,
                 totp_secret: str | None = None) -> User:
    """Secretariat accounts are made only by an admin (the first by `flask create-admin`)."""
    if role not in STAFF_ROLES:
        raise ValueError(role)
    now = clock.wall_now()
    user = User(
        email=normalise_email(email), name=name, role=role,
        password_hash=passwords.hash_password(password) if password else None,
        session_token=new_session_token(), totp_secret=totp_secret or pyotp.random_base32(),
        totp_last_counter=0, email_verified_at=now, created_at=now, active=True,
        password_changed_at=now if password else None,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account.staff_created", "user", user.id, actor=actor, summary={"role": role})
    if password is None:
        outbox.enqueue(user.email, "staff-setup", "事務局アカウントの設定", "staff_setup.txt", user=user,
                       link=reset_link(user))
    return user
