"""Browser upload benchmark: N files picked at once on the Upload page, in headless Chromium.

    uv run python bench/browser_upload.py [--files 200,1000] [--runs 3] [--json]

One real server (`main.py`, fresh temporary data dir) for the whole run. For each size and run,
a fresh account signs in through the form, opens /upload and hands all the files to the
uploader's file input at once (CDP DOM.setFileInputFiles, what a pick or a drop does). Measured:

- seconds from the pick until the page's result list accounts for every file (all done);
- the longest main-thread stall after the pick: the Long Tasks API (a PerformanceObserver
  installed before the page's own scripts), so everything counts: our uploader, NiceGUI's
  updates of the result list, Vue, layout and paint;
- the same files uploaded by plain httpx, 3 at a time like the browser, to another fresh
  account on the same server, in the same run: the reference (what the server can take);
- the CPU time the browser's processes and the server's spent per file (both on this
  machine's two cores, so the browser's share slows the server down);
- the browser's own cost of handing that many files to a page: the same pick on a plain
  input whose handler only takes the File objects (no uploader at all).

Files: bench/upload.py's small generated JPEGs (1024x768, cached in bench/out/corpus-small).
Targets: every file accounted for; longest stall < 200 ms; time within 1.5x of the reference.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.upload import OUT, PASSWORD, Server, cpu_seconds, make_small, tree  # noqa: E402

CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'
CONCURRENCY = 3  # the browser uploader's
TIMEOUT_S = 600
STEADY_AFTER_S = 3
LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
}).observe({ type: 'longtask', buffered: true });
"""
STATE = """
const summary = document.querySelector('.sb-upload-summary');
return [window.sbUploads || {}, summary ? summary.textContent : '', performance.now()];
"""


def browser():  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
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
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd('Page.addScriptToEvaluateOnNewDocument', {'source': LONG_TASKS})
    return driver


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its descendants (those still running)."""
    return sum(cpu_seconds(p) for p in tree(pid))


def signup(server: Server, username: str) -> str:
    user = {'username': username, 'password': PASSWORD}
    httpx.post(f'{server.url}/api/v1/auth/signup', json=user, timeout=60).raise_for_status()
    r = httpx.post(f'{server.url}/api/v1/auth/token', json=user, timeout=60)
    r.raise_for_status()
    return r.json()['access_token']


def accounted(summary: str) -> int:
    return sum(int(n.replace(',', '')) for n in re.findall(r'([\d,]+) \w+', summary))


def query(driver, selector: str) -> int:  # type: ignore[no-untyped-def]
    root = driver.execute_cdp_cmd('DOM.getDocument', {'depth': 0})['root']['nodeId']
    return driver.execute_cdp_cmd('DOM.querySelector', {'nodeId': root, 'selector': selector})[
        'nodeId'
    ]


def bare_pick(driver, files: list[Path]) -> float:  # type: ignore[no-untyped-def]
    """The browser's own cost of handing the files to a page: the same pick on a plain file
    input, on the same page, whose change handler only takes the File objects (what any page
    must do). The longest stall it causes, in ms."""
    driver.execute_script(
        "const i = document.createElement('input'); i.type = 'file'; i.multiple = true;"
        "i.id = 'bench-bare'; i.hidden = true; document.body.appendChild(i);"
        "i.addEventListener('change', (e) => { window.__bareFiles = [...e.target.files]; });"
    )
    started = driver.execute_script('return performance.now()')
    driver.execute_cdp_cmd(
        'DOM.setFileInputFiles',
        {'nodeId': query(driver, '#bench-bare'), 'files': [str(p) for p in files]},
    )
    time.sleep(1.5)
    tasks = driver.execute_script(
        "document.getElementById('bench-bare').remove(); window.__bareFiles = null;"
        'return window.__longTasks'
    )
    return max((d for start, d in tasks if start >= started), default=0.0)


def browser_run(server: Server, files: list[Path], username: str) -> dict:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    signup(server, username)
    driver = browser()
    try:
        driver.get(server.url + '/signin')
        wait = WebDriverWait(driver, 30, poll_frequency=0.05)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, 'input[autocomplete=username]'))
        driver.find_element(By.CSS_SELECTOR, 'input[autocomplete=username]').send_keys(username)
        driver.find_element(By.CSS_SELECTOR, 'input[autocomplete=current-password]').send_keys(
            PASSWORD, Keys.ENTER
        )
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '[aria-label^="Account menu"]'))
        driver.get(server.url + '/upload')
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '.sb-up input[type=file]'))
        time.sleep(1.0)  # let the page settle: its own start-up tasks are not the batch's
        node = query(driver, '.sb-up input[type=file]:not([webkitdirectory])')
        picked_at = driver.execute_script('return performance.now()')
        browser_cpu, server_cpu = tree_cpu(driver.service.process.pid), tree_cpu(server.process.pid)
        started = time.monotonic()
        driver.execute_cdp_cmd(
            'DOM.setFileInputFiles', {'nodeId': node, 'files': [str(p) for p in files]}
        )
        done_at = None
        while time.monotonic() - started < TIMEOUT_S:
            uploads, summary, now = driver.execute_script(STATE)
            if uploads.get('done', 0) >= len(files) and accounted(summary) >= len(files):
                done_at = now
                break
            time.sleep(0.1)
        elapsed = (done_at - picked_at) / 1000 if done_at is not None else float('nan')
        browser_cpu = tree_cpu(driver.service.process.pid) - browser_cpu
        server_cpu = tree_cpu(server.process.pid) - server_cpu
        tasks = driver.execute_script('return window.__longTasks')
        during = [d for start, d in tasks if start >= picked_at]
        # After the first STEADY_AFTER_S: the files are in and the uploader only sends.
        steady = [d for start, d in tasks if start >= picked_at + STEADY_AFTER_S * 1000]
        bare_stall = bare_pick(driver, files)  # now that the page is idle again
        return {
            'bare_pick_stall_ms': bare_stall,
            'seconds': elapsed,
            'summary': summary,
            'longest_stall_ms': max(during, default=0.0),
            'longest_stall_steady_ms': max(steady, default=0.0),
            'long_tasks': len(during),
            'long_tasks_over_200ms': sum(d > 200 for d in during),
            'long_task_total_ms': sum(during),
            'browser_cpu_ms_per_file': round(browser_cpu * 1000 / len(files), 1),
            'server_cpu_ms_per_file': round(server_cpu * 1000 / len(files), 1),
        }
    finally:
        driver.quit()


def reference_run(server: Server, files: list[Path], username: str) -> float:
    """The same files through plain httpx, CONCURRENCY at a time (one client per thread)."""
    token = signup(server, username)
    headers = {'Authorization': f'Bearer {token}'}

    def send(chunk: list[Path]) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:
            for path in chunk:
                with open(path, 'rb') as fh:
                    r = client.post('/api/v1/images', files={'file': (path.name, fh, 'image/jpeg')})
                assert r.status_code == 201, r.text

    chunks = [files[i::CONCURRENCY] for i in range(CONCURRENCY)]
    started = time.monotonic()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(send, chunks))
    return time.monotonic() - started


def measure(server: Server, files: list[Path], runs: int, quiet: bool) -> dict:
    """`runs` browser runs and as many references, alternating, each on fresh accounts."""
    size = len(files)
    browser_runs, refs = [], []
    for run in range(runs):
        load = os.getloadavg()[0]
        browser_runs.append(browser_run(server, files, f'browser{size}x{run}'))
        refs.append(reference_run(server, files, f'ref{size}x{run}'))
        if not quiet:
            r = browser_runs[-1]
            print(
                f'{size} files, run {run + 1}: browser {r["seconds"]:.1f} s, '
                f'longest stall {r["longest_stall_ms"]:.0f} ms, after {STEADY_AFTER_S} s '
                f'{r["longest_stall_steady_ms"]:.0f} ms ({r["long_tasks"]} long tasks; '
                f'plain pick {r["bare_pick_stall_ms"]:.0f} ms), '
                f'httpx {refs[-1]:.1f} s, load {load:.1f}; CPU ms per file: browser '
                f'{r["browser_cpu_ms_per_file"]}, server {r["server_cpu_ms_per_file"]} '
                f'[{r["summary"]}]',
                flush=True,
            )
    seconds = statistics.median(r['seconds'] for r in browser_runs)
    reference = statistics.median(refs)
    stalls = [r['longest_stall_ms'] for r in browser_runs]
    runs_ = browser_runs
    return {
        'files': size,
        'megabytes': round(sum(p.stat().st_size for p in files) / 1e6, 1),
        'browser_seconds': round(seconds, 2),
        'reference_seconds': round(reference, 2),
        'ratio': round(seconds / reference, 2),
        'longest_stall_ms': round(max(stalls)),
        'median_longest_stall_ms': round(statistics.median(stalls)),
        'longest_stall_steady_ms': round(max(r['longest_stall_steady_ms'] for r in runs_)),
        'long_tasks_over_200ms': sum(r['long_tasks_over_200ms'] for r in browser_runs),
        'bare_pick_stall_ms': round(statistics.median(r['bare_pick_stall_ms'] for r in runs_)),
        'browser_cpu_ms_per_file': statistics.median(r['browser_cpu_ms_per_file'] for r in runs_),
        'server_cpu_ms_per_file': statistics.median(r['server_cpu_ms_per_file'] for r in runs_),
        'all_accounted': all(r['seconds'] == r['seconds'] for r in browser_runs),  # not NaN
        'runs': browser_runs,
        'reference_runs': [round(x, 2) for x in refs],
        'load_after': round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--files', default='200,1000', help='comma-separated batch sizes')
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args()
    sizes = [int(n) for n in args.files.split(',')]
    corpus = make_small(OUT / 'corpus-small', max(sizes))
    with (
        tempfile.TemporaryDirectory(prefix='shoebox-browser-bench-') as tmp,
        Server(Path(tmp) / 'data') as server,
    ):
        reference_run(server, corpus[:30], 'warmup')  # the image workers' first jobs cost more
        results = [measure(server, corpus[:size], args.runs, args.json) for size in sizes]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print()
    print(
        '| files | MB | browser, all done | httpx x3 (reference) | ratio | longest stall '
        f'| after the first {STEADY_AFTER_S} s | the pick alone, plain input |'
    )
    print('|---|---|---|---|---|---|---|---|')
    for r in results:
        print(
            f'| {r["files"]} | {r["megabytes"]} | {r["browser_seconds"]:.1f} s | '
            f'{r["reference_seconds"]:.1f} s | {r["ratio"]:.2f} | '
            f'{r["longest_stall_ms"]} ms (median {r["median_longest_stall_ms"]}) | '
            f'{r["longest_stall_steady_ms"]} ms | '
            f'{r["bare_pick_stall_ms"]} ms |'
        )


if __name__ == '__main__':
    main()
