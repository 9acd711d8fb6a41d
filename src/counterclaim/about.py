"""Package version, single-sourced for pyproject and the extractor's provenance."""

__version__ = "0.1.0"
