"""The signed-in user of a request, as the type checker should see it.

LoginRequiredMiddleware refuses anonymous requests to every page not marked @login_not_required,
and the API's default permission does the same for its endpoints, so inside those views
`request.user` is a User. The framework's types cannot know that (they say User | AnonymousUser):
views that hand the user to a service take it from here rather than casting.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from .models import User


def signed_in_user(request: HttpRequest | Request) -> User:
    """`request.user`, refused (PermissionDenied, a 403) if it is anonymous: that happens only when
    a view has lost its protection, and no service must then be asked to act for nobody."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    return user
