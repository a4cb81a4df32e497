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


#: The mails adding a contact sends to the address typed (capped per address: outbox.UNSOLICITED_PER_DAY).
CONTACT_MAILS = ("contact-invitation", "contact-add-notice")


def add(*, actor: User, name: str, department: str | None, email: str, phone: str | None) -> ContactPerson | None:
    """Add a contact person and invite them.  An address that has an account already gets no new
    account and no error: the contact is listed like any other (it cannot log in: no account of the
    organisation's is made), its owner gets a short notice (at most a few a day), and the caller says
    the same as for any other address, so neither the form nor the list tells who has an account
    (issue 11 item 25).  Returns the contact (None for an address of the organisation's own members)."""
    email = accounts.normalise_email(email)
    person = {"name": name, "department": department or None, "email": email, "phone": phone or None}
    existing = accounts.find_by_email(email)
    if existing is not None:
        return _address_taken(existing, actor, person)
    now = clock.wall_now()
    user = User(email=email, name=name, role="sme", organisation_id=actor.organisation_id, password_hash=None,
                session_token=accounts.new_session_token(), created_at=now, totp_last_counter=0, active=True)
    if not rows.insert_once(user):  # added by a parallel request a moment ago: as an address taken
        return _address_taken(accounts.find_by_email(email), actor, person)
    contact = ContactPerson(organisation_id=actor.organisation_id, user_id=user.id, created_at=now, **person)
    db.session.add(contact)
    db.session.flush()
    audit.record("contact.added", "contact_person", contact.id, actor=actor, summary={"user_id": user.id})
    outbox.enqueue(email, "contact-invitation", "担当者として招待されました", "contact_invitation.txt",
                   contact=contact, inviter=actor,
                   link=accounts.reset_link(user))
    db.session.flush()
    return contact


def _address_taken(existing: User | None, actor: User, person: dict) -> ContactPerson | None:
    """The address has an account: the organisation's own member (nothing to add: it knows its members),
    a contact it listed already (that one), or someone else's (listed without an account, the owner told)."""
    if existing is not None and existing.organisation_id == actor.organisation_id:
        return None
    listed = db.session.scalar(select(ContactPerson).where(
        ContactPerson.organisation_id == actor.organisation_id, ContactPerson.email == person["email"],
        ContactPerson.removed_at.is_(None)))
    if listed is not None:
        return listed
    contact = ContactPerson(organisation_id=actor.organisation_id, user_id=None, created_at=clock.wall_now(),
                            **person)
    db.session.add(contact)
    db.session.flush()
    audit.record("contact.add_refused", "contact_person", contact.id, actor=actor,
                 summary={"organisation_id": actor.organisation_id, "user_id": existing.id if existing else None})
    if existing is not None and outbox.may_send_unsolicited(existing.email, CONTACT_MAILS):
        outbox.enqueue(existing.email, "contact-add-notice", "事業者の担当者としての登録について",
                       "contact_add_notice.txt", inviter=actor)
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
