"""An original without its GPS position, for the people the owner did not give it to.

JPEG (most photos) is rewritten without re-encoding: the EXIF segment is written again without
its GPS directory, and an XMP segment that names a GPS position is dropped; the picture data is
copied byte for byte. Other formats are re-encoded by Pillow without the GPS directory (PNG
losslessly), which only happens when they carry one.
"""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
EXIF_IFD, INTEROP_IFD = 0x8769, 0xA005
EXIF_HEADER = b'Exif\x00\x00'
XMP_HEADER = b'http://ns.adobe.com/xap/1.0/\x00'
MAX_SEGMENT = 65533  # a JPEG segment's length field counts itself: 65535 - 2
_NO_LENGTH = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn: markers without a length
REENCODE_QUALITY = 92


def strip_location(data: bytes, fmt: str) -> bytes | None:
    """The file without its GPS position, or None when it carries none (send it as it is)."""
    if fmt == 'JPEG':
        return _strip_jpeg(data)
    return _strip_reencoded(data, fmt)


def exif_without_gps(segment_body: bytes) -> bytes | None:
    """An EXIF block ('Exif\\0\\0' + TIFF) without its GPS directory; None if it has none."""
    exif = Image.Exif()
    exif.load(segment_body)
    if GPS_IFD not in exif:
        return None
    for tag in (EXIF_IFD, INTEROP_IFD):  # read, so that they are written back
        if tag in exif:
            exif.get_ifd(tag)
    del exif[GPS_IFD]
    out = exif.tobytes()
    return out if out.startswith(EXIF_HEADER) else EXIF_HEADER + out


def _strip_jpeg(data: bytes) -> bytes | None:
    if data[:2] != b'\xff\xd8':
        return None
    out = [data[:2]]
    pos, changed = 2, False
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            out.append(data[pos : pos + 1])
            pos += 1
            continue
        if marker in (0xD9, 0xDA):  # end of image, or the scan: picture data from here on
            break
        if marker in _NO_LENGTH:
            out.append(data[pos : pos + 2])
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], 'big')
        segment = data[pos : pos + 2 + length]
        body = segment[4:]
        if marker == 0xE1 and body.startswith(EXIF_HEADER):
            new = exif_without_gps(body)
            if new is not None:
                changed = True
                segment = (
                    b'\xff\xe1' + (len(new) + 2).to_bytes(2, 'big') + new
                    if len(new) <= MAX_SEGMENT
                    else b''
                )
        elif marker == 0xE1 and body.startswith(XMP_HEADER) and b'GPS' in body:
            changed, segment = True, b''
        out.append(segment)
        pos += 2 + length
    if not changed:
        return None
    out.append(data[pos:])
    return b''.join(out)


def _strip_reencoded(data: bytes, fmt: str) -> bytes | None:
    if fmt == 'HEIF':
        from repo.imaging.pipeline import ready

        ready()  # teaches Pillow HEIF
    with Image.open(io.BytesIO(data)) as im:
        exif = im.getexif()
        xmp = im.info.get('xmp')
        has_xmp_gps = isinstance(xmp, bytes | str) and 'GPS' in str(xmp)
        if GPS_IFD not in exif and not has_xmp_gps:
            return None
        for tag in (EXIF_IFD, INTEROP_IFD):
            if tag in exif:
                exif.get_ifd(tag)
        exif.pop(GPS_IFD, None)
        params: dict[str, object] = {'exif': exif.tobytes()}
        if im.info.get('icc_profile'):
            params['icc_profile'] = im.info['icc_profile']
        if fmt != 'PNG':
            params['quality'] = REENCODE_QUALITY
        out = io.BytesIO()
        im.save(out, fmt if fmt != 'HEIF' else 'HEIF', **params)
        return out.getvalue()
