import html as html_module
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from compliance import checker
from compliance.highlight import highlight
from compliance.types import Citation, Finding, Severity
from tenants.roles import Role
from tests.compliance.factories import custom_rule
from tests.generation.factories import product
from tests.tenants.factories import TenantFactory, member

pytestmark = pytest.mark.django_db

SCRIPT = '家人们！<script>alert("x")</script> 这款神药面霜，<b>买一送一</b> & 神药再来一次'


def logged_in(tenant, role=Role.VIEWER) -> Client:
    client = Client()
    client.force_login(member(tenant, role).user)
    return client


def banned(tenant, *words) -> None:
    for word in words:
        custom_rule(tenant, "banned", word)


def marks(html: str) -> list[tuple[str, str]]:
    """(class, text) of every highlight in the checked copy, anchors left out."""
    [copy] = re.findall(r'<div class="copy-text">(.*?)</div>', html, re.S)
    found = re.findall(r'<mark class="hl ([\w-]+)"[^>]*>(.*?)</mark>', copy, re.S)
    return [(css, re.sub(r"<span [^>]*></span>", "", text)) for css, text in found]


def test_any_member_sees_the_form_with_categories_and_rule_set():
    tenant = TenantFactory()
    product(tenant, sku="SERUM-30", title="玻尿酸补水精华液")

    response = logged_in(tenant).get("/compliance/check/")

    assert response.status_code == 200
    html = response.text
    assert 'maxlength="100000"' in html
    assert f"Rule set {checker.ruleset_version()}" in html
    for code in checker.known_categories():
        assert f'<option value="{code}"' in html
    assert "玻尿酸补水精华液 · SERUM-30" in html
    assert 'aria-current="page">Copy check</a>' in html


def test_findings_are_marked_at_their_exact_spans_and_pasted_html_stays_text():
    tenant = TenantFactory()
    banned(tenant, "神药")

    response = logged_in(tenant).post("/compliance/check/", {"text": SCRIPT, "lang": "zh"})

    assert response.status_code == 200
    html = response.text
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;买一送一&lt;/b&gt; &amp; " in html
    assert marks(html) == [("hl-block", "神药"), ("hl-block", "神药")]
    result = response.context["result"]
    spans = [(f.start, f.end) for f in result.findings if f.rule == checker.BRAND_BANNED_RULE]
    first = SCRIPT.index("神药")
    assert spans == [(first, first + 2), (SCRIPT.rindex("神药"), SCRIPT.rindex("神药") + 2)]
    # The text between the marks is the pasted text, escaped, in order.
    [copy] = re.findall(r'<div class="copy-text">(.*?)</div>', html, re.S)
    plain = re.sub(r"<[^>]+>", "", copy)
    assert html_module.unescape(plain) == SCRIPT
    assert 'id="verdict">Must change<' in html
    assert "品牌禁用词（品牌规范）" in html  # the legal reference column


def test_an_htmx_check_answers_with_the_panel_only():
    tenant = TenantFactory()
    banned(tenant, "神药")

    response = logged_in(tenant).post(
        "/compliance/check/", {"text": "神药"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    assert marks(response.text) == [("hl-block", "神药")]


def test_text_without_findings_passes():
    response = logged_in(TenantFactory()).post(
        "/compliance/check/", {"text": "今天的直播就到这里，谢谢大家。"}
    )

    assert response.status_code == 200
    assert 'id="verdict">Passes<' in response.text
    assert "Nothing to change" in response.text


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"text": ""}, "Paste the copy or script to check."),
        ({"text": "   \n\t "}, "Paste the copy or script to check."),
        (
            {"text": "好" * (checker.MAX_TEXT_CHARS + 1)},
            "The text has 100001 characters; the check takes at most 100000.",
        ),
        ({"text": "好", "category": "weapons"}, "Select a valid choice."),
        ({"text": "好", "product": "abc"}, "Select a valid choice."),
        ({"text": "好", "lang": "fr"}, "Select a valid choice."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_is_a_form_error(data, error, htmx):
    headers = {"HX-Request": "true"} if htmx else {}

    response = logged_in(TenantFactory()).post("/compliance/check/", data, headers=headers)

    assert response.status_code == (200 if htmx else 400)
    assert error in response.text
    assert 'id="verdict"' not in response.text


def test_another_brands_product_is_not_a_choice():
    mine, theirs = TenantFactory(), TenantFactory()
    their_product = product(theirs, sku="THEIRS")

    response = logged_in(mine).post(
        "/compliance/check/", {"text": "好", "product": str(their_product.pk)}
    )

    assert response.status_code == 400
    assert "Select a valid choice." in response.text
    assert "THEIRS" not in response.text


def test_one_brands_banned_words_do_not_mark_another_brands_copy():
    mine, theirs = TenantFactory(), TenantFactory()
    banned(theirs, "神药")

    response = logged_in(mine).post("/compliance/check/", {"text": "这款神药面霜"})

    assert 'id="verdict">Passes<' in response.text


def test_the_check_costs_the_same_queries_however_many_products_and_rules():
    tenant = TenantFactory()
    client = logged_in(tenant)
    product(tenant, sku="P-0")
    banned(tenant, "神药")
    with CaptureQueriesContext(connection) as few:
        client.post("/compliance/check/", {"text": "神药"})
    for n in range(1, 6):
        product(tenant, sku=f"P-{n}")
    banned(tenant, "灵丹", "妙药", "特效")

    with CaptureQueriesContext(connection) as many:
        client.post("/compliance/check/", {"text": "神药"})

    assert len(many.captured_queries) == len(few.captured_queries)


def test_anonymous_users_are_sent_to_log_in():
    response = Client().get("/compliance/check/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# THE HIGHLIGHT ------------------------------------------------------------------------------


def finding(start, end, text, severity=Severity.REVIEW, rule="zh.test"):
    return Finding(rule, "test", text[start:end], start, end, severity, "《广告法》第九条", "")


def test_overlapping_spans_take_the_strongest_mark_and_keep_the_text_whole():
    text = "全网最低价的最好面霜"
    findings = [finding(0, 5, text, Severity.BLOCK), finding(3, 8, text)]
    citations = [Citation("zh.cite", text[8:10], 8, 10, 7, "检测报告", "SGS")]

    segments = highlight(text, findings, citations)

    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.mark, s.numbers, s.anchors) for s in segments] == [
        ("全网最", "block", (1,), (1,)),
        ("低价", "block", (1, 2), (2,)),
        ("的最好", "review", (2,), ()),
        ("面霜", "cited", (), ()),
    ]


def test_spans_that_do_not_fit_the_text_are_left_out():
    text = "最好的面霜"
    stale = {"start": 0, "end": 2, "match": "最佳", "severity": "block"}
    outside = {"start": 3, "end": 40, "match": "", "severity": "block"}

    assert highlight(text, [stale, outside]) == highlight(text, [])
    assert [s.text for s in highlight(text, [])] == [text]


def test_a_products_unverifiable_reference_price_is_listed_without_a_mark():
    tenant = TenantFactory()
    serum = product(
        tenant,
        sku="SERUM",
        reference_price=Decimal("299.00"),
        reference_price_basis="前30日最低价",
        category="护肤",
    )

    response = logged_in(tenant).post(
        "/compliance/check/", {"text": "今天的直播就到这里。", "product": str(serum.pk)}
    )

    assert response.status_code == 200
    [finding] = response.context["checked"].findings
    assert (finding.match, finding.severity, finding.in_text) == ("CNY 299.00", "review", False)
    assert "cannot be verified" in response.text
    assert marks(response.text) == []
    assert 'href="#match-1"' not in response.text
