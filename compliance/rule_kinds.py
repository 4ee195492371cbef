"""The evidence kinds the rulebook's claims ask for (`needs_evidence`): what a piece of claim
evidence may be filed under, so that the checker can match it to the claims it proves."""

from compliance.checker import current_rulebook


def evidence_kinds() -> frozenset[str]:
    return frozenset(
        rule.needs_evidence for rule in current_rulebook().rules if rule.needs_evidence
    )
