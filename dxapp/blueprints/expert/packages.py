"""The expert's support packages (支援提供パッケージ, issue 12): my packages, a new one, edit, publish,
unpublish and publish again (dxapp/package_views.py).  Only an approved expert makes packages."""

from __future__ import annotations

from dxapp import package_views
from dxapp.blueprints.expert import bp
from dxapp.services import introductions

package_views.mount(bp, role="expert", may_make=lambda user: introductions.approved_expert(user) is not None)
