"""The text of an uploaded file, as Langflow 1.13's standard file parser reads it.

PDF pages are read with pypdf and DOCX paragraphs with python-docx, each joined by a blank line;
JSON is normalised (NFKD) and written compactly, YAML loaded, XML read with defusedxml (no entity
expansion) and written back; other text is decoded (UTF-8, else Windows-1252, else Latin-1). Files
are hostile: a DOCX whose parts would unpack past `MAX_UNPACKED_BYTES` (a zip bomb), a PDF with too
many pages or that pypdf cannot read, and a type Langflow's parser does not take each raise
`ParseError` naming the file, never a library's traceback.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import PurePosixPath

import orjson
import yaml
from defusedxml import DefusedXmlException, ElementTree

# What Langflow's standard parser reads (lfx/base/data/utils.py TEXT_FILE_TYPES).
TEXT_TYPES = frozenset({"csv", "json", "pdf", "txt", "md", "mdx", "yaml", "yml", "xml", "html", "htm", "docx",
                        "py", "sh", "sql", "js", "ts", "tsx"})
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_PDF_PAGES = 2000


class ParseError(Exception):
    """A file that cannot be read as its type: the message names it and says why."""


def extension(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


def decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def read_text(name: str, content: bytes) -> str:
    """The text of the file `name` holding `content`, for chunking or a flow's message."""
    kind = extension(name)
    if kind not in TEXT_TYPES:
        raise ParseError(f"{name}: files of type .{kind or '(none)'} cannot be read; "
                         f"supported are {', '.join(sorted(TEXT_TYPES))}")
    if kind == "pdf":
        return _pdf(name, content)
    if kind == "docx":
        return _docx(name, content)
    return _structured(name, kind, decode(content))


def _pdf(name: str, content: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ParseError(f"{name}: the PDF has {len(reader.pages)} pages, more than the {MAX_PDF_PAGES} "
                             f"that are read")
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except ParseError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
        raise ParseError(f"{name}: not a readable PDF ({type(error).__name__}: {error})") from None


def _docx(name: str, content: bytes) -> str:
    from docx import Document

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise ParseError(f"{name}: not a readable DOCX (it is not a ZIP archive)") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ParseError(f"{name}: the DOCX would unpack to {unpacked} bytes, more than the "
                         f"{MAX_UNPACKED_BYTES} allowed")
    try:
        document = Document(io.BytesIO(content))
    except Exception as error:  # python-docx raises many kinds for a broken package
        raise ParseError(f"{name}: not a readable DOCX ({type(error).__name__})") from None
    return "\n\n".join(paragraph.text for paragraph in document.paragraphs)


def _structured(name: str, kind: str, text: str) -> str:
    try:
        if kind == "json":
            value = orjson.loads(text)
            if isinstance(value, dict):
                value = {key: _normal(item) for key, item in value.items()}
            elif isinstance(value, list):
                value = [_normal(item) for item in value]
            return orjson.dumps(value).decode()
        if kind in ("yaml", "yml"):
            # Langflow's Data keeps the loaded value; as the text of a message it is written as JSON.
            loaded = yaml.safe_load(text)
            return loaded if isinstance(loaded, str) else orjson.dumps(loaded, default=str).decode()
        if kind == "xml":
            return ElementTree.tostring(ElementTree.fromstring(text), encoding="unicode")
    except (orjson.JSONDecodeError, yaml.YAMLError, ElementTree.ParseError, DefusedXmlException) as error:
        raise ParseError(f"{name}: not valid {kind.upper()} ({type(error).__name__}: {error})") from None
    return text


def _normal(value: object) -> object:
    return unicodedata.normalize("NFKD", value) if isinstance(value, str) else value
