"""Parallel requests that create the same row (issue 11 item 24; SECURITY.md rule 3): exactly one row,
the others the normal page, never a 500.  Threads against the same database: a file SQLite by
default, PostgreSQL when ``TEST_DATABASE_URL`` is set (where the INSERTs really overlap)."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import ContactPerson, User
from dxapp.models.supporter import Affiliation, RosterImport
from tests.fixtures.concurrency import parallel
from tests.fixtures.factories import approved_supporter_shell as approved_supporter
from tests.fixtures.pages import inspect
from tests.fixtures.walks import SIGNUP, fill_signup

N = 10


def clone(app, client):
    """A second client in the same browser session (the same cookie)."""
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    other.check_pages = False
    return other


def hidden_fields(client, url: str, action: str | None = None) -> dict:
    page = inspect(client.get(url).get_data(as_text=True))
    index = next((i for i, f in enumerate(page.forms) if action and f.get("action", "") == action), None)
    return {f["name"]: f.get("value", "") for f in page.inputs
            if f.get("type") == "hidden" and (index is None or f.get("_form") == index)}


def count(model, *where) -> int:
    value = db.session.scalar(select(func.count()).select_from(model).where(*where))
    db.session.rollback()
    return value


def codes(results) -> list:
    return [r.status_code if hasattr(r, "status_code") else repr(r) for r in results]


def test_one_address_signed_up_in_parallel_makes_one_account(app):
    posts = []
    for _ in range(N):
        client = app.test_client()
        fill_signup(client, email="race@example.jp")
        fields = hidden_fields(client, f"{SIGNUP}/check-answers")
        posts.append(lambda c=client, f=fields: c.post(f"{SIGNUP}/submit", data=f))
    results = codes(parallel(app, posts))
    # Every request gets the confirmation page, which says the same for a new and a known address.
    assert all(code == 303 for code in results), results
    assert count(User, func.lower(User.email) == "race@example.jp") == 1


def test_one_contact_added_in_parallel_makes_one_contact(app, users, login):
    sme = users("sme")
    client = app.test_client()
    login(client, sme)
    fields = {**hidden_fields(client, "/sme/contacts", "/sme/contacts"), "name": "担当 一郎", "department": "",
              "email": "contact-race@example.jp", "phone": ""}
    clients = [clone(app, client) for _ in range(N)]
    results = codes(parallel(app, [lambda c=c: c.post("/sme/contacts", data=fields) for c in clients]))
    assert all(code in (303, 422) for code in results), results
    assert results.count(303) >= 1
    assert count(User, func.lower(User.email) == "contact-race@example.jp") == 1
    assert count(ContactPerson, ContactPerson.email == "contact-race@example.jp") == 1


def test_one_new_expert_added_in_parallel_makes_one_account_and_one_affiliation(app, users, login):
    admin = approved_supporter(users)
    db.session.commit()
    client = app.test_client()
    login(client, admin)
    fields = {**hidden_fields(client, "/supporter/experts/add"), "name": "並行 太郎", "name_kana": "ヘイコウ タロウ",
              "email": "expert-race@example.jp"}
    clients = [clone(app, client) for _ in range(N)]
    results = codes(parallel(app, [lambda c=c: c.post("/supporter/experts/add", data=fields) for c in clients]))
    assert all(code in (303, 422) for code in results), results
    expert = db.session.scalars(select(User).where(User.email == "expert-race@example.jp")).all()
    assert len(expert) == 1
    assert count(Affiliation, Affiliation.expert_user_id == expert[0].id) == 1


CSV = "氏名,フリガナ,メールアドレス\r\n" + "".join(
    f"並行 {i}号,ヘイコウ ゴウ,csv-race{i}@example.jp\r\n" for i in range(5))


def _preview(client) -> str:
    r = client.post("/supporter/experts/import", data={
        "csrf_token": client.csrf_from("/supporter/experts/import"),
        "file": (io.BytesIO(CSV.encode()), "experts.csv")}, content_type="multipart/form-data")
    assert r.status_code == 303, r.status_code
    return r.headers["Location"].replace("http://localhost", "")


def test_two_corporations_confirm_the_same_new_experts_in_parallel(app, users, login):
    posts = []
    for name in ("株式会社一号", "株式会社二号"):
        admin = approved_supporter(users, name=name)
        db.session.commit()
        client = app.test_client()
        login(client, admin)
        url = _preview(client)
        token = client.csrf_from(url)
        for _ in range(N // 2):
            c = clone(app, client)
            posts.append(lambda c=c, url=url, token=token: c.post(f"{url}/confirm", data={"csrf_token": token}))
    results = codes(parallel(app, posts))
    assert all(code in (303, 409) for code in results), results
    for i in range(5):
        experts = db.session.scalars(select(User).where(User.email == f"csv-race{i}@example.jp")).all()
        assert len(experts) == 1, i
        # One open affiliation with each corporation, none twice.
        orgs = db.session.scalars(select(Affiliation.organisation_id)
                                  .where(Affiliation.expert_user_id == experts[0].id)).all()
        assert sorted(orgs) == sorted(set(orgs)) and len(orgs) == 2, orgs
    db.session.rollback()


def test_a_losing_confirmation_leaves_the_winners_rows_alone(app, users, login):
    admin = approved_supporter(users)
    db.session.commit()
    client = app.test_client()
    login(client, admin)
    url = _preview(client)
    token = client.csrf_from(url)
    record = db.session.scalars(select(RosterImport)).one()
    rows_before = record.rows
    db.session.rollback()
    clients = [clone(app, client) for _ in range(N)]
    results = codes(parallel(app, [lambda c=c: c.post(f"{url}/confirm", data={"csrf_token": token}) for c in clients]))
    assert all(code in (303, 409) for code in results), results
    record = db.session.scalars(select(RosterImport)).one()
    assert record.status == "confirmed" and record.error_count == 0
    assert record.rows == rows_before
    assert count(Affiliation) == 5


def test_a_confirmation_that_lost_the_race_does_not_rewrite_the_confirmed_import(app, users, login):
    """The interleaving the parallel test above hits only sometimes, made certain: a request loaded the
    preview, another confirmed it meanwhile; the first one must not mark the confirmed rows as errors."""
    import pytest

    from dxapp.services import supporters
    from dxapp.services.workflow import Stale

    admin = approved_supporter(users)
    db.session.commit()
    client = app.test_client()
    login(client, admin)
    url = _preview(client)
    stale = db.session.scalars(select(RosterImport)).one()  # loaded while it is a preview
    rows_before = stale.rows
    assert client.submit(f"{url}/confirm", page=url).status_code == 303  # the winner
    with pytest.raises(Stale):
        supporters.confirm(stale, actor=db.session.get(User, admin.id))
    db.session.rollback()
    db.session.expire_all()
    record = db.session.scalars(select(RosterImport)).one()
    assert record.status == "confirmed" and record.error_count == 0 and record.rows == rows_before
    assert count(Affiliation) == 5
