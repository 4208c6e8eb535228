"""Filling a knowledge base: its files stored and its ingestion job queued in one transaction.

The uploaded files belong to the job (files.job_id), so they are its durable input: a worker that
dies mid-ingestion leaves them for the next attempt, and retention deletes them with the job.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from uuid import UUID

import asyncpg
import attrs

from sluice.config import Settings
from sluice.engine.ingestion import INGESTION_VERSION, ingestion_inputs
from sluice.models import KnowledgeBase
from sluice.store import files, jobs, knowledge


@attrs.frozen
class Upload:
    name: str
    mime_type: str
    content: bytes


async def ingest(pool: asyncpg.Pool, settings: Settings, base: KnowledgeBase, uploads: Sequence[Upload], *,
                 chunk_size: int, chunk_overlap: int, separator: str) -> UUID:
    """Queue the ingestion of `uploads` into `base`; the job's id."""
    job_id = jobs.new_id()
    file_ids = [uuid.uuid4() for _ in uploads]
    inputs = ingestion_inputs(base.id, file_ids, chunk_size, chunk_overlap, separator)
    submission = jobs.Submission(job_id, base.owner, base.id, INGESTION_VERSION, settings.max_attempts, inputs,
                                 None, None)
    async with pool.acquire() as conn, conn.transaction():
        await jobs.enqueue(conn, [submission])
        for file_id, upload in zip(file_ids, uploads, strict=True):
            await files.insert(conn, file_id=file_id, owner=base.owner, job_id=job_id, name=upload.name,
                               mime_type=upload.mime_type, content=upload.content)
        await knowledge.start_ingestion(conn, base.id, job_id, chunk_size, chunk_overlap, separator)
    return job_id
