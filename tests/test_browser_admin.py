"""The admin page in a real browser (headless Chromium): reached from the account menu, a reset
link with its copy button, a delete that needs the name typed, a 404 for others, and a layout
that fits a phone."""

# ruff: noqa: F811  (fixtures imported from tests.test_browser are used as arguments)

from __future__ import annotations

import httpx
import pytest

from tests.images import image_bytes
from tests.test_browser import (  # noqa: F401  (fixtures)
    CHROMEDRIVER,
    CHROMIUM,
    Server,
    browser,
    server,
    sign_in,
    wait_until,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason='no Chromium'),
]

if CHROMIUM is not None and CHROMEDRIVER is not None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver


@pytest.fixture(scope='module')
def boss(server: Server) -> dict[str, str]:
    """The administrator (the server's first account): its API headers."""
    return {'Authorization': f'Bearer {server.account("boss")}'}


def body_text(driver: WebDriver) -> str:
    """The page's text; '' while the page is being replaced (a navigation in progress)."""
    try:
        return driver.find_element(By.TAG_NAME, 'body').text
    except StaleElementReferenceException:
        return ''


def menu_entry(driver: WebDriver, words: str):  # type: ignore[no-untyped-def]
    entries = [
        e for e in driver.find_elements(By.CSS_SELECTOR, '.q-menu .q-item') if words in e.text
    ]
    return entries[0] if entries else None


def open_actions(driver: WebDriver, username: str, words: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f'[aria-label="Actions for {username}"]').click()
    wait_until(driver, lambda d: menu_entry(d, words)).click()


def test_the_admin_page_in_a_browser(browser: WebDriver, server: Server, boss) -> None:  # type: ignore[no-untyped-def]
    member = server.account('member')
    server.account('leaver')
    server.add(member, 'Member photo', seed=500, visibility='private')
    sign_in(browser, server, 'boss')
    browser.find_element(By.CSS_SELECTOR, '[aria-label^="Account menu"]').click()
    wait_until(browser, lambda d: menu_entry(d, 'Admin')).click()
    wait_until(browser, lambda d: '@leaver' in body_text(d))
    assert browser.current_url.endswith('/admin')
    assert '@member' in body_text(browser) and '1 image' in body_text(browser)

    # A reset link, shown with a copy button.
    open_actions(browser, 'member', 'reset link')
    field = wait_until(browser, lambda d: d.find_element(By.CSS_SELECTOR, '.q-dialog input'))
    url = field.get_attribute('value')
    assert f'{server.url}/reset/' in url
    copy = next(b for b in browser.find_elements(By.CSS_SELECTOR, '.q-dialog button')
                if 'Copy' in b.text)  # fmt: skip
    copy.click()
    next(b for b in browser.find_elements(By.CSS_SELECTOR, '.q-dialog button')
         if 'Done' in b.text).click()  # fmt: skip
    wait_until(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, '.q-dialog input'))

    # Delete needs the username typed.
    open_actions(browser, 'leaver', 'Delete')
    confirm = wait_until(
        browser,
        lambda d: next(
            (b for b in d.find_elements(By.CSS_SELECTOR, '.q-dialog button')
             if 'Delete account' in b.text), None,
        ),
    )  # fmt: skip
    assert confirm.get_attribute('disabled') is not None
    browser.find_element(By.CSS_SELECTOR, '.q-dialog input').send_keys('leaver')
    wait_until(browser, lambda d: confirm.get_attribute('disabled') is None)
    confirm.click()
    wait_until(browser, lambda d: '@leaver deleted' in body_text(d))
    with server.api() as client:
        users = client.get('/api/v1/admin/users', headers=boss).json()
    assert sorted(u['username'] for u in users) == ['boss', 'member']

    # The reset link works in a fresh browser session (no account signed in).
    browser.delete_all_cookies()
    browser.get(url)
    wait_until(browser, lambda d: 'For @member' in body_text(d))
    new_password = 'seven quiet otters paddle home'
    inputs = browser.find_elements(By.CSS_SELECTOR, 'input[autocomplete=new-password]')
    inputs[0].send_keys(new_password)
    inputs[1].send_keys(new_password)
    next(
        b for b in browser.find_elements(By.TAG_NAME, 'button') if 'Set password' in b.text
    ).click()
    wait_until(browser, lambda d: '/signin' in d.current_url)
    r = httpx.post(
        f'{server.url}/api/v1/auth/token', json={'username': 'member', 'password': new_password}
    )
    assert r.status_code == 200
    browser.get(url)
    wait_until(browser, lambda d: 'This link does not work' in body_text(d))


def test_the_admin_page_is_404_for_a_member_and_fits_a_phone(
    browser: WebDriver, server: Server, boss
) -> None:  # type: ignore[no-untyped-def]
    server.account('phoneuser')
    sign_in(browser, server, 'phoneuser')
    status = browser.execute_script("return fetch('/admin').then(r => r.status)")
    assert status == 404
    browser.get(server.url + '/admin')
    wait_until(browser, lambda d: 'Page not found' in body_text(d))
    assert 'Administration' not in body_text(browser)

    browser.delete_all_cookies()
    sign_in(browser, server, 'boss')
    browser.set_window_size(390, 844)
    try:
        for tab in ('users', 'settings', 'audit'):
            browser.get(f'{server.url}/admin?tab={tab}')
            wait_until(browser, lambda d: 'Administration' in body_text(d))
            overflow = browser.execute_script(
                'return document.documentElement.scrollWidth - window.innerWidth'
            )
            assert overflow <= 0, (tab, overflow)
    finally:
        browser.set_window_size(1280, 900)


def test_the_upload_page_warns_before_a_batch_that_will_not_fit(
    browser: WebDriver, server: Server, boss, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    token = server.account('nearlyfull')
    server.add(token, 'Already here', seed=600, visibility='private')
    with server.api() as client:
        r = client.patch('/api/v1/admin/users/nearlyfull', json={'quota_images': 2}, headers=boss)
        assert r.status_code == 200
    sign_in(browser, server, 'nearlyfull')
    browser.get(server.url + '/upload')
    picker = wait_until(
        browser,
        lambda d: d.find_element(By.CSS_SELECTOR, '.sb-up input[type=file]:not([webkitdirectory])'),
    )
    files = []
    for n in range(3):
        path = tmp_path / f'batch-{n}.jpg'
        path.write_bytes(image_bytes('JPEG', seed=610 + n))
        files.append(str(path))
    picker.send_keys('\n'.join(files))
    wait_until(browser, lambda d: '3 files will not all fit' in body_text(d))
    assert 'room for 1 more image' in body_text(browser)
    wait_until(browser, lambda d: 'would pass your quota' in body_text(d), timeout=60)
