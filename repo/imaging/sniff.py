"""What a file is, from its first bytes: an accepted format, or what to tell the person it is
instead."""

from __future__ import annotations

# Pillow format names. HEIF (HEIC, the iPhone default) comes from the pillow-heif plugin.
ACCEPTED_FORMATS: tuple[str, ...] = ('JPEG', 'PNG', 'WEBP', 'GIF', 'AVIF', 'HEIF')
ACCEPTED_LABEL = 'JPEG, PNG, WebP, GIF, AVIF or HEIC'
SNIFF_BYTES = 512


# --- content sniffing --------------------------------------------------------------------------


def read_head(src: str) -> bytes:
    with open(src, 'rb') as fh:
        return fh.read(SNIFF_BYTES)


def looks_accepted(head: bytes) -> bool:
    """Magic bytes of an accepted format (so a failed open means corrupt, not unsupported)."""
    if head.startswith((b'\xff\xd8\xff', b'\x89PNG\r\n\x1a\n', b'GIF87a', b'GIF89a')):
        return True
    if head[:4] == b'RIFF' and head[8:12] == b'WEBP':
        return True
    return head[4:8] == b'ftyp' and _ftyp_brands(head) & _ACCEPTED_BRANDS != set()


def _ftyp_brands(head: bytes) -> set[bytes]:
    box_len = int.from_bytes(head[:4], 'big')
    end = min(max(box_len, 16), len(head))
    return {head[8:12]} | {head[i : i + 4] for i in range(16, end - 3, 4)}


_HEIC_BRANDS = {b'heic', b'heix', b'hevc', b'hevx', b'heim', b'heis', b'hevm', b'hevs'}
_ACCEPTED_BRANDS = {b'avif', b'avis', b'mif1', b'msf1', *_HEIC_BRANDS}  # AVIF, HEIC, HEIF
_VIDEO_BRANDS = {b'isom', b'iso2', b'mp41', b'mp42', b'qt  ', b'M4V ', b'3gp4', b'3gp5', b'avc1'}
_MAGIC: tuple[tuple[tuple[bytes, ...], str], ...] = (
    ((b'%PDF-',), 'a PDF document'),
    ((b'%!PS', b'\xc5\xd0\xd3\xc6'), 'an EPS/PostScript file'),
    ((b'II*\x00', b'MM\x00*', b'II+\x00', b'MM\x00+'), 'a TIFF image'),
    ((b'8BPS',), 'a PSD file'),
    ((b'BM',), 'a BMP image'),
    ((b'\x00\x00\x01\x00',), 'an icon file'),
    ((b'\x00\x00\x00\x0cjP  \r\n\x87\n', b'\xff\x4f\xff\x51'), 'a JPEG 2000 image'),
    ((b'\xff\x0a', b'\x00\x00\x00\x0cJXL \r\n\x87\n'), 'a JPEG XL image'),
    ((b'PK\x03\x04',), 'a ZIP archive'),
    ((b'\x1f\x8b',), 'a gzip archive'),
    ((b'MZ', b'\x7fELF'), 'a program'),
)
_HTML_STARTS = (b'<!doctype html', b'<html', b'<head', b'<body', b'<script', b'<iframe', b'<div')


def sniff_unsupported(head: bytes) -> str | None:
    """From the first ~512 bytes: a friendly name for a known refused type, or None."""
    if not head or looks_accepted(head):
        return None
    for magics, name in _MAGIC:
        if head.startswith(magics):
            return name
    if head[4:8] == b'ftyp':
        if _ftyp_brands(head) & _VIDEO_BRANDS:
            return 'a video'
        return None
    text = head.lstrip(b'\xef\xbb\xbf \t\r\n').lower()
    if b'<svg' in text:
        return 'an SVG drawing'
    if text.startswith(_HTML_STARTS) or b'<html' in text:
        return 'an HTML page'
    if text.startswith(b'<?xml'):
        return 'an XML document'
    if _is_text(head):
        return 'plain text'
    return None


def _is_text(head: bytes) -> bool:
    if b'\x00' in head:
        return False
    try:
        text = head.decode('utf-8')
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # allow a multi-byte character cut off at the end
            return False
        text = head[: exc.start].decode('utf-8')
    printable = sum(c.isprintable() or c in '\t\r\n\f' for c in text)
    return bool(text) and printable >= 0.95 * len(text)


def unsupported_message(what: str | None) -> str:
    if what is None:
        return f"This file isn't an image Shoebox can read; Shoebox accepts {ACCEPTED_LABEL}"
    return f'This is {what}; Shoebox accepts {ACCEPTED_LABEL}'
