"""Notebook outputs from a kernel's messages, as nbformat makes them, checked by a schema compiled once.

nbclient turns every IOPub output message into a notebook output with ``nbformat.v4.output_from_msg``, which
validates the output against its part of the notebook schema (``validate(output, ref=output_type)``). With a
``ref`` nbformat hands its fastjsonschema validator a sub-schema, and that validator then falls back to
jsonschema for every output (``nbformat/json_compat.py``: ``FastJsonSchemaValidator.iter_errors`` with a
``schema``): ≈ 39 ms per report of ≈ 240 messages in the batch's main process. :func:`output_from_msg` builds the
same output (the same keys in the same order, a :class:`~nbformat.NotebookNode` throughout) and checks it against
the same definition of nbformat's own v4 schema, compiled once per output type with fastjsonschema. An invalid
output is handed to nbformat's own validation, so it fails with nbformat's error as before.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

#: the fields of each output type, in the order ``nbformat.v4.new_output`` sets them
FIELDS = {
    "execute_result": ("metadata", "data", "execution_count"),
    "stream": ("name", "text"),
    "display_data": ("metadata", "data"),
    "error": ("ename", "evalue", "traceback"),
}


@functools.cache
def _schema() -> dict:
    from nbformat import v4

    path = Path(v4.__file__).parent / v4.nbformat_schema[(v4.nbformat, v4.nbformat_minor)]
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _check(output_type: str):
    """The compiled check of one output type: the definition nbformat validates it against."""
    import fastjsonschema

    schema = _schema()
    # draft 4, as nbformat's schema: a "$ref" at the root is the whole schema; defaults are not filled in
    return fastjsonschema.compile({"$schema": schema.get("$schema"), "definitions": schema["definitions"],
                                   "$ref": f"#/definitions/{output_type}"}, use_default=False)


def output_from_msg(msg: dict):
    """The output of an IOPub message as ``nbformat.v4.output_from_msg`` returns it (a ValueError for a message
    that is no output, nbformat's ValidationError for an invalid one)."""
    from fastjsonschema import JsonSchemaException
    from nbformat import from_dict

    output_type = msg["header"]["msg_type"]
    fields = FIELDS.get(output_type)
    if fields is None:
        raise ValueError("Unrecognized output msg type: %r" % output_type)
    content = msg["content"]
    output = from_dict({"output_type": output_type, **{name: content[name] for name in fields}})
    try:
        _check(output_type)(output)
    except JsonSchemaException:
        from nbformat.v4.nbbase import validate

        validate(output, output_type)  # nbformat's own error (and if it finds none, ours below)
        raise
    return output


def install() -> None:
    """nbclient's executions in this process build their outputs with :func:`output_from_msg`."""
    import nbclient.client

    nbclient.client.output_from_msg = output_from_msg
