"""The real servers of tests/backends.py: each answers, each test gets fresh state, and a server
that cannot start skips its tests locally but fails them in CI."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import boto3
import psycopg
import pytest

from tests import backends


def test_postgres_gives_each_test_an_empty_database(postgres_url: str) -> None:
    with psycopg.connect(postgres_url.replace('+psycopg', '')) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        assert tables == (0,)
        assert conn.execute('SHOW fsync').fetchone() == ('off',)  # a throwaway cluster


def test_s3_gives_each_test_an_empty_bucket(s3_server: str, s3_blob_url: str) -> None:
    bucket = urlsplit(s3_blob_url).netloc
    client = boto3.client('s3', endpoint_url=s3_server, region_name='us-east-1')
    assert client.list_objects_v2(Bucket=bucket).get('KeyCount') == 0


def test_redis_answers(redis_url: str) -> None:
    port = urlsplit(redis_url).port
    with socket.create_connection(('127.0.0.1', port), 5) as sock:
        sock.sendall(b'PING\r\n')
        assert sock.recv(16) == b'+PONG\r\n'


def test_a_missing_server_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('CI', raising=False)
    with pytest.raises(pytest.skip.Exception, match='Redis is not available'):
        backends.unavailable('Redis', 'not installed')
    monkeypatch.setenv('CI', 'true')
    with pytest.raises(pytest.fail.Exception, match='CI=true'):
        backends.unavailable('Redis', 'not installed')
