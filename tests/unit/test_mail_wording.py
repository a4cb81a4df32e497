"""E-mails name the program, never the system (issue 11 item 13): users know 「中小企業デジタル化応援隊事業」,
not "dxapp"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import ChainableUndefined

import dxapp

MAIL = Path(dxapp.__file__).resolve().parent / "templates" / "mail"
SOURCES = Path(dxapp.__file__).resolve().parent


@pytest.mark.parametrize("template", sorted([p.name for p in MAIL.glob("*.txt")]
                                            + [f"en/{p.name}" for p in (MAIL / "en").glob("*.txt")]))
def test_no_mail_body_names_the_system(app, template):
    app.jinja_env.undefined = ChainableUndefined  # render with whatever the context lacks left empty
    with app.test_request_context("/"):
        body = app.jinja_env.get_template(f"mail/{template}").render()
    assert "dxapp" not in body.lower(), body


def test_every_subject_starts_with_the_programs_name(app):
    from dxapp.extensions import db
    from dxapp.services import outbox

    with app.test_request_context("/"):
        message = outbox.enqueue("a@example.jp", "test", "メールアドレスの確認をお願いします", "verify_email.txt",
                                 user={"name": "山田"}, link="http://localhost/x")
        db.session.flush()
        assert message.subject == "【中小企業デジタル化応援隊事業】メールアドレスの確認をお願いします"
        db.session.rollback()


def test_no_service_writes_the_system_name_into_a_subject():
    found = [f"{p.relative_to(SOURCES)}:{n}" for p in SOURCES.rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"""f?["']dxapp[:：]""", line)]
    assert not found, found


INVITATIONS = ("contact_invitation.txt", "supporter_admin_invitation.txt", "supporter_expert_invitation.txt",
               "supporter_expert_join.txt", "supporter_add_notice.txt", "contact_add_notice.txt")
HOSTILE = "【重要】不正ログインを検知しました。至急 0120-000-000 へ"


@pytest.mark.parametrize("template", [*INVITATIONS, *(f"en/{t}" for t in INVITATIONS)])
def test_text_typed_by_other_users_stays_out_of_the_first_lines(app, template):
    """Issue 11 item 25: invitations go out from the official sender with names another user typed; the
    first lines (what a mail client previews) are the program's own words, and the typed text comes later,
    labelled as typed by the inviting user."""
    person = {"name": HOSTILE, "organisation": {"name": HOSTILE}}
    with app.test_request_context("/"):
        body = app.jinja_env.get_template(f"mail/{template}").render(
            contact=person, user=person, inviter=person, organisation={"name": HOSTILE}, link="https://x/y",
            what="expert")
    lines = [line for line in body.splitlines() if line.strip()]
    if template.startswith("en/"):  # English (issue 11 item 21): the subject line, then the same order
        assert lines[0].startswith("Subject: ") and HOSTILE not in lines[0]
        lines = lines[1:]
        assert lines[0].startswith("This is a notice from the SME Digitalization Support Corps secretariat")
        assert "entered it" in body
    else:
        assert lines[0].startswith("中小企業デジタル化応援隊事業 事務局からのお知らせです")
        assert "入力したもの" in body
    assert not any(HOSTILE in line for line in lines[:3]), lines[:3]
    assert HOSTILE in body  # still there, further down, as what the inviter entered
