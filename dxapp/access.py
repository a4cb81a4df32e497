"""Route access policies.  Every view declares who may use it with ``@policy``; a test walks
``app.url_map`` and fails for any endpoint without one.

* ``@policy(PUBLIC)``: anyone, logged in or not.
* ``@policy(ANONYMOUS)``: pages for people not logged in (sign-up, login); logged-in users are sent home.
* ``@policy(AUTHENTICATED)``: any logged-in account.
* ``@policy("sme", "admin")``: those roles only (others get 403).

``gates=False`` lets a page through the consent and TOTP-enrolment gates (the consent page itself,
logout).  ``stateless=True`` (with PUBLIC only) marks a view that reads no account, draft or session
state and writes none: the gates do not even load the user, so it costs no database round trip (the live
eligibility panels, which are computed from the query string alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

PUBLIC = "@public"
ANONYMOUS = "@anonymous"
AUTHENTICATED = "@authenticated"


@dataclass(frozen=True)
class Policy:
    rule: tuple[str, ...]
    gates: bool = True
    stateless: bool = False

    @property
    def public(self) -> bool:
        return PUBLIC in self.rule

    def describe(self) -> str:
        return ",".join(self.rule)


def policy(*rule: str, gates: bool = True, stateless: bool = False):
    if not rule:
        raise ValueError("a policy names at least one role or PUBLIC/ANONYMOUS/AUTHENTICATED")
    if stateless and rule != (PUBLIC,):
        raise ValueError("only a PUBLIC view can be stateless")

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if PUBLIC in rule:
                return view(*args, **kwargs)
            if ANONYMOUS in rule:
                if current_user.is_authenticated:
                    return redirect(url_for("auth.home"))
                return view(*args, **kwargs)
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if AUTHENTICATED not in rule and current_user.role not in rule:
                abort(403)
            return view(*args, **kwargs)

        wrapper.dx_policy = Policy(rule=tuple(rule), gates=gates, stateless=stateless)
        return wrapper

    return decorate


def policy_of(view) -> Policy | None:
    return getattr(view, "dx_policy", None)
