"""The package pages of a provider (支援提供パッケージ, issue 12), mounted on two blueprints like the
procedures' views (dxapp/procedures/views.py): an approved expert's own packages (/expert/packages) and
a supporter corporation's packages delivered by its confirmed members (/supporter/packages).  My
packages, a new one, edit, publish, unpublish and publish again; whoever may not make packages yet
gets the page that says why."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dxapp import inputs, transaction
from dxapp.access import policy
from dxapp.errors import conflict
from dxapp.labels import PACKAGE_LABELS
from dxapp.package_form import MemberPackageForm, PackageForm, package_data
from dxapp.services import packages
from dxapp.services.workflow import Stale


def mount(bp, *, role: str, may_make: Callable[[object], bool], members: Callable | None = None) -> None:
    """Register the pages on ``bp`` for ``role``.  ``may_make(user)``: whether the user may make packages
    now; ``members(user)``: the experts a corporation chooses from (None: the expert themself)."""
    name = bp.name

    def refused(code: str):
        """200 to a GET (the role's own page in this state), 409 to a POST."""
        transaction.rollback()
        return render_template("introductions/refused.html", code=code, back_url=url_for(f"{name}.index"),
                               back_text=None), (409 if request.method == "POST" else 200)

    def form_for(package=None):
        data = package_data(package) if package is not None and request.method == "GET" else None
        if members is None:
            return PackageForm(data=data)
        return MemberPackageForm(data=data, members=members(current_user))

    def own(package_id: int):
        found = packages.owned(current_user, package_id)
        if found is None:
            abort(404)
        return found

    @policy(role)
    def package_list():
        mine = packages.mine(current_user)
        return render_template("packages/expert_list.html", items=mine, labels=PACKAGE_LABELS, area=name,
                               approved=may_make(current_user), requests={p.id: packages.requests_of(p) for p in mine})

    @policy(role)
    def package_new():
        if not may_make(current_user):
            return refused("not_approved")
        form = form_for()
        if request.method == "POST" and form.validate():
            try:
                package = packages.create(current_user._get_current_object(), form.fields(),
                                          expert_user_id=form.expert.data if members is not None else None)
            except packages.PackageRefused as exc:
                return refused(exc.code)
            flash(_("The package has been saved as a draft. Publish it when it is ready."), "success")
            return redirect(url_for(f"{name}.package_edit", package_id=package.id), 303)
        return render_template("packages/form.html", form=form, package=None, area=name), (422 if form.errors else 200)

    @policy(role)
    def package_edit(package_id: int):
        package = own(package_id)
        form = form_for(package)
        if members is not None:
            del form["expert"]  # who delivers stays; another expert means a new package
        if request.method == "POST" and form.validate():
            try:
                packages.edit(package, form.fields(), version=inputs.posted_version(),
                              actor=current_user._get_current_object())
            except Stale as stale:
                return conflict(stale, typed={_("Title"): form.title.data, _("What the SME gets"): form.summary.data},
                                back_url=url_for(f"{name}.package_edit", package_id=package_id))
            flash(_("The package has been saved."), "success")
            return redirect(url_for(f"{name}.package_edit", package_id=package_id), 303)
        return render_template("packages/form.html", form=form, package=package, labels=PACKAGE_LABELS, area=name,
                               quote=packages.quote(package)), (422 if form.errors else 200)

    def move(package_id: int, action, message: str):
        package = own(package_id)
        try:
            action(package, version=inputs.posted_version(), actor=current_user._get_current_object())
        except packages.PackageRefused as exc:
            return refused(exc.code)
        except Stale as stale:
            return conflict(stale, back_url=url_for(f"{name}.package_edit", package_id=package_id))
        flash(message, "success")
        return redirect(url_for(f"{name}.package_list"), 303)

    @policy(role)
    def package_publish(package_id: int):
        return move(package_id, packages.publish, _("The package is published. SMEs can find and request it."))

    @policy(role)
    def package_unpublish(package_id: int):
        return move(package_id, packages.unpublish,
                    _("The package is no longer shown to SMEs. You can publish it again."))

    bp.add_url_rule("/packages/", "package_list", package_list)
    bp.add_url_rule("/packages/new", "package_new", package_new, methods=["GET", "POST"])
    bp.add_url_rule("/packages/<int:package_id>/edit", "package_edit", package_edit, methods=["GET", "POST"])
    bp.add_url_rule("/packages/<int:package_id>/publish", "package_publish", package_publish, methods=["POST"])
    bp.add_url_rule("/packages/<int:package_id>/unpublish", "package_unpublish", package_unpublish,
                    methods=["POST"])
