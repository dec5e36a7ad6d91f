"""Fixtures of the agencies tests: a registration form's worth of data, and a pending agency."""

import pytest


@pytest.fixture
def registration_data(state_x):
    """What Dana, a lieutenant of a new Texas agency, types into the registration form."""
    from agencies.models import County

    return {
        "name": "Round Rock Police Department",
        "ori": "tx2460300",
        "agency_type": "municipal",
        "state": state_x,
        "county": County.objects.get(state=state_x, fips="491"),  # Williamson County
        "address": "2701 N Mays St",
        "city": "Round Rock",
        "postal_code": "78665",
        "phone": "512-218-5500",
        "tip_line": "1-800-555-0142",
        "head_name": "Allen Banks",
        "head_title": "Chief of Police",
        "admin_full_name": "Dana Diaz",
        "admin_email": "Dana.Diaz@RoundRock.example",
        "admin_phone": "512-555-0101",
    }


@pytest.fixture
def registration_post(registration_data):
    """The same data as the registration form posts it."""
    return {
        **registration_data,
        "ori": registration_data["ori"],
        "state": registration_data["state"].pk,
        "county": registration_data["county"].pk,
    }


@pytest.fixture
def pending_agency(registration_data):
    from agencies.services import agency_register

    return agency_register(**registration_data, ip="203.0.113.7")
