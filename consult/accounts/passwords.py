"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn's score: 0 too guessable … 4 very unguessable. 3 = "safely unguessable".
MIN_SCORE = 3

_hasher = PasswordHasher()
# A fixed hash to verify against when the account does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def configure(*, time_cost: int, memory_cost: int) -> None:
    """Set argon2id's cost (create_app does, from ARGON2_TIME_COST and ARGON2_MEMORY_COST).
    Hashes made with other costs still verify, and are rehashed at the next sign-in."""
    global _hasher, _DUMMY_HASH
    if (_hasher.time_cost, _hasher.memory_cost) == (time_cost, memory_cost):
        return
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
    _DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; spends the same time when there is no hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def _personal_words(user_inputs: tuple[str, ...]) -> list[str]:
    """The person's own details, whole and in words (e-mail parts, names), for zxcvbn."""
    words: set[str] = set()
    for value in user_inputs:
        if not value:
            continue
        value = value.lower()
        words.add(value)
        words.add(value.split("@")[0])
        words.update(w for w in re.split(r"[^\w]+", value) if len(w) >= 3)
    return sorted(words)


def password_problems(password: str, *, user_inputs: tuple[str, ...] = ()) -> list[str]:
    """Why `password` is refused (empty list when it is acceptable). No network look-up."""
    if len(password) < MIN_LENGTH:
        return [str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))]
    if len(password) > MAX_LENGTH:
        return [str(_l("Use at most %(n)d characters.", n=MAX_LENGTH))]
    result = zxcvbn(password[:100], user_inputs=_personal_words(user_inputs))
    if result["score"] < MIN_SCORE:
        problems = [
            str(
                _l(
                    "This password is too common or too easy to guess. "
                    "Try a few unrelated words together."
                )
            )
        ]
        warning = result["feedback"].get("warning")
        if warning:
            problems.append(warning)
        return problems
    return []
