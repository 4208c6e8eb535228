"""The README's knowledge-base example, run as written: its curl commands, one by one, in a folder
holding the files they name, against a real service whose model is the fake OpenAI server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess

import starters
from conftest import REPOSITORY, start_service
from documents import docx, pdf
from jobwait import wait_for_status

SECTION = "**Knowledge bases, files and memory**"
REFUND = "Refunds are paid within fourteen days of a return."
QUESTION = "How do refunds work?"


def readme_commands() -> list[str]:
    """The curl commands of the section's shell block, each with its continuation lines."""
    section = (REPOSITORY / "README.md").read_text().split(SECTION, 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands: list[str] = []
    for line in block.splitlines():
        if line.startswith("curl "):
            commands.append(line)
        elif not line.startswith("#"):
            commands[-1] += "\n" + line
    return commands


def files_it_names(folder) -> None:
    (folder / "policy.pdf").write_bytes(pdf(REFUND, "Returns are accepted for thirty days."))
    (folder / "faq.docx").write_bytes(docx("The shop opens at nine.", "Delivery takes two days."))
    (folder / "prices.csv").write_bytes(b"product,price\nkettle,25\ntoaster,40\n")
    export = starters.load("Document Q&A.json")
    export["endpoint_name"] = "document-qa"
    (folder / "Document Q&A.json").write_text(json.dumps(export))


def shell(command: str, folder, port: int, key: str) -> dict:
    command = command.replace("localhost:7860", f"127.0.0.1:{port}")
    done = subprocess.run(["bash", "-c", command], cwd=folder, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "KEY": key}, check=True)
    return json.loads(done.stdout)


async def test_the_readme_knowledge_example_runs_as_written(cluster, fake_openai, tmp_path):
    create, ingest, chunks, upload, run = readme_commands()
    files_it_names(tmp_path)
    async with start_service(cluster, fake_openai.env()) as service:
        port = int(service.base_url.rsplit(":", 1)[1])
        _, key = await service.key()

        async def step(command: str) -> dict:
            return await asyncio.to_thread(shell, command, tmp_path, port, key)

        assert (await step(create))["name"] == "handbook"
        job = await step(ingest)
        async with service.client(key) as client:
            finished = await wait_for_status(client, job["id"], {"completed", "failed", "error"})
        assert finished["status"] == "completed", finished
        assert REFUND in json.dumps(await step(chunks))
        assert (await step(upload))["endpoint_name"] == "document-qa"
        answer = await step(run)
    assert answer["status"] == "completed", answer
    # The model was asked the question with the knowledge base's refund chunk in its prompt.
    (request,) = fake_openai.received(QUESTION)
    assert REFUND in json.dumps(request["messages"])
