"""Staff passwords: argon2id hashes (argon2-cffi), never the password itself.

argon2-cffi's PasswordHasher uses argon2id with its current recommended parameters; a hash made
with older parameters is replaced at the next successful login (rehash-if-needed), so raising the
parameters later needs no migration.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

#: Shorter passwords are refused when an account is created or its password set.
MIN_LENGTH = 12
#: Longer input is refused before hashing, so a huge form field cannot keep a worker busy.
MAX_LENGTH = 1024

_hasher = PasswordHasher()


class WeakPassword(ValueError):
    """The password does not meet the minimum; the message says why."""


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"the password may have at most {MAX_LENGTH} characters")
    if not password.strip():
        raise WeakPassword("the password cannot be only spaces")


def hash_password(password: str) -> str:
    """An argon2id hash of a password that passed check_strength."""
    check_strength(password)
    return _hasher.hash(password)


def verify(password_hash: str, password: str) -> tuple[bool, str | None]:
    """Check a password; returns (matches, new hash to store or None).

    The new hash is set only when the password matched and the stored hash used older parameters.
    """
    if len(password) > MAX_LENGTH:
        password = password[:MAX_LENGTH]  # still hashed: the time taken must not tell anything
    try:
        _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if _hasher.check_needs_rehash(password_hash):
        return True, _hasher.hash(password)
    return True, None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("wegwijs-dummy-password-never-matches")


def prepare() -> None:
    """Make the dummy hash now (at start-up), so the first failed login is not the fast one."""
    _dummy_hash()


def verify_dummy(password: str) -> None:
    """Spend the time of one verification when there is no account, so a failed login takes as
    long for an unknown username as for a wrong password (no username probing by timing)."""
    verify(_dummy_hash(), password + "\0")
