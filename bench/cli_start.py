"""What a server-side `shoebox` command costs at start on a big library: `shoebox users list`
against a library of 100,000 images (the rows of bench/search.py, its index built).

    uv run python bench/cli_start.py                      # 100,000 images, 7 runs
    uv run python bench/cli_start.py --keep bench/out/cli # reuse the library next time
    uv run python bench/cli_start.py --vs ../other-checkout  # the same command from another
                                                          # checkout, on its own copy

Each run is a new process, timed from start to exit (wall and CPU of the child), median of the
runs. The reference, timed in the same run between the others, is the floor any Python command
over this database pays: the interpreter starting and SQLite counting the users. The ratio to
it is the figure to compare between runs (this machine's speed drifts).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import build_library, make_corpus  # noqa: E402

FLOOR = (
    'import sqlite3, sys; '
    "sqlite3.connect(sys.argv[1]).execute('select count(*) from user').fetchone()"
)


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall s, CPU s) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--docs', type=int, default=100_000)
    parser.add_argument('--runs', type=int, default=7)
    parser.add_argument('--keep', help='build the library here and reuse it')
    parser.add_argument('--vs', help='another checkout: time its cli.py too, on a copy')
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix='shoebox-cli-bench-'))
    data_dir = Path(args.keep) if args.keep else tmp / 'data'
    try:
        if not (data_dir / 'shoebox.db').exists():
            build_library(data_dir, make_corpus(args.docs).docs)[0].close()
        commands = {'this checkout': (ROOT, data_dir)}
        if args.vs:
            other = tmp / 'other'
            # A copy made before this checkout's command migrates the database in place.
            shutil.copytree(data_dir, other)
            commands['--vs checkout'] = (Path(args.vs).resolve(), other)
        python = {name: str(where / '.venv/bin/python') for name, (where, _) in commands.items()}
        for name in python:
            if not Path(python[name]).exists():
                python[name] = sys.executable
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        times['reference'] = []
        for run in range(args.runs + 1):  # the first round warms the page cache and migrates
            for name, (where, data) in commands.items():
                env = {**os.environ, 'SHOEBOX_DATA_DIR': str(data)}
                result = timed([python[name], str(where / 'cli.py'), 'users', 'list'], env)
                if run:
                    times[name].append(result)
            floor = timed([sys.executable, '-c', FLOOR, str(data_dir / 'shoebox.db')], {})
            if run:
                times['reference'].append(floor)
        ref_wall = statistics.median(w for w, _ in times['reference'])
        print(f'`shoebox users list`, {args.docs:,} images, median of {args.runs} runs:')
        for name, samples in times.items():
            wall = statistics.median(w for w, _ in samples)
            cpu = statistics.median(c for _, c in samples)
            print(f'  {name:14} wall {wall:6.3f} s  cpu {cpu:6.3f} s  x{wall / ref_wall:5.1f} ref')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
