"""The Whoosh full-text index of images: a rebuildable cache of the database.

`SearchIndex` owns the index folder (open, rebuild, apply a batch, search); `IndexWorker` is the
single background writer that drains the database's index outbox into it.
"""

from search_index.index import IndexNotOpen, SearchIndex
from search_index.query import MAX_QUERY_CHARS
from search_index.ranking import SearchHits
from search_index.schema import IndexDoc
from search_index.worker import IndexWorker, OutboxItem

__all__ = [
    'MAX_QUERY_CHARS',
    'IndexDoc',
    'IndexNotOpen',
    'IndexWorker',
    'OutboxItem',
    'SearchHits',
    'SearchIndex',
]
