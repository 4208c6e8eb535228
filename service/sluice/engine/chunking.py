"""Cutting text into overlapping chunks, with the results of LangChain's text splitters.

Langflow chunks with LangChain: `CharacterTextSplitter` in Split Text, `RecursiveCharacterTextSplitter`
for knowledge bases. Both cut the text at a separator and pack the pieces into chunks of at most
`size` characters, each starting with up to `overlap` characters of the one before (`_merge`); the
recursive one tries its separators in order and cuts a piece that is still too long at the next.
Chunks are the same as LangChain's for the same arguments (tests/test_chunking.py holds examples
computed with it), so a knowledge base built here retrieves what Langflow's would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

Keep = Literal["start", "end", False]

DEFAULT_SEPARATORS = ("\n\n", "\n", " ", "")


def _cut(text: str, separator: str, keep: Keep) -> list[str]:
    """`text` cut at the regular expression `separator`, which stays on the piece it starts or ends."""
    if not separator:
        return list(text)
    if not keep:
        parts = re.split(separator, text)
    else:
        around = re.split(f"({separator})", text)
        if keep == "end":
            parts = [around[i] + around[i + 1] for i in range(0, len(around) - 1, 2)]
            parts += around[-1:] if len(around) % 2 else []
        else:
            parts = [around[0], *(around[i] + around[i + 1] for i in range(1, len(around) - 1, 2))]
    return [part for part in parts if part]


def _merge(pieces: Sequence[str], joiner: str, size: int, overlap: int) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    total = 0  # len(joiner.join(current))
    for piece in pieces:
        if current and total + len(piece) + len(joiner) > size:
            chunk = joiner.join(current).strip()
            if chunk:
                chunks.append(chunk)
            # Drop pieces from the front until what is left is an overlap the next piece fits beside.
            while total > overlap or (total and total + len(piece) + (len(joiner) if current else 0) > size):
                total -= len(current[0]) + (len(joiner) if len(current) > 1 else 0)
                current.pop(0)
        current.append(piece)
        total += len(piece) + (len(joiner) if len(current) > 1 else 0)
    chunk = joiner.join(current).strip()
    if chunk:
        chunks.append(chunk)
    return chunks


def _check(size: int, overlap: int) -> None:
    if size <= 0 or overlap < 0 or overlap > size:
        raise ValueError(f"chunk_size must be positive and chunk_overlap between 0 and it "
                         f"(got {size} and {overlap})")


def split_by_separator(text: str, separator: str, size: int, overlap: int, keep: Keep = False) -> list[str]:
    """LangChain's `CharacterTextSplitter(separator, chunk_size=size, chunk_overlap=overlap, keep_separator=keep)`."""
    _check(size, overlap)
    pieces = _cut(text, re.escape(separator), keep)
    return _merge(pieces, "" if keep else separator, size, overlap)


def split_recursively(text: str, size: int, overlap: int, separators: Sequence[str] = DEFAULT_SEPARATORS,
                      keep: Keep = "start") -> list[str]:
    """LangChain's `RecursiveCharacterTextSplitter(separators, chunk_size=size, chunk_overlap=overlap)`."""
    _check(size, overlap)
    return _recurse(text, list(separators), size, overlap, keep)


def _recurse(text: str, separators: list[str], size: int, overlap: int, keep: Keep) -> list[str]:
    separator, rest = separators[-1], []
    for index, candidate in enumerate(separators):
        if candidate == "":
            separator = candidate
            break
        if re.search(re.escape(candidate), text):
            separator, rest = candidate, separators[index + 1:]
            break
    joiner = "" if keep else separator
    chunks: list[str] = []
    fitting: list[str] = []
    for piece in _cut(text, re.escape(separator), keep):
        if len(piece) < size:
            fitting.append(piece)
            continue
        if fitting:
            chunks.extend(_merge(fitting, joiner, size, overlap))
            fitting = []
        chunks.extend(_recurse(piece, rest, size, overlap, keep) if rest else [piece])
    if fitting:
        chunks.extend(_merge(fitting, joiner, size, overlap))
    return chunks


def knowledge_chunks(text: str, size: int, overlap: int, separator: str = "") -> list[str]:
    """Chunks as Langflow 1.13 cuts a knowledge base's files: a custom separator (`\\n` and `\\t` typed
    as two characters mean a newline and a tab) is tried before the default ones."""
    if not text.strip():
        return []
    if not separator:
        return split_recursively(text, size, overlap)
    separator = separator.replace("\\n", "\n").replace("\\t", "\t")
    return split_recursively(text, size, overlap, (separator, *DEFAULT_SEPARATORS))
