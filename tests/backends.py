"""Real servers for the backend tests: a throwaway Postgres cluster, moto's S3 server, Redis.

Each server starts once per session, on a free port, in a temporary folder, and is stopped at
the end; every test gets fresh state (a new database, a new bucket). A server that cannot be
started skips its tests with the reason, except in CI (`CI=true`), where that is a failure: a
backend silently untested must not pass the run.

`backend_settings(request, tmp_path, 'postgres-s3')` makes the Settings of one combination; a
test module parametrizes its `settings` fixture over BACKENDS.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from repo.config import Settings

# Database x blob store; 'sqlite-local' is the embedded default, exactly as before.
BACKENDS = ['sqlite-local', 'postgres-local', 'sqlite-s3', 'postgres-s3']
S3_ENV = {
    'AWS_ACCESS_KEY_ID': 'shoebox-test',
    'AWS_SECRET_ACCESS_KEY': 'shoebox-test-secret',
    'AWS_DEFAULT_REGION': 'us-east-1',
}


def in_ci() -> bool:
    return os.environ.get('CI', '').strip().lower() in {'1', 'true', 'yes'}


def unavailable(what: str, why: str) -> None:
    """Skip (locally) or fail (in CI): the backend's tests cannot run here."""
    message = f'{what} is not available: {why}'
    if in_ci():
        pytest.fail(f'{message} (CI=true: backend tests must run, not skip)', pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(('127.0.0.1', port), 0.5):
            return True
        time.sleep(0.05)
    return False


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---- Postgres ---------------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """Debian's newest installed server binaries, else whatever initdb is on PATH."""
    found = sorted(
        glob.glob('/usr/lib/postgresql/*/bin/initdb'),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which('initdb')
    return Path(initdb).parent if initdb else None


@dataclass
class PostgresServer:
    port: int
    user: str = 'shoebox'
    used: list[str] = field(default_factory=list)  # databases of earlier tests, to drop

    def url(self, database: str) -> str:
        return f'postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}'

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url('postgres').replace('+psycopg', ''), autocommit=True) as c:
            c.execute(sql)


def _as_postgres_user() -> list[str]:
    """initdb refuses to run as root: run the server as `nobody` then."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which('runuser')
    if runuser is None:
        raise RuntimeError('running as root and runuser is missing')
    return [runuser, '-u', 'nobody', '--']


@pytest.fixture(scope='session')
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway cluster for the whole session (started in about two seconds)."""
    binaries = postgres_bin()
    if binaries is None:
        unavailable('Postgres', 'no initdb (apt-get install postgresql)')
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        unavailable('Postgres', f'psycopg is missing ({exc})')
    folder = Path(tempfile.mkdtemp(prefix='shoebox-pg-'))
    os.chmod(folder, 0o755)
    run_as = _as_postgres_user()
    if run_as:
        shutil.chown(folder, 'nobody')
    data, port = folder / 'data', free_port()
    server = PostgresServer(port)
    initdb = [
        *run_as, str(binaries / 'initdb'), '-D', str(data), '-A', 'trust', '-U', server.user,
        '-E', 'UTF8', '--no-sync', '--locale=C',
    ]  # fmt: skip
    options = (
        f'-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off '
        '-c synchronous_commit=off -c full_page_writes=off -c max_connections=200'
    )
    start = [
        *run_as, str(binaries / 'pg_ctl'), '-D', str(data), '-o', options,
        '-l', str(folder / 'log'), '-w', '-t', '60', 'start',
    ]  # fmt: skip
    try:
        for command in (initdb, start):
            done = subprocess.run(command, capture_output=True, text=True, timeout=120)
            if done.returncode != 0:
                unavailable('Postgres', f'{command[len(run_as)]} failed: {done.stderr.strip()}')
        yield server
    finally:
        if data.exists():
            stopping = [*run_as, str(binaries / 'pg_ctl'), '-D', str(data), '-m', 'immediate']
            subprocess.run([*stopping, 'stop'], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A new, empty database for this test. It is dropped when the next test asks for one: by
    then whatever used it (a container closed by a fixture torn down after this one) is gone."""
    while postgres_server.used:
        postgres_server.admin(f'DROP DATABASE IF EXISTS {postgres_server.used.pop()} WITH (FORCE)')
    name = f'test_{secrets.token_hex(6)}'
    postgres_server.admin(f'CREATE DATABASE {name}')
    yield postgres_server.url(name)
    postgres_server.used.append(name)


# ---- S3 (moto's standalone server: a real HTTP endpoint) -------------------------------------


@pytest.fixture(scope='session')
def s3_server() -> Iterator[str]:
    """moto's S3 server on a free port; its endpoint URL."""
    try:
        import moto.server  # noqa: F401
    except ImportError as exc:
        unavailable('S3 (moto server)', f'moto[server] is missing ({exc})')
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, '-m', 'moto.server', '-H', '127.0.0.1', '-p', str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **S3_ENV},
    )
    try:
        if not wait_for_port(port, proc):
            unavailable('S3 (moto server)', 'it did not start')
        yield f'http://127.0.0.1:{port}'
    finally:
        stop(proc)


@pytest.fixture
def s3_blob_url(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new bucket for this test, as s3://bucket/prefix (credentials in the environment)."""
    import boto3

    for name, value in S3_ENV.items():
        monkeypatch.setenv(name, value)
    bucket = f'test-{secrets.token_hex(6)}'
    boto3.client('s3', endpoint_url=s3_server, region_name='us-east-1').create_bucket(Bucket=bucket)
    return f's3://{bucket}/library'


# ---- Redis ------------------------------------------------------------------------------------


@pytest.fixture(scope='session')
def redis_url() -> Iterator[str]:
    """redis-server on a free port, nothing persisted; its URL."""
    binary = shutil.which('redis-server')
    if binary is None:
        unavailable('Redis', 'no redis-server (apt-get install redis-server)')
    port = free_port()
    folder = tempfile.mkdtemp(prefix='shoebox-redis-')
    proc = subprocess.Popen(
        [binary, '--port', str(port), '--bind', '127.0.0.1', '--save', '', '--appendonly',
         'no', '--dir', folder],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        if not wait_for_port(port, proc):
            unavailable('Redis', 'redis-server did not start')
        yield f'redis://127.0.0.1:{port}/0'
    finally:
        stop(proc)
        shutil.rmtree(folder, ignore_errors=True)


# ---- one combination as Settings --------------------------------------------------------------


def backend_settings(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> Settings:
    """The Settings of `database-blobs` for this test: 'sqlite-local' is the plain default."""
    database, blobs = backend.split('-')
    settings = Settings(data_dir=tmp_path / 'data')
    if database == 'postgres':
        settings = settings.with_(database_url=request.getfixturevalue('postgres_url'))
    if blobs == 's3':
        settings = settings.with_(
            blob_url=request.getfixturevalue('s3_blob_url'),
            s3_endpoint_url=request.getfixturevalue('s3_server'),
        )
    return settings
