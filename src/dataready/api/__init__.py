"""The HTTP API: ``create_app()`` builds the FastAPI application."""

from __future__ import annotations

from dataready.api.app import create_app

__all__ = ["create_app"]
