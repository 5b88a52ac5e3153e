"""Celery app bound to Flask, and thin task wrappers over workflow services."""
