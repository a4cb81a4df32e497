"""Demo data for ``make run`` (``flask seed-demo``): the published demo accounts (README), the Phase I
carry-overs, an expert directory worth browsing, SME applications in the review queues, a supporter
corporation with about 20 experts in every state, and a few questions in the inquiry inbox.

Every answer is built by the wizards' own forms (``Wizard.fill``: the validation and normalisation of a
user's POST), and every state is reached through the services, as a user or the secretariat would reach
it.  ``seed()`` is idempotent and a boundary: it commits once, at its end.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from dxapp import clock
from dxapp.clock import JST
from dxapp.extensions import db
from dxapp.models import (
    Application,
    ApplicationEvent,
    Consent,
    ConsultationCase,
    ExpertCarryOver,
    Inquiry,
    Message,
    MessageThread,
    NewsItem,
    TermsVersion,
    User,
)
from dxapp.models.supporter import Affiliation
from dxapp.rules import references
from dxapp.services import (
    accounts,
    affiliations,
    applications,
    audit,
    documents,
    drafts,
    experts,
    passwords,
    review_index,
    supporters,
    terms,
)
from dxapp.wizard import Answers

# Published demo credentials (README), used only by `flask seed-demo`.
DEMO_PASSWORD = "demo-pass-2021!"  # noqa: S105  # nosec B105
DEMO_TOTP_SECRET = "DXAPPDEMOTOTPSECRETKEYFORSTAFFAA"  # noqa: S105  # nosec B105
DEMO_ACCOUNTS = (
    ("sme@demo.example", "sme", "山田 花子（デモ中小企業）"),
    ("expert@demo.example", "expert", "佐藤 一郎（デモIT専門家）"),
    ("supporter@demo.example", "supporter_admin", "鈴木 次郎（デモSMEサポーター）"),
    ("phase1-expert@demo.example", "expert", "高橋 三郎（第Ⅰ期からのIT専門家）"),
    ("phase1-sme@demo.example", "sme", "中村 美咲（第Ⅰ期からの中小企業）"),
    ("desk@demo.example", "desk", "田中 窓口（事務局）"),
    ("admin@demo.example", "admin", "伊藤 管理（事務局）"),
)
DEMO_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

NEWS = (
    (date(2021, 4, 26), "第Ⅱ期の受付を開始しました",
     "第Ⅰ期にご登録の方は、2021年4月26日10時から第Ⅱ期をご利用いただけます。最初のログイン時に第Ⅱ期の利用規約への同意をお願いします。"),
    (date(2021, 5, 24), "新規登録の受付を開始しました",
     "中小企業等・IT専門家・SMEサポーターの新規登録を2021年5月24日10時から受け付けています。"),
    (date(2021, 7, 20), "利用規約を改定しました",
     "支援の様子を録画し、5年間保存していただくことになりました。ログイン時に改定後の規約への同意をお願いします。"),
)


def _wizards():
    """The registration wizards (imported late: they sit above this module's services)."""
    from dxapp import procedures
    from dxapp.procedures.sme_registration import eligibility

    return (procedures.get("sme").wizard, eligibility, procedures.get("expert").wizard,
            procedures.get("supporter").wizard)


def _pdf(name: str) -> FileStorage:
    return FileStorage(io.BytesIO(DEMO_PDF), filename=name)


def seed() -> list[tuple[str, str]]:
    """Everything above (idempotent); commits once.  Returns the (e-mail, role) of the demo accounts made."""
    terms.add_published()
    seed_news()
    made = seed_accounts()
    seed_expert_directory()
    seed_review_queues()
    seed_supporter()
    seed_inquiries()
    seed_cases()
    seed_proposals()
    seed_introductions()
    seed_self_matches()
    seed_packages()
    seed_messages()
    seed_case_search()
    seed_plans()
    seed_plan_changes()
    db.session.commit()
    return made


# ------------------------------------------------------------------------------------------ accounts

def seed_news() -> None:
    for published, title, body in NEWS:
        if db.session.scalar(select(NewsItem).filter_by(title=title)) is None:
            db.session.add(NewsItem(published_on=published, title=title, body=body))
    db.session.flush()


def seed_accounts() -> list[tuple[str, str]]:
    """The published demo accounts: verified, consented (the Phase I users to the Phase I terms only, so
    the Phase II consent comes first), the Phase I SME with its answers carried over."""
    made = []
    for email, role, name in DEMO_ACCOUNTS:
        if accounts.find_by_email(email) is not None:
            continue
        if role in ("desk", "admin"):
            user = accounts.create_staff(email=email, name=name, role=role, actor=None, password=DEMO_PASSWORD,
                                         totp_secret=DEMO_TOTP_SECRET)
        else:
            user = accounts.sign_up(role=role, name=name, email=email,
                                    password_hash=passwords.hash_password(DEMO_PASSWORD), consented_version_ids=[])
            user.email_verified_at = clock.wall_now()
            db.session.flush()
            if email.startswith("phase1-"):
                phase1 = db.session.scalars(select(TermsVersion).filter_by(version="phase1")).all()
                for version in phase1:
                    db.session.add(Consent(user_id=user.id, terms_version_id=version.id,
                                           consented_at=datetime(2021, 1, 15, 10, 0, tzinfo=JST)))
            else:
                terms.record_consents(user, [v.id for v in terms.current_versions()])
        if email == "phase1-sme@demo.example":
            carry_over_phase1_sme(user)
        audit.record("demo.account_seeded", "user", user.id, summary={"role": role})
        made.append((email, role))
    db.session.flush()
    return made


PHASE1_SME_ANSWERS = {
    "business-type": {"legal_form": "company", "industry": "retail"},
    "business-details": {"name": "株式会社なかむら商店", "name_kana": "カブシキガイシャナカムラショウテン",
                         "corporate_number": "7000012050002", "representative_name": "中村 美咲",
                         "representative_kana": "ナカムラ ミサキ", "representative_title": "代表取締役",
                         "established-era": "heisei", "established-year": "15", "established-month": "4",
                         "established-day": "1"},
    "address": {"postal_code": "100-0001", "prefecture": "東京都", "city": "千代田区", "street": "千代田1-1",
                "phone": "03-1234-5678", "contact_email": "phase1-sme@demo.example"},
    "size": {"capital": "1000万円", "employees": "8"},
}


def carry_over_phase1_sme(user) -> None:
    """Phase I data carried into a Phase II draft: the questions Phase II added (exclusions,
    documents, declaration) are still to answer."""
    from dxapp import procedures

    sme = procedures.get("sme")
    answers = sme.wizard.fill(PHASE1_SME_ANSWERS, complete=False)
    draft = drafts.get_or_create(sme.wizard.name, sme.owner_key(user), user.id, initial=answers)
    draft.answers = Answers(draft.answers).with_key("carried_over", True)


# ------------------------------------------------------------------------------------------ the expert directory

_SURNAMES = (("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"),
             ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"), ("松本", "マツモト"))
_GIVEN = (("健一", "ケンイチ"), ("美香", "ミカ"), ("大輔", "ダイスケ"))
_CAREERS = (
    "製造業の生産管理システム導入を15年担当。現在はフリーランスとして小規模工場のクラウド化を支援しています。",
    "飲食店・小売店向けにキャッシュレス決済とECサイトの立ち上げを多数支援してきました。",
    "中小企業診断士。補助金申請とITツール選定の伴走支援が得意です。",
    "情報処理安全確保支援士として、従業員20名以下の企業のセキュリティ対策を支援しています。",
    "テレワークとWeb会議の導入、社内研修の実施まで一貫して支援します。",
)
DIRECTORY_SIZE = 30


def _directory_values(n: int, name: str, kana: str, email: str) -> dict:
    """The answers of the n-th directory expert (the steps the directory profile is made of)."""
    areas, prefectures = experts.SUPPORT_AREAS, experts.PREFECTURES
    delivery = ("online", "onsite", "both")[n % 3]
    side_job = n % 4 == 0
    qualification = ("sme_consultant", "ipa_exam", "security_specialist", "it_coordinator")[n % 4]
    return {
        "participation": {"participation": "side_job" if side_job else "freelance",
                          "employer_permission": "yes" if side_job else None},
        "person": {"name": name, "name_kana": kana, "birth_date": date(1970 + n % 25, 1 + n % 12, 1 + n % 28),
                   "postal_code": "100-0001", "prefecture": "東京都", "city": "千代田区", "street": f"千代田{n + 1}-1",
                   "phone": "03-1234-5678", "email": email},
        "qualifications": {"qualifications": [qualification], f"{qualification}_number": f"DEMO-{n + 1:04d}"},
        "profile": {"support_areas": sorted({areas[n % 11], areas[(n * 3 + 1) % 11]}), "career": _CAREERS[n % 5],
                    "delivery": delivery,
                    "prefectures": [] if delivery == "online" else sorted(
                        {prefectures[(n * 7) % 47], prefectures[12]}, key=prefectures.index),
                    "hourly_rate": 3_000 + (n * 700) % 9_000,
                    "accepts_introductions": "no" if n % 10 == 9 else "yes"},
    }


def seed_expert_directory() -> int:
    """The Phase I expert's carried-over honorarium, and 30 approved experts with varied profiles (directory
    entries only: they cannot log in).  Idempotent; returns the experts created."""
    phase1 = accounts.find_by_email("phase1-expert@demo.example")
    if phase1 is not None and db.session.scalar(
            select(ExpertCarryOver).where(ExpertCarryOver.user_id == phase1.id)) is None:
        experts.carry_over(phase1, 420_000)
    created = 0
    now = clock.wall_now()
    for n in range(DIRECTORY_SIZE):
        email = f"directory-expert{n + 1:02d}@demo.example"
        if accounts.find_by_email(email) is not None:
            continue
        (surname, surname_kana), (given, given_kana) = _SURNAMES[n % len(_SURNAMES)], _GIVEN[n % len(_GIVEN)]
        name, kana = f"{surname} {given}", f"{surname_kana} {given_kana}"
        user = User(email=email, name=name, role="expert", password_hash=None, organisation_id=None,
                    session_token=accounts.new_session_token(), created_at=now, email_verified_at=now,
                    totp_last_counter=0, active=True)
        db.session.add(user)
        db.session.flush()
        audit.record("demo.account_seeded", "user", user.id, summary={"role": "expert"})
        _approved_expert(user, n, name, kana, 90000000 + n + 1, reindex=False)
        created += 1
    db.session.flush()
    return created


# ------------------------------------------------------------------------------------------ review queues

DEMO_SMES = (
    # (e-mail, account name, business, furigana, corporate number, representative, prefecture, city, street, phone)
    ("review-sme1@demo.example", "青木 健", "株式会社青木製作所", "アオキセイサクショ", "5010401012340", "青木 健",
     "大阪府", "大阪市北区", "梅田1-2-3", "06-6123-4567"),
    ("review-sme2@demo.example", "石井 由美", "いしい菓子店", "イシイカシテン", "", "石井 由美",
     "北海道", "札幌市中央区", "北一条西2-1", "011-222-3333"),
    ("review-sme3@demo.example", "上田 誠", "株式会社上田物流", "ウエダブツリュウ", "7000012050002", "上田 誠",
     "愛知県", "名古屋市中村区", "名駅3-4-5", "052-555-6666"),
    ("review-sme4@demo.example", "遠藤 里美", "合同会社えんどうデザイン", "エンドウデザイン", "2010003012345", "遠藤 里美",
     "福岡県", "福岡市博多区", "博多駅前2-2-2", "092-444-5555"),
    ("review-sme5@demo.example", "小川 浩", "株式会社小川食品", "オガワショクヒン", "7000012050002", "小川 浩",
     "東京都", "千代田区", "丸の内1-1-1", "03-3210-0000"),
    ("review-sme6@demo.example", "加藤 美穂", "株式会社かとう工務店", "カトウコウムテン", "4010001000003", "加藤 美穂",
     "宮城県", "仙台市青葉区", "中央1-1-1", "022-111-2222"),
)
#: What the demo queue shows: (index into DEMO_SMES, moves after submission).
DEMO_MOVES = {3: ("under_review",), 4: ("under_review", "returned", "resubmitted"), 5: ("under_review", "approved")}


def _review_sme_values(row) -> dict:
    email, _person, name, kana, number, representative, prefecture, city, street, phone = row
    return {
        "business-type": {"legal_form": "company" if number else "sole_proprietor", "industry": "manufacturing"},
        "business-details": {"name": name, "name_kana": kana, "corporate_number": number,
                             "representative_name": representative, "representative_kana": "ダイヒョウ タロウ",
                             "representative_title": "代表取締役" if number else "代表"},
        "address": {"postal_code": "100-0005", "prefecture": prefecture, "city": city, "street": street,
                    "phone": phone, "contact_email": email},
        "size": {"capital": "1000万円" if number else "", "employees": "12"},
        **({"exclusions": {"shares_total": "1000", "shares_largest_large_company": "0",
                           "shares_all_large_companies": "0", "officers_total": "2",
                           "officers_from_large_companies": "0", "owned_by_deemed_large": "no",
                           "officers_all_from_deemed_large": "no", "no_antisocial_ties": True}} if number else
           {"taxable-income": {"no_antisocial_ties": True}}),
        "documents": {},
        "declaration": {"agree_terms": True},
    }


def submit_review_sme(user, row):
    """One demo SME's application: the document its legal form needs uploaded, every step answered
    (``row`` as in DEMO_SMES), sent; the organisation named as the answers say.  Returns the application."""
    sme_wizard, eligibility = _wizards()[:2]
    if row[4]:
        documents.store(_pdf("履歴事項全部証明書.pdf"), user, "registration_certificate")
    else:
        documents.store(_pdf("開業届.pdf"), user, "opening_notification")
    answers = sme_wizard.fill(_review_sme_values(row), user=user)
    application = applications.submit(user=user, kind="sme", answers=answers,
                                      decision=eligibility.saved_decision(answers), organisation_id=user.organisation_id)
    user.organisation.name = row[2]
    return application


def seed_review_queues() -> int:
    """A handful of SME applications in the review queues (idempotent): submitted ones, one under review by
    the demo desk clerk, one resubmitted after a return, one approved; two of them share a corporate
    number (a signal to look at)."""
    sme_wizard, eligibility = _wizards()[:2]
    clerk = accounts.find_by_email("desk@demo.example")
    made = 0
    for index, row in enumerate(DEMO_SMES):
        if accounts.find_by_email(row[0]) is not None:
            continue
        user = accounts.sign_up(role="sme", name=row[1], email=row[0],
                                password_hash=passwords.hash_password(DEMO_PASSWORD),
                                consented_version_ids=[v.id for v in terms.current_versions()])
        user.email_verified_at = user.created_at
        db.session.flush()
        application = submit_review_sme(user, row)
        answers = application.answers
        for target in DEMO_MOVES.get(index, ()) if clerk is not None else ():
            if target == "resubmitted":  # the flagged name corrected (the review marks the change)
                values = _review_sme_values(row)
                values["business-details"] = {**values["business-details"], "representative_name": f"{row[5]}之"}
                answers = sme_wizard.fill(values, user=user)
                applications.submit(user=user, kind="sme", answers=answers,
                                    decision=eligibility.saved_decision(answers), organisation_id=user.organisation_id)
                continue
            flags = {"business-details": "代表者の氏名が登記事項証明書と一致しません。"} if target == "returned" else None
            applications.move(application, target, version=application.version, actor_id=clerk.id, flags=flags)
        made += 1
    review_index.reindex_unindexed()  # demo rows of other areas inserted without applications.submit
    db.session.flush()
    return made


# ------------------------------------------------------------------------------------------ the supporter corporation

SUPPORTER_VALUES = {
    "corporation": {"corporate_number": "7000012050002", "name": "株式会社デモ・デジタル支援",
                    "name_kana": "カブシキガイシャデモデジタルシエン", "representative_name": "鈴木 次郎",
                    "postal_code": "1000001", "prefecture": "東京都", "city": "千代田区", "street": "千代田1-1",
                    "building": "デモビル3階", "phone": "03-1234-5678"},
    "certification": {"certification_number": "第2021-0042号", "certified_on": date(2021, 4, 1)},
    "administrators": {},
    "bank": {"bank_code": "0001", "branch_code": "001", "account_type": "ordinary", "account_number": "1234567",
             "account_holder": "ｶ)ﾃﾞﾓﾃﾞｼﾞﾀﾙｼｴﾝ"},
    "declaration": {"agree_terms": True},
}
SUPPORTER_EXPERTS = (  # (name, kana, state)
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


def seed_supporter(email: str = "supporter@demo.example") -> int:
    """The demo supporter corporation: an approved registration and ~20 experts in every state.
    Idempotent (does nothing once the corporation has experts).  Returns the experts created."""
    supporter_wizard = _wizards()[3]
    admin = accounts.find_by_email(email)
    if admin is None or admin.organisation_id is None:
        return 0
    if db.session.scalar(select(func.count()).select_from(Affiliation)
                         .where(Affiliation.organisation_id == admin.organisation_id)):
        return 0
    if db.session.scalar(select(Application).where(Application.organisation_id == admin.organisation_id,
                                                   Application.kind == "supporter")) is None:
        documents.store(_pdf("認定通知書.pdf"), admin, "supporter_certificate")
        answers = supporter_wizard.fill(SUPPORTER_VALUES, user=admin)
        application = applications.submit(user=admin, kind="supporter", answers=answers,
                                          decision={"outcome": "submitted"}, organisation_id=admin.organisation_id)
        applications.move(application, "under_review", version=application.version, actor_id=None)
        applications.move(application, "approved", version=application.version, actor_id=None, note="デモデータ")
    people = [{"name": n, "name_kana": k, "email": f"supporter-expert{i:02d}@demo.example"}
              for i, (n, k, _state) in enumerate(SUPPORTER_EXPERTS, start=1)]
    states = [state for _n, _k, state in SUPPORTER_EXPERTS]
    invited = [p for p, state in zip(people, states, strict=True) if state in ("invited", "confirmed", "ended")]
    created = {a.expert_user_id: a for a in supporters.invite_many(admin, invited, source="demo")}
    by_email = {u.email: u for u in db.session.scalars(select(User).where(User.id.in_(list(created))))}
    now = clock.wall_now()
    for person, state in zip(people, states, strict=True):
        user = by_email.get(person["email"])
        if state in ("requested", "declined"):  # signed up by themselves and chose the corporation
            user = User(email=person["email"], name=person["name"], role="expert",
                        password_hash=passwords.hash_password(DEMO_PASSWORD),
                        session_token=accounts.new_session_token(), created_at=now, email_verified_at=now,
                        password_changed_at=now, totp_last_counter=0, active=True)
            db.session.add(user)
            db.session.flush()
            affiliation = affiliations.request(user, admin.organisation_id, actor=user)
            if state == "declined":
                affiliations.decide(affiliation, accept=False, version=affiliation.version, actor=admin)
            continue
        affiliation = created[user.id]
        db.session.flush()
        if state in ("confirmed", "ended"):
            user.password_hash = passwords.hash_password(DEMO_PASSWORD)
            user.email_verified_at = user.password_changed_at = now
            affiliations.request(user, admin.organisation_id, actor=user)  # invited -> confirmed
        if state == "ended":
            affiliations.end(affiliation, version=affiliation.version, actor=admin)
    db.session.flush()
    return len(people)


# ------------------------------------------------------------------------------------------ the inquiry inbox

DEMO_INQUIRIES = (
    ("Q-90000001", "木村 商店", "kimura@example.jp", "registration",
     "個人事業主ですが、開業届の控えが見つかりません。確定申告書で代わりになりますか。"),
    ("Q-90000002", "斎藤 一郎", "saito@example.jp", "matching",
     "近くに対応できるIT専門家がいるか、探し方を教えてください。"),
    ("Q-90000003", "株式会社みどり", "midori@example.jp", "report",
     "実施報告の提出期限を過ぎてしまいそうです。どうすればよいでしょうか。"),
)


def seed_inquiries() -> None:
    """A few questions in the inbox (idempotent, by reference)."""
    for reference, name, email, category, body in DEMO_INQUIRIES:
        if db.session.scalar(select(Inquiry).filter_by(reference=reference)) is None:
            db.session.add(Inquiry(reference=reference, created_at=clock.wall_now(), name=name, email=email,
                                   category=category, body=body, status="open", version=1))
    db.session.flush()


# ------------------------------------------------------------------------------------------ matching (issue 12)

#: The demo SME's registration (approved, so that it can take part in matching).  Its phone number is the
#: one the directory experts give, so a match with one of them shows a fraud signal in the secretariat's
#: queue (as a family business would).
DEMO_SME_ROW = ("sme@demo.example", "山田 花子", "株式会社やまだ商店", "ヤマダショウテン", "7000012050002", "山田 花子",
                "東京都", "台東区", "浅草1-1-1", "03-1234-5678")


def approved_demo_sme():
    """The demo SME, its registration approved (idempotent: an approved registration is kept)."""
    user = accounts.find_by_email(DEMO_SME_ROW[0])
    if user is None:
        return None
    registration = applications.registration(user, "sme")
    if registration is None:
        registration = submit_review_sme(user, DEMO_SME_ROW)
    if registration.status == "submitted":
        applications.move(registration, "under_review", version=registration.version, actor_id=None)
    if registration.status == "under_review":
        applications.move(registration, "approved", version=registration.version, actor_id=None, note="デモデータ")
    return user if registration.status == "approved" else None


def approved_demo_expert():
    """The demo expert, with an approved registration and a directory profile (idempotent)."""
    user = accounts.find_by_email("expert@demo.example")
    if user is None:
        return None
    approve_demo_expert(user)
    registration = applications.registration(user, "expert")
    return user if registration is not None and registration.status == "approved" else None


def approve_demo_expert(user, number: int = 90000100) -> None:
    """An approved expert registration and a listed profile for ``user`` (the demo expert, or an e2e
    test's), unless it has a registration of its own already (a demo that walked the wizard keeps it).
    ``number``: of its reference."""
    _approved_expert(user, 1, "佐藤 一郎", "サトウ イチロウ", number)


def _demo_deadline() -> date:
    from datetime import timedelta

    from dxapp.rules import calendar as calendars

    last = calendars.last_day(calendars.window("contract", calendars.PHASE2))
    return min(clock.program_today() + timedelta(days=30), last)


def _directory_expert(n: int):
    return accounts.find_by_email(f"directory-expert{n:02d}@demo.example")


#: The demo SME's cases that asked for proposals, and what became of each proposal: (title, goals, areas,
#: [(expert, statuses in order)]); "demo" is the demo expert, a number a directory expert.
DEMO_PROPOSAL_CASES = (
    ("ネットショップを開設したい", "店頭の商品を通販でも売り、売上を伸ばしたい。", ("ec_sites", "cashless"),
     (("demo", ("sent",)), (4, ("sent",)), (5, ("withdrawn",)))),
    ("会計をクラウドに移したい", "手書きの帳簿をやめ、請求書と会計をクラウドで管理したい。", ("cloud_accounting",),
     (("demo", ("accepted",)), (6, ("declined",)))),
    ("予約をオンラインで受けたい", "電話だけの予約受付を、Webからも受けられるようにしたい。", ("ec_sites", "web_meetings"),
     (("demo", ("withdrawn", "declined")), (4, ("sent",)))),
)


def seed_proposals() -> int:
    """Proposals at every status on three 提案希望 cases of the demo SME, from the demo expert and directory
    experts: open ones to compare, a withdrawn one, one case matched through an accepted proposal (the
    others declined by it), one proposal declined on its own.  Reachable from both My Pages.  Idempotent;
    returns the proposals made."""
    from dxapp.models import ConsultationCase
    from dxapp.services import cases, proposals

    sme, expert = approved_demo_sme(), approved_demo_expert()
    if sme is None or expert is None or db.session.scalar(select(ConsultationCase).where(
            ConsultationCase.organisation_id == sme.organisation_id,
            ConsultationCase.title == DEMO_PROPOSAL_CASES[0][0])) is not None:
        return 0
    made = 0
    for n, (title, goals, areas, people) in enumerate(DEMO_PROPOSAL_CASES):
        case = cases.publish(sme, cases.CaseFields(
            title=title, goals=goals, situation="紙と電話で対応していて、手が回らない。", areas=areas,
            kind="proposals_wanted", half_hours=20, period_months=3, mode="either", deadline=_demo_deadline(),
            prefecture="東京都", place="台東区"))
        for who, statuses in people:
            person = expert if who == "demo" else _directory_expert(who)
            if person is None:
                continue
            for status in statuses:
                proposal = proposals.send(person, case, proposals.ProposalFields(
                    message=f"{person.name}です。同じ規模の事業者の支援を多数行ってきました。",
                    plan_outline="1. 現状の聞き取り\n2. ツールの選定と導入\n3. 社内での使い方の研修",
                    half_hours=16 + 4 * n, hourly_rate_yen=4_000 + 500 * n))
                made += 1
                if status == "withdrawn":
                    proposals.withdraw(proposal, version=proposal.version, actor=person)
                elif status == "declined" and who == "demo":
                    proposals.decline(proposal, case, version=proposal.version, actor=sme)
        if ("demo", ("accepted",)) in people:  # the others are declined by the acceptance
            chosen = proposals.open_proposal(case.id, expert.id)
            proposals.accept(chosen, case, version=chosen.version, actor=sme)
def seed_introductions() -> int:
    """Introductions at every status on the demo SME's 支援希望 cases: on the open one seed_cases made, an
    accepted introduction (the SME may choose it) and a declined one; on a second case, waiting in the
    clerk's queue, the demo expert introduced (the expert may answer).  Idempotent; returns the
    introductions made."""
    from dxapp.models import ConsultationCase, Introduction
    from dxapp.services import cases, introductions

    sme, expert, clerk = approved_demo_sme(), approved_demo_expert(), accounts.find_by_email("desk@demo.example")
    first, second = _directory_expert(1), _directory_expert(2)
    if None in (sme, expert, clerk, first, second):
        return 0
    mine = select(ConsultationCase.id).where(ConsultationCase.organisation_id == sme.organisation_id)
    if db.session.scalar(select(Introduction.id).where(Introduction.case_id.in_(mine)).limit(1)) is not None:
        return 0

    def support_case(title, goals):
        """The SME's open 支援希望 case of that title, else the first open one (seed_cases'), else a new one."""
        found = db.session.scalars(select(ConsultationCase).where(
            ConsultationCase.organisation_id == sme.organisation_id, ConsultationCase.kind == "support_wanted",
            ConsultationCase.status == "published").order_by(ConsultationCase.id)).all()
        for case in found:
            if title is None or case.title == title:
                return case
        return cases.publish(sme, cases.CaseFields(
            title=title or "ITに詳しい専門家を紹介してほしい", goals=goals, situation="紙とFAXで受発注をしている。",
            areas=("security", "cloud_accounting"), kind="support_wanted", half_hours=20, period_months=3,
            mode="either", deadline=_demo_deadline(), prefecture="東京都", place="台東区"))

    made = 0
    for case, people in (
            (support_case(None, "受発注をFAXから切り替えたいが、何から始めればよいかわからない。"),
             ((first, "accepted"), (second, "declined"))),
            (support_case("店舗のセキュリティ対策を相談したい", "従業員のパソコンとWi-Fiの安全な使い方を整えたい。"),
             ((expert, "introduced"),))):
        for person, status in people:
            introduction = introductions.introduce(case, person, note="お近くで同じ分野の支援実績がある方です。", actor=clerk)
            if status == "accepted":
                introductions.accept(introduction, version=introduction.version, actor=person)
            elif status == "declined":
                introductions.decline(introduction, version=introduction.version, actor=person,
                                      reason="現在ほかの支援で予定が埋まっているため。")
            made += 1
    db.session.flush()
    return made


# ------------------------------------------------------------------------------------------ consultation cases

#: (kind, title, goals, situation, areas, half hours, months, mode, prefecture, place, what happens after publishing)
DEMO_CASES = (
    ("support_wanted", "受発注をクラウドで管理したい", "電話とFAXの注文を一つの画面で管理し、入力の手間を半分にしたい。",
     "注文は紙の台帳に手で書き写しています。パソコンは事務所に2台あります。", ("cloud_accounting", "rpa"), 20, 3,
     "either", "東京都", "台東区", "published"),
    ("proposals_wanted", "ネットショップを始めたい", "店頭だけの売上を通販でも伸ばしたい。商品写真の撮り方から知りたい。",
     "ホームページはありますが、注文は電話だけです。", ("ec_sites", "cashless"), 21, 3, "online", None, None,
     "published"),
    ("no_proposals", "テレワークの仕組みを整えたい", "知り合いのIT専門家と、社員3名が自宅から仕事できる環境を整える。",
     "事務所のファイルサーバーにしかデータがありません。", ("telework", "security"), 12, 2, "onsite", "東京都",
     "浅草駅の近く", "published"),
    ("proposals_wanted", "キャッシュレス決済を導入したい", "店頭で電子マネーとQRコード決済を受け付けたい。",
     "現金のみです。", ("cashless",), 6, 1, "online", None, None, "deadline_passed"),
    ("proposals_wanted", "Web会議で取引先と打合せしたい", "取引先との打合せをWeb会議にして移動時間を減らしたい。",
     "打合せは月に10回ほど、すべて訪問しています。", ("web_meetings",), 4, 1, "online", None, None, "closed"),
    ("support_wanted", "情報セキュリティを見直したい", "ウイルス対策とパスワードの管理を見直したい。",
     "パスワードは紙に書いて共有しています。", ("security",), 8, 2, "either", "東京都", "台東区", "withdrawn"),
    ("proposals_wanted", "会計をクラウドに移したい", "手書きの帳簿をやめ、クラウド会計で月次決算を早めたい。",
     "会計事務所に紙の帳簿を毎月送っています。", ("cloud_accounting",), 16, 3, "online", None, None, "matched"),
)
#: The case the demo SME is still writing (the wizard's draft): the first steps answered.
DEMO_CASE_DRAFT = {
    "theme": {"title": "在庫を数えるのを楽にしたい"},
    "goals": {"goals": "棚卸しを月1日で終わらせたい。", "situation": "在庫は表計算ソフトに手で入力しています。"},
    "areas": {"areas": ["rpa", "other"]},
}


def seed_cases() -> int:
    """The demo SME's consultation cases at every status (idempotent: nothing once it has cases): one of
    each kind open for proposals, one whose proposal deadline has passed (締切 in program time), one
    closed early, one withdrawn, one matched, and a case still being written (the wizard's draft).
    Skipped once the contract window is over (no proposal deadline would be allowed).  Returns the
    cases created."""
    from datetime import timedelta

    from dxapp import procedures
    from dxapp.rules import calendar as calendars
    from dxapp.services import cases

    now = clock.program_now()
    last = calendars.last_day(calendars.window("contract", calendars.PHASE2))
    today = now.astimezone(JST).date()
    if today + timedelta(days=1) > last:
        return 0
    user = approved_demo_sme()
    if user is None or cases.of_sme(user):
        return 0
    open_deadline = min(today + timedelta(days=30), last)
    made = 0
    for kind, title, goals, situation, areas, half, months, mode, prefecture, place, after in DEMO_CASES:
        deadline, at = open_deadline, now
        if after == "deadline_passed":
            deadline, at = today - timedelta(days=1), now - timedelta(days=10)
        case = cases.publish(user, cases.CaseFields(
            title=title, goals=goals, situation=situation, areas=areas, kind=kind, half_hours=half,
            period_months=months, mode=mode, prefecture=prefecture, place=place, deadline=deadline), at=at)
        if after == "closed":
            cases.close_early(case, version=case.version, actor=user)
        elif after == "withdrawn":
            cases.withdraw(case, version=case.version, actor=user)
        elif after == "matched":  # the proposals work makes matches from accepted proposals
            cases.mark_matched(case, version=case.version, actor=user)
        made += 1
    procedure = procedures.get("consultation_case")
    answers = procedure.wizard.fill(DEMO_CASE_DRAFT, user=user, complete=False)
    draft = drafts.get_or_create(procedure.wizard.name, procedure.owner_key(user), user.id, initial=answers)
    draft.answers = {**answers, "token": Answers(draft.answers).token}
    db.session.flush()
    return made
def _approved_expert(user, n: int, name: str, kana: str, number: int, *, reindex: bool = True, **person):
    """``user`` with an approved expert registration (the directory's n-th answers, ``person`` changing
    the person step) and its directory profile; the existing registration when there is one."""
    registration = applications.registration(user, "expert")
    if registration is not None:
        return user if registration.status == "approved" else None
    now = clock.wall_now()
    values = _directory_values(n, name, kana, user.email)
    values["person"] = {**values["person"], **person}
    answers = _wizards()[2].fill(values, complete=False)
    application = Application(kind="expert", reference=references.mint("expert_application", number),
                              user_id=user.id, organisation_id=None, status="approved", answers=answers,
                              decision={"outcome": "eligible", "demo": True}, flags={}, version=3, created_at=now,
                              submitted_at=now, updated_at=now)
    db.session.add(application)
    db.session.flush()
    for before, after in (("draft", "submitted"), ("submitted", "under_review"), ("under_review", "approved")):
        db.session.add(ApplicationEvent(application_id=application.id, at=now, from_status=before, to_status=after,
                                        note="デモデータ" if after == "approved" else None))
    experts.publish(application, None)
    if reindex:  # the directory seeding indexes its thirty once, with the review queues
        review_index.reindex_unindexed()
    return user


def family_expert():
    """An expert who lives at the demo SME's address with its phone number (the owner's son, say): a
    match with the demo SME shows the shared-address and shared-phone signals in the secretariat's queue.
    A directory entry only (cannot log in); idempotent."""
    email = "family-expert@demo.example"
    user = accounts.find_by_email(email)
    if user is None:
        now = clock.wall_now()
        user = User(email=email, name="山田 一郎", role="expert", password_hash=None, organisation_id=None,
                    session_token=accounts.new_session_token(), created_at=now, email_verified_at=now,
                    totp_last_counter=0, active=True)
        db.session.add(user)
        db.session.flush()
        audit.record("demo.account_seeded", "user", user.id, summary={"role": "expert"})
    _row, _person, _name, _kana, _number, _rep, prefecture, city, street, phone = DEMO_SME_ROW
    return _approved_expert(user, 2, "山田 一郎", "ヤマダ イチロウ", 90000101, prefecture=prefecture, city=city,
                            street=street, phone=phone)


def seed_self_matches() -> int:
    """A self-match of the demo SME waiting for the demo expert, and one confirmed with an expert who
    shares its address and phone (the match shows those signals in the secretariat's queue).
    Idempotent."""
    from dxapp.models import SelfMatch
    from dxapp.services import self_matches

    sme, expert, known = approved_demo_sme(), approved_demo_expert(), family_expert()
    if None in (sme, expert, known):
        return 0
    if db.session.scalar(select(SelfMatch).where(SelfMatch.organisation_id == sme.organisation_id)) is not None:
        return 0
    waiting = self_matches.request(sme, self_matches.registration_number(expert), "以前のセミナーでお世話になりました。")
    confirmed = self_matches.request(sme, self_matches.registration_number(known), "顧問のご紹介で連絡しました。")
    if confirmed is not None:
        self_matches.confirm(confirmed, version=confirmed.version, actor=known)
    db.session.flush()
    return int(waiting is not None) + int(confirmed is not None)


def seed_packages() -> int:
    """Two packages of the demo expert: one published (SMEs can browse and request it), one unpublished.
    Idempotent."""
    from dxapp.models import SupportPackage
    from dxapp.services import packages

    expert = approved_demo_expert()
    if expert is None or db.session.scalar(select(SupportPackage).where(
            SupportPackage.expert_user_id == expert.id)) is not None:
        return 0
    offers = (
        ("ネットショップ開設パック", "ネットショップの開設から商品登録、初回の受注と発送まで一緒に進めます。", ("ec_sites", "cashless"),
         20, 5_000, "either", ("東京都", "神奈川県"), True),
        ("テレワーク導入パック", "Web会議とクラウドストレージを導入し、社内で使い方の研修を行います。", ("telework", "web_meetings"),
         12, 4_500, "online", (), False),
    )
    for title, summary, areas, half_hours, rate, mode, regions, stays in offers:
        package = packages.create(expert, packages.PackageFields(title=title, summary=summary, areas=areas,
                                                                 half_hours=half_hours, hourly_rate_yen=rate,
                                                                 mode=mode, regions=regions))
        packages.publish(package, version=package.version, actor=expert)
        if not stays:
            packages.unpublish(package, version=package.version, actor=expert)
    db.session.flush()
    return len(offers)


# ------------------------------------------------------------------------------------------ messages


#: (case title, kind, goals, areas, matched, [(from the expert?, text)]), and the reported message.
DEMO_THREADS = (
    ("ネットショップを開設したい", "proposals_wanted", "店頭だけの販売から、通販でも売れるようにしたい。", ("ec_sites", "cashless"),
     False, [(True, "はじめまして。ECサイトの立ち上げを多く支援してきた佐藤です。\n現在の商品点数と、月の出荷件数の目安を教えていただけますか。\n過去の事例: https://example.com/portfolio"),
             (False, "ご連絡ありがとうございます。\n商品は約120点、出荷は月に50件ほどです。"),
             (True, "ありがとうございます。その規模でしたら、月額制のショップサービスで十分に始められます。提案書をお送りします。")]),
    ("在庫管理をクラウド化したい", "proposals_wanted", "紙の台帳をやめ、店舗と倉庫の在庫を一つの画面で見たい。", ("cloud_accounting", "telework"),
     True, [(False, "マッチングが成立しました。どうぞよろしくお願いいたします。"),
            (True, "こちらこそよろしくお願いします。\n初回の打ち合わせは来週の火曜日か水曜日でいかがでしょうか。"),
            (False, "水曜日の午後でお願いします。場所は本社の会議室です。")]),
)
DEMO_REPORTED = "手数料を先にいただく決まりです。事務局を通さず、私の個人口座へ3万円を振り込んでください。"


def _demo_case(sme, title: str, kind: str, goals: str, areas: tuple[str, ...]):
    """A published case of the demo SME (the deadline three weeks ahead in program time)."""
    from datetime import timedelta

    from dxapp.services import cases

    existing = db.session.scalar(select(ConsultationCase).where(ConsultationCase.organisation_id == sme.organisation_id,
                                                                ConsultationCase.title == title))
    if existing is not None:
        return existing
    fields = cases.CaseFields(title=title, goals=goals, situation="社員5名。パソコンは事務所に2台。", areas=areas, kind=kind,
                              half_hours=20, period_months=3, mode="either",
                              deadline=clock.program_today() + timedelta(days=21), prefecture="東京都", place="台東区")
    try:
        return cases.publish(sme, fields)
    except cases.CaseRefused:  # program time outside the contract window: no demo case
        return None


def seed_messages() -> int:
    """Threads between the demo SME and the demo expert, one before a match and one after; a message
    from a directory expert that the demo SME reported, waiting in the secretariat's queue.  The demo SME
    and expert get approved registrations (and the SME its cases) when they have none.  Idempotent;
    returns the messages written."""
    from dxapp.services import matches, messages

    sme, expert = accounts.find_by_email("sme@demo.example"), accounts.find_by_email("expert@demo.example")
    if sme is None or expert is None or db.session.scalar(
            select(Message.id).join(MessageThread, Message.thread_id == MessageThread.id)
            .where(MessageThread.organisation_id == sme.organisation_id).limit(1)):
        return 0
    if approved_demo_sme() is None or approved_demo_expert() is None:
        return 0
    sme.organisation.name = sme.organisation.name or DEMO_SME_ROW[2]
    written = 0
    first_case = None
    for title, kind, goals, areas, matched, lines in DEMO_THREADS:
        case = _demo_case(sme, title, kind, goals, areas)
        if case is None:
            return written
        first_case = first_case or case
        thread = messages.thread_for_case(case, expert.id)
        if matched:
            matches.form(matches.sides_of_case(case, expert.id), origin="proposal", actor=sme, case=case)
        for from_expert, text in lines:
            messages.post(thread, expert if from_expert else sme, text)
            written += 1
    other = accounts.find_by_email("directory-expert01@demo.example")
    if other is not None and first_case is not None:
        thread = messages.thread_for_case(first_case, other.id)
        messages.post(thread, sme, "ご提案の内容について、もう少し詳しく教えてください。")
        bad = messages.post(thread, other, DEMO_REPORTED)
        messages.report(bad, sme, "事業の外で、個人口座への前払いを求められました。")
        written += 2
    db.session.flush()
    return written


# ------------------------------------------------------------------------------------------ the case search

#: Cases of the approved demo SME of the review queues (加藤 美穂, 株式会社かとう工務店), published so that the
#: expert's case search (issue 12) shows several: (title, goals, situation, areas, kind, mode, prefecture,
#: half hours, months, deadline in days from today).
DEMO_SEARCH_CASES = (
    ("ネットショップを始めたい", "地元の木工品を通販で全国に販売したい。", "店頭と電話注文のみで、ホームページもありません。",
     ("ec_sites", "cashless"), "proposals_wanted", "either", "宮城県", 20, 3, 30),
    ("見積書と請求書をクラウド会計で作りたい", "手書きの見積書・請求書をやめ、会計ソフトと連動させたい。",
     "エクセルと手書きが混在し、月末の集計に2日かかっています。", ("cloud_accounting",), "support_wanted", "online",
     "宮城県", 12, 2, 21),
    ("現場と事務所をWeb会議でつなぎたい", "現場写真と打合せをオンラインで共有し、移動時間を減らしたい。",
     "連絡は電話とFAXです。タブレットは2台あります。", ("web_meetings", "telework"), "proposals_wanted", "online",
     None, 10, 1, 14),
    ("セキュリティ対策を見直したい", "顧客の図面データを安全に保管したい。",
     "共有パソコン1台にパスワードなしで保存しています。", ("security",), "support_wanted", "onsite", "宮城県", 8, 1, 45),
    ("キャッシュレス決済を導入したい", "ショールームでクレジットカードとQRコード決済を受け付けたい。",
     "現金のみです。", ("cashless",), "no_proposals", "onsite", "宮城県", 6, 1, 10),
    ("受発注の定型作業を自動化したい", "毎朝の発注メール作成をRPAで自動にしたい。",
     "担当者が毎朝1時間かけて手作業で入力しています。", ("rpa",), "proposals_wanted", "either", "宮城県", 16, 3, 60),
    ("オンライン見学会を開きたい", "モデルハウスの見学会をオンラインでも開催したい。",
     "来場型の見学会だけで、遠方のお客様を逃しています。", ("online_events", "web_meetings"), "proposals_wanted",
     "online", None, 12, 2, 35),
    ("IT導入補助金の申請を相談したい", "工程管理ソフトの導入にIT導入補助金を使いたい。",
     "申請の手順がわからず、締切が近づいています。", ("it_subsidy",), "support_wanted", "either", "宮城県", 4, 1, 7),
)
DEMO_CASE_SME = "review-sme6@demo.example"


def seed_case_search() -> int:
    """Published cases of a second demo SME for the experts' case search, and a saved search of the demo
    expert (saved before the cases were published, so ``flask cases digest`` has something to send).
    Idempotent (nothing once that SME has cases); cases whose deadline the program calendar no longer
    allows are left out.  Returns the cases published."""
    from datetime import timedelta

    from dxapp.models import ConsultationCase
    from dxapp.services import case_search, cases

    sme = accounts.find_by_email(DEMO_CASE_SME)
    expert = accounts.find_by_email("expert@demo.example")
    if sme is None or cases.approved_registration(sme) is None:
        return 0
    if db.session.scalar(select(func.count()).select_from(ConsultationCase)
                         .where(ConsultationCase.organisation_id == sme.organisation_id)):
        return 0
    if expert is not None:
        approved_demo_expert()
        case_search.save(expert, case_search.Query(area="web_meetings"))
        case_search.save(expert, case_search.Query(prefecture="宮城県", kind="support_wanted"))
    today = clock.program_today()
    made = 0
    for title, goals, situation, areas, kind, mode, prefecture, half_hours, months, days in DEMO_SEARCH_CASES:
        fields = cases.CaseFields(title=title, goals=goals, situation=situation, areas=areas, kind=kind,
                                  half_hours=half_hours, period_months=months, mode=mode,
                                  deadline=today + timedelta(days=days), prefecture=prefecture,
                                  place="仙台市青葉区" if mode != "online" else None)
        try:
            cases.publish(sme, fields)
        except cases.CaseRefused:
            continue  # the program calendar no longer allows this deadline
        made += 1
    db.session.flush()
    return made


# ------------------------------------------------------------------------------------------ support plans

#: The demo plans between the demo SME and the demo expert, one per status of MONEY.md §1 that the
#: pages show before a report exists: (case title, what becomes of the plan).
DEMO_PLANS = (
    ("計画デモ: 受発注の見直し", "draft"),
    ("計画デモ: 顧客台帳の整理", "sme_review"),
    ("計画デモ: 見積書の電子化", "sme_returned"),
    ("計画デモ: 予約受付のオンライン化", "submitted"),
    ("計画デモ: 勤怠管理の導入", "under_review"),
    ("計画デモ: ホームページ更新の内製化", "returned"),
    ("計画デモ: 請求書の電子化", "approved"),
    ("計画デモ: 在庫の見える化", "concluding"),
    ("計画デモ: キャッシュレス決済の導入", "running"),
    ("計画デモ: 社内チャットの導入", "cancelled"),
    ("計画デモ: ロゴの制作", "rejected"),
)


def seed_plans() -> int:
    """Support plans at every status before reporting (下書き to 支援中, 中止, 不承認), each on its own
    match formed through an accepted proposal on a case of the demo SME; the running one reserved
    through the budget service.  Reachable from both My Pages (支援計画) and the secretariat's queue.
    Idempotent (nothing once the demo expert has a plan); returns the plans made."""
    from datetime import date

    from dxapp.models import SupportPlan
    from dxapp.services import cases, plans, proposals

    sme, expert = approved_demo_sme(), approved_demo_expert()
    clerk, admin = accounts.find_by_email("desk@demo.example"), accounts.find_by_email("admin@demo.example")
    if sme is None or expert is None or clerk is None or admin is None or db.session.scalar(
            select(SupportPlan.id).where(SupportPlan.expert_user_id == expert.id).limit(1)) is not None:
        return 0
    made = 0
    for title, status in DEMO_PLANS:
        try:
            case = cases.publish(sme, cases.CaseFields(
                title=title, goals="日々の事務作業を減らし、接客の時間を増やしたい。", situation="紙と表計算ソフトで管理しています。",
                areas=("cloud_accounting",), kind="proposals_wanted", half_hours=20, period_months=3, mode="either",
                deadline=_demo_deadline(), prefecture="東京都", place="台東区"))
        except cases.CaseRefused:  # program time outside the contract window: no demo plans
            return made
        proposal = proposals.send(expert, case, proposals.ProposalFields(
            message="以前の面談の内容をもとに提案します。", plan_outline="1. 現状の確認\n2. ツールの選定\n3. 操作の研修",
            half_hours=20, hourly_rate_yen=5_000))
        match = proposals.accept(proposal, case, version=proposal.version, actor=sme)
        words = "ロゴの制作とデザイン" if status == "rejected" else "会計ソフトの設定と操作の指導"
        plan = plans.start(match, plans.PlanFields(
            purpose=f"{title.split(': ')[1]}で事務作業を減らす", issue="手作業の転記に毎日1時間かかっている",
            items=(plans.Item("現状の聞き取りとツールの選定", 4, "onsite"), plans.Item(words, 6, "online")),
            start_date=date(2021, 6, 15), end_date=date(2021, 9, 30), hourly_rate_yen=5_000, scope_declared=True),
            actor=expert)
        made += 1
        if status == "draft":
            continue
        plans.send_to_sme(plan, version=plan.version, actor=expert)
        if status == "sme_review":
            continue
        if status == "sme_returned":
            plans.sme_return(plan, version=plan.version, actor=sme, comment="訪問の回を1回増やしてください。")
            continue
        plans.sme_agree(plan, version=plan.version, actor=sme)
        if status == "submitted":
            continue
        plans.REVIEW.pick_up(plan, version=plan.version, actor=clerk)
        if status == "under_review":
            continue
        if status == "returned":
            plans.REVIEW.return_for_correction(plan, version=plan.version, actor=clerk,
                                               flags={"content": "各回の内容をもう少し具体的に書いてください。"})
            continue
        if status == "rejected":
            plans.REVIEW.reject(plan, version=plan.version, actor=admin,
                                reason="ロゴの制作は準委任のコンサルティングではないため、本事業の対象外です。")
            continue
        plans.REVIEW.approve(plan, version=plan.version, actor=clerk)
        if status == "approved":
            continue
        plans.conclude(plan, actor=sme)
        if status == "concluding":
            continue
        plans.conclude(plan, actor=expert)
        if status == "cancelled":
            plans.request_cancel(plan, actor=sme, reason="店舗の改装で支援の時間が取れなくなりました。")
            plans.cancel(plan, version=plan.version, actor=clerk)
    db.session.flush()
    return made


def seed_plan_changes() -> int:
    """A change (計画変更) of the demo's running plan with two more hours, agreed by the demo SME and
    waiting in the secretariat's queue (計画変更, 第2版); the plan in force stays as it is.  Idempotent
    (nothing once the demo expert's plans have a change); returns the changes made."""
    from dxapp.models import SupportPlan
    from dxapp.services import plans

    sme, expert = approved_demo_sme(), approved_demo_expert()
    if sme is None or expert is None or db.session.scalar(select(SupportPlan.id).where(
            SupportPlan.expert_user_id == expert.id, SupportPlan.change_of_id.is_not(None)).limit(1)) is not None:
        return 0
    running = db.session.scalar(select(SupportPlan).where(
        SupportPlan.expert_user_id == expert.id, SupportPlan.status == "running",
        SupportPlan.change_of_id.is_(None)).order_by(SupportPlan.id).limit(1))
    if running is None:
        return 0
    change = plans.start_change(running, actor=expert)
    items = [plans.Item(i.what, i.half_hours, i.mode) for i in change.items]
    items.append(plans.Item("導入後の振り返りと定着の確認", 4, "online"))
    plans.save(change, plans.PlanFields(purpose=change.purpose, issue=change.issue, items=tuple(items),
                                        start_date=change.start_date, end_date=change.end_date,
                                        hourly_rate_yen=change.hourly_rate_yen, scope_declared=True),
               version=change.version, actor=expert)
    plans.send_to_sme(change, version=change.version, actor=expert)
    plans.sme_agree(change, version=change.version, actor=sme)
    db.session.flush()
    return 1
