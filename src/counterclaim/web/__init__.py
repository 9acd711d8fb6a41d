"""The dashboard and JSON API (``counterclaim serve``): see docs/dashboard.md."""

from counterclaim.web.app import create_app

__all__ = ["create_app"]
