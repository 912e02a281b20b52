"""/docs in a real browser (headless Chromium): Swagger UI renders the API from Shoebox's own
copy of its files, with no request leaving for another host."""

# ruff: noqa: F811  (fixtures imported from tests.test_browser are used as arguments)

from __future__ import annotations

import pytest

from tests.test_browser import (  # noqa: F401  (fixtures)
    CHROMEDRIVER,
    CHROMIUM,
    Server,
    browser,
    server,
    wait_until,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason='no Chromium'),
]

if CHROMIUM is not None and CHROMEDRIVER is not None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver


def test_docs_render_from_shoebox_alone(browser: WebDriver, server: Server) -> None:
    browser.get(server.url + '/docs')
    title = wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, '.swagger-ui .title'))
    assert 'Shoebox' in title[0].text
    wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, '.opblock-tag'))
    hosts = browser.execute_script(
        'return performance.getEntriesByType("resource").map(e => new URL(e.name).host)'
    )
    assert hosts and set(hosts) == {server.url.split('//')[1]}
