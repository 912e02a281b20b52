"""Real-browser tests of a big upload: a folder of 200 files, and a connection lost mid-batch.

Headless Chromium drives the real server (tests/test_browser.py's fixtures). Every file must be
accounted for twice: on the page (summary and the rows, page by page) and through the API.
"""

# ruff: noqa: F811  (pytest fixtures imported from tests.test_browser are used as arguments)

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from tests.images import encode, image_bytes, noise
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
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

FOLDER_INPUT = '.sb-up input[type=file][webkitdirectory]'
FILES_INPUT = '.sb-up input[type=file]:not([webkitdirectory])'
DONE = 'return (window.sbUploads || {}).done || 0'  # files the uploader has settled
STATE = """
const head = document.querySelector('.sb-up-headline');
const summary = document.querySelector('.sb-upload-summary');
return [head ? head.textContent : '', summary ? summary.textContent : ''];
"""


def counts(summary: str) -> dict[str, int]:
    found = re.findall(r'([\d,]+) (added|duplicate|refused|skipped)', summary)
    return {word: int(n.replace(',', '')) for n, word in found}


def wait_for_all(driver: WebDriver, total: int, timeout: float = 90) -> dict[str, int]:
    """Until the uploader is done and the page's result list accounts for `total` files."""

    def done(d: WebDriver) -> dict[str, int] | None:
        head, summary = d.execute_script(STATE)
        found = counts(summary)
        return found if head.startswith('Done') and sum(found.values()) == total else None

    return wait_until(driver, done, timeout=timeout)


def shown_names(driver: WebDriver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('.sb-result-name')].map(e => e.textContent)"
    )


def all_pages(driver: WebDriver) -> list[str]:
    """Every row of the result list, going through its pages."""
    names = shown_names(driver)
    page = 1
    while True:
        page += 1
        buttons = [
            b
            for b in driver.find_elements(By.CSS_SELECTOR, '.q-pagination button')
            if b.text.strip() == str(page)
        ]
        if not buttons:
            return names
        first = names[-1]
        buttons[0].click()
        wait_until(driver, lambda d, first=first: shown_names(d) and first not in shown_names(d))
        names += shown_names(driver)


def drop(driver: WebDriver, paths: list[Path]) -> None:
    """Drop files on the upload zone, as a drag from the file manager does: a DataTransfer
    with the File objects (read from disk through a helper input, then removed)."""
    driver.execute_script(
        "const i = document.createElement('input'); i.type = 'file'; i.multiple = true;"
        "i.id = 'drop-source'; i.hidden = true; document.body.appendChild(i);"
    )
    driver.find_element(By.ID, 'drop-source').send_keys('\n'.join(str(p) for p in paths))
    driver.execute_script(
        "const source = document.getElementById('drop-source');"
        'const data = new DataTransfer();'
        'for (const file of source.files) data.items.add(file);'
        'source.remove();'
        "const zone = document.querySelector('.sb-up-zone');"
        "for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent("
        '  new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));'
    )


def api_titles(server: Server, token: str) -> list[str]:
    r = httpx.get(
        f'{server.url}/api/v1/images',
        params={'limit': 200},
        headers={'Authorization': f'Bearer {token}'},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return [item['title'] for item in r.json()['items']]


def test_a_folder_of_two_hundred_files_is_accounted_for_on_screen_and_in_the_api(
    browser: WebDriver, server: Server, tmp_path: Path
) -> None:
    token = server.account('folder')
    top = tmp_path / 'Trip'
    images = []
    for n in range(196):
        day = top / f'day{n % 2 + 1}'
        day.mkdir(parents=True, exist_ok=True)
        fmt, ext = ('PNG', 'png') if n % 3 else ('JPEG', 'jpg')
        path = day / f'img-{n:03d}.{ext}'
        path.write_bytes(image_bytes(fmt, seed=7000 + n, size=(40, 30)))
        images.append(path)
    (top / 'notes.txt').write_text('packing list')  # not an image by its name: skipped
    (top / '.DS_Store').write_bytes(b'\x00\x00\x00\x01Bud1')  # hidden: skipped
    (top / 'fake.jpg').write_text('just some notes, not a picture\n' * 20)  # refused by content
    (top / 'empty.jpg').write_bytes(b'')  # refused: empty
    everything = sorted(str(p.relative_to(tmp_path)) for p in top.rglob('*') if p.is_file())
    assert len(everything) == 200

    sign_in(browser, server, 'folder')
    browser.get(server.url + '/upload')
    picker = wait_until(browser, lambda d: d.find_element(By.CSS_SELECTOR, FOLDER_INPUT))
    picker.send_keys(str(top))  # choosing the folder, as with "Choose a folder"
    found = wait_for_all(browser, 200)
    assert found == {'added': 196, 'refused': 2, 'skipped': 2}

    body = browser.find_element(By.TAG_NAME, 'body').text
    assert 'Done: 200 files' in body
    assert '196 added · 2 refused · 2 skipped' in body
    names = all_pages(browser)
    assert sorted(names) == everything  # each file once, under its folder path
    refused = browser.find_element(By.XPATH, "//button[contains(., 'Refused (2)')]")
    browser.execute_script('arguments[0].click()', refused)  # the filter: only the refused
    wait_until(browser, lambda d: sorted(shown_names(d)) == ['Trip/empty.jpg', 'Trip/fake.jpg'])
    body = browser.find_element(By.TAG_NAME, 'body').text
    assert 'Refused: This is plain text' in body and 'Refused: The file is empty' in body

    titles = api_titles(server, token)
    assert sorted(titles) == sorted(p.stem for p in images)

    # A reload shows the same list again.
    browser.refresh()
    wait_until(browser, lambda d: '196 added · 2 refused · 2 skipped' in d.execute_script(STATE)[1])


def test_a_lost_connection_holds_the_queue_and_every_file_still_arrives(
    browser: WebDriver, server: Server, tmp_path: Path
) -> None:
    token = server.account('offline')
    files = []
    for n in range(30):
        path = tmp_path / f'shot-{n:02d}.jpg'
        path.write_bytes(encode(noise((240, 160), seed=9000 + n), 'JPEG', quality=90))
        files.append(path)
    sign_in(browser, server, 'offline')
    browser.get(server.url + '/upload')
    wait_until(browser, lambda d: d.find_element(By.CSS_SELECTOR, FILES_INPUT))
    browser.execute_cdp_cmd('Network.enable', {})
    slow = {'offline': False, 'latency': 50, 'downloadThroughput': -1, 'uploadThroughput': 200_000}
    browser.execute_cdp_cmd('Network.emulateNetworkConditions', slow)
    drop(browser, files)  # dragged onto the page
    wait_until(browser, lambda d: d.execute_script(DONE) >= 1)
    offline = {**slow, 'offline': True}  # mid-batch: files in flight and files waiting
    browser.execute_cdp_cmd('Network.emulateNetworkConditions', offline)
    wait_until(browser, lambda d: 'Connection lost' in d.execute_script(STATE)[0], timeout=30)
    time.sleep(3)
    online = {'offline': False, 'latency': 0, 'downloadThroughput': -1, 'uploadThroughput': -1}
    browser.execute_cdp_cmd('Network.emulateNetworkConditions', online)
    found = wait_for_all(browser, 30)
    assert found == {'added': 30}  # nothing failed, nothing counted twice
    assert sorted(api_titles(server, token)) == sorted(p.stem for p in files)
