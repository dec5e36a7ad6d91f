"""Browser journeys (Playwright + Debian's Chromium) against the live test server, with a real
Celery worker on a private Redis and a real SMTP server. See journeys/conftest.py."""
