"""Swedish help chrome for the ``analysis`` command, in one place.

typer (≥ 0.22, which vendors click) writes its help screens with English words: "Usage:", the panel titles
"Options"/"Arguments"/"Commands", "Show this message and exit.", "[default: …]", "[required]", "[OPTIONS]",
"COMMAND [ARGS]..." and a type placeholder after every option ("<bool>", "<int range>", "<list[str]>").
Some are module constants read when a help screen is drawn (``typer.rich_utils``), the rest are literals in
methods; :func:`install` replaces both once, before the app is built, so that ``cli.py`` keeps its plain
typer declarations. The tests in ``tests/test_clihelp.py`` read every command's help and fail on any English
word left, so a typer upgrade that moves a string is caught.
"""

from __future__ import annotations

import re

#: typer.rich_utils constants, by name.
PANEL_WORDS = {
    "OPTIONS_PANEL_TITLE": "Flaggor",
    "ARGUMENTS_PANEL_TITLE": "Argument",
    "COMMANDS_PANEL_TITLE": "Kommandon",
    "ERRORS_PANEL_TITLE": "Fel",
    "ABORTED_TEXT": "Avbrutet.",
    "DEFAULT_STRING": "[standard: {}]",
    "ENVVAR_STRING": "[miljövariabel: {}]",
    "REQUIRED_LONG_STRING": "[krävs]",
    "DEPRECATED_STRING": "(utgår) ",
    "RICH_HELP": "Se [blue]'{command_path} {help_option}'[/] för hjälp.",
}
USAGE = "Användning: "
HELP_OPTION_HELP = "Visa den här hjälpen och avsluta."
#: the usage line's pieces
USAGE_PIECES = {"[OPTIONS]": "[FLAGGOR]", "COMMAND [ARGS]...": "KOMMANDO [ARGUMENT]...", "[ARGS]...": "[ARGUMENT]..."}
#: an argument's name in the help and usage line, by its parameter name (others: upper case)
ARGUMENT_NAMES = {"path": "FIL"}
#: the type shown after an option (typer's "<int>"), by typer's label; None: nothing (a flag needs no value)
TYPE_WORDS = {
    "bool": None, "str": "text", "int": "heltal", "float": "tal", "path": "sökväg", "file": "fil",
    "directory": "mapp", "int range": "heltal", "float range": "tal", "datetime": "datum",
}


def argument_name(name: str) -> str:
    """An argument as the help and the error messages name it: "path" -> "FIL"."""
    return ARGUMENT_NAMES.get(name, name.upper())


def type_label(label: str | None, is_flag: bool) -> str | None:
    """typer's "<int range>" -> "<heltal>", "<list[str]>" -> "<text> …", "<bool>" -> None."""
    if label is None or is_flag:
        return None
    m = re.fullmatch(r"<(.*)>(\.\.\.)?", label)
    if not m:
        return label  # a metavar written by the command itself
    inner, more = m.group(1), m.group(2)
    lst = re.fullmatch(r"list\[(.*)\]", inner)
    if lst:
        inner, more = lst.group(1), "..."
    word = TYPE_WORDS.get(inner, inner) if "|" not in inner else inner
    if word is None:
        return None
    return f"<{word}>" + (" …" if more else "")


def range_words(text: str | None) -> str | None:
    """click's "x>=1" -> "minst 1", "1<=x<=9" -> "1–9"."""
    if not text:
        return text
    rules = ((r"x>=(\S+)", r"minst \1"), (r"x>(\S+)", r"större än \1"), (r"x<=(\S+)", r"högst \1"),
             (r"x<(\S+)", r"mindre än \1"), (r"(\S+)<=x<=(\S+)", r"\1–\2"))
    for pattern, repl in rules:
        if re.fullmatch(pattern, text):
            return re.sub(pattern, repl, text)
    return text


_installed = False


def install() -> None:
    """Swedish words in every typer/click help screen of this process (idempotent)."""
    global _installed
    if _installed:
        return
    import typer.core as tcore
    import typer.rich_utils as ru

    try:
        from typer._click import core as ccore
        from typer._click import formatting
    except ImportError:  # pragma: no cover - older typer on real click
        from click import core as ccore
        from click import formatting

    for name, word in PANEL_WORDS.items():
        if hasattr(ru, name):
            setattr(ru, name, word)
    ru.highlighter.highlights = [*ru.highlighter.highlights, rf"(?P<usage>{USAGE})"]

    write_usage = formatting.HelpFormatter.write_usage

    def swedish_usage(self, prog, args="", prefix=None):
        return write_usage(self, prog, args, USAGE if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = swedish_usage

    def swedish_pieces(original):
        def pieces(self, ctx):
            return [USAGE_PIECES.get(p, p) for p in original(self, ctx)]
        return pieces

    for cls in {ccore.Command, tcore.TyperCommand, tcore.TyperGroup}:
        if "collect_usage_pieces" in vars(cls):
            cls.collect_usage_pieces = swedish_pieces(vars(cls)["collect_usage_pieces"])

    get_help_option = ccore.Command.get_help_option

    def swedish_help_option(self, ctx):
        opt = get_help_option(self, ctx)
        if opt is not None:
            opt.help = HELP_OPTION_HELP
        return opt

    ccore.Command.get_help_option = swedish_help_option

    display = tcore.TyperOption.display_type_rich

    def swedish_type(self, ctx):
        return type_label(display(self, ctx), bool(getattr(self, "is_flag", False)))

    tcore.TyperOption.display_type_rich = swedish_type

    display_arg = tcore.TyperArgument.display_type_rich
    tcore.TyperArgument.display_type_rich = lambda self, ctx: type_label(display_arg(self, ctx), False)
    tcore.TyperArgument.display_name_raw = property(
        lambda self: self.metavar if self.metavar is not None else argument_name(self.name))

    default_string = tcore._get_default_string

    def swedish_default(*args, **kwargs):  # "[standard: 30,0]": a decimal comma in defaults
        return re.sub(r"(?<=\d)\.(?=\d)", ",", default_string(*args, **kwargs))

    tcore._get_default_string = swedish_default

    for cls in (tcore.TyperOption, tcore.TyperArgument):
        original = vars(cls).get("_get_number_range_help_str")
        if original is not None:
            cls._get_number_range_help_str = (lambda f: lambda self: range_words(f(self)))(original)
    _installed = True


def relative_paths(text: str) -> str:
    """Absolute paths under the working folder shown relative to it in a message ("data/tidy/x.csv")."""
    import os

    cwd = os.getcwd().rstrip(os.sep)
    if len(cwd) <= 1:
        return text
    return re.sub(re.escape(cwd + os.sep), "", text).replace(f"'{cwd}'", "'.'")


def shown_path(path) -> str:
    """A path as the user should read it: relative to the working folder when under it."""
    from pathlib import Path

    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def seconds(value: float) -> str:
    """A duration with a decimal comma: "34,6 s"."""
    from analysis.present import fmt

    return f"{fmt.number(value, 1)} s"
