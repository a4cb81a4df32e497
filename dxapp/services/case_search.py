"""The experts' case search (issue 12, "Experts find cases"): a query object, one page of matching cases,
the case detail as an expert sees it, saved searches and their daily digest e-mail.

Only published cases that the secretariat has not hidden are ever found; by default only those whose
proposal deadline (a JST day, included) has not passed at program time.  What leaves this module is a
:class:`CaseCard`: the theme, description, areas, kind, hours, period, mode, prefecture, industry and
size band.  Never the SME's name, address, phone or e-mail (the case row does not hold them, and the
organisation is never joined).

Free text: every word must occur in the case's search key (title + goals + situation, normalised by
:func:`dxapp.rules.case_search.search_key`, kept on the row by services/cases.py); on PostgreSQL the
LIKE uses the trigram GIN index of migration 0014.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from urllib.parse import parse_qsl

from sqlalchemy import exists, func, literal, select

from dxapp import clock, offline
from dxapp.extensions import db
from dxapp.models import ConsultationCase, ConsultationCaseArea, SavedSearch, User
from dxapp.rules import JST
from dxapp.rules import case_search as rules
from dxapp.rules import cases as case_rules
from dxapp.services import applications, audit, experts, outbox

PAGE_SIZE = 20
COUNT_CAP = 1000  # cases counted exactly; beyond, "more than 1,000"
MAX_PAGE = 10_000
MAX_SAVED = 20  # saved searches per expert
DIGEST_LIST = 20  # cases listed in one digest e-mail (the rest are counted)

#: The statuses a case may be seen in (the partial indexes of migration 0014 cover exactly these).
VISIBLE = ("published", "closed")

#: The mode filter: an expert who works online also wants the cases that take either (and on site too).
MODE_MATCHES = {"online": ("online", "either"), "onsite": ("onsite", "either"), "either": ("either",)}


@dataclass(frozen=True)
class Query:
    """What an expert searches for.  Unknown values are dropped by :meth:`from_args`, never an error."""

    q: str = ""
    area: str | None = None
    prefecture: str | None = None
    mode: str | None = None
    kind: str | None = None
    closed: bool = False  # also cases whose proposal deadline has passed
    sort: str = "deadline"  # or newest
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Query:
        """From a query string's values (request.args, or a saved search's query parsed back)."""

        def pick(name, allowed):
            value = (args.get(name) or "").strip()
            return value if value in allowed else None

        try:
            page = max(1, min(int(args.get("page") or 1), MAX_PAGE))
        except (TypeError, ValueError):
            page = 1
        return cls(q=" ".join((args.get("q") or "")[:rules.MAX_QUERY_CHARS].split()),
                   area=pick("area", experts.SUPPORT_AREAS), prefecture=pick("prefecture", experts.PREFECTURES),
                   mode=pick("mode", MODE_MATCHES), kind=pick("kind", case_rules.KINDS),
                   closed=(args.get("closed") or "") in ("1", "y", "on", "true"),
                   sort=pick("sort", rules.SORTS) or rules.SORTS[0], page=page)

    @classmethod
    def from_query_string(cls, text: str) -> Query:
        return cls.from_args(dict(parse_qsl(text or "")))

    def args(self) -> dict[str, str]:
        """The query-string values of this search without the page (for links and the form)."""
        values = {"q": self.q, "area": self.area, "prefecture": self.prefecture, "mode": self.mode,
                  "kind": self.kind, "closed": "1" if self.closed else None, "sort": self.sort}
        return {k: v for k, v in values.items() if v and not (k == "sort" and v == rules.SORTS[0])}

    def canonical(self) -> str:
        """The one spelling of this search (what a saved search stores)."""
        return rules.canonical_query(self.args())

    @property
    def is_empty(self) -> bool:
        return not self.canonical()

    def at_page(self, page: int) -> Query:
        return replace(self, page=page)


@dataclass(frozen=True)
class CaseCard:
    """A case as an expert may see it, and nothing more."""

    reference: str
    title: str
    goals: str
    situation: str
    areas: tuple[str, ...]
    kind: str
    half_hours: int
    period_months: int
    mode: str
    prefecture: str | None
    place: str | None
    industry: str | None
    size_band: str | None
    deadline: date
    published_at: datetime | None
    status: str  # as shown at program time: 公開中 or 締切

    @property
    def hours(self) -> str:
        whole, half = divmod(self.half_hours, 2)
        return f"{whole}.5" if half else str(whole)


@dataclass(frozen=True)
class Page:
    cards: list[CaseCard]
    total: int
    page: int
    pages: int
    page_size: int = PAGE_SIZE
    query: Query = field(default_factory=Query)
    capped: bool = False  # ``total`` is a lower bound: there are more (and so more pages)

    @property
    def has_next(self) -> bool:
        return self.capped or self.page < self.pages


#: Columns read for a card (no organisation, no author, no application).
_CARD_COLUMNS = (ConsultationCase.id, ConsultationCase.reference, ConsultationCase.title, ConsultationCase.goals,
                 ConsultationCase.situation, ConsultationCase.kind, ConsultationCase.half_hours,
                 ConsultationCase.period_months, ConsultationCase.mode, ConsultationCase.prefecture,
                 ConsultationCase.place, ConsultationCase.industry, ConsultationCase.size_band,
                 ConsultationCase.deadline, ConsultationCase.published_at, ConsultationCase.status)


def _today(at: datetime) -> date:
    return at.astimezone(JST).date()


def _const(value):
    """A filter value rendered into the SQL text (bound safely by the driver's literal rendering): the
    planner then sees the value on every execution, also once psycopg has prepared the statement, where a
    generic plan would scan the trigram index for a two-character word or miss the partial indexes."""
    return literal(value, literal_execute=True)


def _like_pattern(term: str) -> str:
    return "%" + term.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def _visible(at: datetime, *, closed: bool) -> list:
    """Published (or, with ``closed``, closed early) and not hidden; the deadline not passed unless
    ``closed``."""
    if closed:
        return [ConsultationCase.status.in_([_const(s) for s in VISIBLE]), ~ConsultationCase.hidden]
    return [ConsultationCase.status.in_([_const(s) for s in VISIBLE]), ~ConsultationCase.hidden,
            ConsultationCase.status == _const("published"), ConsultationCase.deadline >= _today(at)]


def conditions(query: Query, at: datetime) -> list:
    cond = _visible(at, closed=query.closed)
    if query.area:
        cond.append(exists().where(ConsultationCaseArea.case_id == ConsultationCase.id,
                                   ConsultationCaseArea.area == _const(query.area)))
    if query.prefecture:
        cond.append(ConsultationCase.prefecture == _const(query.prefecture))
    if query.mode:
        cond.append(ConsultationCase.mode.in_([_const(m) for m in MODE_MATCHES[query.mode]]))
    if query.kind:
        cond.append(ConsultationCase.kind == _const(query.kind))
    for term in rules.terms(query.q):
        cond.append(ConsultationCase.search_text.like(_const(_like_pattern(term)), escape="/"))
    return cond


def _order(query: Query) -> tuple:
    if query.sort == "newest":
        return ConsultationCase.published_at.desc(), ConsultationCase.id.desc()
    return ConsultationCase.deadline, ConsultationCase.id


def _areas_of(case_ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {i: [] for i in case_ids}
    if case_ids:
        for case_id, area in db.session.execute(
                select(ConsultationCaseArea.case_id, ConsultationCaseArea.area)
                .where(ConsultationCaseArea.case_id.in_(case_ids)).order_by(ConsultationCaseArea.id)):
            found[case_id].append(area)
    return {k: tuple(v) for k, v in found.items()}


def _cards(rows, at: datetime) -> list[CaseCard]:
    areas = _areas_of([r.id for r in rows])
    return [CaseCard(reference=r.reference, title=r.title, goals=r.goals, situation=r.situation, areas=areas[r.id],
                     kind=r.kind, half_hours=r.half_hours, period_months=r.period_months, mode=r.mode,
                     prefecture=r.prefecture, place=r.place, industry=r.industry, size_band=r.size_band,
                     deadline=r.deadline, published_at=r.published_at,
                     status=case_rules.effective_status(r.status, r.deadline, at)) for r in rows]


def search(query: Query, *, at: datetime | None = None, page_size: int = PAGE_SIZE) -> Page:
    """One page of the cases that match ``query`` at program time ``at`` (a page past the last shows the
    last).  One ordered scan reads the ids of the matches up to COUNT_CAP (or just past the asked page, if
    further): it gives the count and the page at once, so a rare word is scanned for once, not twice;
    beyond the cap the page says "more than" (``Page.capped``).  Then the page's 20 rows are read by id."""
    at = at or clock.program_now()
    need = max(COUNT_CAP, (max(1, query.page) + 1) * page_size)
    ids = list(db.session.scalars(select(ConsultationCase.id).where(*conditions(query, at))
                                  .order_by(*_order(query)).limit(need + 1)))
    capped = len(ids) > need
    total = need if capped else len(ids)
    pages = max(1, -(-total // page_size))
    page = min(max(1, query.page), pages)
    page_ids = ids[(page - 1) * page_size:page * page_size]
    rows = db.session.execute(select(*_CARD_COLUMNS).where(ConsultationCase.id.in_(page_ids))).all() if page_ids else []
    position = {case_id: n for n, case_id in enumerate(page_ids)}
    rows.sort(key=lambda r: position[r.id])
    return Page(cards=_cards(rows, at), total=total, page=page, pages=pages, page_size=page_size, query=query,
                capped=capped)


def visible_case(reference: str, *, at: datetime | None = None) -> CaseCard | None:
    """The case ``reference`` as an expert sees it: published or closed, not hidden (None otherwise, and
    for anything that is not a case reference: the view answers 404).  A case whose deadline passed is
    still shown, as 締切."""
    if not case_rules.is_reference(reference):
        return None
    at = at or clock.program_now()
    row = db.session.execute(select(*_CARD_COLUMNS).where(ConsultationCase.reference == reference,
                                                          *_visible(at, closed=True))).first()
    return _cards([row], at)[0] if row is not None else None


def reindex_missing() -> int:
    """Fill the search key of rows written without services/cases.py (bulk data)."""
    rows = list(db.session.scalars(select(ConsultationCase).where(ConsultationCase.search_text.is_(None))))
    for case in rows:
        case.search_text = rules.search_key(" ".join((case.title, case.goals, case.situation)))
    db.session.flush()
    return len(rows)


# ------------------------------------------------------------------------------------------ saved searches

class SaveRefused(Exception):
    """``code``: ``empty`` (nothing to save: no filter, no text) or ``too_many`` (MAX_SAVED reached)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def saved_of(user) -> list[SavedSearch]:
    return list(db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == user.id)
                                   .order_by(SavedSearch.id.desc())))


def is_saved(user, query: Query) -> bool:
    text = query.canonical()
    return bool(text) and db.session.scalar(select(SavedSearch.id).where(
        SavedSearch.user_id == user.id, SavedSearch.query == text).limit(1)) is not None


def save(user, query: Query) -> tuple[SavedSearch, bool]:
    """Keep ``query`` (in its one spelling) for ``user``: (the saved search, whether it is new).  Saving the
    same search twice finds the first.  Only cases published from now on go into its digests."""
    text = query.canonical()
    if not text:
        raise SaveRefused("empty")
    found = db.session.scalar(select(SavedSearch).where(SavedSearch.user_id == user.id, SavedSearch.query == text))
    if found is not None:
        if found.unsubscribed_at is not None:  # saved again: the digest starts again
            found.unsubscribed_at = None
            found.seen_until = clock.wall_now()
            audit.record("saved_search.resubscribed", "saved_search", found.id, actor=user.id)
        return found, False
    count = db.session.scalar(select(func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user.id))
    if count >= MAX_SAVED:
        raise SaveRefused("too_many")
    now = clock.wall_now()
    saved = SavedSearch(user_id=user.id, query=text, created_at=now, seen_until=now,
                        unsubscribe_token=secrets.token_urlsafe(32))
    db.session.add(saved)
    db.session.flush()
    audit.record("saved_search.created", "saved_search", saved.id, actor=user.id, summary={"query": text})
    return saved, True


def delete(user, saved_id) -> bool:
    """Delete one of ``user``'s saved searches (False for anyone else's or an unknown id: 404)."""
    try:
        saved_id = int(saved_id)
    except (TypeError, ValueError):
        return False
    saved = db.session.scalar(select(SavedSearch).where(SavedSearch.id == saved_id, SavedSearch.user_id == user.id))
    if saved is None:
        return False
    audit.record("saved_search.deleted", "saved_search", saved.id, actor=user.id, summary={"query": saved.query})
    db.session.delete(saved)
    db.session.flush()
    return True


def by_token(token: str) -> SavedSearch | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(SavedSearch).where(SavedSearch.unsubscribe_token == token))


def unsubscribe(saved: SavedSearch) -> bool:
    """No more digests for this saved search (it stays in the list).  False when already unsubscribed."""
    if saved.unsubscribed_at is not None:
        return False
    saved.unsubscribed_at = clock.wall_now()
    db.session.flush()
    audit.record("saved_search.unsubscribed", "saved_search", saved.id, actor=None)
    return True


# ------------------------------------------------------------------------------------------ the digest

def registration_status(user) -> str | None:
    """The status of the expert's registration (None when there is none): only ``approved`` may search."""
    registration = applications.registration(user, "expert")
    return registration.status if registration is not None else None


def may_search(user) -> bool:
    """An active IT expert whose registration is approved (issue 12: only approved registrations take
    part)."""
    return bool(user.active) and user.role == "expert" and registration_status(user) == "approved"


def new_matches(saved: SavedSearch, at: datetime) -> tuple[list[CaseCard], int, datetime | None]:
    """(the first DIGEST_LIST open cases matching ``saved`` published after its ``seen_until``, how many
    there are in all, the newest ``published_at`` among them)."""
    query = Query.from_query_string(saved.query)
    cond = [*conditions(replace(query, closed=False), at), ConsultationCase.published_at > saved.seen_until]
    total, newest = db.session.execute(select(func.count(), func.max(ConsultationCase.published_at))
                                       .select_from(ConsultationCase).where(*cond)).one()
    if not total:
        return [], 0, None
    rows = db.session.execute(select(*_CARD_COLUMNS).where(*cond)
                              .order_by(ConsultationCase.published_at.desc(), ConsultationCase.id.desc())
                              .limit(DIGEST_LIST)).all()
    return _cards(rows, at), total, newest


def send_digests(*, at: datetime | None = None, link=None) -> tuple[int, int]:
    """The daily digest: for every subscribed saved search of an approved, active expert that has not had
    its run this program day (JST), one e-mail through the outbox listing the new matching cases (none
    when nothing new).  ``link(endpoint, **values)`` makes the absolute URLs (default:
    dxapp.offline.external_url).  Returns (searches looked at, e-mails queued).  Nothing is committed here."""
    at = at or clock.program_now()
    link = link or offline.external_url
    start_of_day = datetime.combine(_today(at), datetime.min.time(), tzinfo=JST)
    looked = queued = 0
    due = db.session.scalars(select(SavedSearch).where(
        SavedSearch.unsubscribed_at.is_(None),
        (SavedSearch.last_digest_at.is_(None)) | (SavedSearch.last_digest_at < start_of_day))
        .order_by(SavedSearch.user_id, SavedSearch.id)).all()
    users: dict[int, User | None] = {}
    for saved in due:
        user = users.setdefault(saved.user_id, db.session.get(User, saved.user_id))
        if user is None or not may_search(user):
            continue
        looked += 1
        cards, total, newest = new_matches(saved, at)
        saved.last_digest_at = at
        if not total:
            continue
        saved.seen_until = newest
        query = Query.from_query_string(saved.query)
        outbox.enqueue(user.email, "case_digest", f"新しい相談案件（{total}件）", "case_digest.txt", user=user,
                       cards=cards, total=total, more=total - len(cards),
                       search_link=link("expert.cases", **query.args()),
                       case_links={c.reference: link("expert.case_detail", reference=c.reference) for c in cards},
                       unsubscribe_link=link("expert.unsubscribe", token=saved.unsubscribe_token),
                       saved_link=link("expert.saved_searches"))
        queued += 1
    db.session.flush()
    return looked, queued

