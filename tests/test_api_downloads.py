"""Downloading an original: its name says what it is, and Range requests follow RFC 9110."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from starlette.testclient import TestClient

from api.files import download_name
from repo.core.schemas import UserPublic
from repo.library import Library
from tests import images
from tests.api_helpers import bearer, client_for, make_app, token_for, upload


@pytest.fixture
def client(library: Library) -> TestClient:
    return client_for(make_app(library))


@pytest.fixture
def token(library: Library, alice: UserPublic) -> str:
    return token_for(library, alice)


def original(client: TestClient, token: str, image_id: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.get(f'/api/v1/images/{image_id}/original', headers={**bearer(token), **headers})


def saved_as(response) -> str:  # type: ignore[no-untyped-def]
    """The name a browser saves the download as (the RFC 5987 one wins)."""
    disposition = response.headers['content-disposition']
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


def test_a_jpeg_uploaded_as_html_downloads_as_jpg(client: TestClient, token: str) -> None:
    polyglot = images.image_bytes('JPEG', seed=5) + b'<html><script>alert(1)</script></html>'
    r = upload(client, token, data=polyglot, filename='poly.html')
    assert r.status_code == 201, r.text
    assert r.json()['filename'] == 'poly.html'  # the uploader's name is kept as display text
    got = original(client, token, r.json()['id'])
    assert got.status_code == 200
    assert got.headers['content-type'] == 'image/jpeg'
    assert saved_as(got) == 'poly.jpg'
    assert 'filename="poly.jpg"' in got.headers['content-disposition']


@pytest.mark.parametrize(
    ('fmt', 'filename', 'expected'),
    [
        ('PNG', 'scan.PNG', 'scan.PNG'),  # already right: left alone
        ('JPEG', 'holiday.jpeg', 'holiday.jpeg'),
        ('WEBP', 'archive.tar.gz', 'archive.tar.webp'),
        ('GIF', 'README', 'README.gif'),
        ('PNG', 'payload.svg', 'payload.png'),
    ],
)
def test_the_download_extension_matches_the_detected_type(
    client: TestClient, token: str, fmt: str, filename: str, expected: str
) -> None:
    r = upload(client, token, data=images.image_bytes(fmt, seed=len(filename)), filename=filename)
    assert r.status_code == 201, r.text
    assert saved_as(original(client, token, r.json()['id'])) == expected


def test_download_names_by_type() -> None:
    assert download_name('x.html', 'image/avif') == 'x.avif'
    assert download_name('.html', 'image/png') == '.html.png'
    assert download_name('x.html', 'application/octet-stream') == 'x.html'


@pytest.fixture
def big_original(client: TestClient, token: str) -> tuple[str, bytes]:
    """An original big enough to be streamed from disk (not the small in-memory path)."""
    data = images.encode(images.noise((900, 700), seed=7), 'PNG')
    r = upload(client, token, data=data, filename='big.png')
    assert r.status_code == 201, r.text
    return r.json()['id'], data


def test_a_range_in_an_unknown_unit_is_ignored(
    client: TestClient, token: str, big_original: tuple[str, bytes]
) -> None:
    image_id, data = big_original
    r = original(client, token, image_id, Range='items=0-10')
    assert r.status_code == 200
    assert r.content == data
    assert 'content-range' not in r.headers


def test_a_byte_range_still_gives_the_part(
    client: TestClient, token: str, big_original: tuple[str, bytes]
) -> None:
    image_id, data = big_original
    r = original(client, token, image_id, Range='bytes=0-10')
    assert r.status_code == 206
    assert r.content == data[:11]
    assert r.headers['content-range'] == f'bytes 0-10/{len(data)}'
