"""Project package: settings, the Celery app, the URL root and shared base classes."""

from .celery import app as celery_app

__all__ = ["celery_app"]
