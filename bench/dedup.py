"""Nearest-neighbour search over PDQ fingerprints in pgvector, within one brand.

    .venv/bin/python bench/dedup.py --rows 1000000 [--brands 100] [--queries 300]

It starts its own PostgreSQL + pgvector (devstack's classes) under APP_DATA_DIR (default
/tmp/dedup-bench-data), loads `--rows` 256-bit fingerprints spread over `--brands` brands with
COPY into a scratch table, builds the indexes library.ImageHash has (a covering btree on the
brand that includes the bits, and HNSW `bit_hamming_ops`), and for `--queries` planted
near-duplicates (an existing row's bits with 4–24 flipped) measures, within the row's brand:

- exact search reading heap rows (a btree on the brand only: the first design);
- exact search as library.fingerprints does it, from the covering index alone (index-only
  scan), top 5 and as a duplicate check (distance ≤ 31);
- HNSW with the brand filter and default settings, and with `hnsw.iterative_scan` set to
  `relaxed_order` and `strict_order` (what library uses for brands past
  EXACT_SEARCH_MAX_IMAGES);

printing p50/p99 latency, how often the planted row comes first, and recall@5 against the
exact search (plans are forced with enable_* settings; the duplicate check returns only rows
within the threshold, so its recall@5 is not comparable: read its planted rate). The
fingerprints are uniform random bits: unrelated PDQ hashes sit ~128 bits apart, as these do.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from devstack.paths import StackPaths  # noqa: E402
from devstack.supervisor import Stack  # noqa: E402


def bits(rng: random.Random) -> int:
    return rng.getrandbits(256)


def text(value: int) -> str:
    return format(value, "0256b")


def load(conn: psycopg.Connection, rows: int, brands: int, rng: random.Random) -> list[int]:
    conn.execute("DROP TABLE IF EXISTS bench_fp")
    conn.execute(
        "CREATE TABLE bench_fp (id bigint PRIMARY KEY, tenant_id int NOT NULL, pdq bit(256))"
    )
    values: list[int] = []
    started = time.perf_counter()
    with (
        conn.cursor() as cursor,
        cursor.copy("COPY bench_fp (id, tenant_id, pdq) FROM STDIN") as copy,
    ):
        buffer = io.StringIO()
        for row in range(1, rows + 1):
            value = bits(rng)
            values.append(value)
            buffer.write(f"{row}\t{row % brands + 1}\t{text(value)}\n")
            if row % 50_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    loaded = time.perf_counter() - started
    conn.execute("CREATE INDEX bench_fp_tenant ON bench_fp (tenant_id)")
    started = time.perf_counter()
    # The shape of library.ImageHash's imagehash_exact_idx: the brand first, the bits and the
    # row's id included, so the exact search reads the index alone (an index-only scan).
    conn.execute("CREATE INDEX bench_fp_exact ON bench_fp (tenant_id) INCLUDE (pdq, id)")
    covering = time.perf_counter() - started
    conn.execute("VACUUM ANALYZE bench_fp")  # the visibility map that index-only scans need
    size = conn.execute("SELECT pg_size_pretty(pg_relation_size('bench_fp_exact'))").fetchone()
    print(f"COPY {rows:,} rows over {brands} brands: {loaded:.1f} s")
    print(f"covering btree (tenant_id) INCLUDE (pdq, id): {covering:.1f} s, {size[0]}")
    return values


def build_hnsw(conn: psycopg.Connection) -> None:
    conn.execute("SET maintenance_work_mem = '2GB'")
    conn.execute("SET max_parallel_maintenance_workers = 1")
    started = time.perf_counter()
    conn.execute("CREATE INDEX bench_fp_hnsw ON bench_fp USING hnsw (pdq bit_hamming_ops)")
    built = time.perf_counter() - started
    size = conn.execute("SELECT pg_size_pretty(pg_relation_size('bench_fp_hnsw'))").fetchone()
    table = conn.execute("SELECT pg_size_pretty(pg_relation_size('bench_fp'))").fetchone()
    print(f"HNSW build: {built:.1f} s, index {size[0]} (table {table[0]})")


def planted(
    values: list[int], brands: int, rng: random.Random, count: int
) -> list[tuple[int, int, str]]:
    queries = []
    for _ in range(count):
        row = rng.randrange(1, len(values) + 1)
        flipped = values[row - 1]
        for position in rng.sample(range(256), rng.randint(4, 24)):
            flipped ^= 1 << position
        queries.append((row, row % brands + 1, text(flipped)))
    return queries


SEARCH = "SELECT id FROM bench_fp WHERE tenant_id = %s ORDER BY pdq <~> %s::bit(256) LIMIT 5"
# A duplicate check: every row of the brand within the threshold, closest first.
THRESHOLD = (
    "SELECT id FROM bench_fp WHERE tenant_id = %s AND (pdq <~> %s::bit(256)) <= 31 "
    "ORDER BY pdq <~> %s::bit(256) LIMIT 5"
)


def measure(
    conn: psycopg.Connection,
    name: str,
    queries,
    settings: list[str],
    exact: list[list[int]] | None = None,
    sql: str = SEARCH,
) -> list[list[int]]:
    def params(tenant: int, query: str) -> tuple[object, ...]:
        return (tenant, query, query) if sql is THRESHOLD else (tenant, query)

    with conn.transaction():
        for statement in settings:
            conn.execute(statement)
        plan = conn.execute(f"EXPLAIN {sql}", params(*queries[0][1:])).fetchall()
        used = next(
            (line[0].strip() for line in plan if "Index" in line[0] or "Scan" in line[0]), ""
        )
        latencies, hits, results = [], 0, []
        for row, tenant, query in queries:
            started = time.perf_counter()
            found = [r[0] for r in conn.execute(sql, params(tenant, query)).fetchall()]
            latencies.append((time.perf_counter() - started) * 1000)
            hits += bool(found) and found[0] == row
            results.append(found)
    truth = exact or results
    at5 = statistics.fmean(
        len(set(got) & set(want)) / max(1, len(want))
        for got, want in zip(results, truth, strict=True)
    )
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{name:44} p50 {statistics.median(latencies):7.2f} ms  p99 {p99:7.2f} ms  "
        f"planted found {hits / len(queries):.3f}  recall@5 vs exact {at5:.3f}"
    )
    print(f"{'':44} plan: {used[:90]}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--brands", type=int, default=100)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    root = Path(os.environ.get("APP_DATA_DIR", "/tmp/dedup-bench-data")).resolve()  # noqa: S108
    stack = Stack(StackPaths(root), persistent=False)
    stack.paths.create()
    rng = random.Random(20261204)
    try:
        stack.start_services()
        with psycopg.connect(stack.env["DATABASE_OWNER_URL"], autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            version = conn.execute("SELECT extversion FROM pg_extension WHERE extname='vector'")
            print(f"pgvector {version.fetchone()[0]}, {os.cpu_count()} cpus")
            values = load(conn, args.rows, args.brands, rng)
            queries = planted(values, args.brands, rng, args.queries)
            exact = measure(
                conn, "exact, heap rows (btree on brand only)", queries,
                ["SET LOCAL enable_indexscan = off", "SET LOCAL enable_indexonlyscan = off"],
            )  # fmt: skip
            measure(
                conn, "exact, index-only (what library uses)", queries,
                ["SET LOCAL enable_bitmapscan = off", "SET LOCAL enable_seqscan = off"], exact,
            )  # fmt: skip
            measure(
                conn, "exact, index-only, threshold <= 31", queries,
                ["SET LOCAL enable_bitmapscan = off", "SET LOCAL enable_seqscan = off"], exact,
                sql=THRESHOLD,
            )  # fmt: skip
            # Measured alone: with the covering index present the planner may answer the
            # HNSW modes from it (exactly, so library loses nothing when it does).
            conn.execute("DROP INDEX bench_fp_exact")
            build_hnsw(conn)
            modes = {
                "HNSW, brand filter, defaults": [],
                "HNSW, iterative_scan = relaxed_order": [
                    "SET LOCAL hnsw.iterative_scan = relaxed_order"
                ],
                "HNSW, iterative_scan = strict_order": [
                    "SET LOCAL hnsw.iterative_scan = strict_order"
                ],
                "HNSW, relaxed_order, ef_search 200": [
                    "SET LOCAL hnsw.iterative_scan = relaxed_order",
                    "SET LOCAL hnsw.ef_search = 200",
                ],
            }
            for name, settings in modes.items():
                measure(
                    conn, name, queries, ["SET LOCAL enable_bitmapscan = off", *settings], exact
                )
    finally:
        stack.stop_all()


if __name__ == "__main__":
    main()
