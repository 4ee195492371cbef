"""The ad-law rulebook: the TOML files under `compliance/rules/`, validated and compiled once.

Rules are data so that a lawyer's change is a reviewed diff of a rule file, and so that every
verdict can name the exact rules it was judged by (`Rulebook.version` carries a hash of the
files). The format is described in `compliance/rules/README.md`.

Compiling puts every term (and every pattern's anchor words) into one Aho-Corasick automaton,
so a check reads the text once whatever the number of rules; a pattern's regex runs only when
one of its anchors occurs in the text.
"""

from __future__ import annotations

import hashlib
import re
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick

from compliance.types import Severity

DEFAULT_RULES_DIR = Path(__file__).resolve().parent / "rules"

LANGS = ("zh", "en", "any")
KINDS = ("match", "price_comparison", "missing_sentence")

_VERSION = re.compile(r"^\d{4}\.\d{1,2}\.\d+$")
_RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_FAMILY = re.compile(r"^[a-z][a-z_]*$")
_CATEGORY = re.compile(r"^[a-z][a-z_]*$")

_RULE_KEYS = {
    "id": str,
    "family": str,
    "lang": str,
    "kind": str,
    "severity": str,
    "reference": str,
    "references": dict,
    "message": str,
    "message_unverifiable": str,
    "suggestion": str,
    "suggestions": dict,
    "terms": list,
    "patterns": list,
    "anchors": list,
    "categories": list,
    "exempt_categories": list,
    "not_preceded_by": list,
    "not_followed_by": list,
    "not_preceded_by_pattern": str,
    "not_followed_by_pattern": str,
    "except_words": list,
    "word_boundary": bool,
    "needs_evidence": str,
    "unless_text_contains": list,
}
_REQUIRED_RULE_KEYS = ("id", "family", "lang", "severity", "reference", "message", "suggestion")
_FILE_KEYS = {"version", "rule", "categories", "safe_phrases"}


class RulebookError(ValueError):
    """A rule file that cannot be used; the message names the file and the rule."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    family: str
    lang: str
    kind: str
    severity: Severity
    reference: str
    references: Mapping[str, str]  # category -> the article that applies in that category
    message: str
    message_unverifiable: str
    suggestion: str
    suggestions: Mapping[str, str]  # lowercased term -> its own suggestion
    terms: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    anchors: tuple[str, ...]
    categories: frozenset[str] | None  # None: every category
    exempt_categories: frozenset[str]
    not_preceded_by: tuple[str, ...]
    not_followed_by: tuple[str, ...]
    not_preceded_by_pattern: re.Pattern[str] | None
    not_followed_by_pattern: re.Pattern[str] | None
    except_words: frozenset[str]
    except_words_longest: int
    word_boundary: bool
    needs_evidence: str | None
    unless_text_contains: tuple[str, ...]
    source: str  # the file it came from, for error messages

    def applies_to(self, category: str) -> bool:
        if category in self.exempt_categories:
            return False
        return self.categories is None or category in self.categories

    def reference_for(self, category: str) -> str:
        return self.references.get(category, self.reference)

    def suggestion_for(self, matched: str) -> str:
        suggestion = self.suggestions.get(matched.lower(), self.suggestion)
        return suggestion.replace("{match}", matched)


# What the automaton holds for one key: the rules that use it as a term or as an anchor, and
# whether it is a safe phrase (a span inside which nothing is reported).
@dataclass(frozen=True, slots=True)
class KeyEntry:
    length: int
    # A key that starts (ends) with a Latin letter or digit matches only at a word boundary on
    # that side: "cure" must not match inside "manicure", "ward" inside "awarded".
    left_boundary: bool
    right_boundary: bool
    term_rules: tuple[int, ...]
    anchor_rules: tuple[int, ...]
    is_safe_phrase: bool


@dataclass(frozen=True, slots=True)
class Rulebook:
    version: str  # "<declared version>+<8 hex of the files' sha256>"
    rules: tuple[Rule, ...]
    automaton: Any  # ahocorasick.Automaton of lowercased keys -> KeyEntry
    unanchored_pattern_rules: tuple[int, ...]  # pattern rules that run on every text
    categories: tuple[str, ...]
    category_aliases: Mapping[str, str]  # lowercased alias -> category
    rules_by_id: Mapping[str, Rule]
    missing_sentence_rules: frozenset[str]  # ids of the rules of kind missing_sentence
    # (lang, category) -> whether each rule applies; filled on first use of the pair.
    _active: dict[tuple[str, str], tuple[bool, ...]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def active(self, lang: str, category: str) -> tuple[bool, ...]:
        key = (lang, category)
        flags = self._active.get(key)
        if flags is None:
            flags = tuple(
                (rule.lang == "any" or rule.lang == lang) and rule.applies_to(category)
                for rule in self.rules
            )
            with self._lock:
                self._active[key] = flags
        return flags

    def resolve_category(self, category: str | None) -> tuple[str, str | None]:
        """(category, warning): a free-text product category read as one of ours."""
        if category is None or not category.strip():
            return "general", None
        wanted = category.strip().lower()
        if wanted in self.category_aliases:
            return self.category_aliases[wanted], None
        # "美妆/护肤 > 面霜", "Beauty, Skincare": the first part we know decides.
        for part in re.split(r"[/>|,，、;；\s]+", wanted):
            if part in self.category_aliases:
                return self.category_aliases[part], None
        return "general", f"Unknown category {category.strip()!r}: checked as general."


def is_word_char(char: str) -> bool:
    """A letter or digit of a spaced script (Latin, Greek, Cyrillic), where words have edges."""
    return char.isalnum() and char < "\u2e80"


def _fail(source: str, rule_id: str | None, problem: str) -> RulebookError:
    where = f"{source}: rule {rule_id!r}" if rule_id else source
    return RulebookError(f"{where}: {problem}.")


def _strings(value: Any, *, source: str, rule_id: str | None, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise _fail(source, rule_id, f"{key} must be a list of non-empty strings")
    return tuple(value)


def _regex(pattern: str, *, source: str, rule_id: str, key: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise _fail(source, rule_id, f"{key} {pattern!r} is not a valid regex ({error})") from None


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _parse_rule(raw: Any, *, source: str, index: int, categories: set[str]) -> Rule:
    if not isinstance(raw, dict):
        raise _fail(source, None, f"rule number {index + 1} is not a table")
    rule_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    if rule_id is None:
        raise _fail(source, None, f"rule number {index + 1} has no string id")
    for key, value in raw.items():
        if key not in _RULE_KEYS:
            raise _fail(source, rule_id, f"unknown key {key!r}")
        if not isinstance(value, _RULE_KEYS[key]):
            raise _fail(source, rule_id, f"{key} must be a {_RULE_KEYS[key].__name__}")
    for key in _REQUIRED_RULE_KEYS:
        if key not in raw:
            raise _fail(source, rule_id, f"the required key {key!r} is missing")
    if not _RULE_ID.match(rule_id):
        raise _fail(source, rule_id, "an id is dotted lowercase words like 'zh.superlative.zui'")
    if not _FAMILY.match(raw["family"]):
        raise _fail(source, rule_id, "family must be a lowercase word")
    if raw["lang"] not in LANGS:
        raise _fail(source, rule_id, f"lang must be one of {', '.join(LANGS)}")
    kind = raw.get("kind", "match")
    if kind not in KINDS:
        raise _fail(source, rule_id, f"kind must be one of {', '.join(KINDS)}")
    try:
        severity = Severity(raw["severity"])
    except ValueError:
        raise _fail(source, rule_id, "severity must be 'block' or 'review'") from None
    for key in ("reference", "message"):
        if not raw[key].strip():
            raise _fail(source, rule_id, f"{key} must not be empty")

    terms = _strings(raw.get("terms", []), source=source, rule_id=rule_id, key="terms")
    pattern_texts = _strings(
        raw.get("patterns", []), source=source, rule_id=rule_id, key="patterns"
    )
    if not terms and not pattern_texts:
        raise _fail(source, rule_id, "a rule needs terms or patterns")
    patterns = tuple(
        _regex(text, source=source, rule_id=rule_id, key="pattern") for text in pattern_texts
    )
    anchors = _strings(raw.get("anchors", []), source=source, rule_id=rule_id, key="anchors")
    if anchors and not patterns:
        raise _fail(source, rule_id, "anchors only make sense with patterns")

    if kind == "price_comparison":
        if terms or not patterns:
            raise _fail(source, rule_id, "a price_comparison rule has patterns and no terms")
        for pattern in patterns:
            if "amount" not in pattern.groupindex:
                raise _fail(
                    source, rule_id, f"pattern {pattern.pattern!r} needs an (?P<amount>...) group"
                )
        if not raw.get("message_unverifiable", "").strip():
            raise _fail(source, rule_id, "a price_comparison rule needs message_unverifiable")
    elif "message_unverifiable" in raw:
        raise _fail(source, rule_id, "message_unverifiable is only for price_comparison rules")
    if kind == "missing_sentence" and "unless_text_contains" not in raw:
        raise _fail(source, rule_id, "a missing_sentence rule needs unless_text_contains")

    def category_set(key: str) -> frozenset[str]:
        values = _strings(raw.get(key, []), source=source, rule_id=rule_id, key=key)
        unknown = sorted(set(values) - categories)
        if unknown:
            raise _fail(source, rule_id, f"{key} names unknown categories {', '.join(unknown)}")
        return frozenset(values)

    applies = category_set("categories") if "categories" in raw else None
    exempt = category_set("exempt_categories")
    if applies is not None and exempt:
        raise _fail(source, rule_id, "use categories or exempt_categories, not both")

    references = raw.get("references", {})
    for key, value in references.items():
        if key not in categories or not isinstance(value, str) or not value.strip():
            raise _fail(source, rule_id, f"references.{key} must map a known category to text")
    lowered_terms = {term.lower() for term in terms}
    suggestions = {}
    for key, value in raw.get("suggestions", {}).items():
        if key.lower() not in lowered_terms or not isinstance(value, str):
            raise _fail(source, rule_id, f"suggestions.{key} must map one of the terms to text")
        suggestions[key.lower()] = value

    def optional_regex(key: str) -> re.Pattern[str] | None:
        return _regex(raw[key], source=source, rule_id=rule_id, key=key) if key in raw else None

    def lowered(key: str) -> tuple[str, ...]:
        values = _strings(raw.get(key, []), source=source, rule_id=rule_id, key=key)
        return tuple(value.lower() for value in values)

    return Rule(
        id=rule_id,
        family=raw["family"],
        lang=raw["lang"],
        kind=kind,
        severity=severity,
        reference=raw["reference"],
        references=dict(references),
        message=raw["message"],
        message_unverifiable=raw.get("message_unverifiable", ""),
        suggestion=raw["suggestion"],
        suggestions=suggestions,
        terms=terms,
        patterns=patterns,
        anchors=anchors,
        categories=applies,
        exempt_categories=exempt,
        not_preceded_by=lowered("not_preceded_by"),
        not_followed_by=lowered("not_followed_by"),
        not_preceded_by_pattern=optional_regex("not_preceded_by_pattern"),
        not_followed_by_pattern=optional_regex("not_followed_by_pattern"),
        except_words=frozenset(lowered("except_words")),
        except_words_longest=max(map(len, lowered("except_words")), default=0),
        word_boundary=raw.get("word_boundary", True),
        needs_evidence=raw.get("needs_evidence"),
        unless_text_contains=lowered("unless_text_contains"),
        source=source,
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise _fail(path.name, None, f"cannot be read as TOML ({error})") from None
    unknown = sorted(set(data) - _FILE_KEYS)
    if unknown:
        raise _fail(path.name, None, f"unknown top-level keys {', '.join(unknown)}")
    version = data.get("version")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise _fail(path.name, None, 'the header needs version = "YYYY.MM.N"')
    return data


def load(rules_dir: Path) -> Rulebook:
    """Read, validate and compile every *.toml file of `rules_dir`; raises RulebookError."""
    paths = sorted(rules_dir.glob("*.toml"))
    if not paths:
        raise RulebookError(f"{rules_dir}: no rule files (*.toml) found.")
    files = [(path, _read(path)) for path in paths]
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    declared = max((data["version"] for _, data in files), key=_version_key)

    aliases: dict[str, str] = {}
    for path, data in files:
        for name, table in data.get("categories", {}).items():
            if not _CATEGORY.match(name) or not isinstance(table, dict):
                raise _fail(path.name, None, f"category {name!r} must be a lowercase word table")
            names = _strings(
                table.get("aliases", []), source=path.name, rule_id=None, key=f"{name}.aliases"
            )
            for alias in (name, *names):
                owner = aliases.setdefault(alias.lower(), name)
                if owner != name:
                    raise _fail(path.name, None, f"alias {alias!r} is both {owner} and {name}")
    categories = set(aliases.values())
    if "general" not in categories:
        raise RulebookError(f"{rules_dir}: no rule file defines the category 'general'.")

    rules: list[Rule] = []
    safe_phrases: list[str] = []
    seen: dict[str, str] = {}
    for path, data in files:
        safe_phrases += _strings(
            data.get("safe_phrases", []), source=path.name, rule_id=None, key="safe_phrases"
        )
        raw_rules = data.get("rule", [])
        if not isinstance(raw_rules, list):
            raise _fail(path.name, None, "rules are written as [[rule]] tables")
        for index, raw in enumerate(raw_rules):
            rule = _parse_rule(raw, source=path.name, index=index, categories=categories)
            if rule.id in seen:
                raise _fail(path.name, rule.id, f"the id is already used in {seen[rule.id]}")
            seen[rule.id] = path.name
            rules.append(rule)

    return _compile(
        version=f"{declared}+{digest.hexdigest()[:8]}",
        rules=tuple(rules),
        safe_phrases=safe_phrases,
        categories=tuple(sorted(categories)),
        aliases=aliases,
    )


def _compile(
    *,
    version: str,
    rules: tuple[Rule, ...],
    safe_phrases: list[str],
    categories: tuple[str, ...],
    aliases: dict[str, str],
) -> Rulebook:
    term_rules: dict[str, list[int]] = {}
    anchor_rules: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        for term in rule.terms:
            term_rules.setdefault(term.lower(), []).append(index)
        for anchor in rule.anchors:
            anchor_rules.setdefault(anchor.lower(), []).append(index)
    safe = {phrase.lower() for phrase in safe_phrases}
    automaton = ahocorasick.Automaton()
    for key in set(term_rules) | set(anchor_rules) | safe:
        automaton.add_word(
            key,
            KeyEntry(
                length=len(key),
                left_boundary=is_word_char(key[0]),
                right_boundary=is_word_char(key[-1]),
                term_rules=tuple(dict.fromkeys(term_rules.get(key, ()))),
                anchor_rules=tuple(dict.fromkeys(anchor_rules.get(key, ()))),
                is_safe_phrase=key in safe,
            ),
        )
    automaton.make_automaton()
    unanchored = tuple(
        index for index, rule in enumerate(rules) if rule.patterns and not rule.anchors
    )
    return Rulebook(
        version=version,
        rules=rules,
        automaton=automaton,
        unanchored_pattern_rules=unanchored,
        categories=categories,
        category_aliases=aliases,
        rules_by_id={rule.id: rule for rule in rules},
        missing_sentence_rules=frozenset(r.id for r in rules if r.kind == "missing_sentence"),
    )
