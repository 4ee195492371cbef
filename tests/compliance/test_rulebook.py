import re
import shutil
from pathlib import Path

import pytest

from compliance import checker, rulebook
from compliance.rulebook import RulebookError

RULES = Path(rulebook.__file__).resolve().parent / "rules"

GOOD_RULE = """
[[rule]]
id = "zh.test.example"
family = "superlative"
lang = "zh"
severity = "block"
reference = "《广告法》第九条第（三）项"
message = "测试规则。"
suggestion = ""
terms = ["测试词"]
"""


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    return copy


def add_file(rules_dir: Path, body: str, name: str = "extra.toml") -> None:
    (rules_dir / name).write_text('version = "2026.12.1"\n' + body, encoding="utf-8")


def test_the_shipped_rules_load():
    book = rulebook.load(RULES)
    assert len(book.rules) > 40
    assert re.fullmatch(r"2026\.12\.1\+[0-9a-f]{8}", book.version)
    assert checker.ruleset_version() == book.version


def test_a_good_extra_rule_loads_and_matches(rules_dir, settings):
    add_file(rules_dir, GOOD_RULE)
    settings.APP_COMPLIANCE_RULES_DIR = str(rules_dir)
    result = checker.check_text("这是测试词")
    assert [(f.rule, f.match, f.start, f.end) for f in result.findings] == [
        ("zh.test.example", "测试词", 2, 5)
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('severity = "block"', 'severity = "fatal"'), "severity must be 'block' or 'review'"),
        (('lang = "zh"', 'lang = "fr"'), "lang must be one of zh, en, any"),
        (('terms = ["测试词"]', "terms = []"), "a rule needs terms or patterns"),
        (
            ('terms = ["测试词"]', 'terms = ["测试词", ""]'),
            "terms must be a list of non-empty strings",
        ),
        (
            ('terms = ["测试词"]', 'patterns = ["(unclosed"]'),
            "pattern '(unclosed' is not a valid regex",
        ),
        (
            ('suggestion = ""', 'suggestion = ""\ncategories = ["pets"]'),
            "categories names unknown categories pets",
        ),
        (('suggestion = ""', 'suggestion = ""\nterm = ["typo"]'), "unknown key 'term'"),
        (('message = "测试规则。"\n', ""), "the required key 'message' is missing"),
        (('family = "superlative"', "family = 3"), "family must be a str"),
        (
            ('suggestion = ""', 'suggestion = ""\nsuggestions = { "其他" = "x" }'),
            "suggestions.其他 must map one of the terms to text",
        ),
        (
            (
                'suggestion = ""',
                'suggestion = ""\ncategories = ["food"]\nexempt_categories = ["drug"]',
            ),
            "use categories or exempt_categories, not both",
        ),
        (
            ('suggestion = ""', 'suggestion = ""\nkind = "price_comparison"'),
            "a price_comparison rule has patterns and no terms",
        ),
        (('id = "zh.test.example"', 'id = "Bad Id"'), "an id is dotted lowercase words"),
    ],
)
def test_a_bad_rule_names_its_file_and_id(rules_dir, change, message):
    old, new = change
    add_file(rules_dir, GOOD_RULE.replace(old, new), name="broken.toml")
    with pytest.raises(RulebookError) as raised:
        rulebook.load(rules_dir)
    text = str(raised.value)
    assert text.startswith("broken.toml: rule ")
    assert message in text
    assert text.endswith(".")
    assert text.count("\n") == 0


def test_a_duplicate_id_names_both_files(rules_dir):
    add_file(rules_dir, GOOD_RULE, name="a_first.toml")
    add_file(rules_dir, GOOD_RULE, name="b_second.toml")
    with pytest.raises(
        RulebookError,
        match=r"^b_second\.toml: rule 'zh\.test\.example': the id "
        r"is already used in a_first\.toml\.$",
    ):
        rulebook.load(rules_dir)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[[rule]\n", r"^broken\.toml: cannot be read as TOML \(.*\)\.$"),
        ("surprise = 1\n", r"^broken\.toml: unknown top-level keys surprise\.$"),
    ],
)
def test_a_broken_file_is_named(rules_dir, body, message):
    add_file(rules_dir, body, name="broken.toml")
    with pytest.raises(RulebookError, match=message):
        rulebook.load(rules_dir)


def test_a_file_without_a_version_is_refused(rules_dir):
    (rules_dir / "broken.toml").write_text(GOOD_RULE, encoding="utf-8")
    with pytest.raises(RulebookError, match=r'^broken\.toml: the header needs version = "YYYY'):
        rulebook.load(rules_dir)


def test_a_bad_rule_file_stops_the_checker(rules_dir, settings):
    add_file(rules_dir, GOOD_RULE.replace('lang = "zh"', 'lang = "fr"'), name="broken.toml")
    settings.APP_COMPLIANCE_RULES_DIR = str(rules_dir)
    with pytest.raises(RulebookError, match=r"broken\.toml: rule 'zh\.test\.example'"):
        checker.check_text("最好的面霜")


def test_ruleset_version_is_stable_and_follows_the_files(tmp_path, settings):
    first, second = tmp_path / "first", tmp_path / "second"
    shutil.copytree(RULES, first)
    shutil.copytree(RULES, second)
    assert (
        rulebook.load(first).version
        == rulebook.load(second).version
        == rulebook.load(RULES).version
    )

    path = second / "zh_ad_law.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"很"', '"非常"', 1), encoding="utf-8")
    changed = rulebook.load(second).version
    assert changed != rulebook.load(first).version
    assert changed.startswith("2026.12.1+")

    settings.APP_COMPLIANCE_RULES_DIR = str(second)
    assert checker.ruleset_version() == changed
    assert checker.check_text("最美").ruleset_version == changed
    assert checker.rewrite("最美", checker.check_text("最美")) == "非常美"


def test_the_highest_declared_version_wins(rules_dir):
    add_file(rules_dir, "", name="zz_newer.toml")
    (rules_dir / "zz_newer.toml").write_text('version = "2027.1.3"\n', encoding="utf-8")
    assert rulebook.load(rules_dir).version.startswith("2027.1.3+")
