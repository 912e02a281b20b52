"""Use cases, one class per capability. Each takes the unit-of-work factory and the ports it
needs; every public method takes the `Actor` first (identity resolvers, which make an Actor
out of a session id or a token, are the exception)."""
