"""Which files in a folder are images, judged by their first bytes, never by their names.

`upload` sends every file named on the command line and lets the server judge it; inside
folders it sends the files that start like an image the server may take (JPEG, PNG, GIF, WebP,
AVIF, HEIC/HEIF), and names the others with what they look like: sidecar files, notes, videos.
The server checks what it is sent in full either way; this only keeps obvious non-images off
the wire. (The server's own sniffing lives in repo.imaging, which needs Pillow; the client
starts without it.)
"""

from __future__ import annotations

from pathlib import Path

HEAD_BYTES = 512
# ISO base media files (ftyp box) that hold still images; the rest (mp4, mov, 3gp) are videos.
IMAGE_BRANDS = frozenset(
    {b'avif', b'avis', b'heic', b'heix', b'hevc', b'hevx', b'heim', b'heis', b'mif1', b'msf1'}
)
_MAGIC: tuple[tuple[tuple[bytes, ...], str], ...] = (
    ((b'%PDF-',), 'a PDF document'),
    ((b'II*\x00', b'MM\x00*', b'II+\x00', b'MM\x00+'), 'a TIFF or camera raw file'),
    ((b'8BPS',), 'a Photoshop file'),
    ((b'BM',), 'a BMP image'),
    ((b'PK\x03\x04',), 'a ZIP archive'),
    ((b'\x1f\x8b',), 'a gzip archive'),
    ((b'RIFF',), 'a RIFF file (audio or video)'),
    ((b'ID3', b'OggS', b'fLaC'), 'an audio file'),
    ((b'\x1aE\xdf\xa3',), 'a video'),
)


def looks_like_image(head: bytes) -> bool:
    """True when the bytes start like a format the server may accept."""
    if head.startswith((b'\xff\xd8\xff', b'\x89PNG\r\n\x1a\n', b'GIF87a', b'GIF89a')):
        return True
    if head[:4] == b'RIFF' and head[8:12] == b'WEBP':
        return True
    return head[4:8] == b'ftyp' and bool(_brands(head) & IMAGE_BRANDS)


def describe(head: bytes) -> str:
    """What a file that is not an image looks like, for the list of skipped files."""
    if not head:
        return 'an empty file'
    for magics, name in _MAGIC:
        if head.startswith(magics):
            return name
    if head[4:8] == b'ftyp':
        return 'a video'
    text = head.lstrip(b'\xef\xbb\xbf \t\r\n').lower()
    if b'<svg' in text:
        return 'an SVG drawing'
    if text.startswith((b'<!doctype html', b'<html')):
        return 'a web page'
    if b'<x:xmpmeta' in text or b'<?xpacket' in text:
        return 'an XMP sidecar'
    if text.startswith(b'<?xml'):
        return 'an XML file'
    if text.startswith((b'{', b'[')) and _is_text(head):
        return 'a JSON file'
    if _is_text(head):
        return 'text'
    return 'not an image'


def read_head(path: Path) -> bytes | None:
    """The first bytes of a file, or None when it cannot be read."""
    try:
        with open(path, 'rb') as fh:
            return fh.read(HEAD_BYTES)
    except OSError:
        return None


def _brands(head: bytes) -> set[bytes]:
    box_len = int.from_bytes(head[:4], 'big')
    end = min(max(box_len, 16), len(head))
    return {head[8:12]} | {head[i : i + 4] for i in range(16, end - 3, 4)}


def _is_text(head: bytes) -> bool:
    try:
        decoded = head.decode('utf-8')
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the head is still text.
        try:
            decoded = head[:-3].decode('utf-8')
        except UnicodeDecodeError:
            return False
    return all(c.isprintable() or c in '\t\r\n\f' for c in decoded)
