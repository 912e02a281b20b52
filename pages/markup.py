"""HTML built by hand for speed (one block per batch of thumbnails): every user string is escaped.

Also the small text formats the pages share: file sizes, dates, image byte URLs.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import escape

from repo.core.schemas import ImagePublic
from repo.core.visibility import Visibility

API = '/api/v1/images'
RENDITIONS = {'thumb': 'thumbnail', 'preview': 'preview', 'original': 'original'}
_WORD = re.compile(r'\w+', re.UNICODE)
_SAFE_ID = re.compile(r'^[A-Za-z0-9_-]{1,64}$')
_SAFE_COLOR = re.compile(r'^#[0-9a-fA-F]{6}$')


def image_url(image_id: str, kind: str = 'thumb') -> str:
    """The access-checked route for an image's bytes (the API checks the session on each GET)."""
    return f'{API}/{image_id}/{RENDITIONS[kind]}'


def text(value: object) -> str:
    """Escape for HTML text and attribute values (quotes included)."""
    return escape(str(value), quote=True)


def search_terms(query: str) -> list[str]:
    """The words of a search, lower-cased, longest first (so the longest match wins)."""
    words = {w.lower() for w in _WORD.findall(query or '') if len(w) >= 2 or w.isdigit()}
    return sorted(words, key=len, reverse=True)[:20]


def highlight(value: str, terms: list[str]) -> str:
    """Escaped text with words starting with a search term wrapped in <mark>.

    Matching runs on the raw text and each piece is escaped on its own, so a term can never
    match inside an HTML entity and user text can never become markup.
    """
    if not terms:
        return text(value)
    pattern = re.compile(
        r'\b(' + '|'.join(re.escape(t) for t in terms) + r')\w*', re.IGNORECASE | re.UNICODE
    )
    out: list[str] = []
    last = 0
    for match in pattern.finditer(value):
        out.append(text(value[last : match.start()]))
        out.append(f'<mark>{text(match.group(0))}</mark>')
        last = match.end()
    out.append(text(value[last:]))
    return ''.join(out)


def safe_color(value: str | None, default: str = '#9e9e9e') -> str:
    return value if value and _SAFE_COLOR.match(value) else default


def tile(image: ImagePublic, href: str, index: int, terms: list[str], *, selectable: bool) -> str:
    """One thumbnail tile: a link with a lazy <img>, a caption, and (for the owner) a checkbox."""
    if not _SAFE_ID.match(image.id):
        return ''
    title = text(image.title)
    bg = safe_color(image.colors[0] if image.colors else None)
    private = image.visibility == Visibility.private
    badge = (
        '<span class="sb-badge" title="Private: only you can see it">'
        '<i class="material-icons" aria-hidden="true">lock</i><span class="sr-only">Private</span>'
        '</span>'
        if private
        else ''
    )
    check = (
        f'<button type="button" class="sb-check" aria-label="Select {title}">'
        '<i class="material-icons" aria-hidden="true">check</i></button>'
        if selectable
        else ''
    )
    ratio = min(max(image.width / max(image.height, 1), 0.25), 5.0)  # layout only: clamped
    return (
        f'<div class="sb-tile" data-id="{image.id}" data-i="{index}" '
        f'style="background:{bg};--ar:{ratio:.4f}">'
        f'<a class="sb-link" href="{text(href)}">'
        f'<img src="{image_url(image.id)}" loading="lazy" decoding="async" alt="{title}" '
        f'width="{image.width}" height="{image.height}">'
        f'<span class="sb-caption">{highlight(image.title, terms)}</span></a>'
        f'{badge}{check}</div>'
    )


def timeline_headers(day: date, previous: date | None) -> str:
    """The month header (when the month changes) and the day header that start a day on the
    timeline; after the first, a filler ends the day before's last row of tiles."""
    out = '' if previous is None else '<span class="sb-fill" aria-hidden="true"></span>'
    if previous is None or (day.year, day.month) != (previous.year, previous.month):
        out += (
            f'<h2 class="sb-month" id="sb-month-{day:%Y-%m}" data-year="{day.year}">'
            f'{day:%B %Y}</h2>'
        )
    return out + f'<h3 class="sb-day">{day:%A} {day.day} {day:%B}</h3>'


def selection_css(ids: list[str]) -> str:
    """A <style> block that marks the selected tiles (ids are URL-safe, checked again here)."""
    safe = [i for i in ids if _SAFE_ID.match(i)]
    if not safe:
        return ''
    sel = ':is(' + ','.join(f'.sb-tile[data-id="{i}"]' for i in safe) + ')'
    return (
        f'<style>{sel}{{box-shadow:0 0 0 3px var(--q-primary)}}'
        f'{sel} .sb-check{{opacity:1;background:var(--q-primary);color:#fff;border-color:#fff}}'
        f'{sel} img{{transform:scale(.9)}}</style>'
    )


def file_size(n: int) -> str:
    size = float(n)
    for unit in ('bytes', 'KB', 'MB', 'GB'):
        if size < 1000 or unit == 'GB':
            return f'{int(size)} {unit}' if unit == 'bytes' else f'{size:.1f} {unit}'
        size /= 1000
    return f'{n} bytes'


def when(value: datetime | None) -> str:
    if value is None:
        return ''
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
        return value.strftime('%d %b %Y, %H:%M UTC')
    return value.strftime('%d %b %Y, %H:%M')


def shutter(seconds: float) -> str:
    """0.004 -> '1/250 s'; 0.5 -> '1/2 s'; 2.0 -> '2 s'; 1.3 -> '1.3 s'."""
    if seconds < 1:
        return f'1/{round(1 / seconds):,} s'
    return f'{seconds:g} s' if seconds == int(seconds) else f'{seconds:.1f} s'


def camera_settings(image: ImagePublic) -> list[tuple[str, str]]:
    """ISO, shutter, aperture and focal length as the camera recorded them (what it said)."""
    rows: list[tuple[str, str]] = []
    if image.iso:
        rows.append(('ISO', f'{image.iso:,}'))
    if image.exposure_s:
        rows.append(('Shutter', shutter(image.exposure_s)))
    if image.f_number:
        rows.append(('Aperture', f'f/{image.f_number:g}'))
    if image.focal_mm:
        rows.append(('Focal length', f'{image.focal_mm:g} mm'))
    return rows


def place(latitude: float, longitude: float) -> str:
    """38.7223, -9.1393 -> '38.72230° N, 9.13930° W'."""
    ns = 'N' if latitude >= 0 else 'S'
    ew = 'E' if longitude >= 0 else 'W'
    return f'{abs(latitude):.5f}\u00b0 {ns}, {abs(longitude):.5f}\u00b0 {ew}'


def map_url(latitude: float, longitude: float) -> str:
    return (
        f'https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f}'
        f'#map=15/{latitude:.5f}/{longitude:.5f}'
    )


def plural(n: int, word: str, many: str | None = None) -> str:
    return f'{n:,} {word if n == 1 else (many or word + "s")}'
