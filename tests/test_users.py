"""Accounts: username and password rules, sign-in that does not tell users apart, rehashing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from repo.core.errors import Conflict, Invalid, InvalidCredentials, NotFound
from tests import images
from tests.conftest import PASSWORD


def test_first_user_becomes_admin_and_later_ones_do_not(library):
    first = library.create_user('alice', PASSWORD, display_name='Alice A.', email='a@example.org')
    second = library.create_user('bob', PASSWORD)
    assert first.is_admin and not second.is_admin
    assert (first.display_name, first.email) == ('Alice A.', 'a@example.org')
    assert second.display_name == 'bob'


@pytest.mark.parametrize(
    ('username', 'words'),
    [
        ('ab', '3 to 32'),
        ('a' * 33, '3 to 32'),
        ('9lives', 'start with a letter'),
        ('_alice', 'start with a letter'),
        ('al ice', 'only contain'),
        ('alicé', 'only contain'),
        ('admin', 'reserved'),
        ('Root', 'reserved'),
        ('api', 'reserved'),
        ('public', 'reserved'),
    ],
)
def test_username_rules(library, username, words):
    with pytest.raises(Invalid, match=words):
        library.create_user(username, PASSWORD)
    assert library.list_users() == []


def test_usernames_are_unique_without_regard_to_case(library):
    library.create_user('Alice', PASSWORD)
    with pytest.raises(Conflict, match='taken'):
        library.create_user('ALICE', PASSWORD)
    assert [u.username for u in library.list_users()] == ['alice']
    assert library.authenticate('ALICE', PASSWORD).username == 'alice'


@pytest.mark.parametrize(
    ('password', 'words'),
    [
        ('short1!', 'at least 8'),
        ('x' * 1025, 'at most 1024'),
        ('password1', 'common'),
        ('alicealice', 'guess'),
    ],
)
def test_weak_passwords_are_refused_with_a_hint(library, password, words):
    with pytest.raises(Invalid, match=words):
        library.create_user('alice', password)


def test_unknown_user_and_wrong_password_read_the_same(library):
    library.create_user('alice', PASSWORD)
    with pytest.raises(InvalidCredentials) as wrong:
        library.authenticate('alice', 'not the password at all')
    with pytest.raises(InvalidCredentials) as unknown:
        library.authenticate('mallory', 'not the password at all')
    assert str(wrong.value) == str(unknown.value) == 'Invalid username or password'
    assert wrong.value.status == unknown.value.status == 401


def test_password_is_rehashed_on_login_when_parameters_change(make_library, settings, pool):
    from repo.library import Library

    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    lib = Library(settings, executor=pool, password_hasher=weak)
    lib.create_user('alice', PASSWORD)
    lib.close()
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    lib = Library(settings, executor=pool, password_hasher=stronger)
    try:
        lib.authenticate('alice', PASSWORD)
        from sqlmodel import Session, select

        from repo.db.tables import User

        with Session(lib.engine) as s:
            stored = s.exec(select(User.password_hash)).one()
        assert stored.startswith('$argon2id$') and 'm=2048,t=2' in stored
        assert lib.authenticate('alice', PASSWORD).username == 'alice'
    finally:
        lib.close()


def test_change_password(library):
    alice = library.create_user('alice', PASSWORD)
    with pytest.raises(InvalidCredentials):
        library.change_password(alice.id, 'wrong old one', 'a brand new passphrase here')
    library.change_password(alice.id, PASSWORD, 'a brand new passphrase here')
    with pytest.raises(InvalidCredentials):
        library.authenticate('alice', PASSWORD)
    assert library.authenticate('alice', 'a brand new passphrase here').id == alice.id


def test_deleting_a_user_deletes_their_images(library, alice, bob):
    shared = images.image_bytes(seed=1)
    library.add(alice.id, shared, 'a.jpg', visibility='public')
    kept = library.add(bob.id, shared, 'b.jpg', visibility='public')
    assert library.delete_user(alice.id) == 1
    with pytest.raises(NotFound):
        library.find_user('alice')
    assert [i.id for i in library.list(None).items] == [kept.id]
    assert library.open_file(None, kept.id, 'thumb').read()


def test_an_account_deleted_elsewhere_can_add_no_more_images(make_library, settings):
    """`shoebox users delete` runs in another process while the server keeps its Library."""
    server = make_library(settings)
    alice = server.create_user('alice', PASSWORD)
    server.add(alice.id, images.image_bytes(seed=1), 'before.jpg')
    make_library(settings).delete_user(alice.id)
    with pytest.raises(NotFound):
        server.add(alice.id, images.image_bytes(seed=2), 'after.jpg')
    carol = server.create_user('carol', PASSWORD)  # may be given alice's old id
    added = server.add(carol.id, images.image_bytes(seed=3), 'carol.jpg')
    assert added.owner == 'carol' == server.get(carol.id, added.id).owner
    server.wait_for_index()
    assert server.check(grace_s=0).ok  # the refused upload left no files behind
