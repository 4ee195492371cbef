import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from compliance import checker
from tests.compliance.factories import claim_evidence, custom_rule
from tests.tenants.factories import TenantFactory


def run(lines: list[str], *args: str) -> tuple[list[dict], str, CommandError | None]:
    stdout, stderr = io.StringIO(), io.StringIO()
    error = None
    try:
        call_command(
            "check_copy",
            *args,
            stdin=io.StringIO("\n".join(lines) + "\n"),
            stdout=stdout,
            stderr=stderr,
        )
    except CommandError as raised:
        error = raised
    return [json.loads(line) for line in stdout.getvalue().splitlines()], stderr.getvalue(), error


def test_good_lines_are_checked_in_order():
    output, _, error = run(
        [
            json.dumps({"id": "a1", "text": "最好的面霜，最近很火"}, ensure_ascii=False),
            json.dumps({"id": 2, "text": "Best before 2027.", "lang": "en", "category": "food"}),
            json.dumps(
                {"id": "a3", "text": "增强免疫力", "category": "玄学用品"}, ensure_ascii=False
            ),
        ]
    )
    assert error is None
    version = checker.ruleset_version()
    assert output == [
        {
            "id": "a1",
            "verdict": "block",
            "findings": [
                {
                    "rule": "zh.superlative.zuihao",
                    "family": "superlative",
                    "match": "最好",
                    "start": 0,
                    "end": 2,
                    "severity": "block",
                    "reference": "《广告法》第九条第（三）项",
                    "suggestion": "很好",
                    "message": "“最好”用于夸赞商品时属绝对化用语。",
                }
            ],
            "citations": [],
            "ruleset_version": version,
            "warnings": [],
        },
        {
            "id": 2,
            "verdict": "pass",
            "findings": [],
            "citations": [],
            "ruleset_version": version,
            "warnings": [],
        },
        {
            "id": "a3",
            "verdict": "review",
            "findings": [checker.check_text("增强免疫力").findings[0].as_json()],
            "citations": [],
            "ruleset_version": version,
            "warnings": ["Unknown category '玄学用品': checked as general."],
        },
    ]


def test_bad_lines_are_reported_by_number_and_the_rest_still_checked():
    output, _, error = run(
        [
            json.dumps({"id": 1, "text": "温和配方"}, ensure_ascii=False),
            "{not json",
            "",
            json.dumps({"text": "没有 id"}, ensure_ascii=False),
            json.dumps({"id": 5, "text": ""}),
            json.dumps({"id": 6, "text": "好" * 100_001}, ensure_ascii=False),
            json.dumps([1, 2]),
            json.dumps({"id": 8, "text": "全网最低价"}, ensure_ascii=False),
        ]
    )
    assert [row.get("id") for row in output] == [1, None, None, None, None, None, 8]
    assert [(row.get("line"), row.get("error")) for row in output if "error" in row] == [
        (2, "Not valid JSON (Expecting property name enclosed in double quotes at column 2)."),
        (4, "A line needs an id and a text (a string)."),
        (5, "The text is empty; there is nothing to check."),
        (6, "The text has 100,001 characters; the checker takes at most 100,000."),
        (7, "A line must be a JSON object with an id and a text."),
    ]
    assert output[-1]["verdict"] == "block"
    assert str(error) == "5 lines could not be checked; see the lines with an error on stdout."


def test_one_bad_line_is_counted_in_the_singular():
    _, _, error = run(["nope"])
    assert str(error) == "1 line could not be checked; see the lines with an error on stdout."


@pytest.mark.django_db
def test_tenant_adds_the_brands_words_and_evidence():
    brand = TenantFactory()
    custom_rule(brand, "banned", "竞品")
    claim_evidence(brand, "sales_rank", valid_from=date(2020, 1, 1), title="销量第一证明")
    output, _, error = run(
        [json.dumps({"id": 1, "text": "比竞品好，销量第一"}, ensure_ascii=False)],
        "--tenant",
        brand.slug,
    )
    assert error is None
    assert [(f["rule"], f["match"]) for f in output[0]["findings"]] == [("brand.banned", "竞品")]
    assert [(c["rule"], c["match"], c["evidence_title"]) for c in output[0]["citations"]] == [
        ("zh.claim.sales_rank", "销量第一", "销量第一证明")
    ]


@pytest.mark.django_db
def test_an_unknown_tenant_is_refused():
    _, _, error = run(["{}"], "--tenant", "no-such-brand")
    assert str(error) == "No brand has the slug 'no-such-brand'."
