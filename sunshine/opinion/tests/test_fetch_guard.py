"""Sources on an internal network are refused: staff-entered addresses must not let the
fetcher reach the bureau's internal systems (SSRF)."""

import urllib.request

import pytest

from sunshine.opinion.fetch import FetchError, _CheckedRedirect, check_public_address, fetch_url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/admin/",
        "http://localhost/",
        "http://10.0.0.8/feed.xml",
        "http://192.168.1.1/",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
    ],
)
def test_internal_addresses_are_refused_before_any_connection(settings, url):
    settings.SUNSHINE_OPINION_ALLOW_PRIVATE_SOURCES = False
    with pytest.raises(FetchError):
        check_public_address(url)
    with pytest.raises(FetchError):
        fetch_url(url, retries=0)


def test_a_redirect_to_an_internal_address_is_not_followed(settings):
    settings.SUNSHINE_OPINION_ALLOW_PRIVATE_SOURCES = False
    request = urllib.request.Request("http://203.0.113.10/feed.xml")
    with pytest.raises(FetchError):
        _CheckedRedirect().redirect_request(request, None, 302, "Found", {}, "http://127.0.0.1/secret")


def test_the_bureau_may_allow_an_intranet_source(settings):
    settings.SUNSHINE_OPINION_ALLOW_PRIVATE_SOURCES = True
    assert check_public_address("http://10.0.0.8/feed.xml") is None  # allowed: no FetchError
