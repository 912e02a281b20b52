"""Share links in a real browser (headless Chromium): a visitor with no account opens a link,
enters its password, sees the images in a lightbox, downloads only where the link allows it;
comments with hostile text stay text; the trash's Undo."""

# ruff: noqa: F811  (fixtures imported from tests.test_browser are used as arguments)

from __future__ import annotations

import pytest

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
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.remote.webdriver import WebDriver

XSS = '<img src=x onerror="window.sbPwned=1">'


def share(server: Server, token: str, **body) -> dict:  # type: ignore[no-untyped-def]
    with server.api() as client:
        r = client.post('/api/v1/shares', json=body, headers={'Authorization': f'Bearer {token}'})
        assert r.status_code == 201, r.text
        return r.json()


def body_text(driver: WebDriver) -> str:
    return driver.find_element(By.TAG_NAME, 'body').text


def thumbnails_loaded(driver: WebDriver, n: int) -> bool:
    return driver.execute_script(
        "const imgs = [...document.querySelectorAll('.sb-tile img')];"
        f'return imgs.length === {n} && imgs.every(i => i.complete && i.naturalWidth > 0);'
    )


def test_a_visitor_opens_a_password_link_and_downloads_only_where_allowed(
    browser: WebDriver, server: Server
) -> None:
    owner = server.account('sharer')
    private = [
        server.add(owner, f'Private {n}', seed=700 + n, visibility='private') for n in (0, 1)
    ]
    other = server.add(owner, 'Not in the link', seed=710, visibility='private')
    locked = share(server, owner, image_ids=private, password='open sesame', label='For you')
    plain = share(server, owner, image_ids=private[:1], allow_download=True)
    # A fresh browser with no account: the password form first.
    browser.get(locked['url'])
    field = wait_until(browser, lambda d: d.find_element(By.CSS_SELECTOR, 'input[name=password]'))
    assert 'Private 0' not in body_text(browser)
    field.send_keys('wrong', Keys.ENTER)
    wait_until(browser, lambda d: 'That password is not right.' in body_text(d))
    field = browser.find_element(By.CSS_SELECTOR, 'input[name=password]')
    field.send_keys('open sesame', Keys.ENTER)
    wait_until(browser, lambda d: thumbnails_loaded(d, 2))
    assert 'For you' in body_text(browser) and '2 images' in body_text(browser)
    # The lightbox shows the preview; no download button on this link.
    browser.find_elements(By.CSS_SELECTOR, '.sb-tile a')[0].click()
    wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, '.sb-lightbox-pic img'))
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-sb=download]')
    key = locked['key']
    status = browser.execute_script(
        f"return fetch('/api/v1/s/{key}/images/{private[0]}/original').then(r => r.status)"
    )
    assert status == 404
    status = browser.execute_script(
        f"return fetch('/api/v1/s/{key}/images/{other}/thumbnail').then(r => r.status)"
    )
    assert status == 404
    # The link that allows downloads has the button, and it gives the original.
    browser.get(plain['url'])
    wait_until(browser, lambda d: thumbnails_loaded(d, 1))
    browser.find_element(By.CSS_SELECTOR, '.sb-tile a').click()
    button = wait_until(browser, lambda d: d.find_element(By.CSS_SELECTOR, '[data-sb=download]'))
    href = button.get_attribute('href')
    assert href.endswith(f'/api/v1/s/{plain["key"]}/images/{private[0]}/original')
    status = browser.execute_script(f"return fetch('{href}').then(r => r.status)")
    assert status == 200
    # Revoked: the next request is the "does not work" page.
    with server.api() as client:
        client.delete(f'/api/v1/shares/{plain["id"]}', headers={'Authorization': f'Bearer {owner}'})
    browser.refresh()
    wait_until(browser, lambda d: 'This link does not work' in body_text(d))
    log = server.log.read_text(errors='replace')
    assert key not in log and plain['key'] not in log and 'open sesame' not in log


def test_hostile_comments_are_shown_as_text(browser: WebDriver, server: Server) -> None:
    owner = server.account('commenter')
    image = server.add(owner, 'Open to comments', seed=720, visibility='public')
    with server.api() as client:
        r = client.post(
            f'/api/v1/images/{image}/comments', json={'text': XSS},
            headers={'Authorization': f'Bearer {owner}'},
        )  # fmt: skip
        assert r.status_code == 201
    browser.get(f'{server.url}/images/{image}')
    wait_until(browser, lambda d: XSS in body_text(d))
    assert browser.execute_script('return window.sbPwned === undefined')
    assert not browser.find_elements(By.CSS_SELECTOR, '.sb-comment-text img')


def buttons(driver: WebDriver, label: str) -> list:  # type: ignore[type-arg]
    """The visible buttons with this label (none while the page is being replaced)."""
    try:
        return [
            b for b in driver.find_elements(By.TAG_NAME, 'button')
            if b.text.strip().lower().split('\n')[-1] == label.lower() and b.is_displayed()
        ]  # fmt: skip
    except StaleElementReferenceException:
        return []


def test_delete_then_undo_in_the_gallery(browser: WebDriver, server: Server) -> None:
    owner = server.account('undoer')
    image = server.add(owner, 'Keep me', seed=730, visibility='private')
    sign_in(browser, server, 'undoer')
    browser.get(f'{server.url}/images/{image}')
    wait_until(browser, lambda d: buttons(d, 'Delete'))[0].click()
    wait_until(browser, lambda d: 'They go to the trash' in body_text(d))
    buttons(browser, 'Delete')[-1].click()  # the dialog's
    wait_until(browser, lambda d: buttons(d, 'Undo'))[0].click()
    wait_until(browser, lambda d: 'Restored 1 image' in body_text(d))
    ids = "return [...document.querySelectorAll('.sb-tile')].map(t => t.dataset.id)"
    wait_until(browser, lambda d: image in d.execute_script(ids))


DRAG = """
const tiles = [...document.querySelectorAll('.sb-album-tiles .sb-tile')];
const dt = new DataTransfer();
tiles[0].dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));
for (const kind of ['dragover', 'drop']) {
  tiles[2].dispatchEvent(new DragEvent(kind, {bubbles: true, cancelable: true, dataTransfer: dt}));
}
"""


def test_the_owner_drags_a_picture_to_a_new_place_in_the_album(
    browser: WebDriver, server: Server
) -> None:
    owner = server.account('arranger')
    ids = [server.add(owner, f'Pic {n}', seed=740 + n, visibility='private') for n in range(3)]
    headers = {'Authorization': f'Bearer {owner}'}
    with server.api() as client:
        album = client.post('/api/v1/albums', json={'title': 'Trip'}, headers=headers).json()
        for image_id in ids:  # one at a time: each goes first, so the album is ids reversed
            client.post(
                f'/api/v1/albums/{album["id"]}/images', json={'image_ids': [image_id]},
                headers=headers,
            )  # fmt: skip

    def order() -> list[str]:
        with server.api() as client:
            found = client.get(f'/api/v1/albums/{album["id"]}', headers=headers).json()
            return [i['id'] for i in found['items']]

    assert order() == ids[::-1]
    sign_in(browser, server, 'arranger')
    browser.get(f'{server.url}/albums/{album["id"]}')
    wait_until(
        browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, '.sb-album-tiles .sb-tile')) == 3
    )
    browser.execute_script(DRAG)
    wait_until(browser, lambda d: order() == [ids[1], ids[0], ids[2]])
