"""SME-supporter corporations: further administrators, the expert roster (one at a time or by CSV, with
a server-side preview confirmed once) and the invitations of affiliated experts.

Inviting an expert creates, in the caller's one transaction: the expert's account (role ``expert``, no
password yet), an ``Affiliation`` in status ``invited``, the expert's wizard draft preset as
contracts.md says, the invitation e-mail (outbox) with a set-password link, and the audit events.  An
address that already has an expert account gets the invited affiliation and an e-mail asking to join
(accepted or declined on the expert's invitation page); any other account gets a short notice and
nothing else.  The administrator sees the same result for each: whether an address has an account is
never revealed.  Inviting needs an approved registration of the corporation.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func, select, update

from dxapp import clock, offline
from dxapp.extensions import db
from dxapp.models import AuditEvent, Organisation, User, WizardDraft
from dxapp.models.supporter import OPEN_STATUSES, Affiliation, RosterImport
from dxapp.rules import roster
from dxapp.services import accounts, affiliations, audit, outbox, workflow
from dxapp.services.rows import insert_once
from dxapp.services.workflow import Stale
from dxapp.wizard.answers import Answers

EXPERT_WIZARD = "expert_registration"
#: Resent invitations per affiliation in any 24 hours (the resend button is refused beyond).
RESEND_CAP = 3
RESEND_WINDOW = timedelta(hours=24)


class SupporterError(ValueError):
    """A request that cannot be done; ``code`` says why (the page has the message)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# ------------------------------------------------------------------------------------------------ admins

def administrators(organisation_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.organisation_id == organisation_id,
                                                      User.role == "supporter_admin").order_by(User.id)))


def invite_administrator(*, actor: User, name: str, email: str) -> User | None:
    """A further administrator of the same corporation: an account without password and an e-mail
    whose link lets them choose one (the contact-person invitation of the SME side).

    Whether an address has an account is never revealed: an address that is already an administrator
    of this corporation is refused (``already_admin``); any other existing account gets a short notice
    e-mail instead (no account is created or changed) and the caller shows the same result as for a
    new address.  Returns the new user, or None for an existing account."""
    email = accounts.normalise_email(email)
    existing = accounts.find_by_email(email)
    if existing is not None:
        if existing.role == "supporter_admin" and existing.organisation_id == actor.organisation_id:
            raise SupporterError("already_admin")
        _send_notice(existing, actor, what="administrator")
        audit.record("supporter.admin_invite_existing", "user", existing.id, actor=actor,
                     summary={"organisation_id": actor.organisation_id})
        db.session.flush()
        return None
    now = clock.wall_now()
    user = User(email=email, name=name.strip(), role="supporter_admin", organisation_id=actor.organisation_id,
                password_hash=None, session_token=accounts.new_session_token(), created_at=now,
                totp_last_counter=0, active=True)
    db.session.add(user)
    db.session.flush()
    audit.record("supporter.admin_invited", "user", user.id, actor=actor,
                 summary={"organisation_id": actor.organisation_id})
    outbox.enqueue(email, "supporter-admin-invitation", "SMEサポーターの管理者として招待されました",
                   "supporter_admin_invitation.txt", user=user, inviter=actor,
                   link=accounts.reset_link(user))
    db.session.flush()
    return user


def _send_notice(user: User, actor: User, *, what: str) -> None:
    """Someone tried to add an address that belongs to an account which cannot be added (another kind
    of account): its owner is told, with nothing about the account."""
    outbox.enqueue(user.email, "supporter-add-notice", "SMEサポーターがあなたのメールアドレスを登録しようとしました",
                   "supporter_add_notice.txt", organisation=actor.organisation, inviter=actor, what=what)


# ------------------------------------------------------------------------------------------------ registration

def is_approved(organisation_id: int | None) -> bool:
    """The corporation's registration is approved (inviting experts needs it)."""
    from dxapp.models import Application
    if organisation_id is None:
        return False
    return db.session.scalar(
        select(func.count()).select_from(Application)
        .where(Application.organisation_id == organisation_id, Application.kind == "supporter",
               Application.change_of_id.is_(None), Application.status == "approved")) > 0


def apply_name(application, actor_id) -> None:
    """The ``("supporter", "approved")`` hook (wired in create_app): the corporation's name in force is the
    approved one (registration or change request); runs in the approval's transaction."""
    name = Answers(application.answers).value("corporation", "name")
    organisation = db.session.get(Organisation, application.organisation_id) if application.organisation_id else None
    if organisation is None or not name or organisation.name == name:
        return
    before = organisation.name
    organisation.name = name
    audit.record("organisation.renamed", "organisation", organisation.id, actor=actor_id,
                 summary={"from": before, "to": name, "application": application.reference})


# ------------------------------------------------------------------------------------------------ experts

def known_emails(organisation_id: int, emails: set[str]) -> dict[str, str]:
    """One query: which of ``emails`` are already open affiliations (requested, invited, confirmed) of
    this corporation ("affiliated").  Whether an address has an account elsewhere is not said."""
    if not emails:
        return {}
    known: dict[str, str] = {}
    email_list = sorted(emails)
    for start in range(0, len(email_list), 900):  # SQLite's bound-parameter limit
        chunk = email_list[start:start + 900]
        rows = db.session.execute(
            select(func.lower(User.email))
            .join(Affiliation, (Affiliation.expert_user_id == User.id)
                  & (Affiliation.organisation_id == organisation_id)
                  & Affiliation.status.in_(OPEN_STATUSES))
            .where(func.lower(User.email).in_(chunk))
        ).all()
        for (email,) in rows:
            known[email] = "affiliated"
    return known


def _accounts(emails: list[str]) -> dict[str, User]:
    """Existing accounts of these addresses (lower case)."""
    found: dict[str, User] = {}
    for start in range(0, len(emails), 900):
        chunk = emails[start:start + 900]
        for user in db.session.scalars(select(User).where(func.lower(User.email).in_(chunk))):
            found[user.email.lower()] = user
    return found


def _preset(organisation_id: int) -> dict:
    org = str(organisation_id)
    return {
        "participation": {"participation": "supporter_member", "supporter_organisation_id": org},
        "_preset": {"participation": "supporter_member", "supporter_organisation_id": org, "bank_optional": True},
    }


def _send_invitation(user: User, organisation, inviter: User) -> None:
    outbox.enqueue(user.email, "supporter-expert-invitation",
                   "IT専門家としての登録のご案内（SMEサポーターからの招待）",
                   "supporter_expert_invitation.txt", user=user, organisation=organisation, inviter=inviter,
                   link=accounts.reset_link(user))


def _send_join(user: User, organisation, inviter: User, affiliation: Affiliation) -> None:
    """An expert who has an account already is asked to join (accept or decline on a page of theirs)."""
    outbox.enqueue(user.email, "supporter-expert-join", "SMEサポーターへの所属のご案内",
                   "supporter_expert_join.txt", user=user, organisation=organisation, inviter=inviter,
                   link=offline.external_url("supporter_org.invitation", affiliation_id=affiliation.id))


def invite_many(actor: User, people: list[dict], *, source: str) -> list[Affiliation]:
    """For ``people`` (dicts with name, name_kana, email, already checked): a new address gets an
    account, an affiliation, a preset draft and the invitation e-mail; an existing expert account gets
    an invited affiliation and an e-mail asking them to join; any other existing account gets a short
    notice and nothing else.  Audit events for each.  No commit.  Returns the affiliations made."""
    organisation_id = actor.organisation_id
    organisation = actor.organisation
    now = clock.wall_now()
    existing = _accounts([p["email"] for p in people])
    new_people = [p for p in people if p["email"] not in existing]

    def account(person):
        return User(email=person["email"], name=person["name"], role="expert", organisation_id=None,
                    password_hash=None, session_token=accounts.new_session_token(), created_at=now,
                    totp_last_counter=0, active=True)

    # One multi-row INSERT (with RETURNING where the database has it) in a savepoint; when a parallel
    # request (another confirmation, the form) made one of these accounts a moment ago, one by one:
    # the addresses taken meanwhile are existing accounts like the others.
    users = [account(p) for p in new_people]
    if not insert_once(*users):
        made = [(p, account(p)) for p in new_people]
        made = [(p, u) for p, u in made if insert_once(u)]
        new_people, users = [p for p, _u in made], [u for _p, u in made]
        mine = {p["email"] for p in new_people}
        existing = {e: u for e, u in _accounts([p["email"] for p in people]).items() if e not in mine}
    result, preset_drafts = [], []
    preset = _preset(organisation_id)
    for person, user in zip(new_people, users, strict=True):
        affiliation = affiliations.add_invited(organisation_id, user.id, actor=actor, now=now,
                                               invited_name=person["name"])
        if affiliation is not None:
            result.append(affiliation)
        # The expert's draft, preset (kind and corporation fixed, bank account optional).  Written here
        # rather than through drafts.get_or_create, which keeps only steps/partial/flags.
        # The person step starts with what the corporation typed (as unsaved raw answers).
        typed = {"name": [person["name"]], "name_kana": [person["name_kana"]], "email": [person["email"]]}
        answers = {**Answers(Answers.empty()).with_partial("person", typed), "token": secrets.token_urlsafe(24),
                   **preset}
        draft = WizardDraft(wizard=EXPERT_WIZARD, owner_key=f"user:{user.id}", user_id=user.id, version=1,
                            created_at=now, updated_at=now, answers=answers, updated_by_id=actor.id)
        db.session.add(draft)
        preset_drafts.append((draft, user))
        _send_invitation(user, organisation, actor)
    joining = []
    for person in people:
        user = existing.get(person["email"])
        if user is None:
            continue
        if user.role == "expert":
            affiliation = affiliations.add_invited(organisation_id, user.id, actor=actor, now=now,
                                                   invited_name=person["name"])
            if affiliation is None:
                continue  # invited by a parallel request a moment ago: one affiliation, one e-mail
            result.append(affiliation)
            joining.append((user, affiliation))
        else:
            _send_notice(user, actor, what="expert")
            audit.record("affiliation.invite_refused", "user", user.id, actor=actor,
                         summary={"organisation_id": organisation_id, "source": source})
    db.session.flush()
    for draft, user in preset_drafts:  # not a desk edit (no on-behalf-of): the corporation's preset
        audit.record("draft.preset", "wizard_draft", draft.id, actor=actor,
                     summary={"wizard": EXPERT_WIZARD, "user_id": user.id, "organisation_id": organisation_id,
                              "source": source})
    for user, affiliation in joining:
        _send_join(user, organisation, actor, affiliation)
    for affiliation in result:
        audit.record("affiliation.invited", "affiliation", affiliation.id, actor=actor,
                     summary={"organisation_id": organisation_id, "expert_user_id": affiliation.expert_user_id,
                              "source": source})
    return result


def invite_expert(*, actor: User, name: str, name_kana: str, email: str) -> Affiliation | None:
    """One expert added by hand; the same checks as a CSV row.  Refused (``not_approved``) until the
    corporation's registration is approved."""
    if not is_approved(actor.organisation_id):
        raise SupporterError("not_approved")
    row = roster.Row(line=1, values={"name": name.strip(), "name_kana": name_kana.strip(), "email": email.strip()})
    roster.check([row], known_emails(actor.organisation_id, roster.emails([row])))
    if row.errors:
        raise RowInvalid(row)
    if row.notice:
        raise RowInvalid(row, code="example")
    made = invite_many(actor, [row.normalised], source="form")
    db.session.flush()
    return made[0] if made else None


class RowInvalid(ValueError):
    def __init__(self, row, code: str = "row"):
        super().__init__(code)
        self.row = row
        self.code = code


def resends_today(affiliation: Affiliation) -> int:
    since = clock.wall_now() - RESEND_WINDOW
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent)
        .where(AuditEvent.action == "affiliation.invitation_resent", AuditEvent.object_type == "affiliation",
               AuditEvent.object_id == str(affiliation.id), AuditEvent.at >= since)) or 0


def resend_invitation(affiliation: Affiliation, *, version: int, actor: User) -> None:
    """The invitation again: the set-password link to an expert without a password, the request to join
    to one who has an account.  At most ``RESEND_CAP`` times in 24 hours per affiliation."""
    if not is_approved(actor.organisation_id):
        raise SupporterError("not_approved")
    user = db.session.get(User, affiliation.expert_user_id)
    if user is None:
        raise SupporterError("already_accepted")
    if resends_today(affiliation) >= RESEND_CAP:
        raise SupporterError("resend_cap")
    affiliations.touch_invited(affiliation, version=version, actor=actor)
    if user.password_hash is None:
        _send_invitation(user, actor.organisation, actor)
    else:
        _send_join(user, actor.organisation, actor, affiliation)
    db.session.flush()


# ------------------------------------------------------------------------------------------------ CSV import

def preview(*, actor: User, filename: str, data: bytes) -> RosterImport:
    """Read and check the file, keep the result server-side; nothing else is created."""
    text, encoding = roster.decode(data)  # RosterFileError
    rows = roster.parse(text)
    roster.check(rows, known_emails(actor.organisation_id, roster.emails(rows)))
    now = clock.wall_now()
    record_id = secrets.token_urlsafe(18)
    # An earlier preview of this corporation that was never confirmed is replaced (and says so).
    replaced = list(db.session.scalars(select(RosterImport.id).where(
        RosterImport.organisation_id == actor.organisation_id, RosterImport.status == "preview")))
    if replaced:
        db.session.execute(update(RosterImport).where(RosterImport.id.in_(replaced),
                                                      RosterImport.status == "preview")
                           .values(status="discarded").execution_options(synchronize_session=False))
        for old_id in replaced:
            audit.record("roster.discarded", "roster_import", old_id, actor=actor,
                         summary={"replaced_by": record_id})
    record = RosterImport(id=record_id, organisation_id=actor.organisation_id,
                          created_by_id=actor.id, filename=(filename or "roster.csv")[-200:], encoding=encoding,
                          rows=[r.as_json() for r in rows], row_count=len(rows),
                          error_count=roster.error_count(rows), status="preview", created_at=now)
    db.session.add(record)
    audit.record("roster.previewed", "roster_import", record.id, actor=actor,
                 summary={"rows": record.row_count, "errors": record.error_count, "encoding": encoding})
    db.session.flush()
    return record


def owned_import(organisation_id: int, import_id: str) -> RosterImport | None:
    return db.session.scalar(select(RosterImport).where(RosterImport.id == import_id,
                                                        RosterImport.organisation_id == organisation_id))


def confirm(record: RosterImport, *, actor: User) -> list[dict]:
    """Invite every expert of a preview without errors (example rows skipped), once: the conditional UPDATE preview -> confirmed
    lets one request through; a second (double click, replay) raises ``workflow.Stale``.  The addresses
    are checked again, since affiliations may have been made since the preview.  Returns the rows
    handled (the same neutral result whether an address had an account or not)."""
    if record.status != "preview":
        raise Stale.of(record)
    if not is_approved(actor.organisation_id):
        raise SupporterError("not_approved")
    if record.error_count:
        raise SupporterError("has_errors")
    rows = [roster.Row(line=r["line"], values=r["values"]) for r in record.rows]
    roster.check(rows, known_emails(record.organisation_id, roster.emails(rows)))
    if roster.error_count(rows):
        # One of these addresses became affiliated after the preview: show the preview again.  Only
        # a preview is rewritten: when a parallel confirmation of this import won, the addresses are
        # "affiliated" by its own invitations, and its rows stay as they were confirmed.
        marked = db.session.execute(
            update(RosterImport).where(RosterImport.id == record.id, RosterImport.status == "preview")
            .values(rows=[r.as_json() for r in rows], error_count=roster.error_count(rows))
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.flush()
        db.session.refresh(record)
        raise SupporterError("has_errors") if marked else Stale.of(record)
    people = [r.normalised for r in rows if not r.notice]
    workflow.transition(record, action="roster.confirmed", to="confirmed", expected="preview", version=None,
                        where=(RosterImport.organisation_id == actor.organisation_id, RosterImport.error_count == 0),
                        values={"confirmed_at": clock.wall_now()}, actor=actor, summary={"rows": len(people)})
    invite_many(actor, people, source="csv")
    db.session.flush()
    return people


def discard(record: RosterImport, *, actor: User) -> None:
    try:
        workflow.transition(record, action="roster.discarded", to="discarded", expected="preview", version=None,
                            actor=actor)
    except Stale:
        pass  # confirmed or discarded meanwhile: nothing left to discard
    db.session.flush()
