"""the online procedures system of the Phase II SME Digitalization Support Corps."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, g, redirect, request, session, url_for
from flask_login import current_user, logout_user

from dxapp import clock, htmx
from dxapp.access import policy_of
from dxapp.config import load as load_config
from dxapp.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

STATIC_CACHE_SECONDS = 365 * 24 * 3600


def create_app(config: dict | str | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(load_config(config if isinstance(config, str) else None))
    if isinstance(config, dict):
        app.config.update(config)
    _refuse_unsafe_settings(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        # Behind nginx: the client's address and scheme come from X-Forwarded-* (rate limits, audit).
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.extensions["dxapp_clock"] = clock.from_config(app.config)
    from dxapp.sessions import LazySessionInterface

    app.session_interface = LazySessionInterface()  # the cookie is opened by the first view that reads it
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: "Asia/Tokyo")
    login_manager.init_app(app)
    login_manager.session_protection = None  # our own session token does this, and it is revocable
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    htmx.init_app(app)

    from dxapp import models  # noqa: F401  (register tables)
    from dxapp.services.accounts import load_user

    login_manager.user_loader(load_user)

    _wire_hooks()
    _wire_procedures()

    from dxapp import inputs
    from dxapp.blueprints import register_blueprints

    app.url_map.converters.update(inputs.ROUTE_CONVERTERS)  # before the routes that use them
    register_blueprints(app)

    from dxapp import errors, security, templating, transaction
    from dxapp.cli import register_cli

    transaction.init_app(app)  # commit once after the view, roll back on an error (README, architecture)
    errors.init_app(app)
    security.init_app(app)
    inputs.init_app(app)
    templating.init_app(app)
    register_cli(app)
    app.before_request(_gates)
    return app


def _refuse_unsafe_settings(app: Flask) -> None:
    """Settings without which production would run, but unsafely: refuse to start, saying which."""
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set")
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        if not (app.testing or app.debug):
            raise RuntimeError("RATELIMIT_STORAGE_URI is not set: rate limits must be shared by every worker "
                               "(for example redis://127.0.0.1:6379/0); memory:// is for one process only")
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"
def _wire_hooks() -> None:
    """What follows a status change of an application, registered once here (not as a side effect of
    importing a module): the review index, the expert's public profile, the corporation's name."""
    from dxapp.services import applications, experts, review_index, supporters

    for kind, status, hook in review_index.hooks():
        applications.on_status(kind, status)(hook)
    applications.on_status("expert", "approved")(experts.on_approved)
    applications.on_status("supporter", "approved")(supporters.apply_name)


def _wire_procedures() -> None:
    """The desk service serves the procedures that declare desk-assisted entry (dxapp.procedures)."""
    from dxapp import procedures
    from dxapp.services import desk

    for procedure in procedures.all():
        if procedure.desk is not None:
            desk.register_wizard(procedure.role, procedure.wizard.name, procedure.owner_key)


def _select_locale() -> str:
    from flask import has_request_context

    if not has_request_context():
        return "ja"
    view = _view_for(request.endpoint or "")
    if view is not None and getattr(policy_of(view), "stateless", False):
        # A stateless view reads no session: the page that asks says its language in the URL.
        lang = request.args.get("lang")
        return lang if lang in ("ja", "en") else "ja"
    lang = session.get("lang")
    if lang in ("ja", "en"):
        return lang
    return "ja"  # Japanese first, whatever the browser says; English is one click away


SEEN_AT_RESOLUTION = 60  # seconds

# Endpoints reachable while a gate (TOTP, consent) is pending.
_ALWAYS_OPEN = {"static", "auth.logout", "public.set_language"}


def _gates():
    """Session timeouts, TOTP completion and consent to the terms in force, before any view."""
    endpoint = request.endpoint or ""
    view = _view_for(endpoint)
    pol = policy_of(view) if view else None
    if pol is not None and pol.stateless:
        return None  # reads and writes no account or session state: nothing to gate
    if not current_user.is_authenticated:
        return None
    now = clock.wall_timestamp()
    cfg = flask_config()
    started, seen = session.get("login_at", 0), session.get("seen_at", 0)
    if now - seen > cfg["SESSION_IDLE_SECONDS"] or now - started > cfg["SESSION_ABSOLUTE_SECONDS"]:
        typist = current_user.id
        logout_user()
        session.clear()
        session["timed_out"] = True
        if request.method == "POST":
            from dxapp import kept

            kept.keep_posted_values(owner=typist)  # shown again on this page once the same person logs in
            return redirect(url_for("auth.login", next=request.path), 303)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if now - seen >= SEEN_AT_RESOLUTION:
        # The idle clock moves in steps of a minute: between steps the session is not modified, so a
        # response (the live panel at every pause in typing) carries no Set-Cookie and needs no signing.
        session["seen_at"] = now
    if endpoint in _ALWAYS_OPEN or (pol is not None and not pol.gates):
        return None
    if current_user.is_staff and not session.get("mfa_ok"):
        logout_user()
        return redirect(url_for("auth.login"))
    if not current_user.is_staff and not _consent_known_current():
        from dxapp.services.terms import missing_consents, next_change

        if missing_consents(current_user):
            g.consent_needed = True
            return redirect(url_for("auth.consent", next=request.full_path.rstrip("?")))
        # Consent is current until the next terms version takes effect: no queries until then.
        upcoming = next_change(clock.program_now())
        session["consent_ok"] = {"user": current_user.id, "until": upcoming.isoformat() if upcoming else None}
    return None


def _consent_known_current() -> bool:
    known = session.get("consent_ok")
    if not known or known.get("user") != current_user.id:
        return False
    until = known.get("until")
    return until is None or clock.program_now() < clock.parse_instant(until)


def flask_config():
    from flask import current_app

    return current_app.config


def _view_for(endpoint: str):
    from flask import current_app

    return current_app.view_functions.get(endpoint)


def static_hash(app: Flask, filename: str) -> str:
    cache = app.extensions.setdefault("dxapp_static_hashes", {})
    if filename not in cache:
        path = Path(app.static_folder) / filename
        cache[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else "0"
    return cache[filename]
