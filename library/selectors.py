"""Reads of the library: search by text, colour, kind and tag; duplicate clusters; banks."""

from dataclasses import dataclass

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

from generation.models import Asset
from library import colours, search_text, semantic
from library.models import Bank, BankEntry, UploadBatch

# A dominant colour within this CIE76 ΔE of the query colour matches; ~10 is "clearly the
# same colour family" on our palettes, 20 still reads as "that colour" to a designer.
COLOUR_MATCH_DELTA_E = 20.0
# Swatches smaller than this share of the image are accents, not "a red image".
COLOUR_MIN_SHARE = 0.08
# word_similarity of the query to the document at which a typo or a partial word matches.
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
        matched = Q(search_document__icontains=text) | Q(
            similarity__gte=TRIGRAM_THRESHOLD
        )  # substring for Chinese fragments jieba splits differently; trigrams for typos
        assets = assets.annotate(
            similarity=RawSQL("word_similarity(%s, search_document)", [text.lower()]),
        )
        score = F("similarity")
        if tsquery is not None:
            assets = assets.annotate(rank=SearchRank(vector, tsquery))
            matched |= Q(rank__gt=0)
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
        assets = assets.filter(matched)
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
