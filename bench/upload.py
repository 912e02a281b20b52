"""Upload benchmark: `shoebox upload` against a real server, beside the bare Pillow pipeline.

    uv run python bench/upload.py [--files N] [--concurrency C] [--runs R] [--json]

Each run starts the real server (`main.py`, fresh temporary SHOEBOX_DATA_DIR, free port),
signs up a user through the API, and times `shoebox upload --concurrency C FILE...` from start
to exit. The reference is bench/ingest.py's bare pipeline (sha256 + draft + thumbnail + WebP +
dHash on a spawn pool of the same size) on the same files, timed in the same run.

While uploading, /proc is polled for the resident memory of the server and all of its children
(the image worker processes): `server_peak_rss_mb` sums their RSS (shared pages counted once per
process, so it is an upper bound), every 50 ms; `server_peak_pss_mb` shares them out instead,
every 0.5 s (it is costly to read).

Corpus: bench/corpus.py's photo-like files (cached in bench/out/corpus). With --files above
--photos (default 200), the rest are small generated JPEGs (1024x768), which keeps the 2,000
file RSS check (`--files 2000`) quick to prepare.
Targets: ratio >= 0.7, server_peak_rss_mb < 500 (also with --files 2000).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from bench.corpus import make_corpus  # noqa: E402
from bench.ingest import WORKERS, reference_cpu, reference_one, warm_up  # noqa: E402

OUT = ROOT / 'bench' / 'out'
PASSWORD = 'correct horse battery staple'
SMALL_SIZE = (1024, 768)
POLL_S = 0.05
PSS_EVERY = 10  # samples


# ---- corpus --------------------------------------------------------------------------------------


def corpus(files: int, photos: int, folder: Path) -> list[Path]:
    """`photos` photo-like files from the shared cache, then small JPEGs up to `files`."""
    paths = make_corpus(folder, min(files, photos))
    if files > photos:
        paths += make_small(OUT / 'corpus-small', files - photos)
    return paths


def make_small(folder: Path, n: int) -> list[Path]:
    """Small distinct JPEGs (cached): a gradient, a few blurred shapes, a seed per file."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f'small-{i:05d}.jpg'
        if not path.exists():
            rng = random.Random(i)
            im = Image.linear_gradient('L').resize(SMALL_SIZE).convert('RGB')
            draw = ImageDraw.Draw(im)
            for _ in range(8):
                x, y = rng.randrange(SMALL_SIZE[0]), rng.randrange(SMALL_SIZE[1])
                colour = tuple(rng.randrange(256) for _ in range(3))
                draw.ellipse((x, y, x + rng.randint(40, 300), y + rng.randint(40, 300)), colour)
            tmp = path.with_name(path.name + '.part')
            im.filter(ImageFilter.BoxBlur(2)).save(tmp, 'JPEG', quality=88)
            os.replace(tmp, path)
        paths.append(path)
    return paths


# ---- memory of a process tree --------------------------------------------------------------------


def tree(pid: int) -> list[int]:
    """pid and all its descendants, from /proc/<pid>/task/<tid>/children."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        try:
            for task in os.listdir(f'/proc/{current}/task'):
                with open(f'/proc/{current}/task/{task}/children') as fh:
                    todo += [int(c) for c in fh.read().split()]
        except OSError:
            continue
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 once it is gone)."""
    try:
        with open(f'/proc/{pid}/stat') as fh:
            fields = fh.read().rsplit(')', 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def _kb(path: str, key: str) -> int:
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class MemoryWatch:
    """Samples the summed RSS and PSS of a process tree in a thread; keeps the peaks (MB)."""

    pid: int
    peak_rss_mb: float = 0.0
    peak_pss_mb: float = 0.0
    peak_processes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self, pss: bool = True) -> tuple[float, float]:
        """Summed RSS and PSS now (MB). PSS costs ~3 ms of CPU per sample (the kernel walks
        every page table), RSS ~0.05 ms: the watch loop reads PSS only every PSS_EVERY samples,
        so that watching does not slow down what it watches."""
        pids = tree(self.pid)
        rss = sum(_kb(f'/proc/{p}/status', 'VmRSS:') for p in pids) / 1024
        self.peak_rss_mb = max(self.peak_rss_mb, rss)
        self.peak_processes = max(self.peak_processes, len(pids))
        pss_mb = 0.0
        if pss:
            pss_mb = sum(_kb(f'/proc/{p}/smaps_rollup', 'Pss:') for p in pids) / 1024
            self.peak_pss_mb = max(self.peak_pss_mb, pss_mb)
        return rss, pss_mb

    def __enter__(self) -> MemoryWatch:
        def loop() -> None:
            count = 0
            while not self._stop.wait(POLL_S):
                count += 1
                self.sample(pss=count % PSS_EVERY == 0)

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()


# ---- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Server:
    """`python main.py` on a free port with its own data dir; stopped (SIGTERM) on exit."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.log = data_dir.parent / 'server.log'
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = {
            **os.environ,
            'SHOEBOX_DATA_DIR': str(self.data_dir),
            'SHOEBOX_PORT': str(self.port),
            'SHOEBOX_HOST': '127.0.0.1',
        }
        with open(self.log, 'wb') as log:
            self.process = subprocess.Popen(
                [sys.executable, 'main.py'], cwd=ROOT, env=env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f'the server exited: see {self.log}')
            try:
                if httpx.get(f'{self.url}/api/v1/images', timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f'the server did not answer within 60 s: see {self.log}')

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def token(self) -> str:
        user = {'username': 'bench', 'password': PASSWORD}
        r = httpx.post(f'{self.url}/api/v1/auth/signup', json=user, timeout=60)
        r.raise_for_status()
        r = httpx.post(f'{self.url}/api/v1/auth/token', json=user, timeout=60)
        r.raise_for_status()
        return r.json()['access_token']


# ---- one run of each -----------------------------------------------------------------------------


def shoebox_command() -> list[str]:
    script = Path(sys.executable).with_name('shoebox')
    return [str(script)] if script.exists() else [sys.executable, '-m', 'cli']


def upload_run(files: list[Path], concurrency: int, workdir: Path) -> dict:
    """Start a server, upload every file with the CLI, and measure time and memory."""
    data_dir = workdir / 'data'
    with Server(data_dir) as server:
        token = server.token()
        idle_rss, _ = MemoryWatch(server.process.pid).sample()  # type: ignore[union-attr]
        env = {
            **os.environ,
            'SHOEBOX_SERVER': server.url,
            'SHOEBOX_TOKEN': token,
            'SHOEBOX_CONFIG_DIR': str(workdir / 'config'),
            'COLUMNS': '200',
        }
        command = [
            *shoebox_command(),
            'upload',
            '--concurrency',
            str(concurrency),
            *map(str, files),
        ]
        server_pid = server.process.pid  # type: ignore[union-attr]
        cpu_before = {pid: cpu_seconds(pid) for pid in tree(server_pid)}
        children_before = _children_cpu()
        with MemoryWatch(server_pid) as memory:
            start = time.perf_counter()
            client = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
            with MemoryWatch(client.pid) as client_memory:
                stdout, _ = client.communicate()
            elapsed = time.perf_counter() - start
        cpu_used = {p: cpu_seconds(p) - cpu_before.get(p, 0.0) for p in tree(server_pid)}
        client_cpu = _children_cpu() - children_before
    summary = stdout.decode(errors='replace')
    main_cpu = cpu_used.pop(server_pid, 0.0)
    counts = re.search(r'added (\d+), duplicate (\d+), refused (\d+)', summary)
    added, duplicate, refused = (int(g) for g in counts.groups()) if counts else (0, 0, 0)
    return {
        'images_per_s': len(files) / elapsed,
        'seconds': elapsed,
        'exit_code': client.returncode,
        'added': added,
        'duplicate': duplicate,
        'refused': refused,
        'refusals': [ln.strip() for ln in summary.splitlines() if ln.startswith('  refused')][:10],
        'cpu_ms_per_image': {
            'server_main': main_cpu / len(files) * 1000,
            'image_workers': sum(cpu_used.values()) / len(files) * 1000,
            'client': client_cpu / len(files) * 1000,
        },
        'server_idle_rss_mb': idle_rss,
        'server_peak_rss_mb': memory.peak_rss_mb,
        'server_peak_pss_mb': memory.peak_pss_mb,
        'server_processes': memory.peak_processes,
        'client_peak_rss_mb': client_memory.peak_rss_mb,
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reference_run(pool: ProcessPoolExecutor, files: list[Path]) -> tuple[float, float]:
    """Images per second, and CPU ms per image in the workers."""
    paths = [str(p) for p in files]
    start = time.perf_counter()
    cpu = sum(pool.map(reference_cpu, paths, chunksize=1))
    return len(paths) / (time.perf_counter() - start), cpu / len(paths) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--files', type=int, default=200, help='how many files (default 200)')
    parser.add_argument(
        '--photos', type=int, default=200, help='photo-like files among them (default 200)'
    )
    parser.add_argument('--concurrency', type=int, default=8, help='shoebox upload --concurrency')
    parser.add_argument('--runs', type=int, default=1, help='runs of each side, median (1)')
    parser.add_argument('--json', action='store_true', help='print one JSON object only')
    parser.add_argument('--corpus', type=Path, default=OUT / 'corpus', help='photo corpus folder')
    args = parser.parse_args()
    say = (lambda *a: None) if args.json else print

    OUT.mkdir(parents=True, exist_ok=True)
    files = corpus(args.files, args.photos, args.corpus)
    corpus_mb = sum(p.stat().st_size for p in files) / 1e6
    say(f'corpus: {len(files)} files, {corpus_mb:.0f} MB')

    uploads: list[dict] = []
    references: list[float] = []
    reference_cpu_ms: list[float] = []
    ctx = multiprocessing.get_context('spawn')
    for run in range(args.runs):
        with ProcessPoolExecutor(WORKERS, mp_context=ctx) as pool:
            list(pool.map(warm_up, [0.2] * WORKERS))
            list(pool.map(reference_one, [str(p) for p in files[: WORKERS * 2]]))
            rate, cpu_ms = reference_run(pool, files)
            references.append(rate)
            reference_cpu_ms.append(cpu_ms)
        say(f'run {run + 1}: reference {references[-1]:.1f} images/s')
        workdir = Path(tempfile.mkdtemp(prefix='upload-run-', dir=OUT))
        try:
            uploads.append(upload_run(files, args.concurrency, workdir))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        last = uploads[-1]
        say(
            f'run {run + 1}: upload {last["images_per_s"]:.1f} images/s '
            f'({last["seconds"]:.1f} s; added {last["added"]}, duplicate {last["duplicate"]}, '
            f'refused {last["refused"]}); server peak RSS {last["server_peak_rss_mb"]:.0f} MB '
            f'(PSS {last["server_peak_pss_mb"]:.0f} MB, {last["server_processes"]} processes), '
            f'client peak RSS {last["client_peak_rss_mb"]:.0f} MB'
        )
        cpu = last['cpu_ms_per_image']
        say(
            f'run {run + 1}: CPU ms per image: server {cpu["server_main"]:.0f} + image workers '
            f'{cpu["image_workers"]:.0f} + client {cpu["client"]:.0f} = {sum(cpu.values()):.0f}, '
            f'reference {reference_cpu_ms[-1]:.0f}'
        )
        for line in last['refusals']:
            say(f'  {line}')

    rate = statistics.median(u['images_per_s'] for u in uploads)
    reference = statistics.median(references)
    result = {
        'images_per_s': round(rate, 2),
        'reference_images_per_s': round(reference, 2),
        'ratio': round(rate / reference, 3),
        'server_peak_rss_mb': round(max(u['server_peak_rss_mb'] for u in uploads), 1),
        'server_peak_pss_mb': round(max(u['server_peak_pss_mb'] for u in uploads), 1),
        'server_idle_rss_mb': round(max(u['server_idle_rss_mb'] for u in uploads), 1),
        'client_peak_rss_mb': round(max(u['client_peak_rss_mb'] for u in uploads), 1),
        'files': len(files),
        'corpus_mb': round(corpus_mb, 1),
        'concurrency': args.concurrency,
        'reference_workers': WORKERS,
        'server_workers': os.cpu_count(),
        'runs': args.runs,
        'upload_runs': [round(u['images_per_s'], 2) for u in uploads],
        'reference_runs': [round(r, 2) for r in references],
        'cpu_ms_per_image': {
            **{k: round(v, 1) for k, v in uploads[-1]['cpu_ms_per_image'].items()},
            'reference': round(statistics.median(reference_cpu_ms), 1),
        },
        'load_average_1m': round(os.getloadavg()[0], 2),
        'added': uploads[-1]['added'],
        'refused': uploads[-1]['refused'],
    }
    say(
        f'upload {rate:.1f} images/s vs reference {reference:.1f}: ratio {rate / reference:.2f} '
        f'(target >= 0.7); server peak RSS {result["server_peak_rss_mb"]:.0f} MB (target < 500)'
    )
    if args.json:
        print(json.dumps(result))


if __name__ == '__main__':
    main()
