"""Settings: defaults, SHOEBOX_* environment variables, flags, validation, the storage secret."""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

import pytest

from repo.config import Settings


def test_defaults() -> None:
    s = Settings.from_env(env={})
    assert s.port == 8080
    assert s.data_dir == Path('./data')
    assert s.max_file_bytes == 50_000_000
    assert s.max_pixels == 100_000_000
    assert s.thumb_size == 400
    assert s.preview_size == 1600
    assert s.open_signup is True
    assert s.storage_secret is None


def test_everything_lives_under_the_data_dir(tmp_path: Path) -> None:
    s = Settings.from_env(env={}, data_dir=tmp_path / 'box')
    for path in (s.db_path, s.blobs_dir, s.tmp_dir, s.index_dir, s.secret_file):
        assert path.is_relative_to(tmp_path / 'box')


def test_environment_variables_override_defaults(tmp_path: Path) -> None:
    env = {
        'SHOEBOX_PORT': '9001',
        'SHOEBOX_OPEN_SIGNUP': 'false',
        'SHOEBOX_DATA_DIR': str(tmp_path / 'photos'),
        'SHOEBOX_MAX_FILE_BYTES': '10_000_000',
    }
    s = Settings.from_env(env=env)
    assert s.port == 9001
    assert s.open_signup is False
    assert s.data_dir == tmp_path / 'photos'
    assert s.max_file_bytes == 10_000_000
    assert s.max_pixels == 100_000_000  # untouched


def test_the_process_environment_is_read_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('SHOEBOX_PORT', '9002')
    monkeypatch.setenv('SHOEBOX_OPEN_SIGNUP', 'no')
    s = Settings.from_env()
    assert s.port == 9002
    assert s.open_signup is False


@pytest.mark.parametrize(
    ('raw', 'expected'),
    [('true', True), ('1', True), ('YES', True), ('on', True), ('0', False), ('Off', False)],
)
def test_boolean_spellings(raw: str, expected: bool) -> None:
    assert Settings.from_env(env={'SHOEBOX_OPEN_SIGNUP': raw}).open_signup is expected


def test_an_empty_variable_counts_as_unset() -> None:
    assert Settings.from_env(env={'SHOEBOX_PORT': ''}).port == 8080


def test_flags_beat_the_environment(tmp_path: Path) -> None:
    env = {
        'SHOEBOX_PORT': '9001',
        'SHOEBOX_OPEN_SIGNUP': 'true',
        'SHOEBOX_DATA_DIR': str(tmp_path / 'from-env'),
    }
    s = Settings.from_env(env=env, port=9100, open_signup=False, data_dir=tmp_path / 'from-flag')
    assert s.port == 9100
    assert s.open_signup is False
    assert s.data_dir == tmp_path / 'from-flag'


def test_a_flag_left_unset_keeps_the_environment_value() -> None:
    s = Settings.from_env(env={'SHOEBOX_PORT': '9001'}, port=None, open_signup=None)
    assert s.port == 9001
    assert s.open_signup is True


@pytest.mark.parametrize(
    ('env', 'named'),
    [
        ({'SHOEBOX_PORT': 'abc'}, 'SHOEBOX_PORT'),
        ({'SHOEBOX_OPEN_SIGNUP': 'maybe'}, 'SHOEBOX_OPEN_SIGNUP'),
        ({'SHOEBOX_MAX_FILE_BYTES': 'lots'}, 'SHOEBOX_MAX_FILE_BYTES'),
    ],
)
def test_unparsable_values_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match=named) as info:
        Settings.from_env(env=env)
    assert next(iter(env.values())) in str(info.value)  # and show what was given


@pytest.mark.parametrize('port', ['70000', '0', '-1'])
def test_a_port_out_of_range_is_refused(port: str) -> None:
    with pytest.raises(ValueError, match=r'(?i)port') as info:
        Settings.from_env(env={'SHOEBOX_PORT': port})
    assert port in str(info.value)


def test_a_port_flag_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match=r'(?i)port'):
        Settings.from_env(env={}, port=70000)


def test_nonsense_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match='max_file_bytes'):
        Settings.from_env(env={'SHOEBOX_MAX_FILE_BYTES': '0'})
    with pytest.raises(ValueError, match='thumb_size'):
        Settings.from_env(env={}, thumb_size=2000, preview_size=1000)


def test_public_urls_become_origins() -> None:
    s = Settings.from_env(
        env={'SHOEBOX_PUBLIC_URL': 'https://Photos.Example.com:443/, http://10.0.0.2:8080'}
    )
    assert s.public_origins == ('https://photos.example.com', 'http://10.0.0.2:8080')
    assert Settings.from_env(env={}).public_origins == ()


@pytest.mark.parametrize('url', ['photos.example.com', 'ftp://photos.example.com', 'https://'])
def test_a_public_url_that_is_not_one_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match='SHOEBOX_PUBLIC_URL'):
        Settings.from_env(env={'SHOEBOX_PUBLIC_URL': url})


def test_settings_are_frozen() -> None:
    s = Settings.from_env(env={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.port = 1  # type: ignore[misc]


# ---- storage secret ----------------------------------------------------------------------------


def test_storage_secret_is_generated_once_into_the_data_dir(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / 'data')
    first = s.resolve_storage_secret()
    assert len(first) >= 32
    assert s.secret_file.is_file()
    assert s.secret_file.is_relative_to(tmp_path / 'data')
    assert stat.S_IMODE(os.stat(s.secret_file).st_mode) == 0o600
    assert s.resolve_storage_secret() == first
    # A restart (a new Settings object on the same folder) keeps the sessions valid.
    assert Settings(data_dir=tmp_path / 'data').resolve_storage_secret() == first


def test_storage_secrets_differ_between_data_dirs(tmp_path: Path) -> None:
    one = Settings(data_dir=tmp_path / 'one').resolve_storage_secret()
    two = Settings(data_dir=tmp_path / 'two').resolve_storage_secret()
    assert one != two


def test_a_configured_storage_secret_wins_and_writes_nothing(tmp_path: Path) -> None:
    s = Settings.from_env(
        env={'SHOEBOX_STORAGE_SECRET': 'from the environment, long enough to sign'},
        data_dir=tmp_path / 'data',
    )
    assert s.resolve_storage_secret() == 'from the environment, long enough to sign'
    assert not s.secret_file.exists()


def test_a_configured_storage_secret_beats_a_generated_one(tmp_path: Path) -> None:
    generated = Settings(data_dir=tmp_path / 'data').resolve_storage_secret()
    configured = Settings(data_dir=tmp_path / 'data', storage_secret='configured secret value')
    assert configured.resolve_storage_secret() == 'configured secret value' != generated


def test_an_empty_secret_file_is_never_used_as_the_secret(tmp_path: Path) -> None:
    """A crash between creating and writing the file must not leave sessions signed with ''."""
    s = Settings(data_dir=tmp_path / 'data')
    s.data_dir.mkdir(parents=True)
    s.secret_file.write_text('\n')
    try:
        secret = s.resolve_storage_secret()
    except ValueError:
        return  # refusing to start with a clear message is acceptable too
    assert len(secret) >= 32


def test_the_database_and_blobs_default_to_the_data_dir(tmp_path: Path) -> None:
    s = Settings.from_env(env={}, data_dir=tmp_path / 'box')
    assert s.database == f'sqlite:///{tmp_path / "box" / "shoebox.db"}'
    assert s.blobs == f'file://{tmp_path / "box" / "blobs"}'
    assert s.s3_presign is False


def test_postgres_and_s3_come_from_the_environment() -> None:
    env = {
        'SHOEBOX_DATABASE_URL': 'postgresql+psycopg://shoebox:pw@db:5432/shoebox',
        'SHOEBOX_BLOB_URL': 's3://photos/shoebox',
        'SHOEBOX_S3_ENDPOINT_URL': 'http://minio:9000',
        'SHOEBOX_S3_PRESIGN': 'true',
    }
    s = Settings.from_env(env=env)
    assert s.database == env['SHOEBOX_DATABASE_URL'] and s.blobs == 's3://photos/shoebox'
    assert s.s3_endpoint_url == 'http://minio:9000' and s.s3_presign is True


def test_a_blob_folder_can_be_named_by_a_file_url(tmp_path: Path) -> None:
    s = Settings.from_env(env={'SHOEBOX_BLOB_URL': f'file://{tmp_path}/elsewhere'})
    assert s.blobs_dir == tmp_path / 'elsewhere'


def test_an_unknown_database_is_refused_without_showing_its_password() -> None:
    with pytest.raises(ValueError, match='SHOEBOX_DATABASE_URL') as refused:
        Settings.from_env(env={'SHOEBOX_DATABASE_URL': 'mysql://root:hunter2@db/x'})
    assert 'hunter2' not in str(refused.value)
    with pytest.raises(ValueError, match='SHOEBOX_BLOB_URL'):
        Settings.from_env(env={'SHOEBOX_BLOB_URL': 'gs://bucket'})
