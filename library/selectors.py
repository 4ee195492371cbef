"""Reads of the library: search by text, colour, kind and tag; duplicate clusters; banks."""

from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from generation import storage
from generation.images import ImageRejected, image_decode
from generation.models import Asset
from library import colours, fingerprints, image_hashes, search_text, semantic
from library.models import Bank, BankEntry, UploadBatch

# A dominant colour within this CIE76 ΔE of the query colour matches; ~10 is "clearly the
# same colour family" on our palettes, 20 still reads as "that colour" to a designer.
COLOUR_MATCH_DELTA_E = 20.0
# Swatches smaller than this share of the image are accents, not "a red image".
COLOUR_MIN_SHARE = 0.08
# word_similarity of the query to the document at which a typo matches (when no word does).
TRIGRAM_THRESHOLD = 0.5


@dataclass(frozen=True)
class LibraryQuery:
    text: str = ""
    colour: str = ""  # "#rrggbb"
    kind: str = ""
    origin: str = ""
    tag: str = ""
    product_id: int | None = None


def _tsquery(text: str) -> SearchQuery | None:
    """Every word of the query, each as a prefix, all required."""
    terms = [
        "".join(ch for ch in term if ch not in "&|!():*'\\<>") for term in
        search_text.search_query_terms(text)
    ]  # fmt: skip
    terms = [term for term in terms if term]
    if not terms:
        return None
    raw = " & ".join(f"'{term}':*" for term in terms)
    return SearchQuery(raw, search_type="raw", config="simple")


def library_search(*, tenant_id: int, query: LibraryQuery) -> QuerySet[Asset]:
    """The brand's assets matching the query, best first (newest first without text/colour)."""
    assets = Asset.objects.filter(tenant_id=tenant_id).exclude(file="")
    if query.kind:
        assets = assets.filter(kind=query.kind)
    if query.origin:
        assets = assets.filter(origin=query.origin)
    if query.tag:
        assets = assets.filter(tags__contains=[query.tag.strip().lower()])
    if query.product_id is not None:
        assets = assets.filter(product_id=query.product_id)
    order: list[str] = []
    text = " ".join(query.text.split())
    if text:
        vector = SearchVector("search_document", config="simple")
        tsquery = _tsquery(text)
        # A substring finds Chinese fragments jieba segments differently; words by full text.
        matched = Q(search_document__icontains=text)
        assets = assets.annotate(
            similarity=RawSQL("word_similarity(%s, search_document)", [text.lower()]),
        )
        score: Any = F("similarity")
        if tsquery is not None:
            # ts_rank never returns 0 (1e-20 for a miss), so matching is the @@ operator's.
            assets = assets.annotate(document=vector, rank=SearchRank(vector, tsquery))
            matched |= Q(document=tsquery)
            score += F("rank")
        # With a CLIP model configured, images that look like the words match too.
        semantic_hits = {
            asset_id: similarity
            for asset_id, similarity in semantic.nearest_to_text(
                tenant_id=tenant_id, text=text
            ).items()
            if similarity >= settings.APP_CLIP_MIN_SIMILARITY
        }
        if semantic_hits:
            matched |= Q(pk__in=list(semantic_hits))
            assets = assets.annotate(
                semantic=Case(
                    *(When(pk=pk, then=Value(sim)) for pk, sim in semantic_hits.items()),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
            )
            score += F("semantic")
        assets = assets.annotate(score=ExpressionWrapper(score, output_field=FloatField()))
        # Trigrams forgive typos, but they also call "IMG_0002" close to "IMG_0001": they
        # answer only when nothing matches the words themselves.
        exact = assets.filter(matched)
        if not exact.exists():
            exact = assets.filter(similarity__gte=TRIGRAM_THRESHOLD)
        assets = exact
        order.append("-score")
    if query.colour:
        lab = colours.hex_to_lab(query.colour)
        assets = assets.annotate(
            colour_distance=RawSQL(
                """(SELECT MIN(sqrt(power((s->'lab'->>0)::float - %s, 2)
                                  + power((s->'lab'->>1)::float - %s, 2)
                                  + power((s->'lab'->>2)::float - %s, 2)))
                    FROM jsonb_array_elements(generation_asset.colours) AS s
                    WHERE (s->>'share')::float >= %s)""",
                [*lab, COLOUR_MIN_SHARE],
                output_field=FloatField(),
            )
        ).filter(colour_distance__lte=Value(COLOUR_MATCH_DELTA_E))
        order.append("colour_distance")
    return assets.select_related("product").order_by(*order, "-created_at", "-pk")


def asset_get(*, tenant_id: int, asset_id: int) -> Asset:
    """The brand's asset (raises Asset.DoesNotExist for another brand's id)."""
    return Asset.objects.select_related("product", "duplicate_of").get(
        tenant_id=tenant_id, pk=asset_id
    )


def cluster_roots(*, tenant_id: int) -> QuerySet[Asset]:
    """Assets that others were found to nearly duplicate, most duplicated first."""
    return (
        Asset.objects.filter(tenant_id=tenant_id, duplicates__isnull=False)
        .annotate(members=Count("duplicates"))
        .order_by("-members", "-created_at", "-pk")
    )


def cluster_members(*, tenant_id: int, root: Asset) -> list[Asset]:
    """The cluster's assets, its first asset first."""
    others = Asset.objects.filter(tenant_id=tenant_id, duplicate_of=root).order_by(
        "duplicate_distance", "pk"
    )
    return [root, *others]


def banks_list(*, tenant_id: int) -> QuerySet[Bank]:
    return (
        Bank.objects.filter(tenant_id=tenant_id)
        .annotate(entry_count=Count("entries"))
        .order_by("name")
    )


def bank_entries(*, tenant_id: int, bank: Bank) -> QuerySet[BankEntry]:
    return BankEntry.objects.filter(tenant_id=tenant_id, bank=bank).order_by("-created_at", "-pk")


def upload_batches(*, tenant_id: int) -> QuerySet[UploadBatch]:
    return UploadBatch.objects.filter(tenant_id=tenant_id).order_by("-created_at", "-pk")


def similar_to_asset(
    *, tenant_id: int, asset: Asset, limit: int = 10, banks: bool = False
) -> list[fingerprints.Match] | None:
    """The brand's images nearest to one of its assets, itself left out (None when its file
    cannot be read: the query hashes come from the pixels, as the stored kinds are not all the
    query kinds).

    The hashes find an image that is a crop of the query, not the other way round; the members
    of the asset's duplicate cluster were found in that other direction when they were added,
    so they count as duplicates here too, at the distance recorded then.
    """
    try:
        pixels, _format = image_decode(storage.read_bytes(asset.file.name or ""), purpose="verify")
    except (FileNotFoundError, ImageRejected):
        return None
    matches = fingerprints.nearest(
        tenant_id=tenant_id, query=image_hashes.query_signature(pixels), limit=limit,
        banks=banks, exclude_asset_ids=[asset.pk],
    )  # fmt: skip
    root_id = asset.duplicate_of_id or asset.pk
    cluster = dict(
        Asset.objects.filter(tenant_id=tenant_id)
        .filter(Q(pk=root_id) | Q(duplicate_of_id=root_id))
        .exclude(pk=asset.pk)
        .values_list("pk", "duplicate_distance")
    )
    if asset.duplicate_of_id is not None:
        cluster[root_id] = asset.duplicate_distance
    merged: dict[int | None, fingerprints.Match] = {}
    for match in matches:
        if match.asset_id in cluster:
            recorded = cluster[match.asset_id]
            distance = min(match.distance, recorded if recorded is not None else match.distance)
            match = replace(match, distance=distance, margin=min(match.margin, 0))
        merged[match.asset_id if match.asset_id is not None else -(match.bank_entry_id or 0)] = (
            match
        )
    for member_id, recorded in cluster.items():
        if member_id not in merged:
            merged[member_id] = fingerprints.Match(member_id, None, recorded or 0, 0)
    ordered = sorted(merged.values(), key=lambda m: (m.margin > 0, m.distance))
    return ordered[:limit]
