"""10. Knowledge retrieval: a knowledge base of 100,000 chunks of 1,536 dimensions (OpenAI's
text-embedding-3-small width) in pgvector, filled through the store's own insert (chunks/s, HNSW
index maintained as rows arrive), then top-5 searches through the Knowledge node's query (p50/p99)
and their recall@5 against an exact scan. Beside it, Langflow 1.13's own SQLite backend (lfx in
its bench virtualenv: exact search with sqlite-vec) ingests and searches the same vectors
(bench/vectors.py); its recall against the same exact scan checks that both held the same data."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from bench import vectors
from bench.harness import BENCH_DIR, Bench, prepared_database
from bench.report import Figure
from bench.statements import statement
from bench.stats import percentile
from sluice import db
from sluice.models import KnowledgeBase, KnowledgeChunk
from sluice.store import knowledge

DIMENSIONS = 1536
BATCH = 500
QUERIES = 200
TOP_K = 5


async def run(bench: Bench) -> list[Figure]:
    chunks = bench.size(100_000, 10_000)
    corpus = vectors.make(BENCH_DIR / "knowledge", DIMENSIONS, chunks, bench.size(QUERIES, 50))
    url = await prepared_database(bench, "bench_knowledge")
    pool = await db.create_pool(url, min_size=1, max_size=2)
    try:
        owner, now = "bench", datetime.now(UTC)
        base = KnowledgeBase(uuid.uuid4(), owner, "bench", "OpenAI", "text-embedding-3-small", None, 1000, 200, "",
                             now, now)
        await knowledge.create(pool, base_id=base.id, owner=owner, name=base.name,
                               embedding_provider=base.embedding_provider, embedding_model=base.embedding_model)
        ids: list[uuid.UUID] = []  # chunk index -> id
        spent = 0.0
        for batch in vectors.batches(corpus, BATCH):
            rows = [KnowledgeChunk(uuid.uuid4(), f"chunk {len(ids) + i}", {"chunk_index": len(ids) + i}, tuple(vector))
                    for i, vector in enumerate(batch)]
            ids.extend(row.id for row in rows)
            began = time.perf_counter()
            await knowledge.add_chunks(pool, base, rows)
            spent += time.perf_counter() - began
        base = await knowledge.read(pool, owner, base.id)
        assert base is not None
        # The state autovacuum would reach soon after the load, settled before timing (a vacuum of a
        # large HNSW index running beside the searches would be timed with them).
        await pool.execute("vacuum (analyze) knowledge_chunks")
        queries = list(vectors.read_rows(corpus, corpus.queries))
        latencies, answers = [], []
        for query in queries:
            began = time.perf_counter()
            answers.append({hit.id for hit in await knowledge.search(pool, base, query, TOP_K)})
            latencies.append((time.perf_counter() - began) * 1000)
        # The exact scans afterwards: each reads the whole table, which would disturb the timed searches.
        exact = [{row["id"] for row in await pool.fetch(statement("exact_knowledge_search"), base.id,
                                                        "[" + ",".join(map(str, query)) + "]", TOP_K)}
                 for query in queries]
        found = sum(len(answer & truth) for answer, truth in zip(answers, exact, strict=True))
    finally:
        await pool.close()
        bench.drop_database("bench_knowledge")
    lfx = bench.run_driver("lfx", "bench.peers.lfx_knowledge", corpus.directory, "--dimensions", DIMENSIONS,
                           "--batch", BATCH, "--top-k", TOP_K)
    note = "" if lfx else "lfx is not installed (make bench installs it)"
    peer = lfx or {}
    peer_recall = None
    if lfx:
        peer_found = sum(len({ids[index] for index in hits} & truth) for hits, truth in zip(lfx["hits"], exact,
                                                                                            strict=True))
        peer_recall = peer_found / (len(exact) * TOP_K)
    label = f"{chunks:,} chunks x {DIMENSIONS} dims"
    return [
        Figure(f"knowledge ingest, {label} (HNSW maintained)", "chunks/s", chunks / spent,
               peer.get("chunks_per_s"), "lfx sqlite", note=note),
        Figure(f"knowledge top-{TOP_K} search p50, {label}", "ms", percentile(latencies, 0.5),
               peer.get("p50_ms"), "lfx sqlite", "lower", note=note),
        Figure(f"knowledge top-{TOP_K} search p99, {label}", "ms", percentile(latencies, 0.99),
               peer.get("p99_ms"), "lfx sqlite", "lower", note=note),
        Figure(f"knowledge recall@{TOP_K} against exact search, {label}", "", found / (len(exact) * TOP_K),
               peer_recall, "lfx sqlite", note="Sluice: HNSW; lfx sqlite: exact scan"),
    ]
