"""Uploads of the expert wizard (issue 5, steps 3 and 4; SECURITY.md rule 9): the identity document, the
face photo and, for side jobs, the employer's permission; the certificates of the qualifications.

Files go through dxapp.services.documents (magic bytes, 3 MB, generated names, audit); an expert has no
organisation, so the documents are scoped to the person.  Each document step is an engine step that
passes when everything it needs is there; upload, replace and remove are POSTs of their own that come
back to the step, and a download is a GET through the owner's scope."""

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

UPLOAD_LIMIT = "30 per hour"  # per account (the limiter keys authenticated requests on the user)
SLUGS = ("identity-documents", "certificates")

PURPOSE_LABELS = {
    "identity_document": _l("Identity document (front side)"),
    "face_photo": _l("Face photo"),
    "employer_permission": _l("Employer's written permission for the side job"),
    "qualification_certificate": _l("Certificate of a qualification"),
}
HELP = {
    "identity_document": _l("The side with your photo, name, address and date of birth. Never the back of a My "
                            "Number card."),
    "face_photo": _l("A recent photo of your face from the front, without a hat, mask or sunglasses. The "
                     "secretariat compares it with the photos in your support reports."),
    "employer_permission": _l("A letter or form from your employer that allows this side job, with the "
                              "employer's name and the date."),
    "qualification_certificate": _l("The certificate, registration card or pass certificate of each qualification "
                                    "you chose."),
}
MISSING = {
    "identity_document": _l("Upload your identity document."),
    "face_photo": _l("Upload a photo of your face."),
    "employer_permission": _l("Upload your employer's written permission."),
    "qualification_certificate": _l("Upload the certificate of your qualification."),
}


def _data(answers, slug):
    return (((answers or {}).get("steps") or {}).get(slug) or {}).get("data") or {}


def needed(slug: str, answers) -> tuple[str, ...]:
    """The documents a step needs (pure)."""
    if slug == "identity-documents":
        side_job = _data(answers, "participation").get("participation") == "side_job"
        return ("identity_document", "face_photo", *(("employer_permission",) if side_job else ()))
    if slug == "certificates":
        return ("qualification_certificate",) if _data(answers, "qualifications").get("qualifications") else ()
    return ()


def _current_documents(purposes=None) -> list:
    if not getattr(current_user, "is_authenticated", False):
        return []
    docs = documents.list_for(current_user)
    return [d for d in docs if purposes is None or d.purpose in purposes]


def missing(slug: str, answers) -> list[str]:
    present = {d.purpose for d in _current_documents()}
    return [p for p in needed(slug, answers) if p not in present]


def purpose_label(purpose: str) -> str:
    return str(PURPOSE_LABELS.get(purpose, purpose))


STEP_PURPOSES = {"identity-documents": ("identity_document", "face_photo", "employer_permission"),
                 "certificates": ("qualification_certificate",)}


class DocumentListField(Field):
    """The documents of the step, as one answer: the check page shows the file names."""

    widget = HiddenInput()
    purposes: tuple[str, ...] | None = None

    def _value(self) -> str:
        return ""

    def display(self) -> str:
        docs = _current_documents(self.purposes)
        if not docs:
            return str(_l("Not entered"))
        return "、".join(f"{d.original_name}（{purpose_label(d.purpose)}）" for d in docs)


class DocumentsForm(BaseForm):
    """The engine's form of a document step: it passes when every document the step needs is there."""

    slug = ""
    documents = DocumentListField(_l("Uploaded documents"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.documents.purposes = STEP_PURPOSES.get(self.slug)

    def validate_documents(self, field):
        gaps = missing(self.slug, getattr(self, "answers", None))
        if gaps:
            raise ValidationError(MISSING[gaps[0]])

    def extra_data(self) -> dict:
        return {"documents": [
            {"id": d.id, "purpose": d.purpose, "name": d.original_name, "content_type": d.content_type,
             "size_bytes": d.size_bytes, "sha256": d.sha256}
            for d in _current_documents(STEP_PURPOSES.get(self.slug))
        ]}


class IdentityDocumentsForm(DocumentsForm):
    slug = "identity-documents"


class CertificatesForm(DocumentsForm):
    slug = "certificates"


class UploadForm(BaseForm):
    purpose = RadioField(_l("Which document is this?"), validators=[InputRequired(_l("Choose which document this is."))])
    file = FileField(_l("File"), description=_l("PDF, JPEG or PNG, up to 3 MB."),
                     validators=[FileRequired(_l("Choose a file to upload."))],
                     render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"})

    def __init__(self, *args, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.purpose.choices = [(p, PURPOSE_LABELS[p]) for p in offered]
        if kwargs.get("formdata", True) is None and not self.purpose.data and offered:
            gaps = [p for p in offered if p not in {d.purpose for d in _current_documents()}]
            self.purpose.data = (gaps or offered)[0]


def page_context(slug: str, answers, *, upload_form=None, replace_error=None) -> dict:
    offered = needed(slug, answers)
    uploaded = _current_documents(offered)
    present = {d.purpose for d in uploaded}
    return {
        "doc_slug": slug,
        "requirements": [{"purpose": p, "title": PURPOSE_LABELS[p], "help": HELP[p], "done": p in present}
                         for p in offered],
        "uploaded": uploaded,
        "upload_form": upload_form or UploadForm(formdata=None, offered=offered),
        "replace_error": replace_error,
        "purpose_label": purpose_label,
        "human_size": documents.human_size,
        "max_mb": documents.MAX_BYTES // (1024 * 1024),
    }


def step_context(slug: str):
    """Step(context=...) of the engine, for one document step."""
    return lambda answers: page_context(slug, answers)


def blocker_url(routes, answers) -> str | None:
    """Before check-answers and submit: back to a document step when something it needs is missing."""
    for slug in SLUGS:
        step = routes.wizard.step(slug)
        if step.show_if(answers) and missing(slug, answers):
            return url_for(routes.ep("step"), slug=slug)
    return None


def register(bp, routes, *, write_guard) -> None:
    """Upload, replace, remove (POST, CSRF, rate-limited uploads) and download (GET) on ``bp``."""
    wizard = routes.wizard
    upload_endpoints = {f"{bp.name}.document_upload", f"{bp.name}.document_replace"}

    def known(slug):
        if slug not in SLUGS:
            abort(404)
        return wizard.step(slug)

    def step_url(slug, **kwargs) -> str:
        if request.args.get("return") == "check":
            kwargs["return"] = "check"
        return url_for(routes.ep("step"), slug=slug, **kwargs)

    def not_open(draft, slug):
        if wizard.can_open(draft.answers, slug):
            return None
        first = wizard.first_incomplete_step(draft.answers)
        return redirect(url_for(routes.ep("step"), slug=first.slug) if first else url_for(routes.ep("check")), 303)

    def render_step(draft, slug, *, upload_form=None, replace_error=None, status=422, has_errors=True):
        step = wizard.step(slug)
        returning = request.args.get("return") == "check"
        stored = (draft.answers.get("steps") or {}).get(slug, {}).get("raw") or \
            (draft.answers.get("partial") or {}).get(slug)
        previous = wizard.previous_step(draft.answers, slug)
        back = url_for(routes.ep("check")) if returning else (
            url_for(routes.ep("step"), slug=previous.slug) if previous else url_for(routes.ep("tasks")))
        extra = page_context(slug, draft.answers, upload_form=upload_form, replace_error=replace_error)
        return render_template(step.template, step=step, form=refill(step.form, stored), back_url=back,
                               returning=returning, has_errors=has_errors, panel=None,
                               **routes._ctx(draft, **extra)), status

    def reopen_if_incomplete(draft, slug) -> None:
        if not draft.version or not wizard.is_complete(draft.answers, slug) or not missing(slug, draft.answers):
            return
        answers = dict(draft.answers)
        answers["steps"] = {k: v for k, v in (answers.get("steps") or {}).items() if k != slug}
        try:
            drafts.save(draft, draft.version, answers, slug=slug, raw={}, actor_id=current_user.id,
                        action="draft.step_reopened")
        except Stale:
            pass  # saved elsewhere meanwhile; check-answers sends them back here anyway

    def back_to_step(slug):
        if not htmx.is_boosted():
            return redirect(step_url(slug), 303)
        body, status = render_step(routes._draft(), slug, status=200, has_errors=False)
        return htmx.push_url(make_response(body, status), step_url(slug))

    def guarded(slug, document_id: int):
        if documents.get_owned(current_user, document_id) is None:
            abort(404)
        draft = routes._draft()
        refused = not_open(draft, slug)
        if refused is None:
            refused = write_guard()
        return draft, refused

    def too_large(slug):
        return render_template("sme/upload_too_large.html", back_url=step_url(slug), has_errors=False), 413

    @policy("expert")
    @limiter.shared_limit(UPLOAD_LIMIT, scope="expert-document-upload")
    def upload(slug: str):
        known(slug)
        draft = routes._draft()
        if (away := not_open(draft, slug)) is not None:
            return away
        if (refused := write_guard()) is not None:
            return refused
        form = UploadForm(offered=needed(slug, draft.answers))
        if form.validate():
            try:
                document = documents.store(form.file.data, current_user, form.purpose.data)
            except documents.FileTooLarge:
                return too_large(slug)
            except ValueError as exc:
                form.file.errors.append(str(exc))
            else:
                flash(_("%(name)s has been uploaded.", name=document.original_name), "success")
                return back_to_step(slug)
        return render_step(draft, slug, upload_form=form)

    @policy("expert")
    @limiter.shared_limit(UPLOAD_LIMIT, scope="expert-document-upload")
    def replace(slug: str, document_id: int):
        known(slug)
        draft, refused = guarded(slug, document_id)
        if refused is not None:
            return refused
        try:
            document = documents.replace(current_user, document_id, request.files.get("file"))
        except documents.FileTooLarge:
            return too_large(slug)
        except ValueError as exc:
            return render_step(draft, slug, replace_error=(document_id, str(exc)))
        flash(_("The file has been replaced with %(name)s.", name=document.original_name), "success")
        return back_to_step(slug)

    @policy("expert")
    def remove(slug: str, document_id: int):
        known(slug)
        draft, refused = guarded(slug, document_id)
        if refused is not None:
            return refused
        document = documents.remove(current_user, document_id)
        reopen_if_incomplete(draft, slug)
        flash(_("%(name)s has been removed.", name=document.original_name), "success")
        return back_to_step(slug)

    @policy("expert")
    def download(document_id: int):
        document = documents.get_owned(current_user, document_id)
        if document is None:
            abort(404)
        return downloads.attachment(document)

    base = f"{routes.prefix}/<slug>"  # known(slug) answers 404 for any other step
    bp.add_url_rule(f"{base}/upload", "document_upload", upload, methods=["POST"])
    bp.add_url_rule(f"{base}/<int:document_id>/replace", "document_replace", replace, methods=["POST"])
    bp.add_url_rule(f"{base}/<int:document_id>/remove", "document_remove", remove, methods=["POST"])
    bp.add_url_rule("/documents/<int:document_id>", "document_download", download)

    @bp.errorhandler(413)
    def request_too_large(error):
        if request.endpoint in upload_endpoints:
            return too_large((request.view_args or {}).get("slug") or SLUGS[0])
        return render_template("errors/413.html", code=413, error=error, has_errors=False), 413
