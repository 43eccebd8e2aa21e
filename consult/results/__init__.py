"""Results pages: what analysts, authors and (when allowed) authorities read of a consultation."""
