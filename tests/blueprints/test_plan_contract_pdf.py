"""The contract as a PDF (issue 13, 契約内容の確認書): each party downloads the PDF of a concluded plan
under an ASCII name; its text carries the plan id, the SME, the amounts in yen and the Japanese of the
template; its fonts are embedded (Noto CJK from the system); a foreign plan and a plan not concluded are
404; the render never fetches over the network."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from dxapp.extensions import db
from dxapp.models import Organisation, SupportPlan
from dxapp.services import plans
from tests.fixtures import factories


@pytest.fixture
def world(users):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    clerk = users("desk")
    match = factories.matched(factories.published_case(sme), expert)
    plan = factories.approved_plan(match, expert, sme, clerk)
    return sme, expert, clerk, plan


@pytest.fixture
def as_(app, login):
    def make(user):
        client = app.test_client()
        login(client, user)
        return client

    return make


def _conclude(plan, sme, expert):
    plans.conclude(plan, actor=sme)
    plans.conclude(plan, actor=expert)
    db.session.commit()


def _fonts(reader: PdfReader) -> list[dict]:
    """The font descriptors of every font used on every page (descendants of Type0 fonts included)."""
    found = []
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for each in [font, *[d.get_object() for d in font.get("/DescendantFonts", [])]]:
                if "/FontDescriptor" in each:
                    found.append(each["/FontDescriptor"].get_object())
    return found


def test_both_parties_download_the_contract_pdf_with_embedded_japanese_fonts(world, as_):
    sme, expert, _clerk, plan = world
    _conclude(plan, sme, expert)
    plan = db.session.get(SupportPlan, plan.id)
    assert plan.status == "running"
    organisation = db.session.get(Organisation, plan.organisation_id)

    page = as_(expert).get(f"/expert/plans/{plan.id}/contract").get_data(as_text=True)
    assert f"/expert/plans/{plan.id}/contract.pdf" in page

    client = as_(sme)
    response = client.get(f"/sme/plans/{plan.id}/contract.pdf")  # speed is a bench's business, not a test's
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{plan.reference}-contract.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data()
    assert body.startswith(b"%PDF-")

    reader = PdfReader(io.BytesIO(body))
    text = "".join(page.extract_text() for page in reader.pages)
    compact = "".join(text.split())
    assert plan.reference in compact
    assert "".join(organisation.name.split()) in compact
    for amount in ("5,000円", "3,500円", "1,500円", "50,000円", "35,000円", "15,000円"):
        assert amount in compact, amount
    assert "契約内容の確認書" in compact and "準委任" in compact and "出店先の比較と選定の助言" in compact

    descriptors = _fonts(reader)
    assert descriptors, "no fonts in the PDF"
    assert all(any(key in d for key in ("/FontFile", "/FontFile2", "/FontFile3")) for d in descriptors)
    names = [str(d["/FontName"]) for d in descriptors]
    assert any("NotoSansCJK" in name.replace(" ", "").replace("-", "") for name in names), names

    expert_pdf = as_(expert).get(f"/expert/plans/{plan.id}/contract.pdf")
    assert expert_pdf.status_code == 200 and expert_pdf.get_data().startswith(b"%PDF-")


def test_a_plan_not_concluded_has_no_contract_pdf(world, as_):
    sme, expert, _clerk, plan = world
    assert as_(expert).get(f"/expert/plans/{plan.id}/contract.pdf").status_code == 404
    assert as_(sme).get(f"/sme/plans/{plan.id}/contract.pdf").status_code == 404


def test_a_foreign_plan_is_404(world, as_, users):
    sme, expert, _clerk, plan = world
    _conclude(plan, sme, expert)
    other_sme, _ = factories.approved_sme(users)
    other_expert, _ = factories.approved_expert(users)
    assert as_(other_expert).get(f"/expert/plans/{plan.id}/contract.pdf").status_code == 404
    assert as_(other_sme).get(f"/sme/plans/{plan.id}/contract.pdf").status_code == 404
    assert as_(sme).get(f"/expert/plans/{plan.id}/contract.pdf").status_code in (403, 404)


def test_the_render_fetches_nothing_over_the_network(app, monkeypatch):
    from dxapp import pdf

    fetched = []

    import urllib.request

    def no_network(*args, **kwargs):
        fetched.append(args)
        raise AssertionError("the PDF render opened a URL")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    html = ('<!doctype html><html lang="ja"><head><meta charset="utf-8">'
            '<link rel="stylesheet" href="https://example.invalid/x.css"></head><body>'
            '<img src="http://169.254.169.254/latest/meta-data/" alt="">'
            '<img src="file:///etc/passwd" alt=""><p>契約</p></body></html>')
    with app.test_request_context():
        body = pdf.render(html)
    assert body.startswith(b"%PDF-") and not fetched


def test_the_fetcher_serves_only_static_files(app):
    from pathlib import Path

    from dxapp import pdf

    fetcher = pdf._fetcher_class()(app.static_folder)
    static = Path(app.static_folder).resolve()
    assert fetcher.fetch((static / "css" / "print.css").as_uri()).read().startswith(b"/*")
    for url in ("https://example.invalid/x.css", "http://169.254.169.254/", "file:///etc/passwd",
                (static / ".." / "__init__.py").as_uri(), "data:text/css,body{}", "ftp://x/y"):
        with pytest.raises(pdf.Refused):
            fetcher.fetch(url)
