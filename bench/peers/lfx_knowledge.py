"""Langflow 1.13's own SQLite knowledge-base backend (lfx[sqlite]: APSW with sqlite-vec, exact
search) over the benchmark's corpus (bench/vectors.py): ingest of the stored vectors as they come
(`add_embedded_documents`, batches as Sluice's), then one top-k `similarity_search` per query.

`python -m bench.peers.lfx_knowledge DIRECTORY --dimensions D --batch B --top-k K` in .bench/lfx;
prints one JSON line: chunks/s, the search latency summary, and each query's hits (chunk indexes).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from lfx.base.knowledge_bases.backends.base import IngestedDocument
from lfx.base.knowledge_bases.backends.sqlite import SQLiteBackend, SQLiteStorageContext

from bench.procs import print_result
from bench.stats import latency_summary
from bench.vectors import Corpus, batches, read_rows


class GivenVector(Embeddings):
    """An embedding model that answers with the vector it was handed: the query's."""

    vector: list[float] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.vector for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.vector


async def measure(corpus: Corpus, batch: int, top_k: int, root: Path) -> dict[str, Any]:
    embeddings = GivenVector()
    backend = SQLiteBackend("bench", backend_config={"metric": "cosine"}, embedding_function=embeddings,
                            storage_context=SQLiteStorageContext(root, uuid.uuid4(), uuid.uuid4()), create=True)
    await backend.ensure_ready()
    spent, count = 0.0, 0
    for vectors in batches(corpus, batch):
        documents = [IngestedDocument(f"chunk {count + i}", {"chunk_index": count + i}, vector, id=str(count + i))
                     for i, vector in enumerate(vectors)]
        began = time.perf_counter()
        await backend.add_embedded_documents(documents)
        spent += time.perf_counter() - began
        count += len(vectors)
    latencies, hits = [], []
    for query in read_rows(corpus, corpus.queries):
        embeddings.vector = query
        began = time.perf_counter()
        found = await backend.similarity_search("query", top_k, with_scores=True)
        latencies.append((time.perf_counter() - began) * 1000)
        hits.append([int(document.id) for document, _ in found])
    return {"chunks_per_s": count / spent, **latency_summary(latencies), "hits": hits}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=Path)
    parser.add_argument("--dimensions", type=int, required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--top-k", type=int, required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.directory) as root:
        print_result(asyncio.run(measure(Corpus(args.directory, args.dimensions), args.batch, args.top_k, Path(root))))


if __name__ == "__main__":
    main()
