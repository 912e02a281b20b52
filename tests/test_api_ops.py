"""/healthz and /metrics: health of each part, Prometheus metrics and who may read them."""

from __future__ import annotations

import shutil

from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from repo.library import Library
from tests.api_helpers import bearer, make_app, token_for, upload
from tests.conftest import PASSWORD
from tests.images import image_bytes
from tests.shop_helpers import checkout, image_on_sale, put_in_cart

LOCAL = ('127.0.0.1', 40000)
REMOTE = ('203.0.113.9', 40000)


def client(library: Library, address: tuple[str, int] = LOCAL) -> TestClient:
    return TestClient(make_app(library), raise_server_exceptions=False, client=address)


def test_healthz_is_ok_when_every_part_is(library):
    response = client(library).get('/healthz')
    assert response.status_code == 200
    assert response.json() == {'status': 'ok', 'database': 'ok', 'blobs': 'ok', 'index': 'ok'}


def test_healthz_turns_503_when_the_database_file_is_damaged(library, settings):
    client(library).get('/healthz')
    with open(settings.db_path, 'r+b') as fh:  # as root, permissions stop nothing: break it
        fh.write(b'not a database, not at all' * 8)
    response = client(library).get('/healthz')
    assert response.status_code == 503
    body = response.json()
    assert body['status'] == 'error' and body['database'] == 'error'
    assert body['blobs'] == 'ok' and body['index'] == 'ok'


def test_healthz_turns_503_when_the_database_file_is_gone(library, settings):
    client(library).get('/healthz')
    settings.db_path.rename(settings.db_path.with_name('elsewhere.db'))
    response = client(library).get('/healthz')
    assert response.status_code == 503
    assert response.json()['database'] == 'error'


def test_healthz_turns_503_when_the_index_folder_is_removed(library, settings):
    assert client(library).get('/healthz').status_code == 200
    shutil.rmtree(settings.index_dir)
    response = client(library).get('/healthz')
    assert response.status_code == 503
    assert response.json() == {'status': 'error', 'database': 'ok', 'blobs': 'ok', 'index': 'error'}


def test_healthz_turns_503_when_the_blob_store_is_gone(library, settings):
    library.services.blobs  # noqa: B018
    shutil.rmtree(settings.blobs_dir)
    response = client(library).get('/healthz')
    assert response.status_code == 503
    assert response.json()['blobs'] == 'error'


def families(text: str) -> dict:
    return {f.name: f for f in text_string_to_metric_families(text)}


def test_metrics_parse_and_count_requests_uploads_and_signin_failures(library, alice):
    http = client(library)
    token = token_for(library, alice)
    assert upload(http, token, image_bytes(seed=1)).status_code == 201
    assert upload(http, token, image_bytes(seed=1)).status_code == 409
    assert upload(http, token, b'not an image at all', 'x.jpg').status_code == 415
    http.post('/api/v1/auth/token', json={'username': 'alice', 'password': 'wrong' + PASSWORD})
    http.get('/api/v1/images', headers=bearer(token))
    response = http.get('/metrics')
    assert response.status_code == 200
    assert response.headers['content-type'].startswith('text/plain')
    found = families(response.text)
    uploads = {
        (s.labels['outcome'], s.labels['reason']): s.value
        for s in found['shoebox_uploads'].samples
        if s.name == 'shoebox_uploads_total'
    }
    assert uploads[('added', '')] == 1
    assert uploads[('duplicate', 'duplicate_image')] == 1
    assert uploads[('refused', 'unsupported_type')] == 1
    failures = [s for s in found['shoebox_signin_failures'].samples if s.name.endswith('_total')]
    assert failures[0].value == 1
    requests = {
        (s.labels['route'], s.labels['status']): s.value
        for s in found['shoebox_http_requests'].samples
        if s.name == 'shoebox_http_requests_total'
    }
    assert requests[('/api/v1/images', '201')] == 1
    assert requests[('/api/v1/images', '200')] == 1
    assert 'shoebox_http_request_duration_seconds' in found
    assert found['shoebox_bytes_stored'].samples[0].value > 0
    assert 'shoebox_index_queue_depth' in found and 'shoebox_index_lag_seconds' in found
    assert 'shoebox_image_worker_queue' in found


def test_metrics_count_a_checkout_refused_for_stock(library, alice, bob):
    """The seller's last copy goes to one buyer; the second buyer's checkout is a 409, and
    /metrics counts it (and nothing for the checkout that went through)."""
    http = client(library)
    seller, first = token_for(library, alice), token_for(library, bob)
    second = token_for(library, library.create_user('carol', PASSWORD))
    image_id = image_on_sale(http, seller, stock=1)
    assert put_in_cart(http, first, image_id).status_code == 200
    assert put_in_cart(http, second, image_id).status_code == 200
    assert checkout(http, first).status_code == 201
    assert checkout(http, second).status_code == 409
    found = families(http.get('/metrics').text)
    refused = [s for s in found['shoebox_checkout_conflicts'].samples if s.name.endswith('_total')]
    assert refused[0].value == 1


def test_metrics_refuse_a_remote_address_unless_an_admin_token(library, alice, bob):
    remote = client(library, REMOTE)
    assert remote.get('/metrics').status_code == 401
    assert remote.get('/metrics', headers=bearer(token_for(library, bob))).status_code == 403
    # alice is the first account: an administrator
    admin = remote.get('/metrics', headers=bearer(token_for(library, alice)))
    assert admin.status_code == 200
    assert 'shoebox_http_requests' in families(admin.text)


def test_metrics_public_setting_opens_them(make_library, settings):
    library = make_library(settings.with_(metrics_public=True))
    assert client(library, REMOTE).get('/metrics').status_code == 200


def test_the_access_log_names_the_route_never_the_path_or_query(library, alice, caplog):
    token = token_for(library, alice)
    http = client(library)
    with caplog.at_level('INFO', logger='shoebox.access'):
        http.get('/api/v1/images/secret-looking-id?key=hunter2', headers=bearer(token))
    lines = [r.getMessage() for r in caplog.records if r.name == 'shoebox.access']
    assert lines == ['GET /api/v1/images/{image_id} 404 ' + lines[0].split(' ')[-1]]
    assert all('hunter2' not in line and 'secret-looking-id' not in line for line in lines)
    assert token not in caplog.text


def test_json_log_lines_carry_the_request_and_never_a_credential():
    import json
    import logging

    from api.log_setup import JsonFormatter

    record = logging.LogRecord(
        'shoebox.access', logging.INFO, __file__, 1, 'GET %s 200 1.0ms', ('/healthz',), None
    )
    record.route, record.status = '/healthz', 200
    line = json.loads(JsonFormatter().format(record))
    assert line['message'] == 'GET /healthz 200 1.0ms' and line['route'] == '/healthz'
    leaky = logging.LogRecord(
        'repo',
        logging.WARNING,
        __file__,
        1,
        'saw Authorization: Bearer abc.def and ?token=s3cret',
        (),
        None,
    )
    text = JsonFormatter().format(leaky)
    assert 'abc.def' not in text and 's3cret' not in text and '[redacted]' in text


def test_the_operations_routes_are_documented(library):
    spec = client(library).get('/openapi.json').json()
    assert spec['paths']['/healthz']['get']['tags'] == ['operations']
    assert '503' in spec['paths']['/healthz']['get']['responses']
    assert {'401', '403'} <= set(spec['paths']['/metrics']['get']['responses'])
    export = spec['paths']['/api/v1/export']['get']
    assert export['tags'] == ['export'] and '401' in export['responses']
    assert 'application/zip' in export['responses']['200']['content']
