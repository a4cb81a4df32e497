"""services/drafts.insert_once says whether its INSERT made the row, on SQLite and on PostgreSQL
(psycopg reports ``rowcount`` -1 for INSERT ... ON CONFLICT DO NOTHING, which made every parallel
submit on PostgreSQL look like the first: one consultation case per tap, issue 12)."""

from __future__ import annotations

from sqlalchemy import func, select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import Submission
from dxapp.services import drafts


def test_the_first_insert_makes_the_row_and_the_second_does_not(app):
    values = {"wizard": "consultation_case", "owner_key": "org:1", "form_token": "t" * 32,
              "reference": "W-2106-000001", "created_at": clock.wall_now()}
    keys = ("wizard", "owner_key", "form_token")
    assert drafts.insert_once(Submission, keys, **values) is True
    assert drafts.insert_once(Submission, keys, **{**values, "reference": "W-2106-000002"}) is False
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
