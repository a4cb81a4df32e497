"""Password policy (SECURITY.md rule 7, NIST SP 800-63B rev. 4) and argon2id hashing."""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import lazy_gettext as _l

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) defaults

MAX_LENGTH = 128

# Most common passwords and service-specific words; a real deployment loads a larger list.
BLOCKLIST = frozenset(
    {
        "password", "password1", "password123", "passw0rd", "123456789012345", "1234567890123456",
        "qwertyuiopasdfg", "iloveyou", "abcdefghijklmno", "000000000000000", "111111111111111",
        "aaaaaaaaaaaaaaa", "passwordpassword", "dxappdxappdxapp", "demo-pass-2021", "digitalization",
        "chusho-kigyo-dx", "ouentai-ouentai", "mypassword12345", "letmeinletmein1", "qwerty123456789",
    }
)
_SERVICE_WORDS = ("dxapp", "ouentai", "応援隊", "デジタル化")


class PasswordPolicyError(ValueError):
    pass


def check_policy(password: str, *, email: str = "", min_length: int = 15) -> None:
    """Raise PasswordPolicyError with a message that says what to do.  No composition rules."""
    length = len(unicodedata.normalize("NFC", password))
    if length < min_length:
        raise PasswordPolicyError(_l("Use at least %(n)s characters.", n=min_length))
    if length > MAX_LENGTH:
        raise PasswordPolicyError(_l("Use at most %(n)s characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in BLOCKLIST or len(set(password)) <= 2:
        raise PasswordPolicyError(_l("This password is too common. Choose a different one."))
    if any(word == lowered.strip("0123456789!-_ ") for word in _SERVICE_WORDS):
        raise PasswordPolicyError(_l("This password is too common. Choose a different one."))
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in lowered:
        raise PasswordPolicyError(_l("Do not use your e-mail address in the password."))


def _normalised(password: str) -> str:
    """NIST SP 800-63B: the same password typed on another device (composed or decomposed kana,
    full-width letters) must verify, so passwords are NFKC-normalised before hashing."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _hasher.hash(_normalised(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        # Spend the same time as a real check so timing does not reveal unknown accounts.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(stored_hash, _normalised(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
