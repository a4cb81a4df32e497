"""Password policy and hashing (SECURITY.md rule 7, NIST SP 800-63B rev. 4): at least 15 characters
(8 with a second factor), at least 64 allowed, no composition rules, a blocklist, nothing from the
e-mail address; argon2id."""

from __future__ import annotations

import unicodedata

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dxapp.services import passwords
from dxapp.services.passwords import PasswordPolicyError, check_policy
from tests.fixtures.app import PASSWORD


def ok(password: str, **kwargs) -> bool:
    try:
        check_policy(password, **kwargs)
    except PasswordPolicyError:
        return False
    return True


def varied(n: int) -> str:
    """n characters that are not a blocklisted or repetitive string."""
    alphabet = "correct horse battery staple jump"
    return (alphabet * (n // len(alphabet) + 1))[:n]


@pytest.mark.parametrize(("length", "accepted"), [(14, False), (15, True), (64, True), (128, True), (129, False)])
def test_length_limits(length, accepted):
    assert ok(varied(length)) is accepted


def test_second_factor_allows_8():
    assert ok(varied(8), min_length=8)
    assert not ok(varied(7), min_length=8)
    assert not ok(varied(8))


def test_no_composition_rules():
    assert ok("onlylowercaseletters")
    assert ok("ひらがなだけのながいぱすふれーずです")
    assert ok("1029384756 5647382910")


@pytest.mark.parametrize("common", ["passwordpassword", "123456789012345", "PasswordPassword",
                                    "qwertyuiopasdfg", "demo-pass-2021", "aaaaaaaaaaaaaaaa", "abababababababab",
                                    "dxapp123456789!!", "応援隊2021!!!!!!"])
def test_blocklisted_and_repetitive_rejected(common):
    assert not ok(common, min_length=8)


def test_e_mail_local_part_rejected():
    email = "hanako.yamada@example.jp"
    assert not ok("my name is hanako.yamada ok", email=email)
    assert not ok("my name is HANAKO.YAMADA ok", email=email)
    assert ok("my name is hanako ok and more", email=email)
    # Very short local parts would forbid too much; they are not checked.
    assert ok("a long passphrase with abc inside", email="abc@example.jp")


def test_unicode_length_counts_characters_not_bytes():
    assert ok("日本語のパスフレーズを十五文字以上")
    assert not ok("日本語のパスフレーズ十四文字")
    assert len("日本語のパスフレーズ十四文字") == 14
    # Decomposed kana (as typed on some systems) count as the characters the user sees.
    decomposed = unicodedata.normalize("NFD", "ガギグゲゴザジズゼゾダヂヅデド")
    assert len(decomposed) == 30
    assert ok(decomposed)
    assert not ok(unicodedata.normalize("NFD", "ガギグゲゴザジズゼゾダヂヅデ"))


def test_messages_say_what_to_do():
    with pytest.raises(PasswordPolicyError) as short:
        check_policy(varied(10))
    assert "15" in str(short.value.args[0])
    with pytest.raises(PasswordPolicyError) as long:
        check_policy(varied(129))
    assert "128" in str(long.value.args[0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=0, max_size=14))
def test_anything_shorter_than_15_is_rejected(text):
    assert not ok(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=129, max_size=300).filter(lambda t: len(unicodedata.normalize("NFC", t)) > 128))
def test_anything_longer_than_128_is_rejected(text):
    assert not ok(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=200))
def test_policy_never_crashes(text):
    try:
        check_policy(text, email="someone@example.jp")
    except PasswordPolicyError:
        pass


@pytest.mark.real_argon2
def test_hashes_are_argon2id_with_owasp_parameters():
    stored = passwords.hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    hasher = passwords._hasher
    assert hasher.type.name == "ID"
    # OWASP: at least m=19 MiB, t=2 (or m=46 MiB, t=1); the library default is m=64 MiB, t=3.
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2
    params = stored.split("$")[3]
    assert "m=65536" in params and "t=3" in params
    assert passwords.verify_password(stored, PASSWORD)
    assert not passwords.verify_password(stored, PASSWORD + " ")
    assert not passwords.needs_rehash(stored)


@pytest.mark.real_argon2
def test_same_password_gets_different_salts():
    assert passwords.hash_password(PASSWORD) != passwords.hash_password(PASSWORD)


def test_verify_handles_missing_and_broken_hashes():
    assert not passwords.verify_password(None, PASSWORD)
    assert not passwords.verify_password("", PASSWORD)
    assert not passwords.verify_password("$argon2id$garbage", PASSWORD)
    assert not passwords.verify_password("pbkdf2:sha256:1$abc$def", PASSWORD)


@pytest.mark.parametrize("secret", ["パスワードは日本語でも大丈夫です", "emoji 🔐🔑 passphrase here", "Ünïcödé pässwörd lång",
                                    "tab\tand\nnewline inside it"])
def test_unicode_passwords_round_trip(secret):
    stored = passwords.hash_password(secret)
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, secret)
    assert not passwords.verify_password(stored, secret[:-1])


def test_weaker_stored_hash_is_upgraded_at_login(users):
    """A hash made with weaker parameters is replaced at the next successful login."""
    from dxapp.extensions import db
    from dxapp.models import User
    from dxapp.services import accounts

    user = users("sme")
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    user.password_hash = weak
    db.session.commit()
    assert accounts.authenticate(user.email, PASSWORD) is not None
    db.session.commit()
    assert db.session.get(User, user.id).password_hash != weak


def test_policy_is_enforced_by_the_sign_up_form(client):
    client.submit("/account/sign-up/role", {"role": "expert"})
    client.submit("/account/sign-up/account", {"name": "山田 太郎", "email": "taro.yamada@example.jp"})
    for bad in (varied(14), "passwordpassword", "taro.yamada is my passphrase"):
        response = client.submit("/account/sign-up/password", {"password": bad, "password_confirm": bad})
        assert response.status_code == 422, bad
        assert bad not in response.get_data(as_text=True)  # never echoed back into the page
    good = varied(15)
    response = client.submit("/account/sign-up/password", {"password": good, "password_confirm": good})
    assert response.status_code == 303


def test_mismatched_confirmation_is_rejected(client):
    client.submit("/account/sign-up/role", {"role": "expert"})
    client.submit("/account/sign-up/account", {"name": "山田 太郎", "email": "taro@example.jp"})
    response = client.submit("/account/sign-up/password", {"password": varied(20), "password_confirm": varied(21)})
    assert response.status_code == 422
