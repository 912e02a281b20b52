"""The rules for account names and passwords (zxcvbn judges a password's strength)."""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

from repo.core.errors import Invalid

USERNAME_RE = re.compile(r'^[a-z][a-z0-9_.-]{2,31}$')
RESERVED_USERNAMES = frozenset(
    {
        'admin', 'administrator', 'root', 'api', 'public', 'private', 'system', 'shoebox',
        'login', 'logout', 'signup', 'signin', 'account', 'settings', 'upload', 'static',
        'me', 'null', 'none', 'anonymous', 'support', 'help', 'www', 'mail',
    }
)  # fmt: skip
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MIN_STRENGTH = 2  # zxcvbn score 0..4
ZXCVBN_MAX_CHARS = 72  # zxcvbn refuses longer input (ValueError); the first 72 chars decide


def normalize_username(username: str) -> str:
    return (username or '').strip().lower()


def check_username(username: str) -> str:
    """Return the canonical (lower-case) username or raise Invalid naming the broken rule."""
    name = normalize_username(username)
    if not 3 <= len(name) <= 32:
        raise Invalid('Username must be 3 to 32 characters long')
    if not name[0].isascii() or not name[0].isalpha():
        raise Invalid('Username must start with a letter')
    # ASCII before lower-casing too: 'K' (KELVIN SIGN) lower-cases to an ASCII 'k'.
    if not USERNAME_RE.match(name) or not (username or '').strip().isascii():
        raise Invalid('Username may only contain letters, digits, and the characters _ . -')
    if name in RESERVED_USERNAMES:
        raise Invalid(f'The username "{name}" is reserved; please choose another')
    return name


def password_strength(password: str, user_inputs: list[str] | None = None) -> tuple[int, str]:
    """zxcvbn's score (0..4) and its feedback as one hint sentence."""
    result = zxcvbn(password[:ZXCVBN_MAX_CHARS], user_inputs=[u for u in user_inputs or [] if u])
    feedback = result.get('feedback') or {}
    parts = [feedback.get('warning') or '', *(feedback.get('suggestions') or [])]
    hint = ' '.join(p.strip() for p in parts if p and p.strip())
    return int(result['score']), hint


def check_password(password: str, user_inputs: list[str] | None = None) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f'Password must be at least {MIN_PASSWORD} characters long')
    if len(password) > MAX_PASSWORD:
        raise Invalid(f'Password must be at most {MAX_PASSWORD} characters long')
    score, hint = password_strength(password, user_inputs)
    if score < MIN_STRENGTH:
        advice = hint or 'Add more words or characters that are hard to guess.'
        raise Invalid(f'Password is too easy to guess. {advice}')
