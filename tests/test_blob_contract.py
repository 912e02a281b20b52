"""The BlobStore contract: what every store (local files today, S3-compatible next) must do.

Each test runs against every implementation in STORES: local files, the same encrypted at rest,
and an S3 bucket on moto's real S3 server (tests/backends.py), with presigning on so its URLs
are held to the contract too.
"""

from __future__ import annotations

import secrets
import threading
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from repo.blobs.local import LocalBlobStore
from repo.blobs.store import BlobMissing, BlobStore, keys_of, original_key, rendition_key

SHA = 'ab' * 32


def local_store(tmp_path: Path) -> BlobStore:
    return LocalBlobStore(tmp_path / 'blobs')


def encrypted_store(tmp_path: Path) -> BlobStore:
    from repo.blobs.cipher import BlobCipher, new_key_text
    from repo.blobs.encrypted_store import EncryptedBlobStore

    (tmp_path / 'tmp').mkdir(exist_ok=True)
    cipher = BlobCipher(bytes.fromhex(new_key_text()))
    return EncryptedBlobStore(LocalBlobStore(tmp_path / 'blobs'), cipher, tmp_path / 'tmp')


def s3_store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    from repo.blobs.s3 import S3BlobStore

    return S3BlobStore.from_url(
        request.getfixturevalue('s3_blob_url'),
        endpoint_url=request.getfixturevalue('s3_server'),
        presign=True,
        tmp_dir=tmp_path / 'tmp',
    )


STORES: dict[str, Callable[[pytest.FixtureRequest, Path], BlobStore]] = {
    'local': lambda _request, tmp_path: local_store(tmp_path),
    'encrypted': lambda _request, tmp_path: encrypted_store(tmp_path),
    's3': s3_store,
}


@pytest.fixture(params=sorted(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    return STORES[request.param](request, tmp_path)


def staged(tmp_path: Path, data: bytes, name: str = 'staged') -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_put_then_read_open_and_stat(store: BlobStore, tmp_path: Path):
    data = b'\xff\xd8 some jpeg bytes ' * 1000
    store.put(original_key(SHA), staged(tmp_path, data))
    assert store.read(SHA) == data
    with store.open(SHA) as fh:
        fh.seek(10)
        assert fh.read(5) == data[10:15]
    stat = store.stat(SHA)
    assert stat is not None and stat.size == len(data) and stat.key == SHA


def test_put_is_idempotent_and_never_replaces_stored_bytes(store: BlobStore, tmp_path: Path):
    store.put(SHA, staged(tmp_path, b'first'))
    store.put(SHA, staged(tmp_path, b'second', 'other'))
    assert store.read(SHA) == b'first'


def test_a_source_may_be_put_again(store: BlobStore, tmp_path: Path):
    """Put leaves the staged file usable, so a caller can put it back after a race."""
    source = staged(tmp_path, b'bytes')
    store.put(SHA, source)
    store.delete(SHA)
    store.put(SHA, source)
    assert store.read(SHA) == b'bytes'


def test_missing_keys(store: BlobStore):
    assert store.stat(SHA) is None
    with pytest.raises(BlobMissing):
        store.read(SHA)
    with pytest.raises(BlobMissing):
        store.open(SHA)
    with pytest.raises(BlobMissing), store.local_copy(SHA):
        pass
    store.delete(SHA)  # deleting what is not there is no error


def test_list_gives_every_key_with_a_prefix(store: BlobStore, tmp_path: Path):
    other = 'cd' * 32
    for key in (*keys_of(SHA)[:2], other):
        store.put(key, staged(tmp_path, key.encode(), key))
    assert {s.key for s in store.list()} == {SHA, rendition_key(SHA, 'thumb'), other}
    assert {s.key for s in store.list(SHA)} == {SHA, rendition_key(SHA, 'thumb')}


def test_delete_removes_the_bytes(store: BlobStore, tmp_path: Path):
    store.put(SHA, staged(tmp_path, b'x'))
    store.delete(SHA)
    assert store.stat(SHA) is None and list(store.list()) == []


def test_local_copy_is_a_readable_file(store: BlobStore, tmp_path: Path):
    store.put(SHA, staged(tmp_path, b'pixels'))
    with store.local_copy(SHA) as path:
        assert Path(path).read_bytes() == b'pixels'


def test_readers_never_see_a_partial_blob(store: BlobStore, tmp_path: Path):
    """Concurrent puts of the same key while readers poll: a reader sees nothing or all."""
    data = bytes(range(256)) * 4096  # 1 MiB
    sources = [staged(tmp_path, data, f's{i}') for i in range(4)]
    seen: list[int] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(len(store.read(SHA)))
            except BlobMissing:
                continue

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=store.put, args=(SHA, s)) for s in sources]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    stop.set()
    reader.join()
    assert store.read(SHA) == data
    assert set(seen) <= {len(data)}


def test_keys_are_not_paths(store: BlobStore, tmp_path: Path):
    for bad in ('../escape', 'a/b', '', '.hidden'):
        with pytest.raises(ValueError):
            store.put(bad, staged(tmp_path, b'x', 'bad'))


def test_url_is_none_or_a_string(store: BlobStore, tmp_path: Path):
    store.put(SHA, staged(tmp_path, b'x'))
    url = store.url(SHA, 60)
    assert url is None or url.startswith(('http://', 'https://'))


def test_a_url_serves_the_bytes_until_it_expires(store: BlobStore, tmp_path: Path):
    """Where a store gives URLs (S3 presigned), they fetch the bytes with the type asked for."""
    store.put(SHA, staged(tmp_path, b'pixels'))
    url = store.url(SHA, 60, media_type='image/jpeg', disposition='attachment; filename="a.jpg"')
    if url is None:
        return
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b'pixels'
        assert response.headers['Content-Type'] == 'image/jpeg'
        assert response.headers['Content-Disposition'] == 'attachment; filename="a.jpg"'


def test_big_blobs_go_up_in_parts_and_read_back_by_ranges(store: BlobStore, tmp_path: Path):
    data = secrets.token_bytes(17 * 1024 * 1024 + 5)  # over the S3 store's multipart threshold
    store.put(SHA, staged(tmp_path, data))
    with store.open(SHA) as fh:
        fh.seek(len(data) - 100)
        assert fh.read(1000) == data[-100:]
        fh.seek(3)
        assert fh.read(4) == data[3:7]
    assert store.stat(SHA).size == len(data)  # type: ignore[union-attr]
