"""Getting documents in: readers for every kind of input, table import, and the ingest pipeline."""
