"""A zip written as a stream: the standard library's `zipfile` on a sink that cannot seek.

`zipfile` then writes each entry's sizes and CRC after its data (a data descriptor), so an
entry's bytes go out as they are read and nothing of the archive is kept: memory stays flat
whatever the number or size of the files. Entries are stored, not deflated: photographs are
compressed already. Zip64 records are forced so that a 4 GB export is still a valid zip.
(No third-party package needed for this: `zipstream-ng` and `stream-zip` do the same thing.)
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import BinaryIO

CHUNK = 1 << 20
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class _Sink(io.RawIOBase):
    """What zipfile writes into; `drain()` hands over what arrived since the last call."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[no-untyped-def, override]
        self.parts.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out = b''.join(self.parts)
        self.parts.clear()
        return out


def _date_time(when: datetime | None) -> tuple[int, int, int, int, int, int]:
    if when is None or when.year < 1980:
        return ZIP_EPOCH
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)


class StreamingZip:
    """`for chunk in StreamingZip().entries(...)`: the archive's bytes, in order."""

    def __init__(self) -> None:
        self.sink = _Sink()
        self.zip = zipfile.ZipFile(self.sink, 'w', compression=zipfile.ZIP_STORED)

    def file(self, name: str, source: BinaryIO, when: datetime | None = None) -> Iterator[bytes]:
        """One entry copied from `source` in chunks."""
        info = zipfile.ZipInfo(name, date_time=_date_time(when))
        info.compress_type = zipfile.ZIP_STORED
        with self.zip.open(info, 'w', force_zip64=True) as dest:
            while chunk := source.read(CHUNK):
                dest.write(chunk)
                yield self.sink.drain()
        yield self.sink.drain()

    def text(
        self, name: str, parts: Iterable[str], when: datetime | None = None
    ) -> Iterator[bytes]:
        """One entry written from text produced piece by piece (images.json)."""
        info = zipfile.ZipInfo(name, date_time=_date_time(when))
        info.compress_type = zipfile.ZIP_DEFLATED
        with self.zip.open(info, 'w', force_zip64=True) as dest:
            for part in parts:
                dest.write(part.encode('utf-8'))
                yield self.sink.drain()
        yield self.sink.drain()

    def close(self) -> Iterator[bytes]:
        """The central directory."""
        self.zip.close()
        yield self.sink.drain()
