"""Use cases: turn a validated input into drafts and store them."""
