"""Demo data of introductions, self-matches, packages and match signals (issue 12): every new page is
reachable from the demo accounts' My Pages and the secretariat dashboard, and seeding twice adds
nothing."""

from __future__ import annotations

import gzip
import re

from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import Introduction, MatchSignal, SelfMatch, SupportPackage
from tests.fixtures.pages import text_of


def links(response, prefix: str) -> list[str]:
    return sorted(set(re.findall(rf'href="({re.escape(prefix)}[^"#?]*)"', response.get_data(as_text=True))))


def test_demo_matching_is_reachable_from_my_pages(app, login):
    from dxapp.demo import DEMO_PASSWORD
    from dxapp.demo import seed as seed_demo
    from dxapp.services import accounts

    seed_demo()
    seed_demo()  # idempotent
    assert sorted(db.session.scalars(select(Introduction.status))) == ["accepted", "declined", "introduced"]
    assert sorted(db.session.scalars(select(SelfMatch.status))) == ["confirmed", "requested"]
    assert sorted(db.session.scalars(select(SupportPackage.status))) == ["published", "unpublished"]
    assert db.session.scalar(select(func.count()).select_from(MatchSignal).where(MatchSignal.status == "open")) >= 1

    seen, sizes = {}, {}
    for email, home, prefixes in (
            ("sme@demo.example", "/sme/", ("/sme/packages/", "/sme/self-match", "/sme/cases/")),
            ("expert@demo.example", "/expert/", ("/expert/introductions/", "/expert/self-matches/",
                                                  "/expert/packages")),
            ("desk@demo.example", "/secretariat/", ("/secretariat/introductions/", "/secretariat/match-signals/"))):
        client = app.test_client()
        login(client, accounts.find_by_email(email), password=DEMO_PASSWORD)
        page = client.get(home)
        assert page.status_code == 200, email
        queue = [u for p in prefixes for u in links(page, p)]
        assert len(queue) >= len(prefixes), (email, queue)
        visited = set()
        while queue and len(visited) < 30:
            url = queue.pop(0)
            if url in visited or url.startswith("/sme/cases/new"):  # the case wizard: its own tests
                continue
            visited.add(url)
            response = client.get(url)
            assert response.status_code == 200, (email, url, response.status_code)
            seen[url] = text_of(response)
            sizes[url] = len(gzip.compress(response.get_data()))
            queue += [u for p in prefixes for u in links(response, p) if u not in visited]
    assert all(size <= 14 * 1024 for size in sizes.values()), sizes  # the page budget (UX.md)
    assert "/expert/packages/new" in sizes and any("/experts/" in url for url in sizes)
    assert any("ネットショップ開設パック" in text for url, text in seen.items() if url.startswith("/sme/packages/"))
    assert any(url.endswith("/introductions") and url.startswith("/sme/cases/") for url in seen)
    assert any("電話番号が同じ" in text for url, text in seen.items() if "match-signals" in url)
    assert any("店舗のセキュリティ対策" in text for url, text in seen.items() if url.startswith("/expert/introductions/"))
