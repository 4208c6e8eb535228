"""The data-processing components behave as Langflow's do (run directly, in-process)."""

from __future__ import annotations

import uuid

import pytest

from sluice.engine import registry
from sluice.engine.component import ComponentError
from sluice.engine.context import RunContext
from sluice.engine.graph import Node, Output
from sluice.engine.services import Services
from sluice.engine.values import Data, DataFrame, Message


async def run(node_type: str, outputs: tuple[Output, ...] = (), **params):
    component = registry.find(node_type)
    assert component is not None, node_type
    node = Node(id=f"{node_type}-1", type=node_type, display_name=node_type, fields={}, outputs=outputs)
    context = RunContext(job_id=uuid.uuid4(), owner="o", flow_id=uuid.uuid4(), session_id="s", services=Services())
    return await component.run(node, params, context)


ROWS = DataFrame(({"title": "A", "summary": "first"}, {"title": "B", "summary": "second"}))


@pytest.mark.parametrize("node_type", ["ParserComponent", "parser"])
async def test_parser_formats_each_table_row_and_joins_them(node_type):
    out = await run(node_type, input_data=ROWS, mode="Parser", pattern="{title}: {summary}", sep="\n")
    assert out["parsed_text"].text == "A: first\nB: second"


async def test_parser_fails_clearly_on_a_row_without_the_key():
    with pytest.raises(ComponentError, match="'missing', which row 1 does not have"):
        await run("parser", input_data=ROWS, mode="Parser", pattern="{missing}", sep="\n")


async def test_parser_gives_empty_strings_for_a_datas_missing_keys():
    out = await run("parser", input_data=Data({"title": "T"}), mode="Parser", pattern="{title}|{absent}|", sep="\n")
    assert out["parsed_text"].text == "T||"


async def test_parser_stringify_turns_the_whole_input_into_text():
    table = await run("parser", input_data=ROWS, mode="Stringify", pattern="", sep="\n")
    assert table["parsed_text"].text == ROWS.to_markdown()
    data = await run("parser", input_data=Data({"a": 1}), mode="Stringify", pattern="", sep="\n")
    assert data["parsed_text"].text == '{\n  "a": 1\n}'
    message = await run("parser", input_data=Message(text="hi"), mode="Stringify", pattern="", sep="\n")
    assert message["parsed_text"].text == "hi"


@pytest.mark.parametrize("pattern", ["{0.__class__}", "{x.__init__}", "{title.__class__.__mro__}", "{title[0]}"])
async def test_templates_never_reach_attributes(pattern):
    parsed = await run("parser", input_data=Data({"title": "T", "x": "X"}), mode="Parser", pattern=pattern, sep="")
    assert "class" not in parsed["parsed_text"].text
    assert "method" not in parsed["parsed_text"].text
    prompt = await run("Prompt", template=pattern, title="T", x="X")
    assert prompt["prompt"].text == ""


async def test_prompt_fills_variables_and_mustache_mode():
    single = await run("Prompt Template", template="Q: {question} {{literal}}", question=Message(text="why"))
    assert single["prompt"].text == "Q: why {literal}"
    double = await run("Prompt", template="Q: {{ question }} {kept}", question="how", use_double_brackets=True)
    assert double["prompt"].text == "Q: how {kept}"


async def test_parse_data_renders_each_item_and_returns_the_list():
    out = await run("ParseData", data=[Data({"q": 1}), Data({"q": 2})], template="Q={q}", sep=", ")
    assert out["text"].text == "Q=1, Q=2"
    assert [item.data for item in out["data_list"]] == [{"q": 1, "text": "Q=1"}, {"q": 2, "text": "Q=2"}]


async def test_parse_data_fails_on_a_missing_key():
    with pytest.raises(ComponentError, match="'nope'"):
        await run("ParseData", data=[Data({"q": 1})], template="{nope}", sep="\n")


async def test_message_to_data_copies_the_message_and_reports_other_inputs():
    out = await run("MessagetoData", message=Message(text="hello", sender="User", sender_name="Ann"))
    assert out["data"].data["text"] == "hello"
    assert out["data"].data["sender_name"] == "Ann"
    bad = await run("MessagetoData", message=Data({"x": 1}))
    assert "expected a Message" in bad["data"].data["error"]


@pytest.mark.parametrize(("output_type", "value", "name", "expected"), [
    ("Message", Data({"text": "t"}), "message_output", Message(text="t")),
    ("Data", Message(text="m"), "data_output", "m"),
    ("DataFrame", [Data({"a": 1}), Data({"a": 2})], "dataframe_output", DataFrame(({"a": 1}, {"a": 2}))),
    ("Message", ROWS, "message_output", Message(text=ROWS.to_markdown())),
])
async def test_type_converter_output_follows_the_mode(output_type, value, name, expected):
    out = await run("TypeConverterComponent", input_data=value, output_type=output_type)
    assert list(out) == [name]
    produced = out[name]
    assert (produced.text if isinstance(expected, str) else produced) == expected


async def test_combine_text_joins_with_the_delimiter():
    out = await run("CombineText", text1=Message(text="a"), text2="b", delimiter=" - ")
    assert out["combined_text"].text == "a - b"


async def test_split_text_chunks_with_overlap_and_keeps_metadata():
    out = await run("SplitText", data_inputs=Data({"text": "aaa bbb ccc ddd", "source": "f"}), separator=" ",
                    chunk_size=7, chunk_overlap=3, text_key="text")
    assert out["dataframe"].rows == (
        {"source": "f", "text": "aaa bbb"}, {"source": "f", "text": "bbb ccc"}, {"source": "f", "text": "ccc ddd"},
    )


async def test_split_text_reads_an_escaped_separator_and_refuses_bad_sizes():
    out = await run("SplitText", data_inputs=Message(text="one\ntwo"), separator="\\n", chunk_size=3,
                    chunk_overlap=0)
    assert [row["text"] for row in out["dataframe"].rows] == ["one", "two"]
    with pytest.raises(ComponentError, match="chunk_overlap"):
        await run("SplitText", data_inputs="x", separator=" ", chunk_size=5, chunk_overlap=9)


@pytest.mark.parametrize(("operator", "text", "match", "case_sensitive", "taken"), [
    ("equals", "Hello", "hello", False, True),
    ("equals", "Hello", "hello", True, False),
    ("not equals", "a", "b", False, True),
    ("not equals", "A", "a", False, False),
    ("contains", "big cat", "CAT", False, True),
    ("contains", "big cat", "CAT", True, False),
    ("does not contain", "big cat", "dog", False, True),
    ("does not contain", "big cat", "cat", False, False),
    ("starts with", "Hello there", "hello", False, True),
    ("starts with", "Hello there", "there", False, False),
    ("ends with", "Hello there", "THERE", False, True),
    ("ends with", "Hello there", "hello", False, False),
    ("regex", "order 123", r"\d{3}$", False, True),
    ("regex", "ORDER", "^order$", True, False),
    ("regex", "x", "(", False, False),
    ("less than", "3", "10", False, True),
    ("less than", "10", "3", False, False),
    ("greater than", "10", "3", False, True),
    ("greater than", "abc", "3", False, False),
])
async def test_if_else_operators(operator, text, match, case_sensitive, taken):
    out = await run("ConditionalRouter", input_text=text, match_text=match, operator=operator,
                    case_sensitive=case_sensitive, message="")
    assert list(out) == ["true_result" if taken else "false_result"]
    assert next(iter(out.values())).text == text


async def test_if_else_passes_the_message_or_the_case_message_through():
    message = Message(text="carried", sender="User", sender_name="Ann")
    out = await run("ConditionalRouter", input_text="a", match_text="a", operator="equals", message=message)
    assert out == {"true_result": message}
    out = await run("ConditionalRouter", input_text="a", match_text="b", operator="equals", message=message,
                    false_case_message="nope")
    assert out["false_result"].text == "nope"
    with pytest.raises(ComponentError, match="unknown operator 'like'"):
        await run("ConditionalRouter", input_text="a", match_text="a", operator="like")


@pytest.mark.parametrize(("payload", "expected"), [
    ('{"test": 1}', {"test": 1}),
    ("not json {", {"payload": "not json {"}),
    ("[1, 2]", {"payload": [1, 2]}),
    ("", {}),
])
async def test_webhook_parses_the_payload(payload, expected):
    out = await run("Webhook", data=payload)
    assert out["output_data"].data == expected


PEOPLE = Data({"people": [{"name": "Ann", "city": "Oslo"}, {"name": "Bob", "city": "Bergen"},
                          {"name": "Cid", "city": "Oslo"}], "count": 3, "raw": "[1, 2]"})


@pytest.mark.parametrize(("operations", "params", "expected"), [
    (["Select Keys"], {"select_keys_input": ["count"]}, {"count": 3}),
    ([{"name": "Remove Keys"}], {"remove_keys_input": ["people", "raw"]}, {"count": 3}),
    (["Filter Values"], {"filter_key": ["people"], "operator": "equals", "filter_values": {"city": "Oslo"}},
     [{"name": "Ann", "city": "Oslo"}, {"name": "Cid", "city": "Oslo"}]),
    (["Filter Values"], {"filter_key": ["people"], "operator": "not contains", "filter_values": {"city": "Os"}},
     [{"name": "Bob", "city": "Bergen"}]),
    (["Filter Values"], {"filter_key": "people", "operator": "starts with", "filter_values": {"name": "B"}},
     [{"name": "Bob", "city": "Bergen"}]),
    (["JQ Expression"], {"query": "[.people[].name]"}, {"result": ["Ann", "Bob", "Cid"]}),
    (["JQ Expression"], {"query": "{n: .count}"}, {"n": 3}),
    (["Path Selection"], {"selected_key": "count"}, {"count": 3}),
    (["Literal Eval", "Select Keys"], {"select_keys_input": ["raw"]}, {"raw": [1, 2]}),
    (["Rename Keys", "Select Keys"], {"rename_keys_input": {"count": "n"}, "select_keys_input": ["n"]}, {"n": 3}),
])
async def test_data_operations(operations, params, expected):
    out = await run("DataOperations", data=PEOPLE, operations=operations, **params)
    data = out["data_output"].data
    assert (data["people"] if isinstance(expected, list) else data) == expected


async def test_data_operations_errors_are_clear():
    with pytest.raises(ComponentError, match="jq expression failed"):
        await run("DataOperations", data=PEOPLE, operations=["JQ Expression"], query=".[")
    with pytest.raises(ComponentError, match="no key 'nope'"):
        await run("DataOperations", data=PEOPLE, operations=["Select Keys"], select_keys_input=["nope"])
    with pytest.raises(ComponentError, match="unknown operation 'Explode'"):
        await run("DataOperations", data=PEOPLE, operations=["Explode"])


async def test_data_operations_combines_several_data():
    out = await run("DataOperations", data=[Data({"a": 1, "b": 1}), Data({"a": 2})], operations=["Combine"])
    assert out["data_output"].data == {"a": [1, 2], "b": 1}


@pytest.mark.parametrize(("expression", "expected"), [
    ("2 + 3 * 4", {"result": "14"}), ("(1 + 2) / 4", {"result": "0.75"}), ("-2 ** 2", {"result": "-4"}),
    ("7 % 4", {"result": "3"}), ("1 / 0", {"error": "Error: Division by zero", "input": "1 / 0"}),
])
async def test_calculator_does_arithmetic(expression, expected):
    out = await run("CalculatorComponent", expression=expression)
    assert out["result"].data == expected


@pytest.mark.parametrize("expression", ["__import__('os').system('true')", "x + 1", "2 ** 99999", "'a' * 3",
                                        "[1, 2]"])
async def test_calculator_refuses_what_is_not_arithmetic(expression):
    out = await run("CalculatorComponent", expression=expression)
    assert out["result"].data["error"].startswith("Invalid expression")


async def test_web_search_that_cannot_reach_its_host_answers_with_an_error_row():
    # `.invalid` never resolves (RFC 2606): the flow carries on with a row naming the failure, as Langflow's.
    out = await run("UnifiedWebSearch", search_mode="RSS", query="https://feeds.example.invalid/rss", timeout=5)
    [row] = out["results"].rows
    assert row["title"] == "Error" and set(row) == {"title", "link", "published", "summary"}
    assert "feeds.example.invalid" in row["summary"]


async def test_a_table_reads_as_pandas_markdown_of_langflows_cleaned_rows():
    table = DataFrame(({"text": "two\n\nlines", "n": 7}, {"text": "a | b", "n": 12}, {"text": "  ", "n": None}))
    # What lfx 1.13's DataFrame.to_message() gives for these rows.
    assert table.to_markdown() == "\n".join([
        "| text          |   n |",
        "|:--------------|----:|",
        "| two<br/>lines |   7 |",
        "| a \\| b        |  12 |",
        "|               | nan |",
    ])
