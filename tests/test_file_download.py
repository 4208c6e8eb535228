"""Contract, Files: `GET /api/v2/files/{file_id}` returns the bytes of a file output, to its owner only.

File rows are written by the SaveToFile component; here they are inserted directly.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote


async def insert_file(service, owner: str, name: str, mime_type: str, content: bytes) -> str:
    file_id = uuid.uuid4()
    await service.pool.execute(
        "insert into files (id, owner, name, mime_type, size, content) values ($1, $2, $3, $4, $5, $6)",
        file_id, owner, name, mime_type, len(content), content,
    )
    return str(file_id)


async def test_owner_downloads_the_bytes_with_content_type_and_name(service, client, owner_key):
    """Contract: GET /api/v2/files/{file_id} returns the bytes of a file output (content type, name)."""
    content = b"city,population\nLisbon,545000\n"
    file_id = await insert_file(service, owner_key[0], "report.csv", "text/csv", content)
    response = await client.get(f"/api/v2/files/{file_id}")
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"].split(";")[0] == "text/csv"
    assert response.headers["content-disposition"] == 'attachment; filename="report.csv"'
    assert response.headers["content-length"] == str(len(content))


async def test_a_name_that_is_not_plain_ascii_is_percent_encoded(service, client, owner_key):
    """Contract: GET /api/v2/files/{file_id}: the file's name survives any characters (RFC 6266)."""
    name = 'résumé "final".pdf'
    file_id = await insert_file(service, owner_key[0], name, "application/pdf", b"%PDF-1.7")
    response = await client.get(f"/api/v2/files/{file_id}")
    assert response.headers["content-disposition"] == f"attachment; filename*=UTF-8''{quote(name, safe='')}"
    assert response.content == b"%PDF-1.7"


async def test_a_large_file_is_streamed_whole(service, client, owner_key):
    """Contract: GET /api/v2/files/{file_id} streams a file larger than one read (1 MiB) in slices."""
    content = os.urandom(2 * 1024 * 1024 + 12345)
    file_id = await insert_file(service, owner_key[0], "blob.bin", "application/octet-stream", content)
    async with client.stream("GET", f"/api/v2/files/{file_id}") as response:
        assert response.headers["content-length"] == str(len(content))
        chunks = [chunk async for chunk in response.aiter_raw()]
    assert b"".join(chunks) == content


async def test_another_owners_file_and_unknown_files_are_404(service, client):
    """Contract: Files belong to the owner of the key that created them; anything owned by someone else
    answers exactly as if it did not exist (404)."""
    someone_else = await insert_file(service, "someone-else", "secret.txt", "text/plain", b"secret")
    missing = str(uuid.uuid4())
    answers = [await client.get(f"/api/v2/files/{file_id}") for file_id in (someone_else, missing, "not-a-uuid")]
    assert [response.status_code for response in answers] == [404, 404, 404]
    assert [response.json()["code"] for response in answers] == ["FILE_NOT_FOUND"] * 3
    # Same answer, apart from the id it names.
    assert answers[0].json()["detail"].replace(someone_else, "ID") == answers[1].json()["detail"].replace(missing, "ID")


async def test_files_need_a_key(service, owner_key):
    """Contract: Every `/api/...` route needs a key: missing or unknown key: 401."""
    file_id = await insert_file(service, owner_key[0], "a.txt", "text/plain", b"a")
    async with service.client(None) as anonymous:
        assert (await anonymous.get(f"/api/v2/files/{file_id}")).status_code == 401
    async with service.client("sk-wrong") as wrong:
        assert (await wrong.get(f"/api/v2/files/{file_id}")).status_code == 401
    async with service.client(None) as by_query:
        response = await by_query.get(f"/api/v2/files/{file_id}", params={"x-api-key": owner_key[1]})
        assert response.content == b"a"
