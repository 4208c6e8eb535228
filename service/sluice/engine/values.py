"""The values that travel along a flow's edges, as Langflow's schema types: Message, Data, DataFrame."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import attrs


@attrs.frozen
class Message:
    text: str
    sender: str = "User"
    sender_name: str = "User"
    session_id: str = ""
    files: tuple[str, ...] = ()
    # A model's answer: the tokens it cost (`input_tokens`, `output_tokens`, `total_tokens`).
    usage: Mapping[str, int] = attrs.field(factory=dict)


@attrs.frozen
class Data:
    data: Mapping[str, Any] = attrs.field(factory=dict)
    text_key: str = "text"

    @property
    def text(self) -> str:
        value = self.data.get(self.text_key, "")
        return value if isinstance(value, str) else str(value)


@attrs.frozen
class DataFrame:
    rows: tuple[Mapping[str, Any], ...] = ()

    @property
    def columns(self) -> list[str]:
        names: dict[str, None] = {}
        for row in self.rows:
            names.update(dict.fromkeys(row))
        return list(names)

    def to_markdown(self) -> str:
        """The table as Langflow shows one as text: pandas' `to_markdown` (tabulate's pipe format,
        padded, `:---` and `---:` alignment) of the rows cleaned as Langflow cleans them: empty rows
        dropped, blank cells emptied, `|` escaped, line breaks as `<br/>`."""
        columns = self.columns
        rows = [[_cell(row.get(name)) for name in columns] for row in self.rows]
        rows = [row for row in rows if any(cell is not None for cell in row)]
        if not columns:
            return ""
        # A missing number in a column of numbers is NaN to pandas, printed `nan`.
        for index in range(len(columns)):
            values = [row[index] for row in rows if row[index] is not None]
            if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
                for row in rows:
                    row[index] = math.nan if row[index] is None else row[index]
        from tabulate import tabulate  # here, not at import: a worker starts without it

        return tabulate(rows, headers=columns, tablefmt="pipe", showindex=False)


def _cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if not value.strip():
        return ""
    return re.sub(r"\n+", "\n", value).replace("|", "\\|").replace("\n", "<br/>")


def to_text(value: Any) -> str:
    """The text of any edge value, as Langflow's ChatOutput and Prompt render it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Message | Data):
        return value.text
    if isinstance(value, DataFrame):
        return value.to_markdown()
    if isinstance(value, list | tuple):
        return "\n".join(to_text(item) for item in value)
    return str(value)


def as_data(value: Any) -> Data:
    """Any edge value as a Data, as Langflow's schema converters make one."""
    if isinstance(value, Data):
        return value
    if isinstance(value, Mapping):
        return Data(dict(value))
    if isinstance(value, DataFrame):
        return Data({"results": [dict(row) for row in value.rows]})
    return Data({"text": to_text(value)})


def data_items(value: Any) -> list[Data]:
    """A value as a list of Data: a table's rows, a list's items, or the one value."""
    if value is None or value == "":
        return []
    if isinstance(value, DataFrame):
        return [Data(dict(row)) for row in value.rows]
    if isinstance(value, list | tuple):
        return [item for entry in value for item in data_items(entry)]
    return [as_data(value)]
