"""What goes into the Whoosh index: the document type, the analyzer and the schema."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.columns import NumericColumn
from whoosh.fields import BOOLEAN, COLUMN, ID, TEXT, Schema
from whoosh.lang.porter2 import stem
from whoosh.support.charset import accent_map

# Bump when the schema or the analyzer changes: open() then reports the index as unusable and
# the caller rebuilds it from the database.
SCHEMA_VERSION = 5

TITLE_BOOST = 3.0
TAGS_BOOST = 2.0
# The fields user text is matched against, in the order their scores are summed.
TEXT_FIELDS = ('title', 'description', 'tags')

# Words as the user typed them: split on non-word characters, lower-cased, accents folded
# ('Café' -> 'cafe'). Queries use this to keep the unstemmed last word for prefix matching.
FOLD = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
# Words shorter than this are neither indexed nor searched.
MIN_WORD_CHARS = 2
# What is indexed and searched: folded words minus one-letter words, stemmed ('cats' -> 'cat',
# 'running' -> 'run'). Porter2, not StemFilter's default whoosh.lang.porter, which leaves
# doubled consonants ('running' -> 'runn', so 'runs' would miss it). Stop words are indexed
# too: in photo titles they are often the point ('Tin can', 'May 2024', 'Will'), and a search
# made of nothing else must find them; search_index.query leaves them out beside other words.
ANALYZER = FOLD | StopFilter(stoplist=frozenset(), minsize=MIN_WORD_CHARS) | StemFilter(stemfn=stem)

SCHEMA = Schema(
    image_id=ID(stored=True, unique=True),
    owner_id=ID(),
    public=BOOLEAN(),
    # Microseconds since the epoch; a column only (sorting), not searchable.
    created=COLUMN(NumericColumn('q')),
    # The timeline: when it was taken, else created (same unit), for 'newest' and 'oldest'.
    taken=COLUMN(NumericColumn('q')),
    # phrase=False: no positions, since quoted phrases are not offered. Smaller and faster.
    title=TEXT(analyzer=ANALYZER, phrase=False, field_boost=TITLE_BOOST),
    description=TEXT(analyzer=ANALYZER, phrase=False),
    tags=TEXT(analyzer=ANALYZER, phrase=False, field_boost=TAGS_BOOST),
    # Exact tag values for the tag filter (multi-word tags stay whole, nothing is stemmed).
    tag=ID(),
    # Named colours the image matches (repo.core.palette), for the colour filter.
    color=ID(),
)

_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class IndexDoc:
    """Everything the index needs to know about one image."""

    image_id: str
    owner_id: int
    public: bool
    title: str
    description: str
    tags: tuple[str, ...]  # already lower-cased
    created_at: datetime  # naive UTC
    colors: tuple[str, ...] = ()  # named colours ('blue', 'white') for the colour filter
    sort_at: datetime | None = None  # the timeline (date taken, else created_at); naive


def created_key(created_at: datetime) -> int:
    """Microseconds since the epoch; aware datetimes are converted to naive UTC first."""
    if created_at.tzinfo is not None:
        created_at = created_at.astimezone(UTC).replace(tzinfo=None)
    return (created_at - _EPOCH) // timedelta(microseconds=1)


def doc_fields(doc: IndexDoc) -> dict[str, Any]:
    """The keyword arguments for writer.add_document / update_document.

    Every field is always sent: update_document is delete plus add, so a partial update would
    drop the fields left out.
    """
    return {
        'image_id': doc.image_id,
        'owner_id': str(doc.owner_id),
        'public': bool(doc.public),
        'created': created_key(doc.created_at),
        'taken': created_key(doc.sort_at or doc.created_at),
        'title': doc.title or '',
        'description': doc.description or '',
        'tags': '\n'.join(doc.tags),
        # A list is indexed as given, one term per item, bypassing the analyzer.
        'tag': [t for t in doc.tags if t],
        'color': [c for c in doc.colors if c],
    }
