"""WSGI entry point: `gunicorn wsgi:app` (production) or `flask --app wsgi run` (development)."""

from dxapp import create_app

app = create_app()
