"""Where the bytes live: the BlobStore port, its local-files adapter, and the staging area where
uploads are received (hashed and counted) before they are stored."""
