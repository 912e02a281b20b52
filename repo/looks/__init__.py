"""Finding by look: this process's similarity cache, loaded from the database and kept fresh by
the image events."""
