"""E-mail through the outbox.

``enqueue`` adds a row in the caller's transaction, so a message exists exactly when the change that
caused it was committed.  The worker (dxapp/worker.py, ``flask outbox send``) sends them.

Every mail goes out in its recipient's language (issue 11 item 21): the account's preference
(``User.locale``, set by the language switch), Japanese by default and for addresses without an
account unless the caller knows better (``language=``).  A mail's Japanese text is
``templates/mail/<name>.txt`` with the subject given by the caller; another language has
``templates/mail/<lang>/<name>.txt``, whose first line ``Subject: ...`` is its subject.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import func, select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import OutboxMessage, User

#: Every subject starts with the program's name: people know the program, not the system's name.
SUBJECT_PREFIX = "【中小企業デジタル化応援隊事業】"
SUBJECT_PREFIXES = {"ja": SUBJECT_PREFIX, "en": "[SME Digitalization Support Corps] "}
LANGUAGES = ("ja", "en")


def language_of(recipient: str) -> str:
    """The language of the account with this address, Japanese by default."""
    locale = db.session.scalar(select(User.locale).where(func.lower(User.email) == recipient.lower()))
    return locale if locale in LANGUAGES else "ja"


def _english_status(context: dict) -> dict:
    """The official Japanese status name a caller passes (rules.application.STATUS_LABELS) as the UI's
    label of the same status (dxapp.labels), which reads in the locale being rendered."""
    from dxapp.labels import STATUS_LABELS as SHOWN
    from dxapp.rules.application import STATUS_LABELS as OFFICIAL

    label = context.get("status_label")
    code = next((c for c, name in OFFICIAL.items() if name == label), None)
    return {**context, "status_label": SHOWN[code]} if code in SHOWN else context


def enqueue(recipient: str, kind: str, subject: str, template: str, *, language: str | None = None,
            **context) -> OutboxMessage:
    language = language if language in LANGUAGES else language_of(recipient)
    if language != "ja":
        name = f"mail/{language}/{template}"
        try:
            current_app.jinja_env.get_template(name)
        except TemplateNotFound:
            language = "ja"
    if language == "ja":
        body = render_template(f"mail/{template}", **context)
    else:
        with force_locale(language):
            body = render_template(name, **_english_status(context))
        first, _newline, body = body.partition("\n")
        subject = first.removeprefix("Subject:").strip() if first.startswith("Subject:") else subject
    message = OutboxMessage(
        created_at=clock.wall_now(), recipient=recipient,
        subject=(SUBJECT_PREFIXES[language] + subject)[:200], body=body, kind=kind,
    )
    db.session.add(message)
    return message


#: Mails that anyone can make the program send to an address (sign-up, a contact person's invitation,
#: the notices for an address that has an account): at most this many per address in a day, whoever
#: asks and from wherever (issue 11 item 25; the per-client limits are the routes').
UNSOLICITED_PER_DAY = 3


def sent_recently(recipient: str, kinds: tuple[str, ...], *, hours: int = 24) -> int:
    """How many messages of these kinds went to ``recipient`` in the last ``hours`` (wall time)."""
    since = clock.wall_now() - timedelta(hours=hours)
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        func.lower(OutboxMessage.recipient) == recipient.lower(), OutboxMessage.kind.in_(kinds),
        OutboxMessage.created_at >= since)) or 0


def may_send_unsolicited(recipient: str, kinds: tuple[str, ...], per_day: int = UNSOLICITED_PER_DAY) -> bool:
    """Whether one more such mail may go to ``recipient`` today (see ``UNSOLICITED_PER_DAY``)."""
    return sent_recently(recipient, kinds) < per_day
