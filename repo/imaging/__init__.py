"""Pure Pillow work for one upload: probe, decode, renditions, facts. Runs in a worker process.

Everything here is module-level and returns plain picklable dataclasses, so the ingest service
can submit `process_image` to a ProcessPoolExecutor ('spawn'). No DB, no settings, no UI.
Bad input never raises: it comes back as an `ImageRejection` carrying an HTTP status.

pipeline.py runs one file through; exif.py, signals.py and sniff.py each compute one kind of
fact; this module names what the rest of Shoebox uses.
"""

from repo.imaging.exif import camera_name, parse_exif_datetime
from repo.imaging.location import strip_location
from repo.imaging.pipeline import (
    PREVIEW_SLACK,
    ImageFacts,
    ImageRejection,
    QueryFacts,
    process_image,
    query_signature,
    ready,
)
from repo.imaging.signals import (
    SIGNATURE_AB_OFFSET,
    SIGNATURE_BYTES,
    SIGNATURE_GRID,
    SIGNATURE_L_SCALE,
    Signals,
    dhash,
    dominant_colors,
    hamming,
    signature_of,
    to_signed64,
    turned_signals,
    turned_signals_of_file,
)
from repo.imaging.sniff import ACCEPTED_FORMATS, ACCEPTED_LABEL, sniff_unsupported

__all__ = [
    'ACCEPTED_FORMATS',
    'ACCEPTED_LABEL',
    'PREVIEW_SLACK',
    'SIGNATURE_AB_OFFSET',
    'SIGNATURE_BYTES',
    'SIGNATURE_GRID',
    'SIGNATURE_L_SCALE',
    'ImageFacts',
    'ImageRejection',
    'QueryFacts',
    'Signals',
    'camera_name',
    'dhash',
    'dominant_colors',
    'hamming',
    'parse_exif_datetime',
    'process_image',
    'query_signature',
    'ready',
    'signature_of',
    'sniff_unsupported',
    'strip_location',
    'to_signed64',
    'turned_signals',
    'turned_signals_of_file',
]
