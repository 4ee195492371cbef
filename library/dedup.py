"""The pipeline's near-duplicate checks: a new poster against the brand's library (which holds
the job's earlier renders too) and its enabled do-not-reuse banks; its copy against the banks'
copy and the brand's earlier copy.

A poster too close to something is drawn again with another seed and the next layout
(generation.rendering), at most APP_DEDUP_MAX_REDRAWS times. Then it is delivered flagged —
unless it is still near a bank entry: a bank says "never", so that render fails.

Two renders of one job drawn at the same moment on two workers do not see each other (each
sees only committed rows); the job's finalize step compares its renders once more and flags
the later of any near pair (job_duplicates_flag), so the job's duplicate rate counts them.
"""

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection

from generation.models import Render
from library import copy_hashes, fingerprints, image_hashes
from library.image_hashes import ImageSignature
from library.models import CopyHash


class Source:
    LIBRARY = "library"
    JOB = "job"
    BANK = "bank"


@dataclass(frozen=True)
class Verdict:
    match: fingerprints.Match | None = None
    source: str = ""

    @property
    def clear(self) -> bool:
        return self.match is None

    @property
    def banned(self) -> bool:
        return self.source == Source.BANK

    def as_json(self) -> dict[str, Any]:
        if self.match is None:
            return {}
        return {
            "kind": "image",
            "source": self.source,
            "asset_id": self.match.asset_id,
            "bank_entry_id": self.match.bank_entry_id,
            "distance": self.match.distance,
        }


def max_redraws() -> int:
    return int(settings.APP_DEDUP_MAX_REDRAWS)


def redraw_seed(seed: int, draw: int) -> int:
    """The seed of the `draw`-th redraw: far from the job's other variants' seeds (which are
    consecutive), and the same on every attempt, so a retried render draws the same posters."""
    return (seed + draw * 0x9E3779B1) % (2**63)


# How many near images a check looks at: siblings with other headlines are set aside first.
_CANDIDATES = 50


def image_check(
    *, tenant_id: int, job_id: int, query: ImageSignature, headline_bits: str | None = None,
    product_id: int | None = None,
) -> Verdict:  # fmt: skip
    """The closest duplicate of the poster among the brand's assets and enabled banks; a bank
    entry wins over a closer asset, because it is the one that must never be delivered.

    A generated asset whose headline or product differs is not a duplicate however close its
    picture (a template with another headline can be 6 PDQ bits away: the picture alone
    cannot tell). The headline, not the whole copy: a poster is read as its headline, and the
    host line and social post it does not show made posters with other headlines pass as the
    same copy (bench/pipeline.py). An uploaded image or a bank entry has no copy to compare,
    so its picture decides.
    """
    matches = fingerprints.nearest(
        tenant_id=tenant_id, query=query, limit=_CANDIDATES, duplicates_only=True
    )
    banked = next((match for match in matches if match.bank_entry_id is not None), None)
    if banked is not None:
        return Verdict(banked, Source.BANK)
    candidates = [match for match in matches if match.asset_id is not None]
    if headline_bits is not None and candidates:
        other = _other_content(
            tenant_id, [m.asset_id for m in candidates], headline_bits, product_id
        )
        candidates = [m for m in candidates if m.asset_id not in other]
    if not candidates:
        return Verdict()
    match = candidates[0]
    same_job = Render.objects.filter(
        tenant_id=tenant_id, job_id=job_id, asset_id=match.asset_id
    ).exists()
    return Verdict(match, Source.JOB if same_job else Source.LIBRARY)


def _other_content(
    tenant_id: int, asset_ids: list[int | None], headline_bits: str, product_id: int | None
) -> set[int]:
    """The generated assets among `asset_ids` whose renders show another product or another
    headline (by the headlines' SimHashes); uploads have no render and are not among them."""
    sql = """
        SELECT r.asset_id
        FROM generation_render r JOIN library_copyhash c ON c.render_id = r.id
        WHERE r.tenant_id = %s AND c.tenant_id = %s AND r.asset_id = ANY(%s)
        GROUP BY r.asset_id
        HAVING bool_and(r.product_id IS DISTINCT FROM %s
                        OR (c.headline <~> %s::bit(64)) > %s)
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [tenant_id, tenant_id, asset_ids, product_id, headline_bits,
             copy_hashes.DUPLICATE_DISTANCE],
        )  # fmt: skip
        return {row[0] for row in cursor.fetchall()}


@dataclass(frozen=True)
class CopyMatch:
    render_id: int | None
    bank_entry_id: int | None
    distance: int

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": "copy",
            "source": Source.BANK if self.bank_entry_id else Source.LIBRARY,
            "render_id": self.render_id,
            "bank_entry_id": self.bank_entry_id,
            "distance": self.distance,
        }


def copy_check(*, tenant_id: int, render_id: int | None, bits: str) -> CopyMatch | None:
    """The closest near-duplicate of a copy's SimHash: bank copy first, then earlier renders."""
    sql = """
        SELECT render_id, bank_entry_id, bits <~> %s::bit(64) AS distance
        FROM library_copyhash
        WHERE tenant_id = %s AND (bits <~> %s::bit(64)) <= %s
          AND render_id IS DISTINCT FROM %s
          AND (render_id IS NOT NULL OR bank_entry_id IN (
                SELECT e.id FROM library_bankentry e JOIN library_bank b ON b.id = e.bank_id
                WHERE e.tenant_id = %s AND b.enabled))
        ORDER BY bank_entry_id IS NULL, distance, render_id
        LIMIT 1
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [bits, tenant_id, bits, copy_hashes.DUPLICATE_DISTANCE, render_id, tenant_id]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return CopyMatch(row[0], row[1], int(row[2]))


def copy_store(*, tenant_id: int, render_id: int, bits: str, headline: str) -> None:
    CopyHash.objects.update_or_create(
        tenant_id=tenant_id, render_id=render_id, defaults={"bits": bits, "headline": headline}
    )


def job_duplicates_flag(*, tenant_id: int, job_id: int) -> int:
    """Flag the later of any two delivered renders of the job whose posters are near-duplicates
    by their full-image PDQ, with the same product and a near-identical headline (drawn at
    the same moment did not see each other); returns how many were flagged. The job's finalize
    step calls it under the job's row lock."""
    pdq = image_hashes.STORED_KINDS[0]
    threshold = next(t for q, s, t in image_hashes.COMPARED if q == pdq and s == pdq)
    sql = """
        SELECT DISTINCT ON (later.id)
               later.id, later.duplicate, earlier.asset_id, first.bits <~> second.bits
        FROM generation_render earlier
        JOIN generation_render later
          ON later.job_id = earlier.job_id AND later.id > earlier.id
         AND later.asset_id <> earlier.asset_id
        JOIN library_imagehash first ON first.asset_id = earlier.asset_id AND first.kind = %s
        JOIN library_imagehash second ON second.asset_id = later.asset_id AND second.kind = %s
        JOIN library_copyhash first_copy ON first_copy.render_id = earlier.id
        JOIN library_copyhash second_copy ON second_copy.render_id = later.id
        WHERE earlier.tenant_id = %s AND later.tenant_id = %s AND earlier.job_id = %s
          AND earlier.status = 'done' AND later.status = 'done' AND NOT later.duplicate ? 'kind'
          AND earlier.product_id IS NOT DISTINCT FROM later.product_id
          AND (first.bits <~> second.bits) <= %s
          AND (first_copy.headline <~> second_copy.headline) <= %s
        ORDER BY later.id, first.bits <~> second.bits
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [pdq, pdq, tenant_id, tenant_id, job_id, threshold, copy_hashes.DUPLICATE_DISTANCE],
        )
        rows = cursor.fetchall()
    for render_id, duplicate, asset_id, distance in rows:
        # Kept: a copy flag the render got when it was drawn (copy near the brand's earlier copy).
        # A raw query returns jsonb as text (Django decodes JSONField itself).
        flag = {
            "kind": "image", "source": Source.JOB, "asset_id": asset_id, "bank_entry_id": None,
            "distance": int(distance),
        }  # fmt: skip
        Render.objects.filter(tenant_id=tenant_id, pk=render_id).update(
            duplicate={**json.loads(duplicate), **flag}
        )
    return len(rows)


def asset_banned(*, tenant_id: int, asset_id: int) -> bool:
    """Whether a stored asset is near an entry of an enabled bank (full-image PDQ against the
    entries' own): a render that would reuse it draws anew instead."""
    pdq = image_hashes.STORED_KINDS[0]
    threshold = next(t for q, s, t in image_hashes.COMPARED if q == pdq and s == pdq)
    sql = """
        SELECT EXISTS (
            SELECT 1 FROM library_imagehash asset
            JOIN library_imagehash entry ON entry.tenant_id = asset.tenant_id AND entry.kind = %s
            JOIN library_bankentry e ON e.id = entry.bank_entry_id
            JOIN library_bank b ON b.id = e.bank_id AND b.enabled
            WHERE asset.tenant_id = %s AND asset.asset_id = %s AND asset.kind = %s
              AND (asset.bits <~> entry.bits) <= %s
        )
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [pdq, tenant_id, asset_id, pdq, threshold])
        row = cursor.fetchone()
    return bool(row and row[0])
