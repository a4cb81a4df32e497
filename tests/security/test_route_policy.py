"""Every route declares its access policy; an anonymous sweep and a role x route matrix check the
answers (SECURITY.md rule 5)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from dxapp.access import ANONYMOUS, AUTHENTICATED, PUBLIC, policy_of
from tests.fixtures.security import ROLES, location_path, rules, url_for_rule

# Public or anonymous pages that answer a redirect instead of a page when nothing is in progress,
# with where they send the visitor (a path prefix).  Anything else public must answer 200.
EXPECTED_ANONYMOUS_REDIRECTS = {
    "auth.signup_check": "/account/sign-up/",  # nothing answered yet -> a step of the same wizard
    "auth.totp": "/account/login",  # no password step done -> back to the login page
}

# The role homes, as the policy table says (ARCHITECTURE/SECURITY): who may open what.
ROLE_HOMES = {
    "/sme/": {"sme"},
    "/expert/": {"expert"},
    "/supporter/": {"supporter_admin"},
    "/secretariat/": {"desk", "admin"},
    "/secretariat/staff": {"admin"},
}


def test_every_route_declares_a_policy(bare_app):
    app = bare_app
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if policy_of(view) is None:
            missing.append(f"{rule.rule} ({rule.endpoint})")
    assert missing == [], f"{len(missing)} routes without @policy: {missing}"


def test_policies_name_known_roles_only(bare_app):
    app = bare_app
    known = set(ROLES) | {PUBLIC, ANONYMOUS, AUTHENTICATED}
    for endpoint, view in app.view_functions.items():
        pol = policy_of(view)
        if pol is not None:
            assert set(pol.rule) <= known, (endpoint, pol.rule)


def test_anonymous_sweep(client, app):
    """Every parameterless GET route: public pages 200, protected pages a redirect to the login page
    that brings the visitor back afterwards."""
    seen = 0
    for rule in rules(app, "GET", parameterless=True):
        url = url_for_rule(app, rule)
        pol = policy_of(app.view_functions[rule.endpoint])
        response = client.get(url)
        seen += 1
        if pol.public or ANONYMOUS in pol.rule:
            if rule.endpoint in EXPECTED_ANONYMOUS_REDIRECTS:
                assert response.status_code in (302, 303), (url, response.status_code)
                assert location_path(response).startswith(EXPECTED_ANONYMOUS_REDIRECTS[rule.endpoint]), url
            else:
                assert response.status_code == 200, (url, response.status_code)
        else:
            assert response.status_code in (302, 303), (url, response.status_code)
            assert location_path(response) == "/account/login", (url, response.headers["Location"])
            assert parse_qs(urlsplit(response.headers["Location"]).query).get("next") == [url]
    assert seen >= 10


def test_role_homes_matrix(app, role_clients):
    """Role x route for the role homes: the allowed roles get the page, every other role a 403; and
    /account/home sends each role to its own home."""
    for url, allowed in ROLE_HOMES.items():
        for role, (_user, client) in role_clients.items():
            response = client.get(url)
            expected = 200 if role in allowed else 403
            assert response.status_code == expected, (role, url, response.status_code)
    homes = {"sme": "/sme/", "expert": "/expert/", "supporter_admin": "/supporter/",
             "desk": "/secretariat/", "admin": "/secretariat/"}
    for role, (_user, client) in role_clients.items():
        response = client.get("/account/home")
        assert response.status_code == 302 and location_path(response) == homes[role], role


def test_role_homes_table_matches_the_declared_policies(bare_app):
    app = bare_app
    with app.test_request_context("/"):
        for url, allowed in ROLE_HOMES.items():
            endpoint, _args = app.url_map.bind("localhost").match(url)
            assert set(policy_of(app.view_functions[endpoint]).rule) == allowed, url


def test_every_role_restricted_get_route_follows_its_policy(app, role_clients):
    """Beyond the homes: every parameterless GET route that names roles answers those roles (with the
    page or a redirect that is not to the login page) and 403 to the others; AUTHENTICATED routes never answer 403 or send a logged-in user to login;
    ANONYMOUS routes send a logged-in user to their home."""
    for rule in rules(app, "GET", parameterless=True):
        url = url_for_rule(app, rule)
        pol = policy_of(app.view_functions[rule.endpoint])
        for role, (_user, client) in role_clients.items():
            response = client.get(url)
            if pol.public:
                assert response.status_code in (200, 302, 303), (role, url, response.status_code)
            elif ANONYMOUS in pol.rule:
                assert response.status_code == 302, (role, url, response.status_code)
                assert location_path(response) == "/account/home", (role, url)
            elif AUTHENTICATED in pol.rule:
                assert response.status_code in (200, 302, 303), (role, url, response.status_code)
                assert location_path(response) != "/account/login", (role, url)
            elif role in pol.rule:
                # The page, or a redirect within the role's own pages (a wizard's first open step).
                assert response.status_code in (200, 302, 303), (role, url, response.status_code)
                assert location_path(response) != "/account/login", (role, url)
            else:
                assert response.status_code == 403, (role, url, response.status_code)
