"""The full-screen viewer and the gallery's place, in a real browser (headless Chromium): a
click opens the viewer on that photo, the arrow keys walk the grid (loading the next batch at
its end), Esc closes it with the gallery where it was, and coming back from an image page
("Results" or Back) returns to the same place in a long gallery."""

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
    tile_ids,
    wait_until,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason='no Chromium'),
]

if CHROMIUM is not None and CHROMEDRIVER is not None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.remote.webdriver import WebDriver

PHOTOS = 75  # more than one batch of 60 tiles


@pytest.fixture(scope='module')
def album(server: Server) -> list[str]:
    """PHOTOS public photos of 'viewer', newest first as the gallery shows them."""
    token = server.account('viewer')
    ids = []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for n in range(PHOTOS):
            size = (160, 60) if n % 5 == 0 else (90, 120) if n % 3 == 0 else (120, 80)
            r = client.post(
                '/api/v1/images',
                headers={'Authorization': f'Bearer {token}'},
                files={'file': (f'{n}.png', image_bytes('PNG', seed=900 + n, size=size))},
                data={'title': f'Photo {n}', 'visibility': 'public'},
            )
            assert r.status_code == 201, r.text
            ids.append(r.json()['id'])
    return ids[::-1]


def viewer_state(driver: WebDriver) -> dict:
    return driver.execute_script(
        """const v = document.getElementById('sb-viewer');
        const img = v && v.querySelector('.sb-v-img');
        return {open: !!v && !v.hidden, id: img ? img.dataset.id : null,
                src: img ? img.getAttribute('src') : null,
                title: v ? v.querySelector('.sb-v-title').textContent : null,
                scroll: window.scrollY, url: location.pathname + location.search};"""
    )


def open_gallery(driver: WebDriver, server: Server, count: int = 60) -> None:
    driver.get(server.url + '/?scope=mine')
    wait_until(driver, lambda d: len(tile_ids(d)) >= count)


def results_button(driver: WebDriver) -> list:  # type: ignore[type-arg]
    return driver.find_elements(By.XPATH, '//button[.//span[text()="Results"]]')


def press(driver: WebDriver, key: str) -> None:
    ActionChains(driver).send_keys(key).perform()


def test_the_viewer_opens_walks_with_the_arrow_keys_and_closes_with_esc(
    browser: WebDriver, server: Server, album: list[str]
) -> None:
    sign_in(browser, server, 'viewer')
    open_gallery(browser, server)
    tiles = browser.find_elements(By.CSS_SELECTOR, '.sb-gallery .sb-link')
    browser.execute_script('arguments[0].scrollIntoView({block: "center"})', tiles[2])
    before = viewer_state(browser)['scroll']
    tiles[2].click()
    state = wait_until(browser, lambda d: (s := viewer_state(d))['open'] and s)
    assert state['id'] == album[2]
    assert state['title'] == 'Photo 72'
    assert state['url'].startswith('/?')  # no navigation: the gallery is still underneath
    wait_until(browser, lambda d: viewer_state(d)['src'].endswith(f'{album[2]}/preview'))
    press(browser, Keys.ARROW_RIGHT)
    wait_until(browser, lambda d: viewer_state(d)['id'] == album[3])
    press(browser, Keys.ARROW_RIGHT)
    press(browser, Keys.ARROW_LEFT)
    press(browser, Keys.ARROW_LEFT)
    wait_until(browser, lambda d: viewer_state(d)['id'] == album[2])
    press(browser, Keys.ESCAPE)
    state = wait_until(browser, lambda d: (s := viewer_state(d)) and not s['open'] and s)
    assert state['scroll'] == before
    assert len(tile_ids(browser)) == 60  # nothing reloaded


def test_the_arrow_key_at_the_end_of_a_batch_loads_the_next(
    browser: WebDriver, server: Server, album: list[str]
) -> None:
    sign_in(browser, server, 'viewer')
    open_gallery(browser, server)
    browser.execute_script('window.sbViewer.open(arguments[0])', album[59])
    wait_until(browser, lambda d: viewer_state(d)['id'] == album[59])
    press(browser, Keys.ARROW_RIGHT)
    wait_until(browser, lambda d: viewer_state(d)['id'] == album[60], timeout=20)
    assert len(tile_ids(browser)) == PHOTOS


def test_click_zooms_into_the_preview_and_a_second_click_zooms_out(
    browser: WebDriver, server: Server, album: list[str]
) -> None:
    sign_in(browser, server, 'viewer')
    open_gallery(browser, server)
    browser.execute_script('window.sbViewer.open(arguments[0])', album[0])
    wait_until(browser, lambda d: viewer_state(d)['src'].endswith('/preview'))
    image = browser.find_element(By.CSS_SELECTOR, '.sb-v-img')
    image.click()
    transform = 'return document.querySelector(".sb-v-img").style.transform'
    wait_until(browser, lambda d: 'scale(2.5)' in d.execute_script(transform))
    image.click()
    wait_until(browser, lambda d: d.execute_script(transform) == '')


SWIPE = """
const stage = document.querySelector('.sb-v-stage');
const [dx, dy] = [arguments[0], arguments[1]];
const at = (type, x, y) => stage.dispatchEvent(new PointerEvent(type, {
  pointerId: 7, pointerType: 'touch', isPrimary: true, clientX: x, clientY: y, bubbles: true}));
at('pointerdown', 200, 300);
for (let i = 1; i <= 5; i++) at('pointermove', 200 + dx * i / 5, 300 + dy * i / 5);
at('pointerup', 200 + dx, 300 + dy);
"""


def test_swipes_walk_the_photos_and_swiping_down_closes(
    browser: WebDriver, server: Server, album: list[str]
) -> None:
    sign_in(browser, server, 'viewer')
    open_gallery(browser, server)
    browser.execute_script('window.sbViewer.open(arguments[0])', album[5])
    wait_until(browser, lambda d: viewer_state(d)['id'] == album[5])
    browser.execute_script(SWIPE, -150, 10)  # finger to the left: the next photo
    wait_until(browser, lambda d: viewer_state(d)['id'] == album[6])
    browser.execute_script(SWIPE, 150, -5)
    wait_until(browser, lambda d: viewer_state(d)['id'] == album[5])
    browser.execute_script(SWIPE, 5, 200)  # down: closed
    wait_until(browser, lambda d: not viewer_state(d)['open'])


def test_results_and_back_return_to_the_same_place_in_the_gallery(
    browser: WebDriver, server: Server, album: list[str]
) -> None:
    sign_in(browser, server, 'viewer')
    open_gallery(browser, server)
    # Scroll far enough that the second batch loads, then open a photo of it on its own page.
    browser.execute_script('window.scrollTo(0, document.body.scrollHeight)')
    wait_until(browser, lambda d: len(tile_ids(d)) == PHOTOS)
    target = browser.find_elements(By.CSS_SELECTOR, '.sb-gallery .sb-link')[66]
    browser.execute_script('arguments[0].scrollIntoView({block: "center"})', target)
    wait_until(browser, lambda d: viewer_state(d)['scroll'] > 0)
    place = viewer_state(browser)['scroll']
    href = target.get_attribute('href')
    browser.execute_script('window.dispatchEvent(new Event("scroll"))')
    browser.get(href)  # the image page itself (as from the viewer's Details, or a new tab)
    wait_until(browser, results_button)[0].click()
    wait_until(browser, lambda d: len(tile_ids(d)) == PHOTOS)
    wait_until(browser, lambda d: abs(viewer_state(d)['scroll'] - place) < 5)
    # The browser's Back button does the same.
    browser.get(href)
    wait_until(browser, results_button)
    browser.back()
    wait_until(browser, lambda d: len(tile_ids(d)) == PHOTOS)
    wait_until(browser, lambda d: abs(viewer_state(d)['scroll'] - place) < 5)
