"""Routes of a wizard, registered on a blueprint: task list, one page per step, check your answers,
one-time submit.  Views stay thin: the engine decides navigation, services save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from dxapp import htmx, kept
from dxapp.access import PUBLIC, policy
from dxapp.services import drafts
from dxapp.wizard import Wizard
from dxapp.wizard.forms import data_of, raw_of, refill, summary_rows


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
    # Answers to start a new draft with (e.g. a returned application, Phase I carry-over).
    initial_answers: Callable[[], dict | None] | None = None

    def ep(self, name: str) -> str:
        return f"{self.bp.name}.{self.wizard.name}_{name}"

    def register(self) -> WizardRoutes:
        name = self.wizard.name
        self.bp.add_url_rule(f"{self.prefix}/", f"{name}_tasks", policy(*self.rule)(self.tasks))
        self.bp.add_url_rule(f"{self.prefix}/check-answers", f"{name}_check", policy(*self.rule)(self.check))
        self.bp.add_url_rule(f"{self.prefix}/submit", f"{name}_submit", policy(*self.rule)(self.submit),
                             methods=["POST"])
        self.bp.add_url_rule(f"{self.prefix}/<slug>/check", f"{name}_live", policy(*self.rule)(self.live))
        self.bp.add_url_rule(f"{self.prefix}/<slug>/panel", f"{name}_panel",
                             policy(PUBLIC, stateless=True)(self.stateless_panel))
        self.bp.add_url_rule(f"{self.prefix}/<slug>", f"{name}_step", policy(*self.rule)(self.step),
                             methods=["GET", "POST"])
        return self

    # ------------------------------------------------------------------ helpers
    def _draft(self, *, create: bool = False):
        """The saved draft; GET requests never create one (GET changes no data), they see an empty,
        unsaved draft of version 0 instead."""
        owner_key, user_id = self.owner()
        existing = drafts.get(self.wizard.name, owner_key)
        if existing is not None:
            return existing
        initial = self.initial_answers() if self.initial_answers else None  # only for a new draft
        if create:
            return drafts.get_or_create(self.wizard.name, owner_key, user_id, initial=initial)
        return drafts.unsaved(self.wizard.name, owner_key, user_id, initial=initial)

    def _ctx(self, draft, **extra):
        done, total = self.wizard.progress(draft.answers)
        return {"wizard": self.wizard, "routes": self, "draft": draft, "done": done, "total": total, **extra}

    def _go(self, step) -> str:
        if step is None:
            return url_for(self.ep("check"))
        return url_for(self.ep("step"), slug=step.slug)

    # ------------------------------------------------------------------ views
    def tasks(self):
        draft = self._draft()
        return render_template("wizard/tasks.html", tasks=self.wizard.task_list(draft.answers),
                               finished=self.wizard.is_finished(draft.answers), **self._ctx(draft))

    def step(self, slug: str):
        try:
            step = self.wizard.step(slug)
        except KeyError:
            abort(404)
        draft = self._draft(create=request.method == "POST")
        answers = draft.answers
        if not self.wizard.can_open(answers, slug):
            return redirect(self._go(self.wizard.first_incomplete_step(answers)), 303)
        returning = request.values.get("return") == "check"
        stored = (answers.get("steps") or {}).get(slug, {}).get("raw") or (answers.get("partial") or {}).get(slug)
        if request.method == "GET":
            kept_values = kept.take()
            form = step.form(formdata=kept_values) if kept_values is not None else refill(step.form, stored)
            return self._render_step(step, draft, form, returning)
        if self.write_guard is not None and (refused := self.write_guard()) is not None:
            return refused
        form = step.form()
        form.answers = answers
        try:
            version = int(request.form.get("draft_version", ""))
        except ValueError:
            abort(400)
        if version == 0 and draft.version == 1 and draft.updated_by_id == draft.user_id and \
                draft.created_at == draft.updated_at:
            version = 1  # the form was shown before the draft existed; it has just been created
        raw = raw_of(form)
        try:
            if request.form.get("action") == "save":
                drafts.save(draft, version, self.wizard.with_partial(answers, slug, raw), slug=slug, raw=raw,
                            actor_id=self.actor(), action="draft.saved_for_later")
                flash(_("Your answers have been saved. You can continue later from this page."), "success")
                return redirect(url_for(self.ep("tasks")), 303)
            if not form.validate():
                return self._render_step(step, draft, form, returning, status=422)
            new_answers = self.wizard.with_step(answers, slug, raw, data_of(form))
            drafts.save(draft, version, new_answers, slug=slug, raw=raw, actor_id=self.actor())
        except drafts.StaleDraft as stale:
            return self._conflict(step, stale)
        if self.after_save is not None and (target := self.after_save(slug, new_answers)):
            return redirect(target, 303)
        if returning and self.wizard.is_finished(new_answers):
            return self._continue(draft, None)
        return self._continue(draft, self.wizard.next_step(new_answers, slug))

    def _continue(self, draft, next_step):
        """After a save: POST-redirect-GET; for a boosted (htmx) POST, answer with the next page itself
        and ``HX-Push-Url``, so a step costs one round trip on a slow link."""
        url = self._go(next_step)
        if not htmx.is_boosted():
            return redirect(url, 303)
        if next_step is None:
            body, status = self._check_page(draft), 200
        else:
            stored = (draft.answers.get("steps") or {}).get(next_step.slug, {}).get("raw") or \
                (draft.answers.get("partial") or {}).get(next_step.slug)
            body, status = self._render_step(next_step, draft, refill(next_step.form, stored), False)
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
        with the typed values kept and the panel filled in."""
        try:
            step = self.wizard.step(slug)
        except KeyError:
            abort(404)
        if step.panel is None:
            abort(404)
        draft = self._draft()
        if not self.wizard.can_open(draft.answers, slug):
            return redirect(self._go(self.wizard.first_incomplete_step(draft.answers)), 303)
        form = step.form(formdata=request.args)
        panel = self._panel(step, draft, form)
        filled = step.prefill(form, panel) if step.prefill else []
        if htmx.is_partial():
            return render_template(step.panel_template, panel=panel, step=step, form=form, filled=filled,
                                   fragment=True)
        return self._render_step(step, draft, form, request.args.get("return") == "check", panel=panel)

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

    def _render_step(self, step, draft, form, returning, status=200, panel=None):
        previous = self.wizard.previous_step(draft.answers, step.slug)
        back = url_for(self.ep("check")) if returning else (
            url_for(self.ep("step"), slug=previous.slug) if previous else url_for(self.ep("tasks")))
        extra = step.context(draft.answers) if step.context else {}
        return render_template(step.template, step=step, form=form, back_url=back, returning=returning,
                               has_errors=bool(form.errors),
                               panel=panel if panel is not None else self._panel(step, draft, form),
                               **self._ctx(draft, **extra)), status

    def _conflict(self, step, stale: drafts.StaleDraft):
        saved_raw = (stale.draft.answers.get("steps") or {}).get(step.slug, {}).get("raw")
        yours = summary_rows(refill(step.form, stale.submitted_raw))
        theirs = summary_rows(refill(step.form, saved_raw))
        form = refill(step.form, stale.submitted_raw)
        return render_template("wizard/conflict.html", step=step, yours=yours, theirs=theirs, form=form,
                               **self._ctx(stale.draft)), 409

    def check(self):
        return self._check_page(self._draft())

    def _check_page(self, draft):
        first = self.wizard.first_incomplete_step(draft.answers)
        if first is not None:
            return redirect(self._go(first), 303)
        if self.blocker is not None and (target := self.blocker(draft.answers)):
            return redirect(target, 303)
        sections = self.answer_sections(draft.answers)
        return render_template("wizard/check.html", sections=sections, token=draft.answers.get("token"),
                               **self._ctx(draft))

    def answer_sections(self, answers, *, complete_only: bool = False):
        """[(section, [(step, field id, label, shown value)])] for every visible step answered."""
        sections = []
        for section in self.wizard.sections:
            rows = []
            for step in self.wizard.visible_steps(answers):
                if step.section != section.key or step.slug not in (answers.get("steps") or {}):
                    continue
                if complete_only and not self.wizard.is_complete(answers, step.slug):
                    continue
                form = refill(step.form, answers["steps"][step.slug]["raw"])
                for field_id, label, value in summary_rows(form):
                    rows.append((step, field_id, label, value))
            if rows:
                sections.append((section, rows))
        return sections

    def submit(self):
        token = request.form.get("submit_token", "")
        owner_key, _user_id = self.owner()
        existing = drafts.find_submission(self.wizard.name, owner_key, token) if token else None
        if existing is not None:
            return self._done(existing.reference)
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
        return self._done(submission.reference)

    def _done(self, reference: str):
        """The confirmation page: redirect (PRG); for a boosted POST, the page itself and HX-Push-Url."""
        url = url_for(self.done_endpoint, reference=reference)
        if not htmx.is_boosted():
            return redirect(url, 303)
        view = current_app.view_functions[self.done_endpoint]
        return htmx.push_url(make_response(view(reference=reference)), url)
