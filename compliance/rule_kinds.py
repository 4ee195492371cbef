"""The evidence kinds the rulebook's claims ask for (`needs_evidence`), for validating evidence."""

from functools import cache

# TODO(helperB): read these from compliance.rulebook once the engine is committed.
_KINDS = frozenset({"sales_rank", "award", "clinical", "lab_test"})


@cache
def evidence_kinds() -> frozenset[str]:
    return _KINDS
