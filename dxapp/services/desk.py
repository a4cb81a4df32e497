"""Desk-assisted entry (issue 6): support codes, desk grants, registrations started for a caller.

A clerk never holds an applicant's password.  Either the applicant reads a short code from their My
Page (valid 30 minutes, single use, stored only as a keyed hash), or the clerk starts a registration
for a new caller (an account with no password).  Both give the clerk a *grant*: the right to edit that
applicant's draft of one wizard for a limited time.  Every change made with a grant is audited with the
clerk as actor and the applicant as on-behalf-of.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import AuditEvent, DeskGrant, Organisation, SupportCode, User
from dxapp.services import accounts, audit, outbox

# No 0/O, 1/I/L: read aloud over the phone without confusion.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_MINUTES = 30
GRANT_MINUTES = 120
DRAFT_ACTIONS = ("draft.created", "draft.step_saved", "draft.saved_for_later", "draft.saved_for_applicant",
                 "draft.section_saved")


@dataclass(frozen=True)
class DeskWizard:
    """A wizard the desk can enter answers in, for accounts of ``role``."""

    role: str
    wizard: str
    owner_key: object  # (user) -> owner key of the draft

    def key_for(self, user: User) -> str:
        return self.owner_key(user)


# role -> DeskWizard; create_app registers one per procedure with desk-assisted entry (dxapp.procedures).
WIZARDS: dict[str, DeskWizard] = {}


def register_wizard(role: str, wizard: str, owner_key) -> None:
    WIZARDS[role] = DeskWizard(role=role, wizard=wizard, owner_key=owner_key)


class CodeRefused(Exception):
    """Wrong, expired, used, or another applicant's code (one message for all: no oracle)."""


class DeskError(ValueError):
    pass


# ---------------------------------------------------------------------------------------------- codes

def normalise_code(text: str) -> str:
    """What was read over the phone: full-width, lower case, spaces and dashes all accepted."""
    text = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(ch for ch in text if ch.isalnum())


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _hash(user_id: int, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"desk-support:{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(user: User) -> tuple[SupportCode, str]:
    """A new code for ``user`` (any earlier unused code stops working).  Returns (row, plain code);
    the plain code is shown once to the user and never stored."""
    if user.role not in WIZARDS:
        raise DeskError(user.role)
    now = clock.wall_now()
    db.session.execute(
        update(SupportCode).where(SupportCode.user_id == user.id, SupportCode.used_at.is_(None),
                                  SupportCode.expires_at > now)
        .values(expires_at=now).execution_options(synchronize_session=False)
    )
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    row = SupportCode(user_id=user.id, code_hash=_hash(user.id, code), created_at=now,
                      expires_at=now + timedelta(minutes=CODE_MINUTES))
    db.session.add(row)
    db.session.flush()
    audit.record("desk.support_code_issued", "desk_support_code", row.id, actor=user)
    db.session.flush()
    return row, code


def code_is_live(code_id: int | None, user: User) -> SupportCode | None:
    """The user's code ``code_id`` while it can still be used (for showing it on My Page)."""
    if not code_id:
        return None
    return db.session.scalar(select(SupportCode).where(
        SupportCode.id == code_id, SupportCode.user_id == user.id, SupportCode.used_at.is_(None),
        SupportCode.expires_at > clock.wall_now()))


def redeem(*, clerk: User, email: str, code: str) -> DeskGrant:
    """The clerk types the applicant's e-mail address and the code they read out.  A matching, unused,
    unexpired code of that applicant is used up (conditional UPDATE) and becomes a grant."""
    user = accounts.find_by_email(email or "")
    typed = normalise_code(code)
    now = clock.wall_now()
    match = None
    if user is not None and user.active and user.role in WIZARDS and len(typed) == CODE_LENGTH:
        expected = _hash(user.id, typed)
        for row in db.session.scalars(select(SupportCode).where(
                SupportCode.user_id == user.id, SupportCode.used_at.is_(None), SupportCode.expires_at > now)):
            if hmac.compare_digest(row.code_hash, expected):
                match = row
    if match is not None:
        used = db.session.execute(
            update(SupportCode).where(SupportCode.id == match.id, SupportCode.used_at.is_(None))
            .values(used_at=now, used_by_id=clerk.id).execution_options(synchronize_session=False)
        ).rowcount
        if not used:
            match = None
    if match is None:  # the refusal is audited: the view answers 422 and the boundary commits it
        audit.record("desk.support_code_refused", "user", user.id if user else None, actor=clerk)
        db.session.flush()
        raise CodeRefused()
    grant = _grant(clerk, user, origin="code")
    audit.record("desk.support_code_redeemed", "desk_grant", grant.id, actor=clerk, on_behalf_of=user,
                 summary={"code_id": match.id, "wizard": grant.wizard})
    db.session.flush()
    return grant


# ---------------------------------------------------------------------------------------------- grants

def _grant(clerk: User, user: User, *, origin: str) -> DeskGrant:
    spec = WIZARDS[user.role]
    now = clock.wall_now()
    grant = DeskGrant(clerk_id=clerk.id, applicant_id=user.id, wizard=spec.wizard, owner_key=spec.key_for(user),
                      origin=origin, created_at=now, expires_at=now + timedelta(minutes=GRANT_MINUTES))
    db.session.add(grant)
    db.session.flush()
    return grant


def active_grant(grant_id: int, clerk: User, wizard: str | None = None) -> DeskGrant | None:
    """The clerk's own grant while it lasts (another clerk's grant is not found: 404)."""
    query = select(DeskGrant).join(User, User.id == DeskGrant.applicant_id).where(
        DeskGrant.id == grant_id, DeskGrant.clerk_id == clerk.id, DeskGrant.ended_at.is_(None),
        DeskGrant.expires_at > clock.wall_now(), User.active.is_(True))
    if wizard is not None:
        query = query.where(DeskGrant.wizard == wizard)
    return db.session.scalar(query)


def active_grants(clerk: User) -> list[DeskGrant]:
    return list(db.session.scalars(select(DeskGrant).where(
        DeskGrant.clerk_id == clerk.id, DeskGrant.ended_at.is_(None), DeskGrant.expires_at > clock.wall_now())
        .order_by(DeskGrant.id.desc()).limit(20)))


def end_grant(grant: DeskGrant, clerk: User) -> None:
    changed = db.session.execute(
        update(DeskGrant).where(DeskGrant.id == grant.id, DeskGrant.ended_at.is_(None))
        .values(ended_at=clock.wall_now()).execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        audit.record("desk.grant_ended", "desk_grant", grant.id, actor=clerk, on_behalf_of=grant.applicant_id)
    db.session.flush()


# ---------------------------------------------------------------------------------------------- new callers

def start_new(*, clerk: User, role: str, name: str, email: str, organisation_name: str | None = None) -> DeskGrant:
    """An account for a caller (no password, e-mail not yet confirmed) and a grant to enter their answers.
    The applicant later sets a password from the e-mailed link, accepts the terms and submits."""
    if role not in WIZARDS:
        raise DeskError(role)
    email = accounts.normalise_email(email)
    if accounts.find_by_email(email) is not None:
        raise DeskError("exists")
    now = clock.wall_now()
    organisation = None
    if role == "sme":
        organisation = Organisation(kind="sme", name=(organisation_name or "").strip() or None, created_at=now)
        db.session.add(organisation)
    user = User(email=email, name=name.strip(), role=role, password_hash=None, organisation=organisation,
                session_token=accounts.new_session_token(), created_at=now, totp_last_counter=0, active=True)
    db.session.add(user)
    db.session.flush()
    audit.record("desk.applicant_created", "user", user.id, actor=clerk, on_behalf_of=user, summary={"role": role})
    grant = _grant(clerk, user, origin="new")
    db.session.flush()
    return grant


def send_invitation(grant: DeskGrant, clerk: User) -> None:
    """The e-mail with a link to choose a password (then: log in, review, accept the terms, submit)."""
    user = db.session.get(User, grant.applicant_id)
    if user.password_hash is not None:
        raise DeskError("has_password")
    outbox.enqueue(user.email, "desk-invitation", "申請の続きとパスワード設定のお願い", "desk_invitation.txt",
                   user=user, link=accounts.reset_link(user))
    audit.record("desk.invitation_sent", "user", user.id, actor=clerk, on_behalf_of=user)
    db.session.flush()


# ---------------------------------------------------------------------------------------------- My Page

def desk_edits(user: User, limit: int = 20) -> list[AuditEvent]:
    """Changes the desk made to drafts on behalf of this user (or of a member of their organisation),
    newest first: what the applicant sees on My Page."""
    if user.organisation_id is not None:
        ids = select(User.id).where(User.organisation_id == user.organisation_id).scalar_subquery()
        behalf = AuditEvent.on_behalf_of_id.in_(ids)
    else:
        behalf = AuditEvent.on_behalf_of_id == user.id
    return list(db.session.scalars(
        select(AuditEvent).where(behalf, AuditEvent.object_type == "wizard_draft",
                                 AuditEvent.action.in_(DRAFT_ACTIONS), AuditEvent.actor_id != AuditEvent.on_behalf_of_id)
        .order_by(AuditEvent.id.desc()).limit(limit)))
