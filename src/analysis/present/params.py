"""Checks of notebook parameters, with one-line answers for the usual mistake: a code passed as a number.

``papermill … -p municipality 0880`` and ``quarto render … -P municipality:0880`` both turn the code into the
integer 880. The answer is one line (no traceback: the exception renders itself in IPython) that says how to
pass the code as text.
"""

from __future__ import annotations

# name -> (characters, example code, what it is)
CODES = {"municipality": (4, "0880", "kommunkoden"), "county": (2, "08", "länskoden")}


class ParameterError(TypeError):
    """A parameter of the wrong type; IPython shows only its message (one line, no traceback)."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


def code_hint(name: str, value) -> str:
    width, example, what = CODES[name]
    code = str(value).zfill(width) if isinstance(value, int) else example
    return (f"{what.capitalize()} måste vara text ({example!r}), inte {value!r}: ange den som text, "
            f"papermill -r {name} {code} (eller -y \"{name}: '{code}'\"), "
            f"quarto -P \"{name}:'{code}'\" (eller --execute-params med {name}: '{code}').")


def check_code(name: str, value) -> str:
    """``value`` if it is a text code, else :class:`ParameterError` with the one-line hint."""
    if not isinstance(value, str):
        raise ParameterError(code_hint(name, value))
    return value


def check_choice(name: str, value, choices) -> str:
    """``value`` if it is one of ``choices``, else :class:`ParameterError` naming them."""
    choices = list(choices)
    if value not in choices:
        raise ParameterError(f"{name} = {value!r} finns inte; välj ett av: {', '.join(choices)}.")
    return value
