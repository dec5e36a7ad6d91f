"""Which addresses a webhook may point to: public unicast only, in every IPv4 and IPv6 spelling."""

import ipaddress

import pytest

from outbox.webhook_target import is_public_address, webhook_url_problem

REFUSED = [
    "127.0.0.1",  # loopback
    "10.1.2.3",  # private
    "172.16.0.9",
    "192.168.1.1",
    "169.254.169.254",  # link-local: the cloud metadata service
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "0.0.0.0",  # noqa: S104 - unspecified, as a webhook target
    "224.0.0.251",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "::1",  # IPv6 loopback
    "::",
    "fe80::1",  # link-local
    "fc00::1",  # unique local (private)
    "fd00:ec2::254",  # AWS's IPv6 metadata address
    "ff02::1",  # multicast
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:169.254.169.254",
    "2002:7f00:1::",  # 6to4 around 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 around 169.254.169.254
    "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
]
ACCEPTED = ["93.184.216.34", "8.8.8.8", "2606:2800:220:1::", "2001:4860:4860::8888", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", REFUSED)
def test_internal_addresses_are_not_public(address):
    assert is_public_address(ipaddress.ip_address(address)) is False


@pytest.mark.parametrize("address", ACCEPTED)
def test_internet_addresses_are_public(address):
    assert is_public_address(ipaddress.ip_address(address)) is True


def test_the_url_problems_in_words():
    assert webhook_url_problem("ftp://93.184.216.34/x", allow_http=True) == "The webhook URL must start with https://"
    assert webhook_url_problem("http://93.184.216.34/x", allow_http=False) == "The webhook URL must start with https://"
    assert webhook_url_problem("http://93.184.216.34/x", allow_http=True) is None
    assert webhook_url_problem("https://93.184.216.34:8443/x", allow_http=False) is None
    assert webhook_url_problem("https:///x", allow_http=False) == "The webhook URL must name a server."
    assert webhook_url_problem("https://[::ffff:10.0.0.1]/x", allow_http=False) == (
        "The webhook URL must point to a server on the public internet: ::ffff:10.0.0.1 is ::ffff:a00:1, "
        "which is not a public address."
    )
