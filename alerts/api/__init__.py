"""The alerts REST API, mounted by portal/api_urls.py.

Thin views: serializers check shapes only; every rule (who may, which transition, two persons,
re-authentication) lives in alerts.services / alerts.selectors / alerts.permissions, which the HTML
views call too. `public` is the unauthenticated read-only part; `views` the signed-in workflow.
"""
