"""Pages travel compressed whatever their status: a form re-rendered with errors (422) or the 404 page
is a whole page too (Flask-Compress alone compresses only 2xx)."""

import gzip

from tests.fixtures.pages import text_of


def test_404_page_is_compressed(client):
    r = client.get("/no-such-page", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 404 and r.headers.get("Content-Encoding") == "gzip"
    body = gzip.decompress(r.data).decode()
    assert body.lower().startswith("<!doctype html>") and "トップページからやり直してください" in body
    assert "Accept-Encoding" in r.headers.get("Vary", "")


def test_422_rerender_is_compressed_and_keeps_its_status(client):
    page = client.get("/account/login")
    assert page.status_code == 200
    r = client.submit("/account/login", {"email": "", "password": ""}, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 422 and r.headers.get("Content-Encoding") == "gzip"
    assert len(r.data) < len(gzip.decompress(r.data))


def test_small_fragments_are_not_compressed(client):
    r = client.get("/sme/register/business-type/panel", query_string={"legal_form": "company", "industry": "retail"},
                   headers={"Accept-Encoding": "gzip", "HX-Request": "true"})
    assert r.status_code == 200 and "Content-Encoding" not in r.headers
    assert "まだ判定できません" in text_of(r)
