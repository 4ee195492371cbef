import pytest

from webhooks.url_policy import UrlNotAllowed, UrlNotResolved, target_resolve, url_check

from .conftest import PUBLIC_IP


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1/hook", "127.0.0.1: it is a loopback address."),
        ("https://[::1]/hook", "::1: it is a loopback address."),
        ("https://10.0.0.5/hook", "10.0.0.5: it is a private address."),
        ("https://172.16.3.4/hook", "172.16.3.4: it is a private address."),
        ("https://192.168.1.1/hook", "192.168.1.1: it is a private address."),
        ("https://[fd12::1]/hook", "fd12::1: it is a private address."),
        ("https://169.254.10.1/hook", "169.254.10.1: it is a link-local address."),
        ("https://[fe80::1]/hook", "fe80::1: it is a link-local address."),
        (
            "https://169.254.169.254/latest/meta-data/",
            "169.254.169.254: it is the cloud metadata address.",
        ),
        ("https://0.0.0.0/hook", "0.0.0.0: it is an unspecified address."),
        ("https://224.0.1.1/hook", "224.0.1.1: it is a multicast address."),
        ("https://240.0.0.1/hook", "240.0.0.1: it is a private address."),
        ("https://100.64.0.1/hook", "100.64.0.1: it is a non-public address."),
        # IPv6 spellings of IPv4 addresses go where the IPv4 address goes.
        ("https://[::ffff:127.0.0.1]/hook", "::ffff:7f00:1: it is a loopback address."),
        ("https://[64:ff9b::a00:1]/hook", "64:ff9b::a00:1: it is a private address."),
        ("https://[2002:a9fe:a9fe::]/hook", "2002:a9fe:a9fe::: it is the cloud metadata address."),
        # The resolver reads 2130706433 as 127.0.0.1.
        (
            "https://2130706433/hook",
            "2130706433: it resolves to 127.0.0.1, a loopback address.",
        ),
    ],
)
def test_internal_addresses_are_refused(dns, url, message):
    with pytest.raises(UrlNotAllowed) as refused:
        url_check(url, allow_private=False)

    assert str(refused.value) == f"Webhooks cannot be sent to {message}"


@pytest.mark.parametrize(
    ("answers", "address", "reason"),
    [
        (["10.1.2.3"], "10.1.2.3", "a private address"),
        (["127.0.0.1"], "127.0.0.1", "a loopback address"),
        (["169.254.169.254"], "169.254.169.254", "the cloud metadata address"),
        ([PUBLIC_IP, "192.168.0.9"], "192.168.0.9", "a private address"),
        (["2001:4860:4860::8888", "fe80::7"], "fe80::7", "a link-local address"),
    ],
)
def test_a_name_that_resolves_to_any_internal_address_is_refused(dns, answers, address, reason):
    dns.answers["internal.brand.test"] = answers

    with pytest.raises(UrlNotAllowed) as refused:
        url_check("https://internal.brand.test/hook", allow_private=False)

    assert str(refused.value) == (
        f"Webhooks cannot be sent to internal.brand.test: it resolves to {address}, {reason}."
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.brand.test/hook", "Webhook URLs must use https://."),
        ("ftp://hooks.brand.test/hook", "Enter a full URL that starts with https://."),
        ("hooks.brand.test/hook", "Enter a full URL that starts with https://."),
        ("https://:443/hook", "Enter a full URL that starts with https://."),
        ("https://hooks.brand.test:99999/", "This is not a valid URL."),
        (
            "https://user:pw@hooks.brand.test/hook",
            "Remove the user name and password from the URL: check our signature instead.",
        ),
        ("https://hooks.brand.test/" + "x" * 2000, "The URL is longer than 2000 characters."),
    ],
)
def test_urls_of_the_wrong_shape_are_refused(dns, url, message):
    with pytest.raises(UrlNotAllowed) as refused:
        url_check(url, allow_private=False)

    assert str(refused.value) == message


def test_a_name_that_does_not_resolve_is_refused_as_unresolved(dns):
    with pytest.raises(UrlNotResolved) as refused:
        url_check("https://nowhere.brand.test/hook", allow_private=False)

    assert str(refused.value) == "The host name nowhere.brand.test could not be resolved."


def test_a_public_https_url_is_normalised(dns):
    url = url_check("https://Hooks.Brand.TEST./in/brandloom?token=a%20b#part", allow_private=False)

    assert url == "https://hooks.brand.test/in/brandloom?token=a%20b"


def test_an_international_name_is_sent_as_punycode(dns):
    dns.answers["xn--fsqu00a.test"] = [PUBLIC_IP]

    target = target_resolve("https://例子.test:8443/hook", allow_private=False)

    assert (target.host, target.port, target.host_header, target.addresses) == (
        "xn--fsqu00a.test",
        8443,
        "xn--fsqu00a.test:8443",
        (PUBLIC_IP,),
    )


def test_development_allows_loopback_and_plain_http(dns):
    dns.answers["dev.brand.test"] = ["127.0.0.1"]

    assert url_check("http://127.0.0.1:8000/hook", allow_private=True) == (
        "http://127.0.0.1:8000/hook"
    )
    assert url_check("http://dev.brand.test/", allow_private=True) == "http://dev.brand.test/"


def test_the_target_names_every_checked_address_and_the_host_to_present(dns):
    dns.answers["multi.brand.test"] = [PUBLIC_IP, "2001:4860:4860::8888", PUBLIC_IP]

    target = target_resolve("https://multi.brand.test/a/b?c=d", allow_private=False)

    assert target.addresses == (PUBLIC_IP, "2001:4860:4860::8888")
    assert (target.scheme, target.host, target.port, target.path, target.host_header) == (
        "https",
        "multi.brand.test",
        443,
        "/a/b?c=d",
        "multi.brand.test",
    )
