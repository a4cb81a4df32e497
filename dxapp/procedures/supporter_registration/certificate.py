"""The certification step's certificate: upload, remove (POST, CSRF, rate-limited) and download (GET,
attachment) through the documents service and the corporation's scope."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from dxapp import downloads
from dxapp.access import policy
from dxapp.extensions import limiter
from dxapp.services import documents

PURPOSE = "supporter_certificate"
SLUG = "certification"
#: The secretariat's review page labels documents by purpose from these (secretariat.review._purpose_label).
PURPOSE_LABELS = {
    PURPOSE: _l("Certificate of certification as an IT support organisation (認定通知書)"),
}


def current_certificates() -> list:
    if not getattr(current_user, "is_authenticated", False):
        return []
    return [d for d in documents.list_for(current_user) if d.purpose == PURPOSE]


def step_context(_answers) -> dict:
    return {"certificates": current_certificates(), "human_size": documents.human_size,
            "max_mb": documents.MAX_BYTES // (1024 * 1024), "upload_error": None}


def register(bp, routes, *, write_guard) -> None:
    wizard = routes.wizard
    step = wizard.step(SLUG)

    def step_url():
        args = {"return": "check"} if request.args.get("return") == "check" else {}
        return url_for(routes.ep("step"), slug=SLUG, **args)

    def refused(draft):
        if not wizard.can_open(draft.answers, SLUG):
            return redirect(url_for(routes.ep("tasks")), 303)
        return write_guard()

    @policy("supporter_admin")
    @limiter.shared_limit("30 per hour", scope="supporter-certificate-upload")
    def certificate_upload():
        draft = routes._draft()
        if (away := refused(draft)) is not None:
            return away
        try:
            document = documents.store(request.files.get("file"), current_user, PURPOSE)
        except documents.FileTooLarge as exc:
            message, status = str(exc), 413
        except ValueError as exc:
            message, status = str(exc), 422
        else:
            flash(_("%(name)s has been uploaded.", name=document.original_name), "success")
            return redirect(step_url(), 303)
        from dxapp.wizard.forms import refill
        stored = (draft.answers.get("steps") or {}).get(SLUG, {}).get("raw") or \
            (draft.answers.get("partial") or {}).get(SLUG)
        context = {**step_context(draft.answers), "upload_error": message}
        return render_template(step.template, step=step, form=refill(step.form, stored), back_url=step_url(),
                               returning=request.args.get("return") == "check", has_errors=True, panel=None,
                               **routes._ctx(draft, **context)), status

    @policy("supporter_admin")
    def certificate_remove(document_id: int):
        document = documents.get_owned(current_user, document_id)
        if document is None or document.purpose != PURPOSE:
            abort(404)
        draft = routes._draft()
        if (away := refused(draft)) is not None:
            return away
        documents.remove(current_user, document_id)
        flash(_("%(name)s has been removed.", name=document.original_name), "success")
        return redirect(step_url(), 303)

    @policy("supporter_admin")
    def certificate_download(document_id: int):
        document = documents.get_owned(current_user, document_id)
        if document is None or document.purpose != PURPOSE:
            abort(404)
        return downloads.attachment(document)

    base = f"{routes.prefix}/{SLUG}"
    bp.add_url_rule(f"{base}/upload", "certificate_upload", certificate_upload, methods=["POST"])
    bp.add_url_rule(f"{base}/<int:document_id>/remove", "certificate_remove", certificate_remove, methods=["POST"])
    bp.add_url_rule("/documents/<int:document_id>", "certificate_download", certificate_download)
