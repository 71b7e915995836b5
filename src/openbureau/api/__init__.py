"""HTTP API: ``create_app(settings)`` and one thin router per feature."""

from openbureau.api.app import create_app

__all__ = ["create_app"]
