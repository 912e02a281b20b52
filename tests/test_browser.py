"""Real-browser tests: what only a browser shows (upload progress, instant search, the grid).

A fixture starts the real server (main.py) on a free port with its own data dir, and headless
Chromium drives it through Selenium. They skip only when Chromium or its driver is missing;
on failure a screenshot is saved under bench/out/browser-failures/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.images import encode, image_bytes, noise

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / 'bench' / 'out' / 'browser-failures'
PASSWORD = 'correct horse battery staple'
CHROMIUM = next(
    (p for p in (os.environ.get('CHROME_BINARY_LOCATION'), shutil.which('chromium'),
                 shutil.which('chromium-browser')) if p),
    None,
)  # fmt: skip
CHROMEDRIVER = os.environ.get('SE_CHROMEDRIVER') or shutil.which('chromedriver')

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason='Chromium and chromedriver are not installed (apt-get install chromium '
        'chromium-driver)',
    ),
]

if CHROMIUM is not None and CHROMEDRIVER is not None:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.ui import WebDriverWait


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def account(self, username: str) -> str:
        """Create an account through the API; returns an API token for seeding."""
        with self.api() as client:
            r = client.post(
                '/api/v1/auth/signup', json={'username': username, 'password': PASSWORD}
            )
            assert r.status_code == 201, r.text
            r = client.post('/api/v1/auth/token', json={'username': username, 'password': PASSWORD})
            assert r.status_code == 200, r.text
            return r.json()['access_token']

    def add(self, token: str, title: str, seed: int, visibility: str = 'public') -> str:
        with self.api() as client:
            r = client.post(
                '/api/v1/images',
                headers={'Authorization': f'Bearer {token}'},
                files={'file': (f'{seed}.jpg', image_bytes('JPEG', seed=seed), 'image/jpeg')},
                data={'title': title, 'visibility': visibility},
            )
            assert r.status_code == 201, r.text
            return r.json()['id']


@pytest.fixture(scope='module')
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp('browser') / 'data'
    port = free_port()
    log = data.parent / 'server.log'
    env = {
        **os.environ,
        'SHOEBOX_DATA_DIR': str(data),
        'SHOEBOX_PORT': str(port),
        'SHOEBOX_HOST': '127.0.0.1',
        'SHOEBOX_WORKERS': '1',
    }
    for key in ('NICEGUI_USER_SIMULATION', 'NICEGUI_SCREEN_TEST_PORT', 'PYTEST_CURRENT_TEST'):
        env.pop(key, None)
    with open(log, 'wb') as out:
        process = subprocess.Popen(
            [sys.executable, 'main.py'], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f'http://127.0.0.1:{port}'
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + '/', timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f'The server did not start:\n{log.read_text(errors="replace")[-3000:]}')
        time.sleep(0.25)
    yield Server(url, process, log)
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def browser(request: pytest.FixtureRequest) -> Iterator[WebDriver]:
    options = Options()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for arg in (
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--window-size=1280,900',
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    failed_before = request.session.testsfailed
    yield driver
    if request.session.testsfailed > failed_before:  # this test failed: keep what it saw
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOTS / f'{request.node.name}.png'))
    driver.quit()


def wait_until(driver: WebDriver, condition: Callable[[WebDriver], object], timeout: float = 20):  # type: ignore[no-untyped-def]
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition)
    except TimeoutException:
        raise AssertionError(f'timed out waiting on {driver.current_url}') from None


def sign_in(driver: WebDriver, server: Server, username: str) -> None:
    driver.get(server.url + '/signin')
    field = wait_until(
        driver, lambda d: d.find_element(By.CSS_SELECTOR, 'input[autocomplete=username]')
    )
    field.send_keys(username)
    password = driver.find_element(By.CSS_SELECTOR, 'input[autocomplete=current-password]')
    password.send_keys(PASSWORD, Keys.ENTER)
    wait_until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '[aria-label^="Account menu"]'))


def tile_ids(driver: WebDriver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('.sb-tile')].map(t => t.dataset.id)"
    )


IN_FLIGHT = '.sb-up-row:not([hidden]) .sb-up-progress'  # the uploader's files in flight


def test_upload_shows_progress_then_thumbnails(
    browser: WebDriver, server: Server, tmp_path: Path
) -> None:
    server.account('uploader')
    sign_in(browser, server, 'uploader')
    browser.get(server.url + '/upload')
    picker = wait_until(
        browser,
        lambda d: d.find_element(By.CSS_SELECTOR, '.sb-up input[type=file]:not([webkitdirectory])'),
    )
    files = []
    for n in range(3):
        path = tmp_path / f'photo-{n}.jpg'
        path.write_bytes(encode(noise((700, 500), seed=n), 'JPEG', quality=95))
        files.append(path)
    bogus = tmp_path / 'notes.jpg'
    bogus.write_bytes(b'just some notes, not a picture\n' * 50)
    files.append(bogus)
    # Slow the upload down so the per-file progress is there to be seen.
    browser.execute_cdp_cmd('Network.enable', {})
    browser.execute_cdp_cmd(
        'Network.emulateNetworkConditions',
        {'offline': False, 'latency': 20, 'downloadThroughput': -1, 'uploadThroughput': 400_000},
    )
    picker.send_keys('\n'.join(str(p) for p in files))
    # While bytes travel, each file has its own progress bar in the uploader's list.
    wait_until(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, IN_FLIGHT)) >= 3)
    browser.execute_cdp_cmd(
        'Network.emulateNetworkConditions',
        {'offline': False, 'latency': 0, 'downloadThroughput': -1, 'uploadThroughput': -1},
    )

    def thumbnails_loaded(d: WebDriver) -> bool:
        return d.execute_script(
            "const imgs = [...document.querySelectorAll('img.sb-result-thumb')];"
            'return imgs.length === 3 && imgs.every(i => i.complete && i.naturalWidth > 0);'
        )

    wait_until(browser, thumbnails_loaded, timeout=60)
    wait_until(browser, lambda d: 'Refused' in d.find_element(By.TAG_NAME, 'body').text)
    body = browser.find_element(By.TAG_NAME, 'body').text
    assert '3 added · 1 refused' in body
    assert 'notes.jpg' in body
    # Sent files leave the uploader's list: their result rows took over.
    wait_until(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, IN_FLIGHT))


def test_typing_in_search_narrows_the_grid(browser: WebDriver, server: Server) -> None:
    token = server.account('searcher')
    wanted = {server.add(token, f'Lighthouse {n}', seed=100 + n) for n in range(2)}
    others = {server.add(token, f'Meadow {n}', seed=200 + n) for n in range(3)}
    browser.get(server.url + '/')
    wait_until(browser, lambda d: (wanted | others) <= set(tile_ids(d)))
    body = browser.find_element(By.TAG_NAME, 'body')
    body.send_keys('/')  # the shortcut focuses the search box
    active = browser.switch_to.active_element
    assert active.get_attribute('id') == 'sb-search'
    active.send_keys('lighthou')
    wait_until(browser, lambda d: set(tile_ids(d)) == wanted)
    assert '?q=lighthou' in browser.current_url
    marks = browser.find_elements(By.CSS_SELECTOR, '.sb-tile mark')
    assert marks and all(m.text.lower().startswith('lighthou') for m in marks)
    browser.refresh()  # the query lives in the URL
    wait_until(browser, lambda d: set(tile_ids(d)) == wanted)


def test_a_private_image_stays_private_in_the_browser(browser: WebDriver, server: Server) -> None:
    owner = server.account('owner')
    secret = server.add(owner, 'Owner secret', seed=300, visibility='private')
    shared = server.add(owner, 'Owner shared', seed=301, visibility='public')
    server.account('visitor')
    sign_in(browser, server, 'visitor')
    wait_until(browser, lambda d: shared in tile_ids(d))
    assert secret not in tile_ids(browser)
    browser.get(f'{server.url}/images/{secret}')
    wait_until(browser, lambda d: 'Image not found' in d.find_element(By.TAG_NAME, 'body').text)
    assert 'Owner secret' not in browser.find_element(By.TAG_NAME, 'body').text
    status = browser.execute_script(
        f"return fetch('/api/v1/images/{secret}/thumbnail').then(r => r.status)"
    )
    assert status == 404
