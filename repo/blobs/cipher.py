"""AES-256-GCM in authenticated chunks (the `cryptography` package), for blobs at rest.

A file is a header and chunks of CHUNK plaintext bytes, each sealed on its own, so that large
files stream and a Range request decrypts only the chunks it touches:

    MAGIC (8) | nonce prefix (8, random per file) | chunk size (4) | plaintext size (8)
    | name length (2) | sealed name | chunk 0 + tag | chunk 1 + tag | ...

Chunk i's nonce is the file's prefix and i (4 bytes); its associated data is the header (so a
changed size, a swapped name or chunks moved between files fail) and i (so chunks cannot be
reordered). The logical blob key is sealed into the header (nonce counter 0xFFFFFFFF): the
store can list its keys without the file names telling them.

Keys: the 256-bit key from the key file is never used directly; HKDF derives one key for the
contents and one for the names (an HMAC of the logical key).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b'SBXENC1\n'
CHUNK = 64 * 1024
TAG = 16
_FIXED = struct.Struct('>8s8sIQH')  # magic, nonce prefix, chunk size, plaintext size, name len
NAME_COUNTER = 0xFFFFFFFF
KEY_BYTES = 32


class DecryptionFailed(ValueError):
    """Not encrypted with this key, or changed since (GCM's authentication failed)."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


class BlobCipher:
    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != KEY_BYTES:
            raise ValueError('the encryption key must be 256 bits')
        self.aead = AESGCM(_derive(master_key, b'shoebox blob contents v1'))
        self.name_key = _derive(master_key, b'shoebox blob names v1')
        self.check_value = _derive(master_key, b'shoebox key check v1').hex()

    def stored_name(self, key: str) -> str:
        """The file name of a logical key: a keyed hash, so equal content still shares one blob
        while the name tells an outsider nothing about which content it is."""
        return hmac.new(self.name_key, key.encode(), hashlib.sha256).hexdigest() + '.enc'

    # ---- writing ----------------------------------------------------------------------------

    def encrypt_file(self, key: str, source: Path, target: Path) -> None:
        """Write `source` encrypted to `target` (fsynced)."""
        size = source.stat().st_size
        prefix = os.urandom(8)
        name = key.encode()
        fixed = _FIXED.pack(MAGIC, prefix, CHUNK, size, len(name) + TAG)
        header = fixed + self.aead.encrypt(prefix + struct.pack('>I', NAME_COUNTER), name, fixed)
        with source.open('rb') as src, target.open('wb') as dst:
            dst.write(header)
            index = 0
            while True:
                chunk = src.read(CHUNK)
                if not chunk and index * CHUNK >= size:
                    break
                dst.write(self._seal(prefix, header, index, chunk))
                index += 1
                if len(chunk) < CHUNK:
                    break
            dst.flush()
            os.fsync(dst.fileno())

    def _seal(self, prefix: bytes, header: bytes, index: int, chunk: bytes) -> bytes:
        nonce = prefix + struct.pack('>I', index)
        return self.aead.encrypt(nonce, chunk, header + struct.pack('>I', index))

    # ---- reading ----------------------------------------------------------------------------

    def open(self, path: Path) -> DecryptingReader:
        return DecryptingReader(self, path.open('rb'))

    def header_of(self, fh: BinaryIO) -> tuple[bytes, bytes, int, int, str]:
        """(header, nonce prefix, chunk size, plaintext size, logical key) of an open file."""
        fixed = fh.read(_FIXED.size)
        if len(fixed) != _FIXED.size:
            raise DecryptionFailed('not an encrypted blob (too short)')
        magic, prefix, chunk, size, name_len = _FIXED.unpack(fixed)
        if magic != MAGIC or not 0 < chunk <= 1 << 24:
            raise DecryptionFailed('not an encrypted blob')
        sealed = fh.read(name_len)
        try:
            name = self.aead.decrypt(prefix + struct.pack('>I', NAME_COUNTER), sealed, fixed)
        except InvalidTag:
            raise DecryptionFailed('encrypted with another key, or damaged') from None
        return fixed + sealed, prefix, chunk, size, name.decode()


class DecryptingReader(io.RawIOBase):
    """A seekable reader of the plaintext, decrypting one chunk at a time."""

    def __init__(self, cipher: BlobCipher, fh: BinaryIO) -> None:
        self.cipher = cipher
        self.fh = fh
        try:
            self.header, self.prefix, self.chunk, self.size, self.key = cipher.header_of(fh)
        except BaseException:
            fh.close()
            raise
        self.pos = 0
        self.cached: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def tell(self) -> int:
        return self.pos

    def _chunk(self, index: int) -> bytes:
        if self.cached and self.cached[0] == index:
            return self.cached[1]
        self.fh.seek(len(self.header) + index * (self.chunk + TAG))
        sealed = self.fh.read(self.chunk + TAG)
        nonce = self.prefix + struct.pack('>I', index)
        try:
            plain = self.cipher.aead.decrypt(nonce, sealed, self.header + struct.pack('>I', index))
        except InvalidTag:
            failed = f'chunk {index} of blob {self.key} fails authentication'
            raise DecryptionFailed(failed) from None
        self.cached = (index, plain)
        return plain

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        if self.pos >= self.size:
            return 0
        index, skip = divmod(self.pos, self.chunk)
        plain = self._chunk(index)[skip:]
        n = min(len(buffer), len(plain), self.size - self.pos)
        buffer[:n] = plain[:n]
        self.pos += n
        return n

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.size - self.pos
        parts, wanted = [], size
        while wanted > 0 and self.pos < self.size:
            index, skip = divmod(self.pos, self.chunk)
            piece = self._chunk(index)[skip : skip + wanted]
            parts.append(piece)
            self.pos += len(piece)
            wanted -= len(piece)
        return b''.join(parts)

    def close(self) -> None:
        self.fh.close()
        super().close()


def parse_key(text: str) -> bytes:
    """The key file's content: 64 hex digits (what `shoebox keygen` writes)."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise ValueError('it does not hold 64 hexadecimal digits') from None
    if len(key) != KEY_BYTES:
        raise ValueError('it does not hold 64 hexadecimal digits (256 bits)')
    return key


def new_key_text() -> str:
    return os.urandom(KEY_BYTES).hex()
