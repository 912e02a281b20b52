"""Real-browser security tests: user text never runs, pages work under their CSP, cookies rotate.

Uses tests/test_browser.py's server (main.py on a free port) with headless Chromium. Before each
page's own scripts, an injected watcher records Content-Security-Policy violations and alerts,
so a test sees both what ran and what the policy had to stop. (Raw HTTP against the same kind
of server: tests/test_server_http.py.)
"""

# ruff: noqa: F811  (the server fixture imported from tests.test_browser is used as an argument)

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import httpx
import pytest

from tests.images import image_bytes
from tests.test_browser import (  # noqa: F401  (the server fixture)
    CHROMEDRIVER,
    CHROMIUM,
    PASSWORD,
    SCREENSHOTS,
    Server,
    server,
    sign_in,
    wait_until,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason='Chromium and chromedriver are not installed',
    ),
]

if CHROMIUM is not None and CHROMEDRIVER is not None:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

# Runs in every document before its own scripts (DevTools-injected, so not subject to the CSP).
WATCHER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI} ${e.sample || ''}`);
});
window.alert = window.confirm = window.prompt = () => { window.__alerted = true; };
"""
# Attribute injection (the tag chip the review exploited), markup, JavaScript URLs, templates.
ATTRIBUTE = '" style=animation:q-spin onanimationstart="__xss=1'
MARKUP = '<img src=x onerror=__xss=1><script>__xss=1</script>'
PAYLOADS = [
    ATTRIBUTE,
    MARKUP,
    "'><svg onload=__xss=1>",
    'javascript:__xss=1',
    '{{constructor.constructor("__xss=1")()}}',
    '${__xss=1}`',
]
TITLE = f'{ATTRIBUTE} {MARKUP} {{{{7*7}}}}'
DESCRIPTION = ' '.join(PAYLOADS) + ' [link](javascript:__xss=1)'
TAGS = ['" onanimationstart="__xss=1', '<b onmouseover=__xss=1>b</b>', 'javascript:__xss=1']
FILENAME = '"\'><img src=x onerror=__xss=1>.jpg'
DISPLAY_NAME = '"><img src=x onerror=__xss=1>'
INSPECT = """
const attributes = [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]);
return {
  xss: typeof window.__xss === 'undefined' ? null : String(window.__xss),
  alerted: !!window.__alerted,
  csp: window.__csp || [],
  handlers: attributes.filter(a => a.name.startsWith('on')).map(a => a.name + '=' + a.value),
  js_urls: attributes.filter(a => /^\\s*javascript:/i.test(a.value)).map(a => a.name),
};
"""


@pytest.fixture
def watched(request: pytest.FixtureRequest) -> Iterator[WebDriver]:
    """Headless Chromium with the WATCHER in every page and the console log kept."""
    options = Options()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for arg in (
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--window-size=1280,900',
    ):
        options.add_argument(arg)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd('Page.addScriptToEvaluateOnNewDocument', {'source': WATCHER})
    failed_before = request.session.testsfailed
    yield driver
    if request.session.testsfailed > failed_before:  # keep what a failed test saw
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOTS / f'{request.node.name}.png'))
    driver.quit()


@pytest.fixture(scope='module')
def seeded(server: Server) -> dict[str, str]:
    """Mallory's images and account carry payloads in every field people can type into."""
    with server.api() as client:
        r = client.post(
            '/api/v1/auth/signup',
            json={'username': 'mallory', 'password': PASSWORD, 'display_name': DISPLAY_NAME},
        )
        assert r.status_code == 201, r.text
        r = client.post(
            '/api/v1/auth/token',
            json={'username': 'mallory', 'password': PASSWORD, 'name': MARKUP},
        )
        headers = {'Authorization': f'Bearer {r.json()["access_token"]}'}
        ids = {}
        for n, visibility in enumerate(('public', 'private')):
            r = client.post(
                '/api/v1/images',
                headers=headers,
                files={'file': (FILENAME, image_bytes('JPEG', seed=700 + n), 'image/jpeg')},
                data={
                    'title': TITLE,
                    'description': DESCRIPTION,
                    'tags': ','.join(TAGS),
                    'visibility': visibility,
                },
            )
            assert r.status_code == 201, r.text
            ids[visibility] = r.json()['id']
        r = client.patch(
            f'/api/v1/images/{ids["public"]}', headers=headers, json={'allow_download': True}
        )
        assert r.status_code == 200, r.text
        # A near-copy, so "More like this" and the duplicates page show the payloads too.
        r = client.post(
            '/api/v1/images',
            headers=headers,
            files={'file': ('copy.png', image_bytes('PNG', seed=700), 'image/png')},
            data={'title': TITLE, 'visibility': 'public'},
        )
        assert r.status_code == 201, r.text
        # Sharing (issue 12): an album, a share link, a comment and a trashed image, all
        # carrying the payloads.
        r = client.post(
            '/api/v1/albums', headers=headers,
            json={'title': TITLE, 'description': DESCRIPTION, 'visibility': 'public'},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        ids['album'] = r.json()['id']
        r = client.post(
            f'/api/v1/albums/{ids["album"]}/images', headers=headers,
            json={'image_ids': [ids['public'], ids['private']]},
        )  # fmt: skip
        assert r.status_code == 200, r.text
        for body in ({'image_ids': [ids['public'], ids['private']]}, {'album_id': ids['album']}):
            r = client.post('/api/v1/shares', headers=headers, json={**body, 'label': TITLE,
                            'allow_download': True, 'show_metadata': True})  # fmt: skip
            assert r.status_code == 201, r.text
            ids['share' if 'image_ids' in body else 'album_share'] = r.json()['key']
        r = client.post(
            f'/api/v1/images/{ids["public"]}/comments', headers=headers, json={'text': TITLE}
        )
        assert r.status_code == 201, r.text
        r = client.post(
            '/api/v1/images',
            headers=headers,
            files={'file': ('gone.jpg', image_bytes('JPEG', seed=705), 'image/jpeg')},
            data={'title': TITLE},
        )
        assert r.status_code == 201, r.text
        assert client.delete(f'/api/v1/images/{r.json()["id"]}', headers=headers).status_code == 204
    server.account('victor')
    return ids


def pages(ids: dict[str, str], *, owner: bool) -> list[str]:
    tag = quote(TAGS[0], safe='')
    payload = quote(ATTRIBUTE, safe='')
    found = [
        '/',
        f'/?tags={payload}',  # the reflected form of the review's finding
        f'/?tags={tag}',
        f'/?q={payload}',
        f'/?q={quote("onanimationstart", safe="")}',
        f'/images/{ids["public"]}',
        f'/images/{ids["public"]}?q={payload}&tags={payload}&i=0',
        '/tags',
        '/tags?sort=name',
        f'/signin?next={payload}',
        '/signup',
        '/goodbye?images=1',
        f'/s/{ids["share"]}',
        f'/s/{ids["album_share"]}',
        '/albums',
        f'/albums/{ids["album"]}',
    ]
    if owner:
        found += [f'/images/{ids["private"]}', '/?scope=mine', '/duplicates', '/trash', '/shares']
    return found


# The page has connected its websocket and nothing is loading any more (grid, tags, similar).
SETTLED = """return !!window.did_handshake && document.querySelector('.sb-header') !== null
  && [...document.querySelectorAll('.q-spinner')].every(e => e.getClientRects().length === 0);"""


def inspect(driver: WebDriver, server: Server, path: str) -> dict:
    driver.get(server.url + path)
    wait_until(driver, lambda d: d.execute_script(SETTLED))
    time.sleep(0.3)  # and what the server sent with the last update has been drawn
    return driver.execute_script(INSPECT)


def assert_nothing_ran(report: dict, where: str) -> None:
    assert report['xss'] is None, f'{where}: script from user text ran'
    assert not report['alerted'], f'{where}: an alert was opened'
    assert report['handlers'] == [], f'{where}: event-handler attributes {report["handlers"]}'
    assert report['js_urls'] == [], f'{where}: javascript: URLs in {report["js_urls"]}'
    assert report['csp'] == [], f'{where}: the policy had to block {report["csp"]}'


def csp_console_errors(driver: WebDriver) -> list[str]:
    return [
        entry['message']
        for entry in driver.get_log('browser')
        if 'Content Security Policy' in entry['message'] or 'Refused to' in entry['message']
    ]


@pytest.mark.parametrize('viewer', ['mallory', 'victor', None], ids=['owner', 'other', 'anonymous'])
def test_user_text_never_runs_on_any_page(
    watched: WebDriver, server: Server, seeded: dict[str, str], viewer: str | None
) -> None:
    if viewer is not None:
        sign_in(watched, server, viewer)
    for path in pages(seeded, owner=viewer == 'mallory'):
        assert_nothing_ran(inspect(watched, server, path), f'{path} as {viewer}')
    assert csp_console_errors(watched) == []


def test_the_payloads_reach_the_pages_as_text(
    watched: WebDriver, server: Server, seeded: dict[str, str]
) -> None:
    """So the test above looks at pages that really show the payloads."""
    sign_in(watched, server, 'mallory')
    inspect(watched, server, f'/images/{seeded["public"]}')
    body = watched.find_element(By.TAG_NAME, 'body').text
    assert TITLE in body
    assert FILENAME in body
    assert TAGS[1] in body
    inspect(watched, server, f'/?tags={quote(ATTRIBUTE, safe="")}')
    chip = watched.find_element(By.CSS_SELECTOR, '.q-chip[aria-label^="Remove tag filter"]')
    assert chip.get_attribute('aria-label') == f'Remove tag filter {ATTRIBUTE.lower()}'
    inspect(watched, server, '/account')
    assert MARKUP in watched.find_element(By.TAG_NAME, 'body').text  # the token's name
    menu = watched.find_element(By.CSS_SELECTOR, '[aria-label="Account menu for mallory"]')
    menu.click()
    wait_until(watched, lambda d: DISPLAY_NAME in d.find_element(By.TAG_NAME, 'body').text)
    assert_nothing_ran(watched.execute_script(INSPECT), 'account menu')


def test_every_page_works_under_the_policy(
    watched: WebDriver, server: Server, seeded: dict[str, str]
) -> None:
    """Pages render, talk over the websocket and run server-sent JavaScript with the CSP on."""
    checks = {
        '/': '.sb-tile',
        f'/images/{seeded["public"]}': 'img.sb-preview',
        '/tags': '.sb-tag-link',
        '/signin': 'input[autocomplete=username]',
        '/signup': 'input[autocomplete=new-password]',
        f'/s/{seeded["share"]}': '.sb-tile img',
        f'/albums/{seeded["album"]}': '.sb-tile',
    }
    for path, selector in checks.items():
        watched.get(server.url + path)
        wait_until(watched, lambda d, s=selector: d.find_elements(By.CSS_SELECTOR, s))
    sign_in(watched, server, 'victor')
    signed_in = {
        '/upload': '.sb-up',
        '/search-by-image': '.q-uploader',
        '/account': 'input[autocomplete=current-password]',
        '/duplicates': '.sb-header',
        '/?scope=mine': '.sb-header',
        '/albums': '.sb-album',
        '/trash': '.sb-header',
        '/shares': '.sb-header',
    }
    for path, selector in signed_in.items():
        watched.get(server.url + path)
        wait_until(watched, lambda d, s=selector: d.find_elements(By.CSS_SELECTOR, s))
    # Server-sent JavaScript (run_javascript) and event handlers: the theme switch sets a cookie
    # from JavaScript; live search replaces the URL and the grid.
    watched.get(server.url + '/')
    wait_until(watched, lambda d: d.find_elements(By.CSS_SELECTOR, '.sb-tile'))
    watched.find_element(By.CSS_SELECTOR, '[aria-label^="Switch theme"]').click()
    wait_until(watched, lambda d: d.get_cookie('sb_theme') is not None)
    box = watched.find_element(By.ID, 'sb-search')
    box.send_keys('zzzz-nothing')
    wait_until(watched, lambda d: 'q=zzzz-nothing' in d.current_url)
    wait_until(watched, lambda d: 'No results' in d.find_element(By.TAG_NAME, 'body').text)
    assert watched.execute_script('return window.__csp') == []
    assert csp_console_errors(watched) == []


def test_pages_refuse_to_be_framed(server: Server) -> None:
    r = httpx.get(server.url + '/signin')
    assert "frame-ancestors 'none'" in r.headers['content-security-policy']
    assert r.headers['x-frame-options'] == 'DENY'
    assert r.headers['referrer-policy'] == 'same-origin'


# ---- session fixation ------------------------------------------------------------------------


def me(server: Server, cookie: str) -> int:
    return httpx.get(server.url + '/api/v1/me', cookies={'session': cookie}).status_code


def test_a_planted_cookie_is_worth_nothing_after_sign_in(
    watched: WebDriver, server: Server
) -> None:
    server.account('wendy')
    planted = httpx.get(server.url + '/').cookies['session']  # the attacker's own cookie
    watched.get(server.url + '/favicon.ico')
    host = urlsplit(server.url).hostname
    watched.add_cookie({'name': 'session', 'value': planted, 'path': '/', 'domain': host})
    watched.get(server.url + '/')
    assert watched.get_cookie('session')['value'] == planted  # the victim browses with it
    sign_in(watched, server, 'wendy')
    now = watched.get_cookie('session')['value']
    assert now != planted
    assert me(server, now) == 200
    assert me(server, planted) == 401  # the attacker gets nothing


def test_the_cookie_changes_with_a_password_change(watched: WebDriver, server: Server) -> None:
    server.account('xena')
    sign_in(watched, server, 'xena')
    watched.get(server.url + '/account')
    field = wait_until(
        watched, lambda d: d.find_element(By.CSS_SELECTOR, 'input[autocomplete=current-password]')
    )
    before = watched.get_cookie('session')['value']
    field.send_keys(PASSWORD)
    new = watched.find_elements(By.CSS_SELECTOR, 'input[autocomplete=new-password]')
    for element in new:
        element.send_keys('purple elephant juggles lanterns')
    watched.find_element(By.XPATH, '//button[.//*[text()="Change password"]]').click()
    wait_until(watched, lambda d: 'password=changed' in d.current_url)
    wait_until(
        watched, lambda d: d.find_elements(By.CSS_SELECTOR, 'input[autocomplete=new-password]')
    )
    after = watched.get_cookie('session')['value']
    assert after != before
    assert me(server, after) == 200
    assert me(server, before) == 401


# ---- the browser's cookie against the API ------------------------------------------------


def test_a_signed_in_browsers_cookie_only_writes_from_the_app(
    watched: WebDriver, server: Server
) -> None:
    token = server.account('yuri')
    image = server.add(token, 'Yuri', seed=760, visibility='private')
    sign_in(watched, server, 'yuri')
    cookies = {'session': watched.get_cookie('session')['value']}
    url = f'{server.url}/api/v1/images/{image}'
    foreign = httpx.patch(
        url, json={'title': 'evil'}, cookies=cookies, headers={'Origin': 'https://evil.example'}
    )
    assert foreign.status_code == 403
    own = httpx.patch(
        url, json={'title': 'renamed'}, cookies=cookies, headers={'Origin': server.url}
    )
    assert own.status_code == 200
    assert own.json()['title'] == 'renamed'
