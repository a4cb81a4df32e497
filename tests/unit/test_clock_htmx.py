"""dxapp.clock (program time vs wall time) and dxapp.htmx (the only reader of HX-* headers)."""

import time
from datetime import UTC, datetime

import pytest
from flask import Flask

from dxapp import htmx
from dxapp.clock import JST, Clock, from_config, parse_instant


def test_program_time_starts_at_dxapp_now_and_runs_forward():
    clk = Clock(start=datetime(2021, 6, 1, 10, 0, tzinfo=JST))
    first = clk.program_now()
    assert first.tzinfo is not None
    assert datetime(2021, 6, 1, 10, 0, tzinfo=JST) <= first < datetime(2021, 6, 1, 10, 1, tzinfo=JST)
    time.sleep(0.05)
    assert clk.program_now() > first  # it runs forward from the start


def test_frozen_program_time_stands_still():
    start = datetime(2021, 9, 30, 23, 59, 59, tzinfo=JST)
    clk = Clock(start=start, frozen=True)
    time.sleep(0.01)
    assert clk.program_now() == start


def test_moving_program_time_never_moves_wall_time():
    clk = Clock(start=datetime(2021, 6, 1, 10, 0, tzinfo=JST), frozen=True)
    wall = clk.wall_now()
    assert abs((wall - datetime.now(UTC)).total_seconds()) < 5
    assert wall.tzinfo is not None


def test_wall_instants_are_shown_on_the_program_clock():
    """Issue 11 item 17: a code that expires 30 minutes from now (wall time) is shown 30 minutes after the
    program's now; without a shifted clock an instant is shown as it is."""
    from datetime import timedelta

    start = datetime(2021, 6, 1, 10, 0, tzinfo=JST)
    clk = Clock(start=start, frozen=True)
    shown = clk.shown(clk.wall_now() + timedelta(minutes=30))
    assert start + timedelta(minutes=29, seconds=59) <= shown <= start + timedelta(minutes=30)
    plain = Clock()
    instant = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    assert plain.shown(instant) == instant


def test_advance_wall_moves_security_timers_only():
    clk = Clock(start=datetime(2021, 6, 1, 10, 0, tzinfo=JST), frozen=True)
    before = clk.wall_timestamp()
    clk.advance_wall(1800)
    assert clk.wall_timestamp() - before >= 1800
    assert clk.program_now() == datetime(2021, 6, 1, 10, 0, tzinfo=JST)


def test_without_dxapp_now_program_time_is_real_time_in_jst():
    clk = Clock()
    now = clk.program_now()
    assert now.utcoffset().total_seconds() == 9 * 3600
    assert abs((now - datetime.now(UTC)).total_seconds()) < 5
    assert not clk.is_shifted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-06-01T10:00:00+09:00", datetime(2021, 6, 1, 1, 0, tzinfo=UTC)),
        ("2021-06-01T10:00", datetime(2021, 6, 1, 1, 0, tzinfo=UTC)),  # no offset: JST
        ("2021-06-01T01:00:00Z", datetime(2021, 6, 1, 1, 0, tzinfo=UTC)),
    ],
)
def test_parse_instant(text, expected):
    assert parse_instant(text) == expected


def test_from_config_and_set_requires_aware():
    clk = from_config({"DXAPP_NOW": "2021-05-24T10:00", "DXAPP_NOW_FROZEN": True})
    assert clk.program_now() == datetime(2021, 5, 24, 10, 0, tzinfo=JST)
    with pytest.raises(ValueError):
        clk.set(datetime(2021, 5, 24, 10, 0))  # noqa: DTZ001


@pytest.fixture
def bare_app():
    app = Flask(__name__)
    htmx.init_app(app)

    @app.route("/")
    def index():
        return "htmx" if htmx.is_htmx() else "page"

    return app


@pytest.mark.parametrize(
    ("headers", "is_htmx", "is_partial", "is_boosted"),
    [
        ({}, False, False, False),
        ({"HX-Request": "true"}, True, True, False),
        ({"HX-Request": "true", "HX-Request-Type": "partial"}, True, True, False),
        ({"HX-Request": "true", "HX-Request-Type": "full"}, True, False, False),
        ({"HX-Request": "true", "HX-Boosted": "true", "HX-Request-Type": "full"}, True, False, True),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False, False, False),
        ({"HX-Request": "false"}, False, False, False),
    ],
)
def test_htmx_request_detection(bare_app, headers, is_htmx, is_partial, is_boosted):
    with bare_app.test_request_context("/", headers=headers):
        assert htmx.is_htmx() is is_htmx
        assert htmx.is_partial() is is_partial
        assert htmx.is_boosted() is is_boosted


def test_every_response_varies_on_hx_request(bare_app):
    response = bare_app.test_client().get("/")
    assert "HX-Request" in response.headers.get("Vary", "")
    assert bare_app.test_client().get("/", headers={"HX-Request": "true"}).get_data(as_text=True) == "htmx"


def test_push_url_header(bare_app):
    with bare_app.test_request_context("/"):
        response = htmx.push_url(bare_app.make_response("x"), "/next")
        assert response.headers["HX-Push-Url"] == "/next"


@pytest.mark.parametrize(
    ("citation", "shown"),
    [
        ("seed 中小企業の範囲 ④（小売業）; DOMAIN.md §3", "事業案内: 中小企業の範囲 ④（小売業）"),
        ("DOMAIN.md §4 Budget", "本事業の運用ルール"),
        ("", "本事業の運用ルール"),
        ("利用規約 第5条; DOMAIN.md §6", "利用規約 第5条"),
        ("DOMAIN.md §6.1 Expert: bank account; 全銀フォーマット（design）", "本事業の運用ルール"),
    ],
)
def test_citations_shown_to_users_name_the_programs_source(app, citation, shown):
    from dxapp.templating import public_citation

    with app.test_request_context("/"):  # Japanese, the default language
        assert public_citation(citation) == shown
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert "DOMAIN" not in public_citation(citation) and "seed" not in public_citation(citation)
