"""The shop in a real browser (headless Chromium): a buyer adds an image to the cart from its
page, checks out after a confirmation, the seller marks the order paid on the Sales page, and
the buyer downloads the original from the Orders page."""

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


def body_text(driver: WebDriver) -> str:
    try:
        return driver.find_element(By.TAG_NAME, 'body').text
    except StaleElementReferenceException:
        return ''


def button(driver: WebDriver, words: str, within: str = 'body'):  # type: ignore[no-untyped-def]
    found = [
        b for b in driver.find_elements(By.CSS_SELECTOR, f'{within} button') if words in b.text
    ]
    return found[0] if found else None


def test_buy_mark_paid_and_download_the_original(browser: WebDriver, server: Server) -> None:
    seller = server.account('painter')
    server.account('collector')
    image_id = server.add(seller, 'Harbour at dawn', seed=700)
    with server.api() as client:
        priced = client.patch(
            f'/api/v1/images/{image_id}',
            headers={'Authorization': f'Bearer {seller}'},
            json={'price_cents': 1250, 'stock': 3},
        )
        assert priced.status_code == 200, priced.text

    # The buyer: the image page shows the price; two copies go into the cart.
    sign_in(browser, server, 'collector')
    browser.get(f'{server.url}/images/{image_id}')
    wait_until(browser, lambda d: '€12.50' in body_text(d) and '3 left' in body_text(d))
    quantity = browser.find_element(
        By.CSS_SELECTOR, 'input[aria-label="Quantity"], .q-field input[type=number]'
    )
    quantity.send_keys(Keys.CONTROL, 'a')
    quantity.send_keys('2')
    button(browser, 'Add to cart').click()
    wait_until(browser, lambda d: 'Added 2 to your cart' in body_text(d))
    badge = browser.find_element(By.CSS_SELECTOR, '[aria-label^="Cart"] .q-badge')
    wait_until(browser, lambda d: badge.text == '2')

    # The cart: the total, then a checkout that asks first.
    browser.find_element(By.CSS_SELECTOR, '[aria-label^="Cart"]').click()
    wait_until(browser, lambda d: 'Your cart' in body_text(d) and '€25.00' in body_text(d))
    button(browser, 'Check out').click()
    wait_until(browser, lambda d: button(d, 'Buy', '.q-dialog'))
    assert '2 copies for €25.00' in body_text(browser)
    button(browser, 'Buy', '.q-dialog').click()
    wait_until(browser, lambda d: 'your order is placed' in body_text(d))
    assert 'The seller will tell you how to pay' in body_text(browser)

    # The seller marks it paid on the Sales page.
    browser.delete_all_cookies()
    sign_in(browser, server, 'painter')
    browser.get(f'{server.url}/sales')
    wait_until(
        browser, lambda d: '@collector' in body_text(d) and 'Awaiting payment' in body_text(d)
    )
    button(browser, 'Mark paid').click()
    wait_until(browser, lambda d: 'Marked paid' in body_text(d))
    wait_until(browser, lambda d: button(d, 'Mark paid') is None)

    # The buyer downloads the original (the seller never allowed downloads in general).
    browser.delete_all_cookies()
    sign_in(browser, server, 'collector')
    browser.get(f'{server.url}/orders')
    wait_until(browser, lambda d: 'Paid' in body_text(d))
    link = wait_until(
        browser, lambda d: d.find_element(By.CSS_SELECTOR, 'a[download][href*="/original"]')
    )
    href = link.get_attribute('href')
    assert f'/images/{image_id}/original' in href
    fetched = browser.execute_async_script(
        'const done = arguments[arguments.length - 1];'
        'fetch(arguments[0]).then(async r => done([r.status, r.headers.get("content-type"),'
        ' (await r.arrayBuffer()).byteLength]));',
        href,
    )
    assert fetched[0] == 200 and fetched[1] == 'image/jpeg' and fetched[2] > 100
    with server.api() as client:
        assert client.get(href.replace(server.url, '')).status_code == 401  # not for anybody
        image = client.get(f'/api/v1/images/{image_id}').json()
    assert image['stock'] == 1
