"""Extension objects, made once and bound to each app with init_app."""

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
class _LoginManager(LoginManager):
    """Flask-Login refreshes a remember-me cookie after every request, reading the session to do so; a
    request whose view never opened the session (dxapp/sessions.py) has no remember-me operation pending
    (Flask-Login sets and pops it within one request), so it is left unopened."""

    def _update_remember_cookie(self, response):
        from flask import session

        if not getattr(session, "loaded", True):
            return response
        return super()._update_remember_cookie(response)


login_manager = _LoginManager()
csrf = CSRFProtect()
babel = Babel()
class _Compress(Compress):
    """Flask-Compress leaves every non-2xx response uncompressed; our 4xx answers are whole pages (a form
    re-rendered with its errors (422), 404, 409, 413) that a user on a slow link waits for just the same."""

    def after_request(self, response):
        status = response.status_code if response is not None else 200
        if not 400 <= status < 500:
            return super().after_request(response)
        response.status_code = 200
        try:
            response = super().after_request(response)
        finally:
            response.status_code = status
        return response


compress = _Compress()


def _limit_key() -> str:
    """Authenticated users are limited per account (desk clerks share one office IP)."""
    from flask import request
    from flask_login import current_user

    if current_user and getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr or 'unknown'}"


limiter = Limiter(key_func=_limit_key, default_limits=[])


@limiter.request_filter
def _limits_off_for_this_app() -> bool:
    """Flask-Limiter keeps RATELIMIT_ENABLED on the one global Limiter (the app initialised last wins);
    an app configured without limits (tests, the e2e live server) is exempt whatever another app set."""
    from flask import current_app, request

    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    # A stateless view (the live panels while the user types: no session, account or database) is
    # cheaper to answer than to count; it carries no limit of its own.
    view = current_app.view_functions.get(request.endpoint or "")
    policy = getattr(view, "dx_policy", None)
    return bool(policy is not None and policy.stateless)
