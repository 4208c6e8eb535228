"""8. Knowledge retrieval: a knowledge base of 100,000 chunks of 1,536 dimensions (OpenAI's
text-embedding-3-small width) in pgvector, filled through the store's own insert (chunks/s, HNSW
index maintained as rows arrive), then top-5 searches through the Knowledge node's query (p50/p99)
and their recall@5 against an exact scan.

The vectors are clustered (a few hundred centres with noise, as embeddings of real text bunch by
topic) rather than uniform, which would flatter the index; queries are perturbed copies of stored
chunks. Langflow 1.13's own SQLite backend beside it is not measured yet."""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, datetime

from bench.harness import Bench, prepared_database
from bench.report import Figure
from bench.statements import statement
from bench.stats import percentile
from sluice import db
from sluice.models import KnowledgeBase, KnowledgeChunk
from sluice.store import knowledge

DIMENSIONS = 1536
CENTRES = 300
BATCH = 500
QUERIES = 200
TOP_K = 5


def _unit(values: list[float]) -> tuple[float, ...]:
    norm = sum(value * value for value in values) ** 0.5 or 1.0
    return tuple(round(value / norm, 5) for value in values)


def _near(rng: random.Random, centre: tuple[float, ...], spread: float) -> tuple[float, ...]:
    return _unit([value + rng.gauss(0, spread) for value in centre])


async def run(bench: Bench) -> list[Figure]:
    chunks = bench.size(100_000, 10_000)
    url = await prepared_database(bench, "bench_knowledge")
    pool = await db.create_pool(url, min_size=1, max_size=2)
    rng = random.Random(20240601)
    try:
        owner, now = "bench", datetime.now(UTC)
        base = KnowledgeBase(uuid.uuid4(), owner, "bench", "OpenAI", "text-embedding-3-small", None, 1000, 200, "",
                             now, now)
        await knowledge.create(pool, base_id=base.id, owner=owner, name=base.name,
                               embedding_provider=base.embedding_provider, embedding_model=base.embedding_model)
        centres = [_unit([rng.gauss(0, 1) for _ in range(DIMENSIONS)]) for _ in range(CENTRES)]
        stored: list[tuple[float, ...]] = []
        spent = 0.0
        for start in range(0, chunks, BATCH):
            batch = [_near(rng, rng.choice(centres), 0.05) for _ in range(min(BATCH, chunks - start))]
            stored.extend(batch)
            rows = [KnowledgeChunk(uuid.uuid4(), f"chunk {start + i}", {"chunk_index": start + i}, vector)
                    for i, vector in enumerate(batch)]
            began = time.perf_counter()
            await knowledge.add_chunks(pool, base, rows)
            spent += time.perf_counter() - began
        base = await knowledge.read(pool, owner, base.id)
        assert base is not None
        await pool.execute("analyze knowledge_chunks")
        latencies, found = [], 0
        for _ in range(bench.size(QUERIES, 50)):
            query = _near(rng, rng.choice(stored), 0.02)
            began = time.perf_counter()
            hits = await knowledge.search(pool, base, query, TOP_K)
            latencies.append((time.perf_counter() - began) * 1000)
            exact = await pool.fetch(statement("exact_knowledge_search"), base.id,
                                     "[" + ",".join(map(str, query)) + "]", TOP_K)
            found += len({hit.id for hit in hits} & {row["id"] for row in exact})
        recall = found / (len(latencies) * TOP_K)
    finally:
        await pool.close()
        bench.drop_database("bench_knowledge")
    label = f"{chunks:,} chunks x {DIMENSIONS} dims"
    return [
        Figure(f"knowledge ingest, {label} (HNSW maintained)", "chunks/s", chunks / spent),
        Figure(f"knowledge top-{TOP_K} search p50, {label}", "ms", percentile(latencies, 0.5), better="lower"),
        Figure(f"knowledge top-{TOP_K} search p99, {label}", "ms", percentile(latencies, 0.99), better="lower"),
        Figure(f"knowledge recall@{TOP_K}, HNSW vs exact, {label}", "", recall),
    ]
