"""Login sessions, API tokens and sign-in throttling, as a user would meet them."""

from __future__ import annotations

import pytest

from repo.core.errors import InvalidCredentials, NotFound, Throttled
from repo.core.throttle import LoginThrottle
from tests.conftest import PASSWORD


def test_session_lifecycle_and_password_change_ends_other_sessions(library, alice):
    laptop = library.sessions.create(alice.id)
    phone = library.sessions.create(alice.id)
    assert laptop != phone and len(laptop) >= 22
    assert library.sessions.user(laptop).id == alice.id
    library.change_password(alice.id, PASSWORD, 'another long passphrase', keep_session=laptop)
    assert library.sessions.user(laptop).id == alice.id
    assert library.sessions.user(phone) is None
    library.sessions.end(laptop)
    assert library.sessions.user(laptop) is None
    assert library.sessions.user('made-up') is None


def test_tokens_are_shown_once_stored_hashed_and_revocable(library, alice, bob):
    token, info = library.tokens.create(alice.id, 'laptop script')
    assert info.name == 'laptop script'
    assert library.tokens.user(token).username == 'alice'
    db_bytes = library.settings.db_path.read_bytes()
    assert token.encode() not in db_bytes
    with pytest.raises(NotFound):
        library.tokens.revoke(bob.id, info.id)
    assert [t.name for t in library.tokens.list(alice.id)] == ['laptop script']
    library.tokens.revoke(alice.id, info.id)
    assert library.tokens.user(token) is None
    second, _ = library.tokens.create(alice.id)
    assert library.tokens.revoke_value(second)
    assert library.tokens.user(second) is None


def test_failed_sign_ins_are_throttled_then_the_real_user_gets_back_in(library, alice):
    clock = [1000.0]
    library.throttle = LoginThrottle(clock=lambda: clock[0])
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            library.authenticate('alice', 'wrong guess here', address='10.0.0.9')
    with pytest.raises(Throttled) as caught:
        library.authenticate('alice', PASSWORD, address='10.0.0.9')
    assert caught.value.retry_after >= 1 and 'Try again' in str(caught.value)
    with pytest.raises(Throttled):  # the account is cooling down from any address
        library.authenticate('alice', PASSWORD, address='10.0.0.10')
    clock[0] += caught.value.retry_after + 0.1
    assert library.authenticate('alice', PASSWORD, address='10.0.0.11').id == alice.id


def test_throttling_by_address_covers_unknown_accounts(library):
    clock = [0.0]
    library.throttle = LoginThrottle(clock=lambda: clock[0])
    for i in range(5):
        with pytest.raises(InvalidCredentials):
            library.authenticate(f'ghost{i}', 'whatever it is', address='10.9.9.9')
    with pytest.raises(Throttled):
        library.authenticate('ghost9', 'whatever it is', address='10.9.9.9')


def test_delays_grow_with_more_failures():
    clock = [0.0]
    throttle = LoginThrottle(clock=lambda: clock[0])
    waits = []
    for _ in range(8):
        throttle.failed('user:x')
        try:
            throttle.check('user:x')
            waits.append(0)
        except Throttled as exc:
            waits.append(exc.retry_after)
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4] < waits[5] < waits[6] < waits[7]


def test_a_token_records_when_it_was_last_used_and_dies_with_its_account(library, alice):
    token, info = library.tokens.create(alice.id, 'backup job')
    assert info.last_used_at is None
    assert library.tokens.user(token).id == alice.id
    (listed,) = library.tokens.list(alice.id)
    assert listed.last_used_at is not None
    library.delete_user(alice.id)
    assert library.tokens.user(token) is None
