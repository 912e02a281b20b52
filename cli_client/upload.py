"""Bulk upload: files streamed from disk by N worker threads, with retries and a tally.

Memory stays flat however many files there are: workers pull paths one at a time, and each file
is streamed from disk by httpx (read in 64 KB pieces, never whole).
"""

from __future__ import annotations

import mimetypes
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

import httpx

from cli_client.config import ClientConfig
from cli_client.http import API, error_of, make_client
from cli_client.sniff import describe, looks_like_image, read_head

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ATTEMPTS = 5
BASE_DELAY_S = 0.5
MAX_DELAY_S = 30.0
MAX_RETRY_AFTER_S = 300.0
TRANSIENT = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)

Status = Literal['added', 'duplicate', 'refused']


@dataclass(frozen=True)
class UploadOptions:
    title: str | None = None
    description: str | None = None
    tags: str | None = None
    visibility: str = 'private'
    concurrency: int = 8

    def form(self) -> dict[str, str]:
        fields = {'visibility': self.visibility}
        if self.title:
            fields['title'] = self.title
        if self.description:
            fields['description'] = self.description
        if self.tags:
            fields['tags'] = self.tags
        return fields


@dataclass(frozen=True)
class Outcome:
    path: Path
    status: Status
    detail: str = ''
    image_id: str | None = None
    quota_full: bool = False  # a 507: the account's quota is reached, the run stops


@dataclass
class Tally:
    added: int = 0
    duplicate: int = 0
    refused: list[Outcome] = field(default_factory=list)
    quota: Outcome | None = None  # the first 507, after which no more files were sent
    not_sent: int = 0

    def count(self, outcome: Outcome) -> None:
        if outcome.status == 'added':
            self.added += 1
        elif outcome.status == 'duplicate':
            self.duplicate += 1
        else:
            self.refused.append(outcome)


@dataclass
class FileSet:
    files: list[Path]
    total_bytes: int
    # Files in folders that are not images by their content, with what they look like.
    skipped: list[tuple[Path, str]]
    missing: list[Path]
    # Sub-folders left out because --recursive was not given.
    folders_left_out: list[Path] = field(default_factory=list)


def collect(paths: Iterable[Path], recursive: bool = False) -> FileSet:
    """Files named directly are always sent (the server judges them); inside folders only files
    that start like an image are (see cli_client.sniff), and hidden files and folders are
    skipped without a word."""
    found = FileSet([], 0, [], [])
    for path in paths:
        if path.is_dir():
            for child in _walk(path, recursive, found.folders_left_out):
                head = read_head(child)
                if head is None or looks_like_image(head):
                    found.files.append(child)  # unreadable: the upload says why
                else:
                    found.skipped.append((child, describe(head)))
        elif path.is_file():
            found.files.append(path)
        else:
            found.missing.append(path)
    found.total_bytes = sum(_size(f) for f in found.files)
    return found


def _walk(folder: Path, recursive: bool, left_out: list[Path]) -> Iterator[Path]:
    children = sorted(folder.rglob('*') if recursive else folder.iterdir())
    for child in children:
        if any(part.startswith('.') for part in child.relative_to(folder).parts):
            continue
        if child.is_file():
            yield child
        elif not recursive and child.is_dir():
            left_out.append(child)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class _CountingReader:
    """A binary file that reports how many bytes were read from it (for the progress bar).

    fileno() lets httpx learn the size, so the request carries a Content-Length and a server
    can refuse an oversized file before receiving it.
    """

    def __init__(self, fh: BinaryIO, on_read: Callable[[int], None]) -> None:
        self._fh = fh
        self._on_read = on_read

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self._on_read(len(data))
        return data

    def fileno(self) -> int:
        return self._fh.fileno()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._fh.seek(offset, whence)

    def tell(self) -> int:
        return self._fh.tell()


class Uploader:
    """Uploads files with `concurrency` threads, each with its own HTTP connection."""

    def __init__(
        self,
        config: ClientConfig,
        options: UploadOptions,
        *,
        on_bytes: Callable[[int], None] = lambda n: None,
        on_done: Callable[[Outcome], None] = lambda o: None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.options = options
        self.on_bytes = on_bytes
        self.on_done = on_done
        self.sleep = sleep
        self._lock = threading.Lock()

    def run(self, files: Iterable[Path]) -> Tally:
        tally = Tally()
        pending = iter(files)

        def next_file() -> Path | None:
            with self._lock:
                if tally.quota is not None:  # the quota is full: the rest would fail too
                    tally.not_sent += sum(1 for _ in pending)
                    return None
                return next(pending, None)

        tls = httpx.create_ssl_context()  # one for all the threads' connections

        def work() -> None:
            with make_client(self.config, tls=tls) as client:
                while (path := next_file()) is not None:
                    try:
                        outcome = self.upload_one(client, path)
                    except Exception as exc:  # one bad file never stops the run
                        outcome = Outcome(path, 'refused', f'{type(exc).__name__}: {exc}')
                    with self._lock:
                        if outcome.quota_full and tally.quota is None:
                            tally.quota = outcome
                        tally.count(outcome)
                    self.on_done(outcome)

        threads = [
            threading.Thread(target=work, name=f'upload-{i}', daemon=True)
            for i in range(max(1, self.options.concurrency))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return tally

    def upload_one(self, client: httpx.Client, path: Path) -> Outcome:
        """POST one file; retry what may pass next time (network, 5xx, 429), refuse the rest.

        The byte count of a failed attempt is taken back; a settled file counts its full size.
        """
        size = _size(path)
        maybe_stored = False  # an earlier attempt may have reached the server and succeeded
        last_error = ''
        for attempt in range(MAX_ATTEMPTS):
            sent = 0

            def counted(n: int) -> None:
                nonlocal sent
                sent += n
                self.on_bytes(n)

            try:
                with open(path, 'rb') as fh:
                    response = client.post(
                        f'{API}/images',
                        files={'file': (path.name, _CountingReader(fh, counted), _mime(path))},
                        data=self.options.form(),
                    )
            except TRANSIENT as exc:
                maybe_stored = maybe_stored or sent > 0
                last_error = f'{type(exc).__name__}: {exc}' if str(exc) else type(exc).__name__
                retry_in = _backoff(attempt)
            except OSError as exc:
                self.on_bytes(size - sent)
                return Outcome(path, 'refused', exc.strerror or str(exc))
            else:
                status = response.status_code
                if status not in RETRY_STATUSES:
                    self.on_bytes(size - sent)
                    return _outcome(path, response, maybe_stored)
                maybe_stored = maybe_stored or status >= 500
                # Kept with its status: it says the server was busy or broken, not the file.
                last_error = f'{status} {error_of(response).detail}'
                retry_in = _retry_after(response) or _backoff(attempt)
            self.on_bytes(-sent)
            if attempt + 1 < MAX_ATTEMPTS:
                self.sleep(retry_in)
        self.on_bytes(size)
        return Outcome(path, 'refused', f'gave up after {MAX_ATTEMPTS} attempts ({last_error})')


def _outcome(path: Path, response: httpx.Response, maybe_stored: bool) -> Outcome:
    if response.status_code == 201:
        return Outcome(path, 'added', image_id=response.json().get('id'))
    error = error_of(response)
    if response.status_code == 409:
        # After an attempt that may have gone through, "you have this already" means added.
        status: Status = 'added' if maybe_stored else 'duplicate'
        return Outcome(path, status, image_id=error.existing_id)
    full = response.status_code == 507
    return Outcome(path, 'refused', error.detail, quota_full=full)


def _backoff(attempt: int) -> float:
    """Exponential, with jitter so that N threads do not retry in lockstep."""
    return min(MAX_DELAY_S, BASE_DELAY_S * 2**attempt) * random.uniform(0.5, 1.0)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get('retry-after', '')
    try:
        return min(MAX_RETRY_AFTER_S, max(0.0, float(value)))
    except ValueError:
        return None


def _mime(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or 'application/octet-stream'
