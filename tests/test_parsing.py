"""The parsers read what Langflow's standard parser reads, and refuse hostile files with a clear error."""

from __future__ import annotations

import pytest

from documents import docx, pdf, zip_bomb
from sluice.engine.parsing import MAX_UNPACKED_BYTES, ParseError, read_text


def test_pdf_pages_are_joined_by_a_blank_line() -> None:
    assert read_text("report.PDF", pdf("Revenue rose (a lot)", "Costs fell")) == "Revenue rose (a lot)\n\nCosts fell"


def test_docx_paragraphs_are_joined_by_a_blank_line() -> None:
    assert read_text("notes.docx", docx("Première ligne", "Second")) == "Première ligne\n\nSecond"


def test_text_types_are_decoded() -> None:
    assert read_text("a.csv", b"name,score\nada,3\n") == "name,score\nada,3\n"
    assert read_text("a.txt", "café".encode("cp1252")) == "café"
    assert read_text("a.md", "\ufeff# Title".encode()) == "# Title"


def test_structured_types_are_normalised() -> None:
    assert read_text("a.json", b'{ "a": "\xef\xac\x81", "b": [1, 2] }') == '{"a":"fi","b":[1,2]}'
    assert read_text("a.yaml", b"a: 1\nb: [x, y]\n") == '{"a":1,"b":["x","y"]}'
    assert read_text("a.xml", b"<?xml version='1.0'?><r><i>1</i></r>") == "<r><i>1</i></r>"


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("b.pdf", b"%PDF-1.4 not really", "not a readable PDF"),
    ("b.docx", b"plain bytes", "not a ZIP archive"),
    ("b.json", b"{oops", "not valid JSON"),
    ("b.xml", b'<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>', "not valid XML"),
    ("b.exe", b"MZ", "files of type .exe cannot be read"),
    ("README", b"text", "files of type .(none) cannot be read"),
])
def test_broken_and_unsupported_files_are_refused_by_name(name: str, content: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=rf"^{name}: .*") as refused:
        read_text(name, content)
    assert reason in str(refused.value)


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    bomb = zip_bomb(MAX_UNPACKED_BYTES + 1)
    assert len(bomb) < 1024 * 1024
    with pytest.raises(ParseError, match="would unpack to"):
        read_text("bomb.docx", bomb)
