"""Every page of the supporter corporation stays within the page budget (14 KB gzip), with 500 experts."""

import gzip

from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models.supporter import Affiliation, RosterImport
from tests.fixtures.factories import registered_supporter
from tests.fixtures.roster import csv_bytes, rows, upload
from tests.fixtures.walks import SUPPORTER as BASE

BUDGET = 14 * 1024


def test_pages_within_budget(client, users, login, capsys):
    registered_supporter(client, users, login)
    r = upload(client, csv_bytes(rows(500), "cp932"))
    client.submit(f"{r.headers['Location']}/confirm", page=r.headers["Location"])
    upload(client, csv_bytes(rows(490, start=500) + [f"悪い {i},Warui,bad{i}@" for i in range(10)], "cp932"))
    preview = db.session.scalars(select(RosterImport).where(RosterImport.status == "preview")).one()
    affiliation = db.session.scalars(select(Affiliation)).first()
    sizes = {}
    for path in ("/supporter/", "/supporter/experts", "/supporter/experts?page=5", "/supporter/experts/add",
                 "/supporter/experts/import", f"/supporter/experts/import/{preview.id}",
                 f"/supporter/experts/import/{preview.id}?page=10", f"/supporter/experts/{affiliation.id}/end",
                 "/supporter/administrators", f"{BASE}/", f"{BASE}/corporation", f"{BASE}/certification",
                 f"{BASE}/administrators", f"{BASE}/bank", f"{BASE}/declaration"):
        page = client.get(path)
        assert page.status_code == 200, path
        sizes[path] = len(gzip.compress(page.get_data()))
    with capsys.disabled():
        print("\n" + "\n".join(f"  {size:6,} B gzip  {path}" for path, size in sizes.items()))
    assert all(size <= BUDGET for size in sizes.values()), sizes
