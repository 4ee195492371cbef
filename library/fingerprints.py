"""Store the perceptual hashes of images and find a brand's nearest ones.

Two regimes, chosen per brand by how many images it has (bench/dedup.py measures both):

- exact: every hash of the brand is compared. `imagehash_exact_idx` carries the bits and the
  subject, so PostgreSQL reads the brand's hashes from that index alone (an index-only scan):
  ~2 ms p99 for 10,000 images among a million, and never a miss. It grows linearly with the
  brand, so it is used up to APP_LIBRARY_EXACT_SEARCH_MAX_IMAGES images.
- HNSW: larger brands search `imagehash_hnsw_idx` with pgvector's iterative scans
  (`hnsw.iterative_scan = relaxed_order`), which keep going until enough rows of the brand
  are found, one query per compared pair of kinds, then re-rank the union exactly.

A match is a duplicate when any pair of kinds in library.image_hashes.COMPARED is within that
pair's threshold; a match's margin is the smallest (distance - threshold) over the pairs, so a
margin ≤ 0 is a duplicate and the order by margin is the order of closeness; its distance is
that closest pair's (image_hashes.closest_pair computes the same in Python).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from library import image_hashes
from library.image_hashes import ImageSignature
from library.models import ImageHash

# How many rows HNSW returns per compared pair before the exact re-rank.
HNSW_CANDIDATES = 40
HNSW_EF_SEARCH = 100
_COUNT_TTL_SECONDS = 600


@dataclass(frozen=True)
class Match:
    asset_id: int | None
    bank_entry_id: int | None
    distance: int  # of the compared pair of kinds closest to its threshold
    margin: int  # that pair's distance - threshold: ≤ 0 is a duplicate

    @property
    def duplicate(self) -> bool:
        return self.margin <= 0


def hashes_store(
    *, tenant_id: int, signature: ImageSignature, asset_id: int | None = None,
    bank_entry_id: int | None = None,
) -> None:  # fmt: skip
    """Record an image's hashes (its stored kinds) for an asset or a bank entry."""
    ImageHash.objects.bulk_create(
        ImageHash(
            tenant_id=tenant_id, asset_id=asset_id, bank_entry_id=bank_entry_id, kind=kind,
            bits=signature.hashes[kind],
        )
        for kind in image_hashes.STORED_KINDS
    )  # fmt: skip


def nearest(
    *,
    tenant_id: int,
    query: ImageSignature,
    limit: int = 10,
    assets: bool = True,
    banks: bool = True,
    duplicates_only: bool = False,
    exclude_asset_ids: Iterable[int] = (),
) -> list[Match]:
    """The brand's closest assets and/or entries of its enabled banks, closest first.

    `query` holds the query kinds (image_hashes.query_signature).
    """
    excluded = sorted(set(exclude_asset_ids))
    if _image_count(tenant_id) <= settings.APP_LIBRARY_EXACT_SEARCH_MAX_IMAGES:
        return _exact(tenant_id, query, limit, assets, banks, duplicates_only, excluded)
    return _approximate(tenant_id, query, limit, assets, banks, duplicates_only, excluded)


def _count_key(tenant_id: int) -> str:
    return f"library:images:{tenant_id}"


def _image_count(tenant_id: int) -> int:
    """How many images of the brand are hashed, cached for ten minutes rather than kept
    exact on every insert: it only picks the regime, and a brand nears the limit slowly."""

    def count() -> int:
        return ImageHash.objects.filter(
            tenant_id=tenant_id, kind=image_hashes.STORED_KINDS[0]
        ).count()

    return int(cache.get_or_set(_count_key(tenant_id), count, _COUNT_TTL_SECONDS) or 0)


# A row's score packs the closest pair's margin and distance into one number, so each row's
# hashes are compared once: (margin + 256) * 512 + distance orders by margin, then distance.
_SCORE_BASE = 512


def _score_sql(query: ImageSignature) -> tuple[str, list[Any]]:
    """SQL for one stored row's score against the query, and its parameters."""
    cases: list[str] = []
    params: list[Any] = []
    for stored_kind in image_hashes.STORED_KINDS:
        # A query without some kinds (a stored signature used as the query) skips their pairs.
        pairs = [
            (q, t) for q, s, t in image_hashes.COMPARED if s == stored_kind and q in query.hashes
        ]
        # Query kinds that repeat a hash (unused guesses) need one comparison, at the most
        # permissive of their thresholds (which decides their verdict).
        unique: dict[str, int] = {}
        for q, threshold in pairs:
            bits = query.hashes[q]
            unique[bits] = max(threshold, unique.get(bits, threshold))
        if not unique:
            continue
        # (d - t + 256) * 512 + d, written so that each distance is computed once.
        cases.append(
            "WHEN %s THEN LEAST("
            + ", ".join("(bits <~> %s::bit(256)) * 513 + %s" for _ in unique)
            + ")"
        )
        params.append(stored_kind)
        for bits, threshold in unique.items():
            params += [bits, (256 - threshold) * _SCORE_BASE]
    return "(CASE kind " + " ".join(cases) + " END)::int", params


def _match(asset_id: int | None, bank_entry_id: int | None, score: int) -> Match:
    margin, distance = divmod(score, _SCORE_BASE)
    return Match(asset_id, bank_entry_id, distance, margin - 256)


def _subjects_sql(
    tenant_id: int, assets: bool, banks: bool, excluded: Sequence[int]
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if assets:
        clause = "asset_id IS NOT NULL"
        if excluded:
            clause += " AND NOT (asset_id = ANY(%s))"
            params.append(list(excluded))
        clauses.append(f"({clause})")
    if banks:
        clauses.append(
            "bank_entry_id IN (SELECT e.id FROM library_bankentry e JOIN library_bank b"
            " ON b.id = e.bank_id WHERE e.tenant_id = %s AND b.tenant_id = %s AND b.enabled)"
        )
        params += [tenant_id, tenant_id]
    if not clauses:
        return "FALSE", []
    return "(" + " OR ".join(clauses) + ")", params


def _exact(
    tenant_id: int, query: ImageSignature, limit: int, assets: bool, banks: bool,
    duplicates_only: bool, excluded: Sequence[int],
) -> list[Match]:  # fmt: skip
    score, params = _score_sql(query)
    subjects, subject_params = _subjects_sql(tenant_id, assets, banks, excluded)
    # A duplicate check drops every row past its threshold before grouping (most of them);
    # OFFSET 0 keeps the score computed once per row rather than again in the filter.
    within = "WHERE score < %s" if duplicates_only else ""
    within_params = [257 * _SCORE_BASE] if duplicates_only else []
    sql = f"""
        SELECT asset_id, bank_entry_id, MIN(score) AS best
        FROM (
            SELECT asset_id, bank_entry_id, {score} AS score
            FROM library_imagehash
            WHERE tenant_id = %s AND kind = ANY(%s) AND {subjects}
            OFFSET 0
        ) AS scored
        {within}
        GROUP BY asset_id, bank_entry_id
        ORDER BY best, asset_id, bank_entry_id
        LIMIT %s
    """  # noqa: S608 - only our own fragments are formatted in; values are parameters
    kinds = sorted({s for _, s, _ in image_hashes.COMPARED})
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, tenant_id, kinds, *subject_params, *within_params, limit])
        rows = cursor.fetchall()
    return [_match(a, b, score) for a, b, score in rows]


def _approximate(
    tenant_id: int, query: ImageSignature, limit: int, assets: bool, banks: bool,
    duplicates_only: bool, excluded: Sequence[int],
) -> list[Match]:  # fmt: skip
    """HNSW candidates for each compared pair, then the exact comparison of their hashes."""
    subjects, subject_params = _subjects_sql(tenant_id, assets, banks, excluded)
    candidates: set[tuple[int | None, int | None]] = set()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute("SET LOCAL hnsw.ef_search = %s", [HNSW_EF_SEARCH])
        for query_kind, stored_kind, _ in image_hashes.COMPARED:
            if query_kind not in query.hashes:
                continue
            cursor.execute(
                f"""
                SELECT asset_id, bank_entry_id FROM library_imagehash
                WHERE tenant_id = %s AND kind = %s AND {subjects}
                ORDER BY bits <~> %s::bit(256) LIMIT %s
                """,  # noqa: S608
                [tenant_id, stored_kind, *subject_params, query.hashes[query_kind],
                 max(limit, HNSW_CANDIDATES)],
            )  # fmt: skip
            candidates.update(cursor.fetchall())
    if not candidates:
        return []
    asset_ids = [a for a, _ in candidates if a is not None]
    entry_ids = [b for _, b in candidates if b is not None]
    score, params = _score_sql(query)
    sql = f"""
        SELECT asset_id, bank_entry_id, MIN(score) AS best
        FROM (
            SELECT asset_id, bank_entry_id, {score} AS score
            FROM library_imagehash
            WHERE tenant_id = %s AND (asset_id = ANY(%s) OR bank_entry_id = ANY(%s))
            OFFSET 0
        ) AS scored
        GROUP BY asset_id, bank_entry_id
        {"HAVING MIN(score) < %s" if duplicates_only else ""}
        ORDER BY best, asset_id, bank_entry_id
        LIMIT %s
    """  # noqa: S608
    having = [257 * _SCORE_BASE] if duplicates_only else []
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, tenant_id, asset_ids, entry_ids, *having, limit])
        rows = cursor.fetchall()
    return [_match(a, b, score) for a, b, score in rows]
