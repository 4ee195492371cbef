"""What the review and moderation services refuse (the API maps them: 409, 400, 403)."""

from typing import Any


class ReviewStateError(Exception):
    """The item or case is in a state that does not allow this (approving a rejected item,
    appealing twice, deciding a case someone else has claimed). API: 409 `conflict`."""


class CopyStillBlocked(Exception):
    """An edited copy that the check still blocks: it is not stored. API: 400 `copy_blocked`,
    with the findings in the details."""

    def __init__(self, message: str, *, result: dict[str, Any]) -> None:
        super().__init__(message)
        self.result = result
