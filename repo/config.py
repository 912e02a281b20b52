"""Settings: one frozen dataclass built from flags and SHOEBOX_* environment variables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENV_PREFIX = 'SHOEBOX_'
DATABASE_SCHEMES = ('sqlite:///', 'postgresql+psycopg://', 'postgresql://')
_TRUE = {'1', 'true', 'yes', 'on'}
_FALSE = {'0', 'false', 'no', 'off'}
_DEFAULT_PORTS = {'http': 80, 'https': 443}


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Each field is read from `SHOEBOX_<FIELD>` and a flag."""

    data_dir: Path = Path('data')
    host: str = '127.0.0.1'
    port: int = 8080
    max_file_bytes: int = 50_000_000
    max_pixels: int = 100_000_000
    thumb_size: int = 400
    preview_size: int = 1600
    storage_secret: str | None = None
    open_signup: bool = True
    workers: int = 0
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    # The address(es) people use to reach the app, when that differs from what the server sees
    # (a reverse proxy with TLS): comma-separated, e.g. https://photos.example.com
    public_url: str = ''
    # Defaults an administrator may change at runtime (stored in the database, see
    # repo.services.runtime_settings): quotas per account (None = unlimited) and trash days.
    default_quota_bytes: int | None = None
    default_quota_images: int | None = None
    trash_days: int = 30
    # The shop (issue 15): the one currency of the instance (ISO 4217), and whether previews
    # of images on sale carry their owner's name, tiled faintly, for everyone but the owner
    # and the buyers.
    currency: str = 'EUR'
    watermark: bool = False
    # Operations (issue 16): /metrics for anyone (not only 127.0.0.1 and administrators'
    # tokens), the log line format ('text' or 'json').
    metrics_public: bool = False
    log_format: str = 'text'
    # Encryption at rest: a file with the 256-bit key (`shoebox keygen`); None = off.
    encryption_key_file: Path | None = None
    # Where state lives (issue 14): '' = the SQLite file and the blobs folder in data_dir;
    # postgresql+psycopg://user:password@host:port/db and s3://bucket/optional/prefix beside.
    database_url: str = ''
    blob_url: str = ''
    s3_endpoint_url: str = ''  # MinIO, Garage, Ceph...; '' = AWS itself
    s3_presign: bool = False  # originals by a 60-second presigned redirect, after the check

    def __post_init__(self) -> None:
        for name in ('data_dir', 'ssl_certfile', 'ssl_keyfile', 'encryption_key_file'):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))
        object.__setattr__(self, 'currency', str(self.currency).strip().upper())

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then the environment, then explicit overrides (flags); None means unset."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != '':
                values[f.name] = _parse(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.validate()
        return settings

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def validate(self) -> None:
        if not 1 <= self.port <= 65535:
            raise ValueError(f'port (SHOEBOX_PORT) must be 1..65535, not {self.port}')
        if self.max_file_bytes < 1 or self.max_pixels < 1:
            raise ValueError('max_file_bytes and max_pixels must be positive')
        if not 32 <= self.thumb_size <= self.preview_size <= 8192:
            raise ValueError('need 32 <= thumb_size <= preview_size <= 8192')
        if self.workers < 0:
            raise ValueError('workers must be >= 0 (0 = one per core)')
        if not (len(self.currency) == 3 and self.currency.isascii() and self.currency.isalpha()):
            raise ValueError(
                f'currency (SHOEBOX_CURRENCY) must be an ISO 4217 code like EUR, not '
                f'{self.currency!r}'
            )
        if self.log_format not in ('text', 'json'):
            raise ValueError(
                f'log_format (SHOEBOX_LOG_FORMAT) must be text or json, not {self.log_format!r}'
            )
        if self.database_url and not self.database_url.startswith(DATABASE_SCHEMES):
            raise ValueError(
                'database_url (SHOEBOX_DATABASE_URL) must be sqlite:///PATH or '
                f'postgresql+psycopg://user:password@host:port/db, not {_redact(self.database_url)}'
            )
        if self.blob_url and not self.blob_url.startswith(('file://', 's3://')):
            raise ValueError(
                f'blob_url (SHOEBOX_BLOB_URL) must be file://PATH or s3://bucket/prefix, '
                f'not {self.blob_url!r}'
            )
        for url in _split(self.public_url):
            if origin_of(url) is None:
                raise ValueError(
                    f'public_url (SHOEBOX_PUBLIC_URL) must be http(s)://host[:port], not {url!r}'
                )

    @property
    def public_origins(self) -> tuple[str, ...]:
        """The configured public URLs as origins ('https://photos.example.com')."""
        return tuple(o for o in (origin_of(u) for u in _split(self.public_url)) if o)
        for name in ('default_quota_bytes', 'default_quota_images', 'trash_days'):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f'{name} ({ENV_PREFIX}{name.upper()}) must be 0 or more')

    # Derived locations: everything lives under data_dir.
    @property
    def db_path(self) -> Path:
        return self.data_dir / 'shoebox.db'

    @property
    def blobs_dir(self) -> Path:
        if self.blob_url.startswith('file://'):
            return Path(self.blob_url.removeprefix('file://'))
        return self.data_dir / 'blobs'

    @property
    def database(self) -> str:
        """The database URL in force: the setting, or the SQLite file in the data folder."""
        return self.database_url or f'sqlite:///{self.db_path}'

    @property
    def blobs(self) -> str:
        """The blob store URL in force: the setting, or file:// of the blobs folder."""
        return self.blob_url if self.blob_url.startswith('s3://') else f'file://{self.blobs_dir}'

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / 'tmp'

    @property
    def index_dir(self) -> Path:
        return self.data_dir / 'index'

    @property
    def key_check_file(self) -> Path:
        """Tells a wrong encryption key at start-up (repo.blobs.encrypted_store)."""
        return self.data_dir / 'encryption-key-check'

    @property
    def secret_file(self) -> Path:
        return self.data_dir / 'storage_secret'

    def pool_size(self) -> int:
        return self.workers or max(1, os.cpu_count() or 1)

    def resolve_storage_secret(self) -> str:
        """The configured secret, or one generated into the data dir on first start (mode 0600)."""
        if self.storage_secret:
            return self.storage_secret
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.secret_file
        stored = path.read_text().strip() if path.exists() else ''
        if len(stored) >= 32:
            return stored
        # Missing, or empty after a crash mid-write: write a new one atomically.
        secret = secrets.token_urlsafe(32)
        tmp = path.with_name(f'{path.name}.{secrets.token_hex(4)}.tmp')
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, 'w') as fh:
            fh.write(secret)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # fails if another process won the race: use theirs
        except FileExistsError:
            if len(path.read_text().strip()) < 32:
                os.replace(tmp, path)
                return secret
            return path.read_text().strip()
        finally:
            tmp.unlink(missing_ok=True)
        return secret


def origin_of(url: str) -> str | None:
    """'HTTPS://Photos.Example.com:443/x' -> 'https://photos.example.com'; None if not http(s)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or '').lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ':' in host:  # an IPv6 literal
        host = f'[{host}]'
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        return f'{scheme}://{host}:{port}'
    return f'{scheme}://{host}'


def _redact(url: str) -> str:
    """A URL for a message, without its password."""
    parts = urlsplit(url)
    if parts.password:
        return repr(url.replace(f':{parts.password}@', ':***@', 1))
    return repr(url)


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or '').split(',') if part.strip()]


def _parse(name: str, annotation: Any, raw: str) -> Any:
    kind = str(annotation)
    if 'bool' in kind:
        low = raw.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError(f'{ENV_PREFIX}{name.upper()} must be true or false, not {raw!r}')
    if 'int' in kind:
        try:
            return int(raw.replace('_', ''))
        except ValueError:
            raise ValueError(
                f'{ENV_PREFIX}{name.upper()} must be a whole number, not {raw!r}'
            ) from None
    if 'Path' in kind:
        return Path(raw)
    return raw
