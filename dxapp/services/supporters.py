"""SME-supporter corporations: further administrators, the expert roster (one at a time or by CSV, with
a server-side preview confirmed once) and the invitations of affiliated experts.

Inviting an expert creates, in the caller's one transaction: the expert's account (role ``expert``, no
password yet), an ``Affiliation`` in status ``invited``, the expert's wizard draft preset as
contracts.md says, the invitation e-mail (outbox) with a set-password link, and the audit events.
"""

from __future__ import annotations

import secrets

from sqlalchemy import func, select, update

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import User, WizardDraft
from dxapp.models.supporter import OPEN_STATUSES, Affiliation, RosterImport
from dxapp.rules import roster
from dxapp.services import accounts, affiliations, audit, outbox

EXPERT_WIZARD = "expert_registration"


class SupporterError(ValueError):
    """A request that cannot be done; ``code`` says why (the page has the message)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class StaleImport(Exception):
    """The preview was confirmed or replaced meanwhile."""


# ------------------------------------------------------------------------------------------------ admins

def administrators(organisation_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.organisation_id == organisation_id,
                                                      User.role == "supporter_admin").order_by(User.id)))


def invite_administrator(*, actor: User, name: str, email: str) -> User:
    """A further administrator of the same corporation: an account without password and an e-mail
    whose link lets them choose one (the contact-person invitation of the SME side)."""
    email = accounts.normalise_email(email)
    if accounts.find_by_email(email) is not None:
        raise SupporterError("email_taken")
    now = clock.wall_now()
    user = User(email=email, name=name.strip(), role="supporter_admin", organisation_id=actor.organisation_id,
                password_hash=None, session_token=accounts.new_session_token(), created_at=now,
                totp_last_counter=0, active=True)
    db.session.add(user)
    db.session.flush()
    audit.record("supporter.admin_invited", "user", user.id, actor=actor,
                 summary={"organisation_id": actor.organisation_id})
    outbox.enqueue(email, "supporter-admin-invitation", "dxapp: SMEサポーターの管理者として招待されました",
                   "supporter_admin_invitation.txt", user=user, inviter=actor,
                   link=accounts._link("auth.reset_password", token=accounts.make_token(user, "reset")))
    db.session.commit()
    return user


# ------------------------------------------------------------------------------------------------ experts

def known_emails(organisation_id: int, emails: set[str]) -> dict[str, str]:
    """One query: which of ``emails`` have an account ("registered"), and which of those are already
    open affiliations of this corporation ("affiliated")."""
    if not emails:
        return {}
    known: dict[str, str] = {}
    email_list = sorted(emails)
    for start in range(0, len(email_list), 900):  # SQLite's bound-parameter limit
        chunk = email_list[start:start + 900]
        rows = db.session.execute(
            select(func.lower(User.email), Affiliation.id)
            .outerjoin(Affiliation, (Affiliation.expert_user_id == User.id)
                       & (Affiliation.organisation_id == organisation_id)
                       & Affiliation.status.in_(OPEN_STATUSES))
            .where(func.lower(User.email).in_(chunk))
        ).all()
        for email, affiliation_id in rows:
            if affiliation_id is not None or email not in known:
                known[email] = "affiliated" if affiliation_id is not None else "registered"
    return known


def _preset(organisation_id: int) -> dict:
    org = str(organisation_id)
    return {
        "participation": {"participation": "supporter_member", "supporter_organisation_id": org},
        "_preset": {"participation": "supporter_member", "supporter_organisation_id": org, "bank_optional": True},
    }


def _invitation_link(user: User) -> str:
    return accounts._link("auth.reset_password", token=accounts.make_token(user, "reset"))


def _send_invitation(user: User, organisation, inviter: User) -> None:
    outbox.enqueue(user.email, "supporter-expert-invitation",
                   "dxapp: IT専門家としての登録のご案内（SMEサポーターからの招待）",
                   "supporter_expert_invitation.txt", user=user, organisation=organisation, inviter=inviter,
                   link=_invitation_link(user))


def _invite_many(actor: User, people: list[dict], *, source: str) -> list[Affiliation]:
    """Create the accounts, affiliations, drafts, e-mails and audit events for ``people`` (dicts with
    name, name_kana, email, already checked).  No commit."""
    organisation_id = actor.organisation_id
    organisation = actor.organisation
    now = clock.wall_now()
    users = [User(email=p["email"], name=p["name"], role="expert", organisation_id=None, password_hash=None,
                  session_token=accounts.new_session_token(), created_at=now, totp_last_counter=0, active=True)
             for p in people]
    db.session.add_all(users)
    db.session.flush()  # ids (one multi-row INSERT with RETURNING where the database has it)
    result = []
    preset = _preset(organisation_id)
    for person, user in zip(people, users, strict=True):
        affiliation = affiliations.add_invited(organisation_id, user.id, actor=actor, now=now)
        result.append(affiliation)
        # The expert's draft, preset (kind and corporation fixed, bank account optional).  Written here
        # rather than through drafts.get_or_create, which commits and keeps only steps/partial/flags.
        # The person step starts with what the corporation typed (as unsaved raw answers).
        partial = {"person": {"name": [person["name"]], "name_kana": [person["name_kana"]],
                              "email": [person["email"]]}}
        answers = {"steps": {}, "partial": partial, "flags": {}, "token": secrets.token_urlsafe(24), **preset}
        db.session.add(WizardDraft(wizard=EXPERT_WIZARD, owner_key=f"user:{user.id}", user_id=user.id, version=1,
                                   created_at=now, updated_at=now, answers=answers, updated_by_id=actor.id))
        _send_invitation(user, organisation, actor)
    db.session.flush()
    for affiliation in result:
        audit.record("affiliation.invited", "affiliation", affiliation.id, actor=actor,
                     summary={"organisation_id": organisation_id, "expert_user_id": affiliation.expert_user_id,
                              "source": source})
    return result


def invite_expert(*, actor: User, name: str, name_kana: str, email: str) -> Affiliation:
    """One expert added by hand; the same checks as a CSV row."""
    row = roster.Row(line=1, values={"name": name.strip(), "name_kana": name_kana.strip(), "email": email.strip()})
    roster.check([row], known_emails(actor.organisation_id, roster.emails([row])))
    if row.errors:
        raise RowInvalid(row)
    affiliation = _invite_many(actor, [row.normalised], source="form")[0]
    db.session.commit()
    return affiliation


class RowInvalid(ValueError):
    def __init__(self, row):
        super().__init__("row")
        self.row = row


def resend_invitation(affiliation: Affiliation, *, version: int, actor: User) -> None:
    user = db.session.get(User, affiliation.expert_user_id)
    if user is None or user.password_hash is not None:
        raise SupporterError("already_accepted")  # the expert has set a password: nothing to resend
    affiliations.touch_invited(affiliation, version=version, actor=actor)
    _send_invitation(user, actor.organisation, actor)
    db.session.commit()


# ------------------------------------------------------------------------------------------------ CSV import

def preview(*, actor: User, filename: str, data: bytes) -> RosterImport:
    """Read and check the file, keep the result server-side; nothing else is created."""
    text, encoding = roster.decode(data)  # RosterFileError
    rows = roster.parse(text)
    roster.check(rows, known_emails(actor.organisation_id, roster.emails(rows)))
    now = clock.wall_now()
    # An earlier preview of this corporation that was never confirmed is replaced.
    db.session.execute(update(RosterImport).where(RosterImport.organisation_id == actor.organisation_id,
                                                  RosterImport.status == "preview")
                       .values(status="discarded").execution_options(synchronize_session=False))
    record = RosterImport(id=secrets.token_urlsafe(18), organisation_id=actor.organisation_id,
                          created_by_id=actor.id, filename=(filename or "roster.csv")[-200:], encoding=encoding,
                          rows=[r.as_json() for r in rows], row_count=len(rows),
                          error_count=roster.error_count(rows), status="preview", created_at=now)
    db.session.add(record)
    audit.record("roster.previewed", "roster_import", record.id, actor=actor,
                 summary={"rows": record.row_count, "errors": record.error_count, "encoding": encoding})
    db.session.commit()
    return record


def owned_import(organisation_id: int, import_id: str) -> RosterImport | None:
    return db.session.scalar(select(RosterImport).where(RosterImport.id == import_id,
                                                        RosterImport.organisation_id == organisation_id))


def confirm(record: RosterImport, *, actor: User) -> list[Affiliation]:
    """Invite every expert of a preview without errors, once: the conditional UPDATE preview -> confirmed
    lets one request through; a second (double click, replay) raises ``StaleImport``.  The addresses
    are checked again, since accounts may have been created since the preview."""
    if record.status != "preview":
        raise StaleImport()
    if record.error_count:
        raise SupporterError("has_errors")
    rows = [roster.Row(line=r["line"], values=r["values"]) for r in record.rows]
    roster.check(rows, known_emails(record.organisation_id, roster.emails(rows)))
    if roster.error_count(rows):
        # Someone registered one of these addresses after the preview: show the preview again.
        record.rows = [r.as_json() for r in rows]
        record.error_count = roster.error_count(rows)
        db.session.commit()
        raise SupporterError("has_errors")
    claimed = db.session.execute(
        update(RosterImport)
        .where(RosterImport.id == record.id, RosterImport.organisation_id == actor.organisation_id,
               RosterImport.status == "preview", RosterImport.error_count == 0)
        .values(status="confirmed", confirmed_at=clock.wall_now())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise StaleImport()
    created = _invite_many(actor, [r.normalised for r in rows], source="csv")
    audit.record("roster.confirmed", "roster_import", record.id, actor=actor, summary={"invited": len(created)})
    db.session.commit()
    db.session.refresh(record)
    return created


def discard(record: RosterImport, *, actor: User) -> None:
    changed = db.session.execute(update(RosterImport).where(RosterImport.id == record.id,
                                                            RosterImport.status == "preview")
                                 .values(status="discarded").execution_options(synchronize_session=False)).rowcount
    if changed:
        audit.record("roster.discarded", "roster_import", record.id, actor=actor)
    db.session.commit()


# ------------------------------------------------------------------------------------------------ demo data

_DEMO_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
_DEMO_STEPS = {
    "corporation": {"corporate_number": "7000012050002", "name": "株式会社デモ・デジタル支援",
                    "name_kana": "カブシキガイシャデモデジタルシエン", "representative_name": "鈴木 次郎",
                    "postal_code": "1000001", "prefecture": "東京都", "city": "千代田区", "street": "千代田1-1",
                    "building": "デモビル3階", "phone": "03-1234-5678"},
    "certification": {"certification_number": "第2021-0042号", "certified_on": "2021-04-01"},
    "administrators": {},
    "bank": {"bank_code": "0001", "branch_code": "001", "account_type": "ordinary", "account_number": "1234567",
             "account_holder": "ｶ)ﾃﾞﾓﾃﾞｼﾞﾀﾙｼｴﾝ", "account_owner": "corporate", "account_corporate_number": None},
    "declaration": {"agree_terms": True},
}
_DEMO_EXPERTS = (  # (name, kana, state)
    ("青木 健", "アオキ ケン", "confirmed"), ("石井 美穂", "イシイ ミホ", "confirmed"),
    ("上田 翔", "ウエダ ショウ", "confirmed"), ("遠藤 由美", "エンドウ ユミ", "confirmed"),
    ("岡田 直樹", "オカダ ナオキ", "confirmed"), ("加藤 優子", "カトウ ユウコ", "confirmed"),
    ("木村 大輔", "キムラ ダイスケ", "invited"), ("工藤 彩", "クドウ アヤ", "invited"),
    ("小林 拓也", "コバヤシ タクヤ", "invited"), ("斎藤 真理", "サイトウ マリ", "invited"),
    ("清水 学", "シミズ マナブ", "invited"), ("鈴村 恵", "スズムラ メグミ", "invited"),
    ("関口 亮", "セキグチ リョウ", "invited"), ("高田 舞", "タカダ マイ", "invited"),
    ("千葉 隆", "チバ タカシ", "requested"), ("土屋 香織", "ツチヤ カオリ", "requested"),
    ("寺田 誠", "テラダ マコト", "requested"), ("中島 悠", "ナカジマ ユウ", "declined"),
    ("西村 葵", "ニシムラ アオイ", "declined"), ("野口 修", "ノグチ オサム", "ended"),
)


def _demo_raw(data: dict) -> dict:
    raw = {}
    for key, value in data.items():
        if key == "certified_on":
            year, month, day = value.split("-")
            raw.update({"certified_on-era": ["western"], "certified_on-year": [year],
                        "certified_on-month": [str(int(month))], "certified_on-day": [str(int(day))]})
        elif isinstance(value, bool):
            raw[key] = ["y"] if value else []
        elif value is not None and key not in ("account_owner", "account_corporate_number"):
            raw[key] = [str(value)]
    return raw


def seed_demo(email: str = "supporter@demo.example") -> int:
    """The demo supporter corporation: an approved registration and ~20 experts in every state.
    Idempotent (does nothing once the corporation has experts).  Returns the experts created."""
    from werkzeug.datastructures import FileStorage

    from dxapp.models import Application
    from dxapp.services import applications, documents, passwords

    admin = accounts.find_by_email(email)
    if admin is None or admin.organisation_id is None:
        return 0
    if db.session.scalar(select(func.count()).select_from(Affiliation)
                         .where(Affiliation.organisation_id == admin.organisation_id)):
        return 0
    if db.session.scalar(select(Application).where(Application.organisation_id == admin.organisation_id,
                                                   Application.kind == "supporter")) is None:
        certificate = documents.store(FileStorage(stream=__import__("io").BytesIO(_DEMO_PDF),
                                                  filename="認定通知書.pdf"), admin, "supporter_certificate")
        steps = {slug: {"raw": _demo_raw(data), "data": dict(data)} for slug, data in _DEMO_STEPS.items()}
        steps["certification"]["data"]["certificate"] = [{"id": certificate.id, "name": certificate.original_name,
                                                          "sha256": certificate.sha256}]
        application = applications.submit(user=admin, kind="supporter", answers={"steps": steps},
                                          decision={"outcome": "submitted"}, organisation_id=admin.organisation_id)
        admin.organisation.name = _DEMO_STEPS["corporation"]["name"]
        db.session.commit()
        applications.move(application, "under_review", version=application.version, actor_id=None)
        applications.move(application, "approved", version=application.version, actor_id=None,
                          note="デモデータ")
    people = [{"name": n, "name_kana": k, "email": f"supporter-expert{i:02d}@demo.example"}
              for i, (n, k, _state) in enumerate(_DEMO_EXPERTS, start=1)]
    invited = [p for p, (_n, _k, state) in zip(people, _DEMO_EXPERTS, strict=True)
               if state in ("invited", "confirmed", "ended")]
    created = {a.expert_user_id: a for a in _invite_many(admin, invited, source="demo")}
    by_email = {u.email: u for u in db.session.scalars(select(User).where(User.id.in_(list(created))))}
    now = clock.wall_now()
    for person, (_n, _k, state) in zip(people, _DEMO_EXPERTS, strict=True):
        user = by_email.get(person["email"])
        if state in ("requested", "declined"):  # signed up by themselves and chose the corporation
            user = User(email=person["email"], name=person["name"], role="expert",
                        password_hash=passwords.hash_password("demo-pass-2021!"),
                        session_token=accounts.new_session_token(), created_at=now, email_verified_at=now,
                        password_changed_at=now, totp_last_counter=0, active=True)
            db.session.add(user)
            db.session.flush()
            affiliation = affiliations.request(user, admin.organisation_id, actor=user)
            if state == "declined":
                affiliations._move(affiliation, "declined", version=affiliation.version, actor=admin,
                                   action="affiliation.declined", values={"decided_at": clock.program_now()},
                                   allowed_from=("requested",))
            continue
        affiliation = created[user.id]
        db.session.flush()
        if state in ("confirmed", "ended"):
            user.password_hash = passwords.hash_password("demo-pass-2021!")
            user.email_verified_at = user.password_changed_at = now
            affiliations.request(user, admin.organisation_id, actor=user)  # invited -> confirmed
        if state == "ended":
            affiliations._move(affiliation, "ended", version=affiliation.version, actor=admin,
                               action="affiliation.ended", values={"ended_at": clock.program_now()})
    db.session.commit()
    return len(people)
