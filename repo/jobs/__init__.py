"""Consumers of the event table: the search index feed (a durable cursor in the database) and
the similarity cache (kept fresh by this process's events as they commit)."""
