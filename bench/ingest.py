"""Ingest benchmark: Library.add_many against the bare Pillow pipeline, on the same corpus.

    uv run python bench/ingest.py [--files N] [--runs R] [--json]

(a) reference: per file sha256 + open + draft + thumbnail(400) + WebP (quality 80, Pillow's
    default method) + dHash, spread over ProcessPoolExecutor(2, spawn); pool warmed up first.
(b) library: Library.add_many on a fresh data dir per run (pool warmed up before timing).
Runs alternate (a, b, a, b, ...) so a busy shared machine slows both alike. Each side reports
images/s as the median of R runs; ratio = library / reference (target >= 0.8).
Extra: single-process ms per file for process_image as ingest calls it (thumbnail only; the
preview is made on first view, timed apart as preview_ms) vs the reference work, by kind of
file, and where that ingest call spends its time (Pillow's C calls, from cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import multiprocessing
import os
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from bench.corpus import make_corpus  # noqa: E402
from repo import imaging  # noqa: E402

OUT = ROOT / 'bench' / 'out'
THUMB = 400
WORKERS = 2
MAX_PIXELS = 100_000_000
# Pillow C calls that account for process_image's time, as cProfile names them.
STAGES = {
    'WebPEncode': 'webp encode',
    "method 'decode' of 'ImagingDecoder' objects": 'decode',
    "method 'resize' of 'ImagingCore' objects": 'resize',
    "method 'reduce' of 'ImagingCore' objects": 'reduce',
    "method 'transpose' of 'ImagingCore' objects": 'transpose',
    "method 'quantize' of 'ImagingCore' objects": 'quantize',
    'posix.fsync': 'fsync',
}


def reference_one(path: str) -> int:
    """The bare pipeline for one file: what any image host must do at the very least."""
    with open(path, 'rb') as fh:
        hashlib.file_digest(fh, 'sha256').hexdigest()
    with Image.open(path) as im:
        im.draft('RGB', (THUMB, THUMB))
        im.thumbnail((THUMB, THUMB))
        thumb = im.convert('RGB')
    thumb.save(io.BytesIO(), 'WEBP', quality=80)
    return imaging.dhash(thumb)


def reference_cpu(path: str) -> float:
    """reference_one, returning the CPU seconds it took in its worker."""
    start = time.process_time()
    reference_one(path)
    return time.process_time() - start


def warm_up(seconds: float) -> float:
    """Runs in a worker: imports are done and, given enough of these at once, all workers exist.

    Returns the CPU seconds the worker has used so far (its start-up), to subtract later.
    """
    Image.init()
    time.sleep(seconds)
    return time.process_time()


def measure(files: list[Path], runs: int) -> dict:
    """Alternate reference and library runs, so that noise from a shared machine hits both."""
    paths = [str(p) for p in files]
    library = load_library()
    out: dict = {
        'reference': [],
        'library': [],
        'index_catch_up_s': [],
        'failures': [],
        'reference_cpu_ms': [],
        'library_cpu_ms': [],
    }
    ctx = multiprocessing.get_context('spawn')
    with ProcessPoolExecutor(WORKERS, mp_context=ctx) as pool:
        list(pool.map(warm_up, [0.2] * WORKERS))
        list(pool.map(reference_one, paths[: WORKERS * 2]))
        for run in range(runs):
            start = time.perf_counter()
            cpu = sum(pool.map(reference_cpu, paths, chunksize=1))
            out['reference'].append(len(paths) / (time.perf_counter() - start))
            out['reference_cpu_ms'].append(cpu / len(paths) * 1000)
            if library is not None:
                library_run(library, files, run, out)
    return out


def load_library() -> tuple | None:
    """(Settings, Library, UploadItem), or None when repo.library can't be imported yet."""
    try:
        from repo.config import Settings
        from repo.library import Library, UploadItem
    except ImportError as exc:
        print(f'library: not available ({exc})', file=sys.stderr)
        return None
    return Settings, Library, UploadItem


def library_run(library: tuple, files: list[Path], run: int, out: dict) -> None:
    """One timed Library.add_many on a fresh data dir, its process pool warmed up first."""
    settings_cls, library_cls, item_cls = library
    data_dir = Path(tempfile.mkdtemp(prefix=f'library-run{run}-', dir=OUT))
    children_before = _children_cpu()
    try:
        lib = library_cls(settings_cls(data_dir=data_dir))
        try:
            user = lib.create_user('bench', 'correct horse battery staple')
            warm = [lib.executor.submit(warm_up, 0.2) for _ in range(WORKERS)]
            start_up_cpu = sum(future.result() for future in warm)
            items = [item_cls(path=p, filename=p.name) for p in files]
            main_cpu = time.process_time()
            start = time.perf_counter()
            results = lib.add_many(user.id, items)
            elapsed = time.perf_counter() - start
            lib.wait_for_index(timeout=120)
            out['index_catch_up_s'].append(time.perf_counter() - start - elapsed)
            main_cpu = time.process_time() - main_cpu
        finally:
            lib.close()  # joins the workers, so their CPU time shows in RUSAGE_CHILDREN
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    workers_cpu = _children_cpu() - children_before - start_up_cpu
    out['library_cpu_ms'].append((main_cpu + workers_cpu) / len(files) * 1000)
    out['failures'] += [
        f'{r.filename}: {r.status} {r.message}' for r in results if r.status != 'added'
    ]
    out['library'].append(len(files) / elapsed)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def per_file_ms(files: list[Path], per_kind: int = 6, repeats: int = 3) -> dict:
    """Single-process median ms per file, by kind: process_image as ingest calls it (thumbnail
    only), the reference, and the preview made later on first view."""
    kinds: dict[str, list[Path]] = {}
    for path in files:
        kinds.setdefault(path.stem.rsplit('-', 1)[-1], []).append(path)
    out = {}
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        thumb, preview = os.path.join(tmp, 't.webp'), os.path.join(tmp, 'p.webp')
        for kind, paths in sorted(kinds.items()):
            ours, ref, previews = [], [], []
            for path in paths[:per_kind]:
                for _ in range(repeats):
                    start = time.perf_counter()
                    facts = imaging.process_image(str(path), thumb, None, max_pixels=MAX_PIXELS)
                    ours.append(time.perf_counter() - start)
                    assert isinstance(facts, imaging.ImageFacts), facts
                    start = time.perf_counter()
                    reference_one(str(path))
                    ref.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    imaging.process_image(str(path), None, preview, max_pixels=MAX_PIXELS)
                    previews.append(time.perf_counter() - start)
            out[kind] = {
                'process_image_ms': round(statistics.median(ours) * 1000, 1),
                'reference_ms': round(statistics.median(ref) * 1000, 1),
                'preview_ms': round(statistics.median(previews) * 1000, 1),
            }
    return out


def profile_stages(files: list[Path], kind: str = '6mp', count: int = 6) -> dict:
    """Per-file ms that process_image (as ingest calls it: thumbnail only) spends in Pillow's
    main C calls, for one kind of file."""
    paths = [p for p in files if p.stem.endswith(kind)][:count]
    if not paths:
        return {}
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        thumb = os.path.join(tmp, 't.webp')
        imaging.process_image(str(paths[0]), thumb, None, max_pixels=MAX_PIXELS)  # warm
        start = time.perf_counter()
        profiler.enable()
        for path in paths:
            imaging.process_image(str(path), thumb, None, max_pixels=MAX_PIXELS)
        profiler.disable()
        total = time.perf_counter() - start
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    stages = dict.fromkeys(STAGES.values(), 0.0)
    for (_file, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.items():
        for needle, label in STAGES.items():
            if needle in name:
                stages[label] += tottime
    ms = {label: round(t / len(paths) * 1000, 1) for label, t in stages.items()}
    ms['other (python, alloc, io)'] = round((total - sum(stages.values())) / len(paths) * 1000, 1)
    ms['total (profiled)'] = round(total / len(paths) * 1000, 1)
    return ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--files', type=int, default=200, help='corpus size (default 200)')
    parser.add_argument('--runs', type=int, default=3, help='timed runs, median (default 3)')
    parser.add_argument('--json', action='store_true', help='print one JSON object only')
    parser.add_argument('--corpus', type=Path, default=OUT / 'corpus', help='corpus directory')
    args = parser.parse_args()
    say = (lambda *a: None) if args.json else print

    OUT.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    files = make_corpus(args.corpus, args.files)
    corpus_bytes = sum(p.stat().st_size for p in files)
    counts = {k: sum(p.stem.endswith(k) for p in files) for k in ('6mp', '2mp', 'png')}
    say(
        f'corpus: {len(files)} files, {corpus_bytes / 1e6:.0f} MB '
        f'({counts["6mp"]} x 6 MP JPEG, {counts["2mp"]} x 2 MP JPEG, {counts["png"]} x PNG) '
        f'ready in {time.perf_counter() - start:.1f} s'
    )

    m = measure(files, args.runs)
    ref_rates, lib_rates = m['reference'], m['library']
    reference = statistics.median(ref_rates)
    library = statistics.median(lib_rates) if lib_rates else None
    ratio = library / reference if library else None
    ref_cpu = statistics.median(m['reference_cpu_ms'])
    say(f'reference: {reference:.1f} images/s (runs: {", ".join(f"{r:.1f}" for r in ref_rates)})')
    if library:
        say(f'library:   {library:.1f} images/s (runs: {", ".join(f"{r:.1f}" for r in lib_rates)})')
        say(f'index:     caught up {max(m["index_catch_up_s"]):.1f} s after add_many returned')
        say(f'ratio:     {ratio:.2f} (target >= 0.8)')
        lib_cpu = statistics.median(m['library_cpu_ms'])
        say(
            f'cpu:       {lib_cpu:.0f} ms per image for the library (all processes) vs '
            f'{ref_cpu:.0f} ms for the reference; ratio {ref_cpu / lib_cpu:.2f} (steadier)'
        )
        for failure in m['failures'][:10]:
            say(f'  not added: {failure}')
    else:
        say('library: not available')

    per_kind = per_file_ms(files)
    say('single process, ms per file (median): process_image at ingest vs reference')
    for kind, row in per_kind.items():
        say(
            f'  {kind:>4}: {row["process_image_ms"]:6.1f} vs {row["reference_ms"]:6.1f} '
            f'(preview on first view: {row["preview_ms"]:.1f})'
        )
    # What add_many could reach if process_image were its only cost, on WORKERS cores.
    mean_ms = sum(per_kind[k]['process_image_ms'] * n for k, n in counts.items() if n) / len(files)
    bound = WORKERS * 1000 / mean_ms
    say(f'process_image alone on {WORKERS} workers: ~{bound:.1f} images/s (estimate)')
    stages = profile_stages(files)
    if stages:
        say('process_image at ingest on a 6 MP JPEG, ms per file by stage:')
        for label, ms in stages.items():
            say(f'  {label:<26} {ms:6.1f}')

    if args.json:
        print(
            json.dumps(
                {
                    'images_per_s': round(library, 2) if library else None,
                    'reference_images_per_s': round(reference, 2),
                    'ratio': round(ratio, 3) if ratio else None,
                    'files': len(files),
                    'corpus_mb': round(corpus_bytes / 1e6, 1),
                    'corpus_mix': counts,
                    'runs': args.runs,
                    'workers': WORKERS,
                    'reference_runs': [round(r, 2) for r in ref_rates],
                    'library_runs': [round(r, 2) for r in lib_rates] if library else None,
                    'library_available': library is not None,
                    'library_failures': len(m['failures']) if library else None,
                    'index_catch_up_s': round(max(m['index_catch_up_s']), 2) if library else None,
                    'cpu_ms_per_image': {
                        'reference': round(ref_cpu, 1),
                        'library': round(statistics.median(m['library_cpu_ms']), 1)
                        if library
                        else None,
                    },
                    'per_file_ms': per_kind,
                    'process_image_only_images_per_s_estimate': round(bound, 1),
                    'process_image_6mp_stages_ms': stages,
                }
            )
        )


if __name__ == '__main__':
    main()
