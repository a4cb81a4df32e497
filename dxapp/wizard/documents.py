"""One declared documents step for every procedure (SECURITY.md rule 9).

A procedure declares a ``DocumentStep``: which kinds of document it lists and how they are labelled, what
is needed (a pure function of the answers, ``dxapp.rules.documents``), the role that owns the files and
the rate-limit scope of its uploads.  ``step.wizard_step(title, section)`` is the engine step (its form
passes when every needed document is there); ``DocumentRoutes`` adds upload, replace, remove (POSTs of
their own, with CSRF, that come back to the step) and download (a GET through the owner's scope, via
``dxapp.downloads``) to the procedure's blueprint.  One template, ``wizard/documents.html``.

Files go through ``dxapp.services.documents`` (magic bytes, 3 MB, generated names, audit); the owner's
scope is the organisation (SME, supporter) or the person (expert)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, RadioField
from wtforms.validators import ValidationError
from wtforms.widgets import HiddenInput

from dxapp import downloads, htmx
from dxapp.access import policy
from dxapp.extensions import limiter
from dxapp.forms import BaseForm, InputRequired
from dxapp.rules import documents as rules
from dxapp.services import documents, drafts
from dxapp.services.workflow import Stale
from dxapp.wizard import Step
from dxapp.wizard.forms import refill

UPLOAD_LIMIT = "30 per hour"  # per account (the limiter keys authenticated requests on the user)
ANY_TYPE = ("application/pdf", "image/jpeg", "image/png")
_EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}


@dataclass(frozen=True)
class Kind:
    """One kind of document (the ``purpose`` column): its label and, when it is a requirement of its own,
    the help and the message shown when it is missing."""

    label: object
    help: object = None
    missing: object = None
    types: tuple[str, ...] = ANY_TYPE  # the content types this kind takes
    single: bool = False  # at most one file of this kind (another one replaces it)
    wrong_type: object = None  # the message for a file of another allowed type
    too_many: object = None  # the message for a second file of a single kind


@dataclass(frozen=True)
class Need:
    """Title, help and missing message of a requirement with several alternatives."""

    title: object
    help: object
    missing: object


def accept(types) -> str:
    """The ``accept`` attribute of a file input for these content types."""
    return ",".join([*(e for t in types for e in _EXTENSIONS[t]), *types])


def _view(method, name: str):
    """A view function of its own name (the rate limiter tells routes apart by qualified name)."""
    def view(**kwargs):
        return method(**kwargs)
    view.__name__ = view.__qualname__ = name
    return view


@dataclass(frozen=True)
class DocumentStep:
    slug: str
    role: str  # the role that uploads (the files are in its owner's scope)
    limit_scope: str  # the rate-limit scope of the uploads
    needs: Callable[[Mapping], tuple[rules.Requirement, ...]]  # pure: dxapp.rules.documents
    kinds: Mapping[str, Kind]  # every kind the step lists, in order
    needs_text: Mapping[str, Need] = dataclasses.field(default_factory=dict)  # by requirement key (else the kind's)
    also_offered: tuple[str, ...] = ()  # kinds offered besides the needed ones (e.g. "other")
    lists_all: bool = False  # list every document of the owner (else those of ``kinds``)
    field: str = "documents"  # the name of the form field that stands for the files
    field_label: object = _l("Uploaded documents")
    fields: type = BaseForm  # a form with the step's other questions, if any
    intro: object = None
    # One form: a file chosen and 「次へ進む」 pressed goes up with the step (else a form of its own).
    upload_with_step: bool = False
    table: bool = False  # the files as a table (else a list)
    names_only: bool = False  # the check page names the files without their kind
    replaceable: bool = True
    # Removing a needed file undoes the step (the task list says so); else check-answers sends them back.
    reopens: bool = True
    endpoint: str = "document"  # endpoints <endpoint>_upload, _replace, _remove, _download
    form: type = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "form", _step_form(self))

    # -- what the step lists and needs ---------------------------------------------------------------
    def current(self) -> list:
        """The owner's current documents of this step (empty for a visitor)."""
        if not getattr(current_user, "is_authenticated", False):
            return []
        docs = documents.list_for(current_user)
        return docs if self.lists_all else [d for d in docs if d.purpose in self.kinds]

    def missing(self, answers) -> list[rules.Requirement]:
        return rules.missing(self.needs(answers), (d.purpose for d in self.current()))

    def offered(self, answers) -> tuple[str, ...]:
        return rules.offered(self.needs(answers), self.also_offered)

    def label(self, purpose: str) -> str:
        kind = self.kinds.get(purpose)
        return str(kind.label) if kind else purpose

    def missing_message(self, requirement) -> object:
        need = self.needs_text.get(requirement.key)
        return need.missing if need else self.kinds[requirement.key].missing

    def shown(self, document) -> str:
        """A document as the check-your-answers page names it."""
        return document.original_name if self.names_only else \
            f"{document.original_name}（{self.label(document.purpose)}）"

    # -- the engine step -----------------------------------------------------------------------------
    def wizard_step(self, title, section: str, **kwargs) -> Step:
        return Step(self.slug, title, self.form, section, template="wizard/documents.html",
                    context=self.context, **kwargs)

    def context(self, answers, *, upload_form=None, replace_error=None) -> dict:
        """What the page shows besides the engine's form (reads the owner's documents, no writes)."""
        uploaded = self.current()
        gaps = {r.key for r in self.missing(answers)}
        requirements = []
        for r in self.needs(answers):
            need = self.needs_text.get(r.key)
            kind = self.kinds.get(r.key)
            requirements.append({"key": r.key, "done": r.key not in gaps,
                                 "title": need.title if need else kind.label,
                                 "help": need.help if need else kind.help})
        return {"doc": self, "requirements": requirements, "uploaded": uploaded,
                "upload_form": upload_form or UploadForm(formdata=None, step=self, answers=answers),
                "replace_error": replace_error, "purpose_label": self.label, "human_size": documents.human_size,
                "max_mb": documents.MAX_BYTES // (1024 * 1024)}


class DocumentListField(Field):
    """The step's documents, as one answer: nothing is typed.  What is stored is written by the server
    when the step is saved (the names then); the applicant sees their current files, anyone else (the
    secretariat) the stored names."""

    widget = HiddenInput()
    doc: DocumentStep

    def _value(self) -> str:
        return ""

    def raw_parts(self) -> dict:
        return {self.name: [self.doc.shown(d) for d in self.doc.current()]}

    def display(self) -> str:
        if getattr(current_user, "is_authenticated", False) and current_user.role == self.doc.role:
            shown = [self.doc.shown(d) for d in self.doc.current()]
        else:
            shown = [v for v in (self.raw_data or []) if v]
        return "、".join(shown) if shown else str(_l("Not entered"))


def _step_form(doc: DocumentStep) -> type:
    """The engine's form of a documents step: the step's own questions and the list of its files; it
    passes when every needed document is there."""

    class ListField(DocumentListField):
        pass

    ListField.doc = doc

    def validate_documents(form, _field):
        gaps = doc.missing(getattr(form, "answers", None))
        if gaps:
            raise ValidationError(doc.missing_message(gaps[0]))

    def extra_data(form) -> dict:
        base = doc.fields.extra_data(form) if hasattr(doc.fields, "extra_data") else {}
        return {**base, doc.field: [
            {"id": d.id, "purpose": d.purpose, "name": d.original_name, "content_type": d.content_type,
             "size_bytes": d.size_bytes, "sha256": d.sha256} for d in doc.current()]}

    return type(f"DocumentsForm_{doc.slug}", (doc.fields,), {
        doc.field: ListField(doc.field_label), f"validate_{doc.field}": validate_documents,
        "extra_data": extra_data})


class UploadForm(BaseForm):
    purpose = RadioField(_l("Which document is this?"), validators=[InputRequired(_l("Choose which document this is."))])
    file = FileField(_l("File"), description=_l("PDF, JPEG or PNG, up to 3 MB."),
                     validators=[FileRequired(_l("Choose a file to upload."))])

    def __init__(self, *args, step: DocumentStep, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.doc = step
        offered = step.offered(answers)
        self.purpose.choices = [(p, step.kinds[p].label) for p in offered]
        types = sorted({t for p in offered for t in step.kinds[p].types}, key=ANY_TYPE.index)
        self.file.render_kw = {"accept": accept(types)}
        if len(offered) == 1:  # the only kind: nothing to choose
            self.purpose.validators = []
            self.purpose.data = self.purpose.data or offered[0]
        elif kwargs.get("formdata", True) is None and not self.purpose.data and offered:
            present = {d.purpose for d in step.current()}
            self.purpose.data = next((p for p in offered if p not in present), offered[0])

    def validate_file(self, field):
        kind = self.doc.kinds.get(self.purpose.data)
        if kind is not None and kind.single and any(d.purpose == self.purpose.data for d in self.doc.current()):
            raise ValidationError(kind.too_many or _l("This document has been uploaded already. To use "
                                                      "another file, replace the one above."))


@dataclass
class DocumentRoutes:
    """Upload, replace, remove (POST, CSRF, rate-limited uploads) and download (GET) of a procedure's
    documents steps, on the procedure's blueprint."""

    bp: object
    routes: object  # the procedure's WizardRoutes
    steps: tuple[DocumentStep, ...]
    write_guard: Callable[[], object]

    def __post_init__(self) -> None:
        first = self.steps[0]
        if any((s.role, s.limit_scope, s.endpoint) != (first.role, first.limit_scope, first.endpoint)
               for s in self.steps):
            raise ValueError("the documents steps of one procedure share role, limit scope and endpoints")
        self.role, self.endpoint = first.role, first.endpoint
        self.by_slug = {s.slug: s for s in self.steps}

    @property
    def wizard(self):
        return self.routes.wizard

    # -- helpers --------------------------------------------------------------------------------------
    def ep(self, view: str) -> str:
        return f"{self.bp.name}.{self.endpoint}_{view}"

    def step_url(self, slug: str) -> str:
        args = {"return": "check"} if request.args.get("return") == "check" else {}
        return url_for(self.routes.ep("step"), slug=slug, **args)

    def known(self, slug: str) -> DocumentStep:
        if slug not in self.by_slug:
            abort(404)
        return self.by_slug[slug]

    def not_open(self, draft, slug):
        """A redirect when the step cannot be opened yet (earlier steps to do), else None."""
        if self.wizard.can_open(draft.answers, slug):
            return None
        first = self.wizard.first_incomplete_step(draft.answers)
        return redirect(url_for(self.routes.ep("step"), slug=first.slug) if first else
                        url_for(self.routes.ep("check")), 303)

    def stay(self, response, slug: str):
        """A page answered to a POST of this step: the address bar keeps the step's URL (a POST-only URL
        in the history would be a 405 on Back)."""
        return htmx.replace_url(response, self.step_url(slug)) if htmx.is_htmx() else response

    def render(self, draft, doc: DocumentStep, *, status=422, **extra):
        step = self.wizard.step(doc.slug)
        stored = (draft.answers.get("steps") or {}).get(doc.slug, {}).get("raw") or \
            (draft.answers.get("partial") or {}).get(doc.slug)
        body, status = self.routes.render_step(step, draft, refill(step.form, stored),
                                                request.args.get("return") == "check", status=status,
                                                context=doc.context(draft.answers, **extra))
        return self.stay(make_response(body, status), doc.slug)

    def too_large(self, slug: str):
        body = render_template("wizard/upload_too_large.html", back_url=self.step_url(slug))
        return self.stay(make_response(body, 413), slug)

    def back_to_step(self, doc: DocumentStep):
        """After a change: POST-redirect-GET; a boosted (htmx) POST gets the step itself and
        HX-Push-Url, one round trip on a slow link."""
        if not htmx.is_boosted():
            return redirect(self.step_url(doc.slug), 303)
        step = self.wizard.step(doc.slug)
        draft = self.routes.draft()
        stored = (draft.answers.get("steps") or {}).get(doc.slug, {}).get("raw") or \
            (draft.answers.get("partial") or {}).get(doc.slug)
        body, status = self.routes.render_step(step, draft, refill(step.form, stored),
                                                request.args.get("return") == "check")
        return htmx.push_url(make_response(body, status), self.step_url(doc.slug))

    def guarded(self, slug: str, document_id: int):
        """(draft, document, None) when this owner's document may be changed now, else the answer: 404 for
        another owner's id or another step's, the first step still to do, or the write guard's page."""
        doc = self.known(slug)
        document = documents.get_owned(current_user, document_id)
        if document is None or (not doc.lists_all and document.purpose not in doc.kinds):
            abort(404)
        draft = self.routes.draft()
        refused = self.not_open(draft, slug)
        if refused is None:
            refused = self.write_guard()
        return draft, document, refused

    def reopen_if_incomplete(self, draft, doc: DocumentStep) -> None:
        """A needed document was removed: the step is no longer complete (the task list says so)."""
        if not doc.reopens or not draft.version or not self.wizard.is_complete(draft.answers, doc.slug) or \
                not doc.missing(draft.answers):
            return
        answers = dict(draft.answers)
        answers["steps"] = {k: v for k, v in (answers.get("steps") or {}).items() if k != doc.slug}
        try:
            drafts.save(draft, draft.version, answers, slug=doc.slug, raw={}, actor_id=current_user.id,
                        action="draft.step_reopened")
        except Stale:
            pass  # saved elsewhere meanwhile; check-answers sends them back here anyway

    def store(self, draft, doc: DocumentStep):
        """Check and keep the posted file: (document, None), or (None, the page saying why)."""
        form = UploadForm(step=doc, answers=draft.answers)
        if form.validate():
            kind = doc.kinds.get(form.purpose.data)
            try:
                return documents.store(form.file.data, current_user, form.purpose.data,
                                       types=kind.types if kind else None), None
            except documents.FileTooLarge:
                return None, self.too_large(doc.slug)
            except documents.NotAllowedType as exc:
                form.file.errors.append(str(kind.wrong_type or exc))
            except ValueError as exc:
                form.file.errors.append(str(exc))
        return None, self.render(draft, doc, upload_form=form)

    def blocker(self, answers) -> str | None:
        """Before check-answers and submit: back to a documents step when something it needs is missing
        (removed after the step was completed, or an answer changed what is needed)."""
        for doc in self.steps:
            if self.wizard.step(doc.slug).show_if(answers) and doc.missing(answers):
                return url_for(self.routes.ep("step"), slug=doc.slug)
        return None

    # -- views ----------------------------------------------------------------------------------------
    def upload(self, slug: str):
        doc = self.known(slug)
        draft = self.routes.draft()
        if (away := self.not_open(draft, slug)) is not None:
            return away
        if (refused := self.write_guard()) is not None:
            return refused
        document, page = self.store(draft, doc)
        if document is None:
            return page
        flash(_("%(name)s has been uploaded.", name=document.original_name), "success")
        return self.back_to_step(doc)

    def replace(self, slug: str, document_id: int):
        doc = self.known(slug)
        draft, old, refused = self.guarded(slug, document_id)
        if refused is not None:
            return refused
        kind = doc.kinds.get(old.purpose)
        try:
            document = documents.replace(current_user, document_id, request.files.get("file"),
                                         types=kind.types if kind else None)
        except documents.FileTooLarge:
            return self.too_large(slug)
        except documents.NotAllowedType as exc:
            return self.render(draft, doc, replace_error=(document_id, str(kind.wrong_type or exc)))
        except ValueError as exc:
            return self.render(draft, doc, replace_error=(document_id, str(exc)))
        flash(_("The file has been replaced with %(name)s.", name=document.original_name), "success")
        return self.back_to_step(doc)

    def remove(self, slug: str, document_id: int):
        doc = self.known(slug)
        draft, _document, refused = self.guarded(slug, document_id)
        if refused is not None:
            return refused
        document = documents.remove(current_user, document_id)
        self.reopen_if_incomplete(draft, doc)
        flash(_("%(name)s has been removed.", name=document.original_name), "success")
        return self.back_to_step(doc)

    def download(self, document_id: int):
        document = documents.get_owned(current_user, document_id)
        if document is None or not any(s.lists_all or document.purpose in s.kinds for s in self.steps):
            abort(404)
        return downloads.attachment(document)

    def upload_with_the_step(self):
        """「次へ進む」 or 「保存して中断する」 pressed with a file chosen but not uploaded yet: upload it
        first (same checks and rate limit as the upload button), then let the engine save the step, so a
        chosen file is never left behind.  A file that cannot be taken shows the step with the error."""
        slug = (request.view_args or {}).get("slug")
        doc = self.by_slug.get(slug)
        if request.method != "POST" or request.endpoint != self.routes.ep("step") or doc is None or \
                not doc.upload_with_step:
            return None
        chosen = request.files.get("file")
        if chosen is None or not chosen.filename or not getattr(current_user, "is_authenticated", False) or \
                current_user.role != self.role:
            return None  # nothing chosen, or the view's own policy answers
        draft = self.routes.draft()
        if self.not_open(draft, slug) is not None or self.write_guard() is not None:
            return None  # the engine answers with the same redirect or refusal
        with limiter.shared_limit(UPLOAD_LIMIT, scope=doc.limit_scope):
            document, page = self.store(draft, doc)
        if document is None:
            return page
        flash(_("%(name)s has been uploaded.", name=document.original_name), "success")
        return None

    def request_too_large(self, error):
        """Over MAX_CONTENT_LENGTH (refused before the body is read) or over 3 MB: the 413 page, with the
        way back to the step; the other answers are in the draft already.  Never reads the form here."""
        slug = (request.view_args or {}).get("slug")
        uploads = {self.ep("upload"), self.ep("replace")}
        if request.endpoint in uploads:
            return self.too_large(slug or self.steps[0].slug)
        if request.endpoint == self.routes.ep("step") and slug in self.by_slug:
            return self.too_large(slug)
        return render_template("errors/413.html", code=413, error=error), 413

    def register(self) -> DocumentRoutes:
        bp, limit = self.bp, limiter.shared_limit(UPLOAD_LIMIT, scope=self.steps[0].limit_scope)
        own = policy(self.role)
        if len(self.steps) == 1:  # the step's name in the URL; the views get it as their slug
            slug = self.steps[0].slug
            base, defaults = f"{self.routes.prefix}/{slug}", {"defaults": {"slug": slug}}
        else:  # known(slug) answers 404 for any other step
            base, defaults = f"{self.routes.prefix}/<slug>", {}
        name = f"{bp.name}_{self.endpoint}"
        bp.add_url_rule(f"{base}/upload", f"{self.endpoint}_upload", own(limit(_view(self.upload, f"{name}_upload"))),
                        methods=["POST"], **defaults)
        if any(s.replaceable for s in self.steps):
            bp.add_url_rule(f"{base}/<int:document_id>/replace", f"{self.endpoint}_replace",
                            own(limit(_view(self.replace, f"{name}_replace"))), methods=["POST"], **defaults)
        bp.add_url_rule(f"{base}/<int:document_id>/remove", f"{self.endpoint}_remove",
                        own(_view(self.remove, f"{name}_remove")), methods=["POST"], **defaults)
        bp.add_url_rule("/documents/<int:document_id>", f"{self.endpoint}_download",
                        own(_view(self.download, f"{name}_download")))
        bp.before_request(self.upload_with_the_step)
        bp.register_error_handler(413, self.request_too_large)
        return self
