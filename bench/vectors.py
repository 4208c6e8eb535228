"""The knowledge benchmark's vectors, made once per run and written to files that every system
reads, so that pgvector and Langflow's SQLite backend index and search the very same numbers.

The vectors are clustered (a few hundred centres with noise, as embeddings of real text bunch by
topic) rather than uniform, which would flatter an approximate index; queries are perturbed copies
of stored chunks. Files hold little-endian float32 rows (stdlib `array`; no numpy in Sluice's
environment)."""

from __future__ import annotations

import random
import sys
from array import array
from collections.abc import Iterator
from pathlib import Path

import attrs

CENTRES = 300
SEED = 20240601


@attrs.frozen
class Corpus:
    """Where a corpus lies and its shape: `chunks.f32` and `queries.f32` under `directory`."""

    directory: Path
    dimensions: int

    @property
    def chunks(self) -> Path:
        return self.directory / "chunks.f32"

    @property
    def queries(self) -> Path:
        return self.directory / "queries.f32"


def _unit(values: list[float]) -> list[float]:
    norm = sum(value * value for value in values) ** 0.5 or 1.0
    return [value / norm for value in values]


def _near(rng: random.Random, centre: list[float], spread: float) -> list[float]:
    return _unit([value + rng.gauss(0, spread) for value in centre])


def _write(path: Path, rows: list[list[float]]) -> None:
    with path.open("ab") as file:
        for row in rows:
            packed = array("f", row)
            if sys.byteorder != "little":
                packed.byteswap()
            packed.tofile(file)


def make(directory: Path, dimensions: int, chunks: int, queries: int) -> Corpus:
    """Write `chunks` stored vectors and `queries` query vectors; the same arguments give the same files."""
    directory.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(directory, dimensions)
    for path in (corpus.chunks, corpus.queries):
        path.unlink(missing_ok=True)
    rng = random.Random(SEED)
    centres = [_unit([rng.gauss(0, 1) for _ in range(dimensions)]) for _ in range(CENTRES)]
    for start in range(0, chunks, 1000):
        batch = [_near(rng, rng.choice(centres), 0.05) for _ in range(min(1000, chunks - start))]
        _write(corpus.chunks, batch)
    picks = [rng.randrange(chunks) for _ in range(queries)]  # the stored chunks the queries are made near
    wanted = set(picks)
    stored = dict(zip(sorted(wanted), read_rows(corpus, corpus.chunks, wanted), strict=True))
    _write(corpus.queries, [_near(rng, stored[index], 0.02) for index in picks])
    return corpus


def read_rows(corpus: Corpus, path: Path, wanted: set[int] | None = None) -> Iterator[list[float]]:
    """The file's rows in order (only those whose index is in `wanted`, when given)."""
    width = corpus.dimensions * 4
    with path.open("rb") as file:
        index = 0
        while block := file.read(width):
            if wanted is None or index in wanted:
                row = array("f")
                row.frombytes(block)
                if sys.byteorder != "little":
                    row.byteswap()
                yield row.tolist()
            index += 1


def batches(corpus: Corpus, size: int) -> Iterator[list[list[float]]]:
    """The stored vectors, `size` at a time."""
    batch: list[list[float]] = []
    for row in read_rows(corpus, corpus.chunks):
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
