"""accounts.signed_in_user: the User a protected view hands to its services, never an anonymous one."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from rest_framework.request import Request

from accounts.signed_in import signed_in_user


@pytest.mark.django_db
def test_it_returns_the_signed_in_user_of_a_page_request(alice):
    request = RequestFactory().post("/")
    request.user = alice
    assert signed_in_user(request) == alice


@pytest.mark.django_db
def test_it_returns_the_signed_in_user_of_an_api_request(mallory):
    request = Request(RequestFactory().post("/"))
    request.user = mallory
    assert signed_in_user(request) == mallory


def test_it_refuses_an_anonymous_request_instead_of_acting_for_nobody():
    request = RequestFactory().post("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        signed_in_user(request)
