"""Repositories: the queries, one class per table family, each over the transaction's session."""
