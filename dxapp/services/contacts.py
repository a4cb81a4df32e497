"""Contact persons of an SME.  Adding one invites them: an account in the same organisation with no
password, and an e-mail whose link lets them choose one (then they act for the SME)."""

from __future__ import annotations

from sqlalchemy import select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import ContactPerson, User
from dxapp.services import accounts, audit, outbox, rows


class ContactError(ValueError):
    pass


def active(organisation_id: int) -> list[ContactPerson]:
    return list(db.session.scalars(
        select(ContactPerson).where(ContactPerson.organisation_id == organisation_id,
                                    ContactPerson.removed_at.is_(None)).order_by(ContactPerson.id)))


def owned(organisation_id: int, contact_id: int) -> ContactPerson | None:
    return db.session.scalar(select(ContactPerson).where(
        ContactPerson.id == contact_id, ContactPerson.organisation_id == organisation_id,
        ContactPerson.removed_at.is_(None)))


def add(*, actor: User, name: str, department: str | None, email: str, phone: str | None) -> ContactPerson:
    email = accounts.normalise_email(email)
    if accounts.find_by_email(email) is not None:
        raise ContactError("このメールアドレスはすでに登録されています。別のメールアドレスを入力してください。")
    now = clock.wall_now()
    user = User(email=email, name=name, role="sme", organisation_id=actor.organisation_id, password_hash=None,
                session_token=accounts.new_session_token(), created_at=now, totp_last_counter=0, active=True)
    if not rows.insert_once(user):  # added by a parallel request a moment ago
        raise ContactError("このメールアドレスはすでに登録されています。別のメールアドレスを入力してください。")
    contact = ContactPerson(organisation_id=actor.organisation_id, user_id=user.id, name=name,
                            department=department or None, email=email, phone=phone or None, created_at=now)
    db.session.add(contact)
    db.session.flush()
    audit.record("contact.added", "contact_person", contact.id, actor=actor, summary={"user_id": user.id})
    outbox.enqueue(email, "contact-invitation", "担当者として招待されました", "contact_invitation.txt",
                   contact=contact, inviter=actor,
                   link=accounts.reset_link(user))
    db.session.flush()
    return contact


def update(contact: ContactPerson, *, actor: User, name: str, department: str | None, phone: str | None) -> None:
    contact.name, contact.department, contact.phone = name, department or None, phone or None
    if contact.user_id:
        db.session.get(User, contact.user_id).name = name
    audit.record("contact.updated", "contact_person", contact.id, actor=actor)
    db.session.flush()


def remove(contact: ContactPerson, *, actor: User) -> None:
    if contact.user_id == actor.id:
        raise ContactError("ご自身は削除できません。別の担当者に依頼してください。")
    contact.removed_at = clock.wall_now()
    audit.record("contact.removed", "contact_person", contact.id, actor=actor)
    if contact.user_id:
        accounts.disable(db.session.get(User, contact.user_id), actor=actor)
    db.session.flush()
