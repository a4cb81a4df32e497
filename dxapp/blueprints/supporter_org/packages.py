"""The supporter corporation's support packages (支援提供パッケージ, issue 12), delivered by its confirmed
members whose expert registration is approved (dxapp/package_views.py).  The corporation's own
registration must be approved first, as for inviting experts."""

from __future__ import annotations

from dxapp import package_views
from dxapp.blueprints.supporter_org import bp
from dxapp.services import applications, packages


def _approved(user) -> bool:
    registration = applications.registration(user, "supporter")
    return registration is not None and registration.status == "approved"


package_views.mount(bp, role="supporter_admin", may_make=_approved, members=packages.member_experts)
