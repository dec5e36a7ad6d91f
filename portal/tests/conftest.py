# Fixtures of the API tests (portal/tests/api_support.py), available to every test here.
from portal.tests.api_support import _api_unthrottled, api_as  # noqa: F401
