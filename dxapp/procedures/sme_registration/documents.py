"""Step 6 of the SME registration wizard: the confirmation documents (issue "SME registration", step 6;
SECURITY.md rule 9).

The step page is the engine's (GET shows it, "Save and continue" POSTs to it and passes when every
document the legal form needs is there); uploading, replacing and removing a file are POSTs of their own
that come back to the step, and a download is a GET through the owner's scope."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, RadioField
from wtforms.validators import InputRequired, ValidationError
from wtforms.widgets import HiddenInput

from dxapp import downloads, htmx
from dxapp.access import policy
from dxapp.extensions import limiter
from dxapp.forms import BaseForm
from dxapp.services import documents, drafts
from dxapp.services.workflow import Stale
from dxapp.wizard.forms import refill

SLUG = "documents"
UPLOAD_LIMIT = "30 per hour"  # per account (the limiter keys authenticated requests on the user)

PURPOSE_LABELS = {
    "registration_certificate": _l("Certificate of registered matters (履歴事項全部証明書)"),
    "opening_notification": _l("Notification of opening a business (開業届)"),
    "tax_return": _l("Latest final tax return (確定申告書)"),
    "articles": _l("Articles of incorporation or association (定款・規約)"),
    "other": _l("Other document"),
}

REQUIREMENT_TITLES = {
    "certificate": _l("Certificate of registered matters"),
    "sole_proprietor": _l("Notification of opening a business, or the latest final tax return"),
    "other_form": _l("Articles of incorporation or association, or a certificate of registered matters"),
}

REQUIREMENT_HELP = {
    "certificate": _l("Corporations upload the certificate of registered matters (履歴事項全部証明書) issued by "
                      "the Legal Affairs Bureau within the last 3 months. All pages, scanned or photographed, "
                      "so that every character can be read."),
    "sole_proprietor": _l("Sole proprietors upload one of these: the notification of opening a business (開業届) "
                          "with the tax office's receipt stamp, or the first page of the latest final tax return "
                          "(確定申告書) with the receipt stamp or the e-Tax receipt."),
    "other_form": _l("Associations, unions and other organisations upload their articles (定款 or 規約), or a "
                     "certificate of registered matters issued within the last 3 months."),
}

MISSING = {
    "certificate": _l("Upload the certificate of registered matters issued within the last 3 months."),
    "sole_proprietor": _l("Upload the notification of opening a business or the latest final tax return."),
    "other_form": _l("Upload the articles of incorporation or association, or a certificate of registered matters."),
}


def legal_form_of(answers) -> str | None:
    return ((answers or {}).get("steps", {}).get("business-type", {}).get("data", {}) or {}).get("legal_form")


def _current_documents() -> list:
    if not getattr(current_user, "is_authenticated", False):
        return []
    return documents.list_for(current_user)


def purpose_label(purpose: str) -> str:
    return str(PURPOSE_LABELS.get(purpose, purpose))


# ------------------------------------------------------------------------------------------------------
# Forms
# ------------------------------------------------------------------------------------------------------

class DocumentListField(Field):
    """The documents uploaded so far, as one answer: nothing is typed; the check-your-answers page shows
    the file names."""

    widget = HiddenInput()

    def _value(self) -> str:
        return ""

    def display(self) -> str:
        docs = _current_documents()
        if not docs:
            return str(_l("Not entered"))
        return "、".join(f"{d.original_name}（{purpose_label(d.purpose)}）" for d in docs)


class DocumentsForm(BaseForm):
    """The engine's form of the step: it passes when every document the legal form needs is there."""

    documents = DocumentListField(_l("Uploaded documents"))

    def validate_documents(self, field):
        gaps = documents.missing(legal_form_of(getattr(self, "answers", None)), _current_documents())
        if gaps:
            raise ValidationError(MISSING[gaps[0].key])

    def extra_data(self) -> dict:
        return {"documents": [
            {"id": d.id, "purpose": d.purpose, "name": d.original_name, "content_type": d.content_type,
             "size_bytes": d.size_bytes, "sha256": d.sha256}
            for d in _current_documents()
        ]}


class UploadForm(BaseForm):
    purpose = RadioField(_l("Which document is this?"), validators=[InputRequired(_l("Choose which document this is."))])
    file = FileField(_l("File"), description=_l("PDF, JPEG or PNG, up to 3 MB."),
                     validators=[FileRequired(_l("Choose a file to upload."))],
                     render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"})

    def __init__(self, *args, legal_form: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        offered = documents.purposes_for(legal_form)
        self.purpose.choices = [(p, PURPOSE_LABELS[p]) for p in offered]
        if kwargs.get("formdata", True) is None and not self.purpose.data:
            self.purpose.data = offered[0]  # the document this legal form needs, preselected


# ------------------------------------------------------------------------------------------------------
# The step page
# ------------------------------------------------------------------------------------------------------

def page_context(answers, *, upload_form=None, replace_error=None) -> dict:
    """What the documents page shows besides the engine's form: what to upload for this legal form, the
    files uploaded so far and the upload form.  Reads the owner's documents (no writes)."""
    legal_form = legal_form_of(answers)
    uploaded = _current_documents()
    gaps = {r.key for r in documents.missing(legal_form, uploaded)}
    requirements = [
        {"key": r.key, "title": REQUIREMENT_TITLES[r.key], "help": REQUIREMENT_HELP[r.key], "done": r.key not in gaps,
         "alternatives": [PURPOSE_LABELS[p] for p in r.alternatives]}
        for r in documents.requirements_for(legal_form)
    ]
    return {
        "requirements": requirements,
        "uploaded": uploaded,
        "upload_form": upload_form or UploadForm(formdata=None, legal_form=legal_form),
        "replace_error": replace_error,
        "purpose_label": purpose_label,
        "human_size": documents.human_size,
        "max_mb": documents.MAX_BYTES // (1024 * 1024),
    }


def step_context(answers) -> dict:
    """Step(context=...) of the engine."""
    return page_context(answers)


def blocker_url(routes, answers) -> str | None:
    """Before check-answers and submit: back to this step when a needed document is missing (removed
    after the step was completed, or the legal form changed)."""
    if documents.missing(legal_form_of(answers), _current_documents()):
        return url_for(routes.ep("step"), slug=SLUG)
    return None


# ------------------------------------------------------------------------------------------------------
# Routes
# ------------------------------------------------------------------------------------------------------

def register(bp, routes, *, write_guard) -> None:
    """Upload, replace, remove (POST, CSRF, rate-limited uploads) and download (GET) on ``bp``."""
    wizard = routes.wizard
    step = wizard.step(SLUG)
    upload_endpoints = {f"{bp.name}.document_upload", f"{bp.name}.document_replace"}

    def step_url(**kwargs) -> str:
        if request.args.get("return") == "check":
            kwargs["return"] = "check"
        return url_for(routes.ep("step"), slug=SLUG, **kwargs)

    def not_open(draft):
        """A redirect when the step cannot be opened yet (earlier steps to do), else None."""
        if wizard.can_open(draft.answers, SLUG):
            return None
        first = wizard.first_incomplete_step(draft.answers)
        return redirect(url_for(routes.ep("step"), slug=first.slug) if first else url_for(routes.ep("check")), 303)

    def render_step(draft, *, upload_form=None, replace_error=None, status=422, has_errors=True):
        returning = request.args.get("return") == "check"
        stored = (draft.answers.get("steps") or {}).get(SLUG, {}).get("raw") or \
            (draft.answers.get("partial") or {}).get(SLUG)
        previous = wizard.previous_step(draft.answers, SLUG)
        back = url_for(routes.ep("check")) if returning else (
            url_for(routes.ep("step"), slug=previous.slug) if previous else url_for(routes.ep("tasks")))
        extra = page_context(draft.answers, upload_form=upload_form, replace_error=replace_error)
        return render_template(step.template, step=step, form=refill(step.form, stored), back_url=back,
                               returning=returning, has_errors=has_errors, panel=None,
                               **routes._ctx(draft, **extra)), status

    def reopen_if_incomplete(draft) -> None:
        """A needed document was removed: the step is no longer complete (the task list says so)."""
        if not draft.version or not wizard.is_complete(draft.answers, SLUG):
            return
        if not documents.missing(legal_form_of(draft.answers), _current_documents()):
            return
        answers = dict(draft.answers)
        answers["steps"] = {k: v for k, v in (answers.get("steps") or {}).items() if k != SLUG}
        try:
            drafts.save(draft, draft.version, answers, slug=SLUG, raw={}, actor_id=current_user.id,
                        action="draft.step_reopened")
        except Stale:
            pass  # saved elsewhere meanwhile; check-answers sends them back here anyway

    def back_to_step():
        """After a change: POST-redirect-GET; a boosted (htmx) POST gets the step itself and
        HX-Push-Url, one round trip on a slow link."""
        if not htmx.is_boosted():
            return redirect(step_url(), 303)
        body, status = render_step(routes._draft(), status=200, has_errors=False)
        return htmx.push_url(make_response(body, status), step_url())

    def guarded(document_id: int):
        """(draft, None) when this owner's document may be changed now, else (None, the answer):
        404 for another owner's id, the first step still to do, or the write guard's page."""
        if documents.get_owned(current_user, document_id) is None:
            abort(404)
        draft = routes._draft()
        refused = not_open(draft)
        if refused is None:
            refused = write_guard()
        return draft, refused

    def too_large():
        return render_template("sme/upload_too_large.html", back_url=step_url(), has_errors=False), 413

    @policy("sme")
    @limiter.shared_limit(UPLOAD_LIMIT, scope="sme-document-upload")
    def upload():
        draft = routes._draft()
        if (away := not_open(draft)) is not None:
            return away
        if (refused := write_guard()) is not None:
            return refused
        form = UploadForm(legal_form=legal_form_of(draft.answers))
        if form.validate():
            try:
                document = documents.store(form.file.data, current_user, form.purpose.data)
            except documents.FileTooLarge:
                return too_large()
            except ValueError as exc:
                form.file.errors.append(str(exc))
            else:
                flash(_("%(name)s has been uploaded.", name=document.original_name), "success")
                return back_to_step()
        return render_step(draft, upload_form=form)

    @policy("sme")
    @limiter.shared_limit(UPLOAD_LIMIT, scope="sme-document-upload")
    def replace(document_id: int):
        draft, refused = guarded(document_id)
        if refused is not None:
            return refused
        try:
            document = documents.replace(current_user, document_id, request.files.get("file"))
        except documents.FileTooLarge:
            return too_large()
        except ValueError as exc:
            return render_step(draft, replace_error=(document_id, str(exc)))
        flash(_("The file has been replaced with %(name)s.", name=document.original_name), "success")
        return back_to_step()

    @policy("sme")
    def remove(document_id: int):
        draft, refused = guarded(document_id)
        if refused is not None:
            return refused
        document = documents.remove(current_user, document_id)
        reopen_if_incomplete(draft)
        flash(_("%(name)s has been removed.", name=document.original_name), "success")
        return back_to_step()

    @policy("sme")
    def download(document_id: int):
        document = documents.get_owned(current_user, document_id)
        if document is None:
            abort(404)
        return downloads.attachment(document)

    def upload_with_the_step():
        """「次へ進む」 or 「保存して中断する」 pressed with a file chosen but not uploaded yet: upload it
        first (same checks and rate limit as the upload button), then let the engine save the step, so
        a chosen file is never left behind.  A file that cannot be taken shows the step with the error."""
        if request.method != "POST" or request.endpoint != routes.ep("step") or \
                (request.view_args or {}).get("slug") != SLUG:
            return None
        chosen = request.files.get("file")
        if chosen is None or not chosen.filename or not getattr(current_user, "is_authenticated", False) or \
                current_user.role != "sme":
            return None  # nothing chosen, or the view's own policy answers
        draft = routes._draft()
        if not_open(draft) is not None or write_guard() is not None:
            return None  # the engine answers with the same redirect or refusal
        form = UploadForm(legal_form=legal_form_of(draft.answers))
        with limiter.shared_limit(UPLOAD_LIMIT, scope="sme-document-upload"):
            if not form.validate():
                return render_step(draft, upload_form=form)
            try:
                document = documents.store(form.file.data, current_user, form.purpose.data)
            except documents.FileTooLarge:
                return too_large()
            except ValueError as exc:
                form.file.errors.append(str(exc))
                return render_step(draft, upload_form=form)
        flash(_("%(name)s has been uploaded.", name=document.original_name), "success")
        return None

    bp.before_request(upload_with_the_step)

    base = f"{routes.prefix}/{SLUG}"
    bp.add_url_rule(f"{base}/upload", "document_upload", upload, methods=["POST"])
    bp.add_url_rule(f"{base}/<int:document_id>/replace", "document_replace", replace, methods=["POST"])
    bp.add_url_rule(f"{base}/<int:document_id>/remove", "document_remove", remove, methods=["POST"])
    bp.add_url_rule("/documents/<int:document_id>", "document_download", download)

    @bp.errorhandler(413)
    def request_too_large(error):
        """Over MAX_CONTENT_LENGTH (refused before the body is read) or over 3 MB: the 413 page, with the
        way back to the step; the other answers are in the draft already.  Never reads the form here."""
        if request.endpoint in upload_endpoints or (
                request.endpoint == routes.ep("step") and (request.view_args or {}).get("slug") == SLUG):
            return too_large()
        return render_template("errors/413.html", code=413, error=error, has_errors=False), 413
