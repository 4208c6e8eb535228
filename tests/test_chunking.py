"""Chunking matches LangChain's text splitters.

The expected chunks were computed with langchain-text-splitters 1.1.3 (RecursiveCharacterTextSplitter and
CharacterTextSplitter with the same arguments) and are recorded here; LangChain is not a dependency.
"""


from __future__ import annotations

import pytest

from sluice.engine.chunking import knowledge_chunks, split_by_separator, split_recursively

PROSE = (
    'Sluice runs flows as durable jobs.\n\n'
    'Each job is a row in PostgreSQL; workers claim rows with SKIP LOCKED and write results back.\n'
    'A knowledge base keeps chunks and their embeddings.\n\n\n'
    'Retrieval ranks chunks by cosine distance. '
    'averyveryverylongwordthatcannotbesplitatspacesandkeepsgoingforeverandever ok.\nThe end.'
)


# (chunk_size, chunk_overlap, custom separator tried first) -> RecursiveCharacterTextSplitter's chunks
RECURSIVE = {(13, 5, None): ['Sluice runs',
                 'runs flows',
                 'as durable',
                 'jobs.',
                 'Each job is',
                 'is a row in',
                 'PostgreSQL;',
                 'workers',
                 'claim rows',
                 'rows with',
                 'with SKIP',
                 'SKIP LOCKED',
                 'and write',
                 'results',
                 'back.',
                 'A knowledge',
                 'base keeps',
                 'chunks and',
                 'and their',
                 'embeddings.',
                 'Retrieval',
                 'ranks chunks',
                 'by cosine',
                 'distance.',
                 'averyveryver',
                 'ryverylongwor',
                 'ngwordthatcan',
                 'atcannotbespl',
                 'besplitatspac',
                 'tspacesandkee',
                 'ndkeepsgoingf',
                 'oingforeveran',
                 'verandever',
                 'ok.',
                 'The end.'],
 (40, 10, None): ['Sluice runs flows as durable jobs.',
                  'Each job is a row in PostgreSQL;',
                  'workers claim rows with SKIP LOCKED and',
                  'and write results back.',
                  'A knowledge base keeps chunks and their',
                  'and their embeddings.',
                  'Retrieval ranks chunks by cosine',
                  'by cosine distance.',
                  'averyveryverylongwordthatcannotbesplita',
                  'otbesplitatspacesandkeepsgoingforeverand',
                  'foreverandever',
                  'ok.',
                  'The end.'],
 (50, 10, '. '): ['Sluice runs flows as durable jobs.',
                  'Each job is a row in PostgreSQL; workers claim',
                  'claim rows with SKIP LOCKED and write results',
                  'results back.',
                  'A knowledge base keeps chunks and their',
                  'and their embeddings.',
                  'Retrieval ranks chunks by cosine distance',
                  '.',
                  'averyveryverylongwordthatcannotbesplitatspacesand',
                  'tspacesandkeepsgoingforeverandever',
                  'ok.',
                  'The end.'],
 (50, 10, ';'): ['Sluice runs flows as durable jobs.',
                 'Each job is a row in PostgreSQL',
                 '; workers claim rows with SKIP LOCKED and write',
                 'and write results back.',
                 'A knowledge base keeps chunks and their',
                 'and their embeddings.',
                 'Retrieval ranks chunks by cosine distance.',
                 'averyveryverylongwordthatcannotbesplitatspacesand',
                 'tspacesandkeepsgoingforeverandever',
                 'ok.',
                 'The end.'],
 (60, 20, None): ['Sluice runs flows as durable jobs.',
                  'Each job is a row in PostgreSQL; workers claim rows with',
                  'claim rows with SKIP LOCKED and write results back.',
                  'A knowledge base keeps chunks and their embeddings.',
                  'Retrieval ranks chunks by cosine distance.',
                  'averyveryverylongwordthatcannotbesplitatspacesandkeepsgoing',
                  'tspacesandkeepsgoingforeverandever',
                  'ok.',
                  'The end.']}


# (separator, keep_separator) -> CharacterTextSplitter(chunk_size=45, chunk_overlap=15)'s chunks
BY_SEPARATOR = {('\n', False): ['Sluice runs flows as durable jobs.',
                 'Each job is a row in PostgreSQL; workers claim rows with SKIP LOCKED and write results back.',
                 'A knowledge base keeps chunks and their embeddings.',
                 'Retrieval ranks chunks by cosine distance. '
                 'averyveryverylongwordthatcannotbesplitatspacesandkeepsgoingforeverandever ok.',
                 'The end.'],
 (' ', False): ['Sluice runs flows as durable jobs.\n\nEach job',
                'jobs.\n\nEach job is a row in PostgreSQL;',
                'in PostgreSQL; workers claim rows with SKIP',
                'rows with SKIP LOCKED and write results',
                'write results back.\nA knowledge base keeps',
                'base keeps chunks and their',
                'and their embeddings.\n\n\nRetrieval ranks',
                'ranks chunks by cosine distance.',
                'averyveryverylongwordthatcannotbesplitatspacesandkeepsgoingforeverandever',
                'ok.\nThe end.'],
 ('. ', 'end'): ['Sluice runs flows as durable jobs.\n'
                 '\n'
                 'Each job is a row in PostgreSQL; workers claim rows with SKIP LOCKED and write results back.\n'
                 'A knowledge base keeps chunks and their embeddings.\n'
                 '\n'
                 '\n'
                 'Retrieval ranks chunks by cosine distance.',
                 'averyveryverylongwordthatcannotbesplitatspacesandkeepsgoingforeverandever ok.\nThe end.'],
 ('. ', 'start'): ['Sluice runs flows as durable jobs.\n'
                   '\n'
                   'Each job is a row in PostgreSQL; workers claim rows with SKIP LOCKED and write results back.\n'
                   'A knowledge base keeps chunks and their embeddings.\n'
                   '\n'
                   '\n'
                   'Retrieval ranks chunks by cosine distance',
                   '. averyveryverylongwordthatcannotbesplitatspacesandkeepsgoingforeverandever ok.\nThe end.']}



@pytest.mark.parametrize(("size", "overlap", "separator"), list(RECURSIVE))
def test_recursive_chunks_are_langchains(size: int, overlap: int, separator: str | None) -> None:
    expected = RECURSIVE[(size, overlap, separator)]
    assert knowledge_chunks(PROSE, size, overlap, separator or "") == expected
    if separator is None:
        assert split_recursively(PROSE, size, overlap) == expected


@pytest.mark.parametrize(("separator", "keep"), list(BY_SEPARATOR))
def test_separator_chunks_are_langchains(separator: str, keep: str | bool) -> None:
    assert split_by_separator(PROSE, separator, 45, 15, keep) == BY_SEPARATOR[(separator, keep)]


def test_a_typed_backslash_n_separator_means_a_newline() -> None:
    assert knowledge_chunks("one\ntwo\nthree", 8, 0, "\\n") == ["one\ntwo", "three"]


def test_blank_text_has_no_chunks() -> None:
    assert knowledge_chunks(" \n\n ", 10, 2) == []


@pytest.mark.parametrize(("size", "overlap"), [(0, 0), (10, 11), (10, -1)])
def test_impossible_sizes_are_refused(size: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="chunk_overlap"):
        split_recursively(PROSE, size, overlap)
