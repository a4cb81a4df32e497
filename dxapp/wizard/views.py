"""Routes of a wizard, registered on a blueprint: task list, one page per step, check your answers,
one-time submit.  Views stay thin: the engine decides navigation, services save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from dxapp import htmx, inputs, kept
from dxapp.access import PUBLIC, policy
from dxapp.errors import conflict
from dxapp.services import drafts
from dxapp.services.workflow import Stale
from dxapp.wizard import Answers, Wizard
from dxapp.wizard.forms import answer_sections, data_of, raw_of, refill, summary_rows


def _named(method, name: str):
    """A view function of its own name (the rate limiter tells routes apart by qualified name)."""
    def view(**kwargs):
        return method(**kwargs)
    view.__name__ = view.__qualname__ = name
    return view


@dataclass
class WizardRoutes:
    bp: Blueprint
    wizard: Wizard
    rule: tuple[str, ...]
    owner: Callable[[], tuple[str, int | None]]  # -> (owner_key, user_id)
    on_submit: Callable  # (draft) -> (result_type, result_id); runs inside the submit transaction
    done_endpoint: str  # receives reference=...
    reference_prefix: str
    prefix: str = ""
    actor: Callable[[], int | None] = lambda: None
    cancel_endpoint: str | None = None
    # Refuses writes (step saves, submit) with a page of its own, e.g. outside the registration window.
    write_guard: Callable[[], object] | None = None
    # After a step is saved: a URL to go to instead of the next step (e.g. the ineligible result page).
    after_save: Callable[[str, dict], str | None] | None = None
    # Before check-answers and submit: a URL to go to when these answers cannot be submitted.
    blocker: Callable[[dict], str | None] | None = None
    # GET of the task list, a step or check-your-answers: a response to give instead (e.g. the application
    # already sent, which Back or the wizard's URL shows rather than an empty new application).
    read_guard: Callable[[], object] | None = None
    # (submission) -> the reference of the confirmation page's URL (default: the submission's own).
    done_reference: Callable[[object], str] | None = None
    # (answers) -> the steps whose answers make them not eligible: the task list marks their sections.
    blocked_steps: Callable[[dict], tuple[str, ...]] | None = None
    # Answers to start a new draft with (e.g. a returned application, Phase I carry-over).
    initial_answers: Callable[[], dict | None] | None = None
    # Acting on behalf (desk-assisted entry): a callable giving the applicant's user id makes these the
    # routes of a desk clerk.  Every save is audited with the clerk (``actor``) as actor and the
    # applicant as on-behalf-of; applicant-only steps and fields are read-only; there is no submit.
    on_behalf_of: Callable[[], int | None] | None = None
    # Desk mode: steps the clerk only looks at (e.g. uploads the applicant makes from their account).
    read_only_steps: tuple[str, ...] = ()
    # Desk mode: templates of its own {"tasks", "check", "read_only"}.
    templates: dict = field(default_factory=dict)
    # Endpoint names are "<blueprint>.<name>_<view>"; default name: the wizard's.
    name: str | None = None
    # Decorators for the submit view (e.g. the sign-up's rate limits: its submit sends a mail).
    submit_decorators: tuple[Callable, ...] = ()

    @property
    def desk(self) -> bool:
        return self.on_behalf_of is not None

    def ep(self, name: str) -> str:
        return f"{self.bp.name}.{self.name or self.wizard.name}_{name}"

    def is_read_only(self, step) -> bool:
        """A step the current user may look at but not answer (desk mode only)."""
        return self.desk and (step.applicant_only or step.slug in self.read_only_steps)

    def register(self) -> WizardRoutes:
        name = self.name or self.wizard.name
        self.bp.add_url_rule(f"{self.prefix}/", f"{name}_tasks", policy(*self.rule)(self.tasks))
        self.bp.add_url_rule(f"{self.prefix}/check-answers", f"{name}_check", policy(*self.rule)(self.check))
        if not self.desk:  # a clerk never sends the application: the applicant does, after declaring
            submit = self.submit
            if self.submit_decorators:
                submit = _named(self.submit, f"{self.bp.name}_{name}_submit")  # the limiter keys on the name
                for decorate in self.submit_decorators:
                    submit = decorate(submit)
            self.bp.add_url_rule(f"{self.prefix}/submit", f"{name}_submit", policy(*self.rule)(submit),
                                 methods=["POST"])
        # GET for htmx while typing; POST for the no-JS 「入力内容で表示を更新する」 button, whose form carries
        # the CSRF token and every typed answer (never in a URL, history or server log).
        self.bp.add_url_rule(f"{self.prefix}/<slug>/check", f"{name}_live", policy(*self.rule)(self.live),
                             methods=["GET", "POST"])
        self.bp.add_url_rule(f"{self.prefix}/<slug>/panel", f"{name}_panel",
                             policy(PUBLIC, stateless=True)(self.stateless_panel))
        if self.desk:  # a denser page for phone work: every question of a section at once
            self.bp.add_url_rule(f"{self.prefix}/section/<key>", f"{name}_section", policy(*self.rule)(self.section),
                                 methods=["GET", "POST"])
        self.bp.add_url_rule(f"{self.prefix}/<slug>", f"{name}_step", policy(*self.rule)(self.step),
                             methods=["GET", "POST"])
        return self

    # ------------------------------------------------------------------ helpers
    def draft(self, *, create: bool = False):
        """The saved draft; GET requests never create one (GET changes no data), they see an empty,
        unsaved draft of version 0 instead."""
        owner_key, user_id = self.owner()
        existing = drafts.get(self.wizard.name, owner_key)
        if existing is not None:
            return existing
        initial = self.initial_answers() if self.initial_answers else None  # only for a new draft
        if create and self.desk:
            return drafts.get_or_create(self.wizard.name, owner_key, user_id, initial=initial,
                                        actor_id=self.actor(), on_behalf_of_id=self.on_behalf_of())
        if create:
            return drafts.get_or_create(self.wizard.name, owner_key, user_id, initial=initial)
        return drafts.unsaved(self.wizard.name, owner_key, user_id, initial=initial)

    def page_context(self, draft, step=None, **extra):
        """The page frame of every wizard page; for a step, also ``step_number`` (its place among the
        steps the answers show), computed here once for every step template."""
        done, total = self.wizard.progress(draft.answers)
        ctx = {"wizard": self.wizard, "routes": self, "draft": draft, "done": done, "total": total,
               "desk": self.desk, **extra}
        if step is not None:
            slugs = [s.slug for s in self.wizard.visible_steps(draft.answers)]
            ctx.update(step=step, step_number=slugs.index(step.slug) + 1 if step.slug in slugs else None)
        return ctx

    def _go(self, step) -> str:
        if step is None:
            return url_for(self.ep("check"))
        return url_for(self.ep("step"), slug=step.slug)

    # ------------------------------------------------------------------ views
    def _read_guarded(self):
        return self.read_guard() if self.read_guard is not None else None

    def tasks(self):
        if (instead := self._read_guarded()) is not None:
            return instead
        draft = self.draft()
        blocked = tuple(self.blocked_steps(draft.answers)) if self.blocked_steps is not None else ()
        return render_template(self.templates.get("tasks", "wizard/tasks.html"),
                               tasks=self.wizard.task_list(draft.answers, blocked),
                               finished=self.wizard.is_finished(draft.answers) and not blocked,
                               **self.page_context(draft))

    def step(self, slug: str):
        try:
            step = self.wizard.step(slug)
        except KeyError:
            abort(404)
        if request.method == "GET" and (instead := self._read_guarded()) is not None:
            return instead
        draft = self.draft(create=request.method == "POST")
        answers = draft.answers
        if not self.wizard.can_open(answers, slug):
            return redirect(self._go(self.wizard.first_incomplete_step(answers)), 303)
        returning = request.values.get("return") == "check"
        stored = Answers(answers).stored(slug)
        if self.is_read_only(step):
            return self._render_read_only(step, draft, status=200 if request.method == "GET" else 403)
        if request.method == "GET":
            kept_values = kept.take()
            form = step.form(formdata=kept_values) if kept_values is not None else refill(step.form, stored)
            return self.render_step(step, draft, form, returning)
        if self.write_guard is not None and (refused := self.write_guard()) is not None:
            return refused
        form = step.form(formdata=self._desk_formdata(step, stored)) if self.desk else step.form()
        form.answers = answers
        version = inputs.posted_version("draft_version")
        creator = self.actor() if self.desk else draft.user_id
        if version == 0 and draft.version == 1 and draft.updated_by_id == creator and \
                draft.created_at == draft.updated_at:
            version = 1  # the form was shown before the draft existed; it has just been created
        raw = raw_of(form)
        behalf = self.on_behalf_of() if self.desk else None
        changed = self._changed_fields(stored, raw) if self.desk else None
        try:
            if request.form.get("action") == "save":
                drafts.save(draft, version, self.wizard.with_partial(answers, slug, raw), slug=slug, raw=raw,
                            actor_id=self.actor(), on_behalf_of_id=behalf, action="draft.saved_for_later",
                            changed=changed)
                flash(_("Your answers have been saved. You can continue later from this page."), "success")
                return redirect(url_for(self.ep("tasks")), 303)
            if not form.validate():
                if self.desk and self._only_applicant_errors(step, form):
                    return self._save_for_applicant(step, draft, version, raw, changed)
                self._hide_applicant_errors(step, form)
                return self.render_step(step, draft, form, returning, status=422)
            new_answers = self.wizard.with_step(answers, slug, raw, data_of(form))
            if self.desk and changed:
                new_answers = self.wizard.without_declarations(new_answers)
            drafts.save(draft, version, new_answers, slug=slug, raw=raw, actor_id=self.actor(),
                        on_behalf_of_id=behalf, changed=changed)
        except Stale as stale:
            if request.form.get("action") == "save" or not drafts.is_repeat(draft, version, slug=slug, raw=raw,
                                                                              actor_id=self.actor()):
                return self._conflict(step, stale)
            new_answers = draft.answers  # a second tap: the first one saved exactly this
        if self.after_save is not None and (target := self.after_save(slug, new_answers)):
            return redirect(target, 303)
        if returning and self.wizard.is_finished(new_answers):
            return self._continue(draft, None)
        return self._continue(draft, self.wizard.next_step(new_answers, slug))

    # ------------------------------------------------------------------ desk mode (acting on behalf)
    def _desk_formdata(self, step, stored) -> MultiDict:
        """What the clerk posted, with every applicant-only field as the applicant left it: a clerk
        can neither give nor withdraw a declaration, whatever the request carries."""
        data = MultiDict([(k, v) for k, v in request.form.items(multi=True) if k not in step.applicant_fields])
        for name in step.applicant_fields:
            for value in (stored or {}).get(name) or []:
                data.add(name, value)
        return data

    @staticmethod
    def _changed_fields(stored, raw) -> list[str]:
        before = stored or {}
        return sorted(k for k in set(before) | set(raw) if (before.get(k) or []) != (raw.get(k) or []))

    @staticmethod
    def _only_applicant_errors(step, form) -> bool:
        return bool(step.applicant_fields) and set(form.errors) <= set(step.applicant_fields)

    def _hide_applicant_errors(self, step, form) -> None:
        if not self.desk:
            return
        for name in step.applicant_fields:
            if name in form:
                form[name].errors = []
        form._errors = None

    def _save_for_applicant(self, step, draft, version, raw, changed):
        """Everything the clerk could answer is valid, and a declaration of the applicant's is still
        missing: keep the answers as unfinished (the applicant completes the step) and go on."""
        answers = Answers(Answers(draft.answers).with_partial(step.slug, raw)).without_steps(step.slug)
        drafts.save(draft, version, answers, slug=step.slug, raw=raw, actor_id=self.actor(),
                    on_behalf_of_id=self.on_behalf_of(), action="draft.saved_for_applicant", changed=changed)
        flash(_("The answers have been saved. The applicant makes the declaration on this page themselves."),
              "success")
        return redirect(url_for(self.ep("tasks")), 303)

    # -- one page per section (desk mode): the same forms and rules, all steps of a section at once
    @staticmethod
    def _prefix(step) -> str:
        return f"{step.slug}--"

    def _section_steps(self, answers, key: str) -> list:
        return [s for s in self.wizard.visible_steps(answers) if s.section == key and not self.is_read_only(s)]

    def _section_form(self, step, answers, *, posted: bool):
        """The step's form under a prefix; posted: the clerk's values (applicant-only fields as the
        applicant left them), else the stored answers."""
        prefix = self._prefix(step)
        stored = Answers(answers).stored(step.slug)
        if posted:
            data = MultiDict([(k, v) for k, v in request.form.items(multi=True)
                              if k.startswith(prefix) and k[len(prefix):] not in step.applicant_fields])
            for name in step.applicant_fields:
                for value in (stored or {}).get(name) or []:
                    data.add(prefix + name, value)
        else:
            data = MultiDict([(prefix + k, v) for k, vs in (stored or {}).items() for v in vs])
        form = step.form(formdata=data if (posted or stored) else None, prefix=prefix, meta={"csrf": False})
        form.answers = answers
        return form, stored

    def section(self, key: str):
        if key not in {s.key for s in self.wizard.sections}:
            abort(404)
        draft = self.draft(create=request.method == "POST")
        answers = draft.answers
        steps = self._section_steps(answers, key)
        if not steps:
            abort(404)
        if not self.wizard.can_open(answers, steps[0].slug):
            return redirect(self._go(self.wizard.first_incomplete_step(answers)), 303)
        if request.method == "GET":
            forms = [(s, self._section_form(s, answers, posted=False)[0]) for s in steps]
            return self._render_section(key, draft, forms)
        if self.write_guard is not None and (refused := self.write_guard()) is not None:
            return refused
        version = inputs.posted_version("draft_version")
        creator = self.actor()
        if version == 0 and draft.version == 1 and draft.updated_by_id == creator and \
                draft.created_at == draft.updated_at:
            version = 1
        new_answers, forms, changed, failed, waiting = dict(answers), [], [], False, []
        for step in steps:
            if not step.show_if(new_answers):
                continue
            form, stored = self._section_form(step, new_answers, posted=True)
            raw = {k[len(self._prefix(step)):]: v for k, v in raw_of(form).items()}
            forms.append((step, form))
            step_changed = self._changed_fields(stored, raw)
            changed += [f"{step.slug}:{name}" for name in step_changed]
            if form.validate():
                prefix = self._prefix(step)
                data = {k[len(prefix):] if k.startswith(prefix) else k: v for k, v in data_of(form).items()}
                new_answers = self.wizard.with_step(new_answers, step.slug, raw, data)
            elif self._only_applicant_errors(step, form):
                new_answers = Answers(Answers(new_answers).with_partial(step.slug, raw)).without_steps(step.slug)
                waiting.append(step)
            else:
                failed = True
            self._hide_applicant_errors(step, form)
        if failed:
            return self._render_section(key, draft, forms, status=422)
        if changed:
            new_answers = self.wizard.without_declarations(new_answers)
        try:
            drafts.save(draft, version, new_answers, slug=f"section:{key}", raw={}, actor_id=self.actor(),
                        on_behalf_of_id=self.on_behalf_of(), action="draft.section_saved", changed=changed)
        except Stale as stale:
            draft = stale.detail["draft"]
            return conflict(stale, render=lambda: self._render_section(key, draft, forms, status=409))
        if self.after_save is not None:
            for step, _form in forms:
                if target := self.after_save(step.slug, new_answers):
                    return redirect(target, 303)
        if waiting:
            flash(_("The answers have been saved. The applicant makes the declaration on this page themselves."),
                  "success")
        nxt = self.wizard.first_incomplete_step(new_answers)
        if nxt is not None and not self.is_read_only(nxt) and not waiting:
            return redirect(url_for(self.ep("section"), key=nxt.section), 303)
        return redirect(url_for(self.ep("tasks")), 303)

    def _render_section(self, key, draft, forms, status=200):
        section = next(s for s in self.wizard.sections if s.key == key)
        saved = []
        if status == 409:  # what is saved now, beside what the clerk typed (kept in the forms)
            for step, _form in forms:
                stored = Answers(draft.answers).raw(step.slug) or None
                saved.append((step, summary_rows(refill(step.form, stored))))
        return render_template(self.templates.get("section", "wizard/step.html"), section=section, forms=forms,
                               saved=saved, conflict=status == 409, **self.page_context(draft)), status

    def _render_read_only(self, step, draft, status=200):
        return render_template(self.templates.get("read_only", "wizard/step.html"), step=step,
                               complete=self.wizard.is_complete(draft.answers, step.slug),
                               back_url=url_for(self.ep("tasks")), **self.page_context(draft)), status

    def _continue(self, draft, next_step):
        """After a save: POST-redirect-GET; for a boosted (htmx) POST, answer with the next page itself
        and ``HX-Push-Url``, so a step costs one round trip on a slow link."""
        url = self._go(next_step)
        if not htmx.is_boosted():
            return redirect(url, 303)
        if next_step is None:
            body, status = self._check_page(draft), 200
        elif self.is_read_only(next_step):
            body, status = self._render_read_only(next_step, draft)
        else:
            stored = Answers(draft.answers).stored(next_step.slug)
            body, status = self.render_step(next_step, draft, refill(next_step.form, stored), False)
        if not isinstance(body, str):  # _check_page redirected (blocked or incomplete)
            return body
        return htmx.push_url(make_response(body, status), url)

    @staticmethod
    def _values(form) -> dict:
        return {f.name: (f.raw_data[0] if f.raw_data else "") for f in form}

    def _panel(self, step, draft, form) -> dict | None:
        if step.panel is None:
            return None
        # Extra inputs of the panel itself (e.g. a choice among several towns) come with the form.
        values = {k: v for k, v in request.values.items() if k not in ("csrf_token", "draft_version")}
        return step.panel({**values, **self._values(form)}, draft.answers)

    def live(self, slug: str):
        """Live feedback: run the rules on the values typed so far.  Saves nothing.  htmx gets the
        panel fragment; without JavaScript (the 「判定する」 button) the whole step page comes back
        with the typed values kept and the panel filled in.  That button posts (the whole form, CSRF
        token included, so nothing typed goes into a URL); the page comes back on the POST itself (nothing
        is saved, so there is nothing to redirect to) and its 次へ進む posts to the step as usual."""
        try:
            step = self.wizard.step(slug)
        except KeyError:
            abort(404)
        if step.panel is None:
            abort(404)
        draft = self.draft()
        if not self.wizard.can_open(draft.answers, slug):
            return redirect(self._go(self.wizard.first_incomplete_step(draft.answers)), 303)
        form = step.form(formdata=request.form if request.method == "POST" else request.args)
        panel = self._panel(step, draft, form)
        filled = step.prefill(form, panel) if step.prefill else []
        if htmx.is_partial():
            return render_template(step.panel_template, panel=panel, step=step, form=form, filled=filled,
                                   fragment=True)
        return self.render_step(step, draft, form, request.values.get("return") == "check", panel=panel)

    def stateless_panel(self, slug: str):
        """The live panel for htmx from the query string alone (see ``Step.panel_context``): the same
        fragment as .../check, but no login, draft or session is touched."""
        try:
            step = self.wizard.step(slug)
        except KeyError:
            abort(404)
        if step.panel is None or step.panel_context is None:
            abort(404)
        form = step.form(formdata=request.args, meta={"csrf": False})
        values = {k: v for k, v in request.args.items() if k not in ("csrf_token", "draft_version")}
        panel = step.panel({**values, **self._values(form)}, {})
        filled = step.prefill(form, panel) if step.prefill else []
        # Rendered without the context processors: flask-login's would load the user (one SQL query).
        template = current_app.jinja_env.get_template(step.panel_template)
        return template.render(panel=panel, step=step, form=form, filled=filled, fragment=True)

    def render_step(self, step, draft, form, returning, status=200, panel=None, context=None):
        """``context``: the step's extra context when it is not ``step.context(answers)`` (e.g. a
        documents step with the upload form that failed)."""
        previous = self.wizard.previous_step(draft.answers, step.slug)
        back = url_for(self.ep("check")) if returning else (
            url_for(self.ep("step"), slug=previous.slug) if previous else url_for(self.ep("tasks")))
        extra = context if context is not None else (step.context(draft.answers) if step.context else {})
        return render_template(step.template, form=form, back_url=back, returning=returning,
                               panel=panel if panel is not None else self._panel(step, draft, form),
                               **self.page_context(draft, step=step, **extra)), status

    def _conflict(self, step, stale: Stale):
        """The draft's 409 page: what this person entered beside what is saved now (both versions)."""
        def render():
            draft, submitted_raw = stale.detail["draft"], stale.detail["submitted_raw"]
            saved_raw = Answers(draft.answers).raw(step.slug) or None
            yours = summary_rows(refill(step.form, submitted_raw))
            theirs = summary_rows(refill(step.form, saved_raw))
            form = refill(step.form, submitted_raw)
            return render_template("wizard/conflict.html", step=step, yours=yours, theirs=theirs, form=form,
                                   **self.page_context(draft))
        return conflict(stale, render=render)

    def check(self):
        if (instead := self._read_guarded()) is not None:
            return instead
        return self._check_page(self.draft())

    def _check_page(self, draft):
        if self.desk:  # what the clerk entered, and what is left for the applicant; never a submit
            remaining = [s for s in self.wizard.visible_steps(draft.answers)
                         if not self.wizard.is_complete(draft.answers, s.slug)]
            sections = [(section, [r for r in rows if r[0].slug not in self.read_only_steps])
                        for section, rows in self.answer_sections(draft.answers)]
            return render_template(self.templates.get("check", "wizard/check.html"), sections=sections,
                                   remaining=remaining, **self.page_context(draft))
        first = self.wizard.first_incomplete_step(draft.answers)
        if first is not None:
            return redirect(self._go(first), 303)
        if self.blocker is not None and (target := self.blocker(draft.answers)):
            return redirect(target, 303)
        sections = self.answer_sections(draft.answers)
        return render_template("wizard/check.html", sections=sections, token=draft.answers.get("token"),
                               **self.page_context(draft))

    def answer_sections(self, answers, *, complete_only: bool = False):
        """The answered steps of this wizard, by section (dxapp.wizard.forms.answer_sections)."""
        return answer_sections(self.wizard, answers, complete_only=complete_only)

    def submit(self):
        if self.desk:
            abort(403)
        token = request.form.get("submit_token", "")
        owner_key, _user_id = self.owner()
        existing = drafts.find_submission(self.wizard.name, owner_key, token) if token else None
        if existing is not None:
            return self._done(self._reference(existing))
        draft = drafts.get(self.wizard.name, owner_key)
        if draft is None or not token:
            return redirect(url_for(self.ep("tasks")), 303)
        first = self.wizard.first_incomplete_step(draft.answers)
        if first is not None:
            return redirect(self._go(first), 303)
        if self.blocker is not None and (target := self.blocker(draft.answers)):
            return redirect(target, 303)
        if self.write_guard is not None and (refused := self.write_guard()) is not None:
            return refused
        try:
            submission, _created = drafts.submit(draft, token, self.on_submit,
                                                 reference_prefix=self.reference_prefix)
        except ValueError:
            abort(400)
        return self._done(self._reference(submission))

    def _reference(self, submission) -> str:
        return self.done_reference(submission) if self.done_reference is not None else submission.reference

    def _done(self, reference: str):
        """The confirmation page: redirect (PRG); for a boosted POST, the page itself and HX-Push-Url."""
        url = url_for(self.done_endpoint, reference=reference)
        if not htmx.is_boosted():
            return redirect(url, 303)
        view = current_app.view_functions[self.done_endpoint]
        return htmx.push_url(make_response(view(reference=reference)), url)
