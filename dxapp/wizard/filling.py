"""``Wizard.fill``: answers built from plain values by the steps' own forms (demo data, test factories),
so stored answers are always what a user's POST would have stored: no hand-built answers JSON."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from datetime import date

from werkzeug.datastructures import MultiDict

from dxapp.wizard import Answers, InvalidAnswers
from dxapp.wizard.forms import data_of, raw_of


def formdata(values: Mapping) -> MultiDict:
    """Plain values as a POST body: a list gives one entry per item, True a ticked box ("y"), False and
    None nothing, a date the 年/月/日 boxes of an ``EraDateField`` (western calendar)."""
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        if value is None or value is False:
            continue
        if value is True:
            pairs.append((name, "y"))
        elif isinstance(value, date):
            pairs += [(f"{name}-era", "western"), (f"{name}-year", str(value.year)),
                      (f"{name}-month", str(value.month)), (f"{name}-day", str(value.day))]
        elif isinstance(value, list | tuple | set | frozenset):
            pairs += [(name, str(v)) for v in value]
        else:
            pairs.append((name, str(value)))
    return MultiDict(pairs)


@contextmanager
def _request(user):
    """The forms need a request (gettext, WTForms meta, the current user of a documents step)."""
    from flask import current_app, has_request_context

    if has_request_context() and user is None:
        yield
        return
    with current_app.test_request_context("/"):
        if user is not None:
            from flask_login import login_user

            login_user(user)
        yield


def fill(wizard, values: Mapping[str, Mapping], *, start: Mapping | None = None, user=None,
         complete: bool = True) -> dict:
    answers = Answers(start).to_dict() if start is not None else Answers.empty()
    with _request(user):
        for slug, typed in values.items():
            step = wizard.step(slug)
            if not step.show_if(answers):
                raise InvalidAnswers(slug, {"step": ["not shown for these answers"]})
            form = step.form(formdata=formdata(typed), meta={"csrf": False})
            form.answers = answers
            if not form.validate():
                raise InvalidAnswers(slug, form.errors)
            answers = Answers(answers).with_step(slug, raw_of(form), data_of(form))
    if complete and (missing := wizard.first_incomplete_step(answers)) is not None:
        raise InvalidAnswers(missing.slug, {"step": ["not answered"]})
    return answers
