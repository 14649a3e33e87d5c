"""Rate limits count the visitor's address, not the reverse proxy's."""

from django.test import RequestFactory

from core.access.ratelimit import client_ip


def test_behind_one_proxy_the_rightmost_forwarded_address_counts(settings):
    settings.TSZH_PROXY_HOPS = 1
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2"
    )
    assert client_ip(request) == "203.0.113.7"  # the forged left part is ignored


def test_without_proxies_the_peer_address_counts(settings):
    settings.TSZH_PROXY_HOPS = 0
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="198.51.100.4")
    assert client_ip(request) == "198.51.100.4"
