"""The domain's input rules as JSON Schema, for the OpenAPI document (the API contract).

Each schema here accepts exactly what the domain accepts, no more and no less: a schema-valid
request is never refused for the rule, and a request the schema refuses is refused by the server
too (tests/test_api_contract.py checks both directions against the domain's own functions, and
.ci/contract runs schemathesis against a real server). Patterns are documentation only: the
domain keeps validating with its own, clearer messages.

Rules that JSON Schema cannot state are named in the field's description instead, and answered
with 422: a password's strength (zxcvbn), and text that is only invisible characters or too
long once they are removed (titles, descriptions, tags are cleaned before they are counted).
"""

from __future__ import annotations

from typing import Any

from repo.core.account_rules import RESERVED_USERNAMES
from repo.core.palette import ALIASES, PALETTE
from repo.services.signin import MAX_TOKEN_NAME

# What Python's str.strip() removes (every character for which str.isspace() holds), which is
# not quite JSON Schema's (ECMAScript's) \s.
SPACE = r'[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]'
# Characters whose str.lower() is an ASCII letter, beside the ASCII letters themselves.
LOWER_TO_ASCII = {'k': '\u212a'}  # KELVIN SIGN


def any_case(word: str) -> str:
    """'red' -> '[rR][eE][dD]': the word as str.lower() would accept it."""
    out = []
    for ch in word:
        if ch.isalpha():
            out.append(f'[{ch}{ch.upper()}{LOWER_TO_ASCII.get(ch, "")}]')
        else:
            out.append('\\' + ch if ch in '.-' else ch)
    return ''.join(out)


# Username (repo.core.account_rules.check_username): stripped; 3-32 ASCII letters, digits,
# _ . -; a letter first; compared lower-cased. The reserved names (admin, root, ...) are left to the
# description: spelled out as a `not` pattern in every case they made schemathesis fail.
USERNAME: dict[str, Any] = {
    'type': 'string',
    'pattern': f'^{SPACE}*[A-Za-z][A-Za-z0-9_.-]{{2,31}}{SPACE}*$',
    'description': '3 to 32 letters, digits, _ . or -, starting with a letter; case does not '
    'matter. A few names are reserved (' + ', '.join(sorted(RESERVED_USERNAMES)[:6]) + ', ...): '
    '422.',
}
PASSWORD: dict[str, Any] = {
    'type': 'string',
    'minLength': 8,
    'maxLength': 1024,
    'description': '8 to 1024 characters, and not too easy to guess (else 422 with a hint)',
}


def stripped_at_most(n: int) -> str:
    """A pattern for: at most n characters once leading and trailing space is stripped."""
    return rf'^{SPACE}*[\s\S]{{0,{n}}}{SPACE}*$'


# Display name (AccountService.create_user): at most 100 characters once stripped; empty = username.
DISPLAY_NAME: dict[str, Any] = {'type': 'string', 'pattern': stripped_at_most(100)}
# A token's label (SignInService.create_token): at most 100 characters once stripped.
TOKEN_NAME: dict[str, Any] = {'type': 'string', 'pattern': stripped_at_most(MAX_TOKEN_NAME)}
# Email (AccountService.create_user): stripped; empty = none; else at most 254 characters with an @
# and no space.
EMAIL: dict[str, Any] = {
    'type': 'string',
    'allOf': [
        {'pattern': stripped_at_most(254)},
        {'pattern': f'^{SPACE}*$|^{SPACE}*[^ ]*@[^ ]*{SPACE}*$'},
    ],
}
# A colour filter (repo.core.palette.color_name): a palette name or alias, any case, or empty.
COLOR_NAMES = sorted({*PALETTE, *ALIASES})
COLOR: dict[str, Any] = {
    'type': 'string',
    'maxLength': 20,
    'pattern': f'^{SPACE}*(?:{"|".join(any_case(n) for n in COLOR_NAMES)})?{SPACE}*$',
}
# A new title (repo.core.validation.check_title): not empty; the rest is in the module docstring.
TITLE: dict[str, Any] = {'type': 'string', 'minLength': 1}
# One tag in a list (repo.core.validation.check_tags): anything without a comma. Blank ones are
# skipped; at most 50 characters and 30 tags once cleaned (see the module docstring).
TAG: dict[str, Any] = {'type': 'string', 'pattern': '^[^,]*$'}
# An upload form's visibility (repo.core.validation.check_visibility): empty = private, else
# either word in any case, with space around it.
_VISIBILITY = '|'.join(any_case(v) for v in ('private', 'public'))
FORM_VISIBILITY: dict[str, Any] = {
    'type': 'string',
    'pattern': f'^$|^{SPACE}*(?:{_VISIBILITY}){SPACE}*$',
    'default': 'private',
    'description': 'private (the default) or public',
}
# The formats an upload may be (repo.imaging recognises them by content, not by this label).
IMAGE_TYPES = 'image/jpeg, image/png, image/webp, image/gif, image/avif'
IMAGE_FILE: dict[str, Any] = {
    'type': 'string',
    'format': 'binary',
    'description': 'A JPEG, PNG, WebP, GIF or AVIF image (recognised by its content); not empty',
}

# A date and time without a zone (a camera's local time; the timeline's mix of it and UTC):
# RFC 3339's `date-time` requires an offset, so these are described by their pattern instead.
LOCAL_DATE_TIME: dict[str, Any] = {
    'type': 'string',
    'pattern': r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$',
    'description': 'YYYY-MM-DDTHH:MM:SS[.ffffff], no zone',
}
