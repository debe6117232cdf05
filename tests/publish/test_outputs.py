"""Outputs from kernel messages: the same as nbformat's, checked against the same schema definitions."""
import json

import nbformat
import pytest
from nbformat.v4 import output_from_msg as nbformat_output_from_msg

from analysis.publish import outputs

PLOTLY = {"data": [{"type": "scatter", "x": [2020, 2021], "y": [1.5, None], "line": {"dash": "dot"}}],
          "layout": {"title": {"text": "Andel"}, "xaxis": {"tickvals": [2020, 2021]}}}


def _msg(msg_type, **content):
    return {"header": {"msg_type": msg_type}, "parent_header": {}, "metadata": {}, "content": content}


MESSAGES = [
    _msg("stream", name="stdout", text="Ronneby\n"),
    _msg("stream", name="stderr", text=""),
    _msg("display_data", data={"text/plain": "<Figure>", "application/vnd.plotly.v1+json": PLOTLY,
                               "text/markdown": ["a\n", "b"]},
         metadata={"analysis": {"kind": "figure", "nested": [{"a": 1}]}}, transient={"display_id": "x"}),
    _msg("execute_result", data={"text/plain": "3"}, metadata={}, execution_count=7),
    _msg("execute_result", data={"text/plain": "3"}, metadata={}, execution_count=None),
    _msg("error", ename="ValueError", evalue="okänd kod", traceback=["Traceback", "ValueError: okänd kod"]),
]


def _shape(node):
    """Types and key order throughout, as JSON cannot show them."""
    if isinstance(node, dict):
        return (type(node).__name__, [(k, _shape(v)) for k, v in node.items()])
    if isinstance(node, list):
        return [_shape(v) for v in node]
    return type(node).__name__


@pytest.mark.parametrize("msg", MESSAGES, ids=lambda m: m["header"]["msg_type"])
def test_the_same_output_as_nbformat(msg):
    ours, theirs = outputs.output_from_msg(json.loads(json.dumps(msg))), nbformat_output_from_msg(msg)
    assert ours == theirs
    assert _shape(ours) == _shape(theirs)
    assert isinstance(ours, nbformat.NotebookNode) and isinstance(ours.get("data", {}), dict)


INVALID = [
    _msg("display_data", data={"text/plain": 5}, metadata={}),           # a text mime type holds text
    _msg("execute_result", data={}, metadata={}, execution_count="7"),  # a count is an integer
    _msg("stream", name="stdout", text=3),
    _msg("error", ename="E", evalue="e", traceback="not a list"),
    _msg("display_data", data={"text/plain": "x"}, metadata=[]),        # metadata is an object
]


@pytest.mark.parametrize("msg", INVALID, ids=range(len(INVALID)))
def test_an_invalid_output_fails_as_with_nbformat(msg):
    with pytest.raises(nbformat.ValidationError) as theirs:
        nbformat_output_from_msg(msg)
    with pytest.raises(nbformat.ValidationError) as ours:
        outputs.output_from_msg(msg)
    assert str(ours.value) == str(theirs.value)  # nbformat's own error message


def test_a_message_that_is_no_output():
    with pytest.raises(ValueError, match="Unrecognized output msg type: 'status'"):
        outputs.output_from_msg(_msg("status", execution_state="idle"))


def test_the_batch_uses_it():
    import nbclient.client

    import analysis.publish.kernel  # noqa: F401  (installs it)

    assert nbclient.client.output_from_msg is outputs.output_from_msg
