"""Rules for user-supplied text: file names, titles, descriptions, tags, visibility."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from repo.core.errors import Invalid
from repo.core.visibility import Visibility

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_TAG = 50
MAX_TAGS = 30
MAX_FILENAME = 255


def clean_text(text: str) -> str:
    """Drop control, format (bidi, zero-width) and other invisible characters."""
    return ''.join(ch for ch in text if unicodedata.category(ch)[0] != 'C' or ch in '\n\t')


def clean_filename(name: str | None) -> str:
    """The user's file name as display text: last path part only, no control/bidi characters."""
    name = (name or '').replace('\\', '/').split('/')[-1]
    name = clean_text(name).replace('\n', ' ').replace('\t', ' ').strip().strip('.').strip()
    return name[:MAX_FILENAME] or 'image'


def title_from_filename(filename: str) -> str:
    stem = filename.rsplit('.', 1)[0] if '.' in filename.strip('.') else filename
    return stem.strip()[:MAX_TITLE] or 'Untitled'


def check_title(title: str) -> str:
    title = clean_text(title).replace('\n', ' ').replace('\t', ' ').strip()
    if not title:
        raise Invalid('The title cannot be empty')
    if len(title) > MAX_TITLE:
        raise Invalid(f'The title is {len(title)} characters long; at most {MAX_TITLE} are allowed')
    return title


def check_description(description: str) -> str:
    description = clean_text(description).strip()
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(
            f'The description is {len(description)} characters long; '
            f'at most {MAX_DESCRIPTION} are allowed'
        )
    return description


def normalize_tag(tag: str) -> str:
    name = re.sub(r'\s+', ' ', clean_text(tag)).strip().lower()
    if not name:
        raise Invalid('A tag cannot be empty')
    if ',' in name:
        raise Invalid(f'Tag "{name}" contains a comma; commas separate tags')
    if len(name) > MAX_TAG:
        raise Invalid(
            f'Tag "{name[:20]}…" is {len(name)} characters; at most {MAX_TAG} are allowed'
        )
    return name


def check_tags(tags: Iterable[str]) -> list[str]:
    """Trimmed, lower-cased, de-duplicated in order; blank entries (nothing visible in them) are
    skipped."""
    out: list[str] = []
    for raw in tags:
        if not raw or not clean_text(raw).strip():
            continue
        name = normalize_tag(raw)
        if name not in out:
            out.append(name)
    if len(out) > MAX_TAGS:
        raise Invalid(f'{len(out)} tags given; an image can have at most {MAX_TAGS}')
    return out


def parse_tag_list(text: str | None) -> list[str]:
    """'a, b ,c' -> ['a', 'b', 'c'] (for forms and the CLI)."""
    return [part for part in (text or '').split(',') if part.strip()]


def check_visibility(value: str | Visibility) -> Visibility:
    try:
        return Visibility(str(value).strip().lower())
    except ValueError:
        raise Invalid(f'Visibility must be "public" or "private", not "{value}"') from None
