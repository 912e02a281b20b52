"""Streaming multipart/form-data for uploads: the `file` part goes straight into a sink.

Starlette's `request.form()` spools whole files to a temporary file first; here each chunk is
handed to the Library's size-capped StagedFile as it arrives, so an oversized file is refused
while it streams, and the small text fields are collected in memory (capped).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from api.offload import Offload, image_jobs
from repo.core.errors import Invalid, TooLarge, UnsupportedType

T = TypeVar('T')
FILE_FIELD = 'file'
TEXT_FIELDS = frozenset({'title', 'description', 'tags', 'visibility'})
MAX_FIELD_BYTES = 64 * 1024
MAX_PARTS = 16
upload_io = Offload(name='shoebox-upload-io')  # writing and hashing file data, off the loop
# Hand file data to the sink (in a worker thread) in pieces of this size, or sooner when the
# pieces would take the sink past its size limit (so an oversized file is refused at once).
FLUSH_BYTES = 1024 * 1024


class Sink(Protocol):
    """Where the file's bytes go (the Library's StagedFile): `size` written so far, of at most
    `max_bytes`; write() raises once they are exceeded."""

    size: int
    max_bytes: int

    def write(self, chunk: bytes | bytearray) -> None: ...

    def discard(self) -> None: ...


@dataclass
class UploadForm:
    file: Sink | None = None
    filename: str = ''
    fields: dict[str, str] = field(default_factory=dict)
    # The file's last bytes (under FLUSH_BYTES), not yet in `file`: the job that takes the form
    # writes them from its own thread (see owned_by_job), which saves a thread hop per upload.
    tail: bytearray = field(default_factory=bytearray)


@dataclass
class _Part:
    name: str = ''
    is_file: bool = False
    data: bytearray = field(default_factory=bytearray)
    headers: dict[bytes, bytes] = field(default_factory=dict)


class _Collector:
    """python-multipart callbacks: build the form, buffer file bytes for the next flush."""

    def __init__(
        self, new_sink: Callable[[], Sink], charset: str, text_fields: frozenset[str] = TEXT_FIELDS
    ) -> None:
        self.form = UploadForm()
        self._text_fields = text_fields
        self.pending = bytearray()
        self._new_sink = new_sink
        self._charset = charset
        self._part = _Part()
        self._parts = 0
        self._header_name = b''
        self._header_value = b''
        self.complete = False  # the closing boundary arrived

    def callbacks(self) -> dict:
        return {
            'on_part_begin': self.on_part_begin,
            'on_part_data': self.on_part_data,
            'on_part_end': self.on_part_end,
            'on_header_field': self.on_header_field,
            'on_header_value': self.on_header_value,
            'on_header_end': self.on_header_end,
            'on_headers_finished': self.on_headers_finished,
            'on_end': self.on_end,
        }

    def on_part_begin(self) -> None:
        self._parts += 1
        if self._parts > MAX_PARTS:
            raise Invalid(f'The form has too many fields (at most {MAX_PARTS})')
        self._part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._part.headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name = self._header_value = b''

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._part.headers.get(b'content-disposition', b''))
        self._part.name = self._decode(options.get(b'name', b''))
        if self._part.name == FILE_FIELD:
            if self.form.file is not None:
                raise Invalid('Send one file per request (the form has two "file" fields)')
            self._part.is_file = True
            self.form.filename = _unescape_filename(self._decode(options.get(b'filename', b'')))
            self.form.file = self._new_sink()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part.is_file:
            self.pending += memoryview(data)[start:end]  # one copy, not two
        elif self._part.name in self._text_fields:
            self._part.data += data[start:end]
            if len(self._part.data) > MAX_FIELD_BYTES:
                raise Invalid(f'The field "{self._part.name}" is too long')
        # other fields (an `owner`, say) are ignored: identity comes from the token only

    def on_part_end(self) -> None:
        if not self._part.is_file and self._part.name in self._text_fields:
            self.form.fields[self._part.name] = self._decode(bytes(self._part.data))

    def on_end(self) -> None:
        self.complete = True

    def _decode(self, raw: bytes) -> str:
        try:
            return raw.decode(self._charset)
        except (UnicodeDecodeError, LookupError):
            raise Invalid('A form field is not valid UTF-8 text') from None


def owned_by_job(form: UploadForm, job: Callable[[], T]) -> Callable[[], T]:
    """Complete the form's file with its `tail`, run `job`, then discard the file (a no-op once
    the Library has taken it over). Meant to run on a worker thread.

    The job discards the file, not the request: a request cancelled while its job waits or runs
    must not pull the file out from under that job.
    """

    def run() -> T:
        try:
            if form.file is not None and form.tail:
                form.file.write(form.tail)
                form.tail = bytearray()
            return job()
        finally:
            if form.file is not None:
                form.file.discard()

    return run


async def run_image_job(form: UploadForm, job: Callable[[], T]) -> T:
    """Run `job` (which uses the form's file) on the image job threads; see owned_by_job.

    TooLarge from the job becomes Invalid (422): the bytes fit, they were counted while
    streaming, so too many pixels or a decompression bomb is a problem with the content.
    """
    try:
        return await image_jobs.run(owned_by_job(form, job))
    except TooLarge as exc:
        raise Invalid(exc.message) from None


def _unescape_filename(name: str) -> str:
    """Browsers and httpx write `"`, CR and LF in a part's filename as %22, %0D, %0A (HTML spec)."""
    return name.replace('%22', '"').replace('%0D', '\r').replace('%0A', '\n')


def boundary_of(content_type: str | None) -> tuple[bytes, str]:
    """The multipart boundary and charset, or UnsupportedType for anything but form-data."""
    kind, params = parse_options_header(content_type or '')
    boundary = params.get(b'boundary')
    if kind != b'multipart/form-data' or not boundary:
        raise UnsupportedType(
            'Send the image as multipart/form-data with the file in a field named "file"'
        )
    charset = params.get(b'charset', b'utf-8').decode('latin-1')
    return boundary, charset


async def read_upload(
    content_type: str | None,
    chunks: AsyncIterator[bytes],
    new_sink: Callable[[], Sink],
    text_fields: frozenset[str] = TEXT_FIELDS,
) -> UploadForm:
    """Parse the form while it arrives. On any failure the sink's bytes are discarded.

    Of the other parts, only those named in `text_fields` are kept (as text); the rest are ignored.
    The file's last piece is left in `form.tail`: hand the form to a job with owned_by_job(),
    which writes it before the job runs.
    """
    boundary, charset = boundary_of(content_type)
    collector = _Collector(new_sink, charset, text_fields)
    try:
        try:
            parser = MultipartParser(boundary, collector.callbacks())
        except FormParserError:
            raise Invalid('The multipart boundary is not valid') from None
        async for chunk in chunks:
            _feed(parser, chunk)
            if _flush_due(collector):
                await _flush(collector)
        try:
            parser.finalize()
        except FormParserError:
            collector.complete = False
        if not collector.complete:
            raise Invalid('The upload ended before the form was complete')
        collector.form.tail, collector.pending = collector.pending, bytearray()
    except BaseException:
        if collector.form.file is not None:
            collector.form.file.discard()
        raise
    if collector.form.file is None:
        raise Invalid('The form field "file" is required')
    return collector.form


def _feed(parser: MultipartParser, chunk: bytes) -> None:
    try:
        parser.write(chunk)
    except FormParserError:
        raise Invalid('The upload is not valid multipart/form-data') from None


def _flush_due(collector: _Collector) -> bool:
    pending = len(collector.pending)
    sink = collector.form.file
    return pending >= FLUSH_BYTES or (sink is not None and sink.size + pending > sink.max_bytes)


async def _flush(collector: _Collector) -> None:
    sink = collector.form.file
    if sink is None or not collector.pending:
        return
    data, collector.pending = collector.pending, bytearray()  # handed over, not copied
    await upload_io.run(sink.write, data)
