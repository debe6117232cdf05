"""The one command-line entry point: ``analysis …``.

Every user error (unknown code, invalid file or argument, missing data, a path that cannot be read or
written) is one Swedish line on stderr and exit code :data:`USER_ERROR` (2), never a traceback. That holds for
typer/click's own usage errors too: :class:`SwedishGroup` replaces their English boxes. Exit code 1 means
that reports were attempted and some failed; 130 that the run was interrupted.
"""

from __future__ import annotations

import errno
import json
import re
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

from analysis import runtime

runtime.tune()  # before numpy starts its BLAS threads (analysis.runtime)

import pandas as pd  # noqa: E402
import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.markup import escape as rich_escape  # noqa: E402
from rich.table import Table  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

try:  # typer ≥ 0.22 vendors click; its usage errors are these classes
    from typer._click import exceptions as cx
except ImportError:  # pragma: no cover - older typer on real click
    from click import exceptions as cx

from analysis.present import fmt
from analysis.errors import (NAME_MAX, AnalysisError, DataValidationError, os_error_text,  # noqa: F401
                             require_writable_folder)
from analysis import clihelp

clihelp.install()  # Swedish help chrome: "Användning", "Flaggor", no "<bool>" (analysis.clihelp)

#: The one exit code for every user error (bad argument, invalid data, missing or unwritable path).
USER_ERROR = 2
#: Some reports were attempted and failed (see the summary and each report's log).
REPORTS_FAILED = 1


def _usage_text(exc: cx.UsageError) -> str:
    """click's English usage error -> one Swedish sentence."""
    msg = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    if isinstance(exc, cx.NoSuchOption):
        hint = f" (menade du {', '.join(exc.possibilities)}?)" if exc.possibilities else ""
        return f"okänd flagga {exc.option_name}{hint}"
    if isinstance(exc, cx.MissingParameter):
        name = exc.param.opts[0] if exc.param is not None and exc.param.opts else (exc.param_hint or "")
        if exc.param is not None and exc.param.param_type_name == "argument":
            name = f"argumentet {clihelp.argument_name(exc.param.name)}"
        return f"{name} saknas"
    if isinstance(exc, cx.BadParameter):
        hint = exc.param.opts[0] if exc.param is not None and exc.param.opts else (exc.param_hint or "värdet")
        if exc.param is not None and exc.param.param_type_name == "argument":
            hint = clihelp.argument_name(exc.param.name)
        return f"{hint}: {_translate(exc.message)}"
    m = re.match(r"Option '([^']+)' requires an argument", msg)
    if m:
        return f"flaggan {m.group(1)} behöver ett värde"
    m = re.match(r"No such command '([^']+)'", msg)
    if m:
        return f"okänt kommando {m.group(1)!r}"
    m = re.match(r"Got unexpected extra argument\S* \((.*)\)", msg)
    if m:
        return f"oväntat argument: {m.group(1)}"
    return _translate(msg)


def _translate(msg: str) -> str:
    msg = re.sub(r"^Value error, ", "", msg.strip())
    rules = (
        (r"Input should be greater than or equal to (\S+)", r"måste vara minst \1"),
        (r"Input should be greater than (\S+)", r"måste vara större än \1"),
        (r"Input should be less than or equal to (\S+)", r"får vara högst \1"),
        (r"Input should be less than (\S+)", r"måste vara mindre än \1"),
        (r"Input should be a valid integer.*", r"ange ett heltal"),
        (r"Input should be a valid (number|float).*", r"ange ett tal"),
        (r"Input should be a valid boolean.*", r"ange true eller false"),
        (r"Input should be (.*)", r"ange \1"),
        (r"'(.*)' is not a valid integer( range)?\.?", r"'\1' är inte ett heltal"),
        (r"'(.*)' is not a valid float( range)?\.?", r"'\1' är inte ett tal"),
        (r"'(.*)' is not one of (.*)\.", r"'\1' är inte ett av \2"),
        (r"(.*) is not in the range (\S+)>=(\S+)\.?", r"\1 måste vara minst \3"),
        (r"(.*) is not in the range (\S+)>(\S+)\.?", r"\1 måste vara större än \3"),
        (r"(.*) is not in the range (\S+)<=(\S+)\.?", r"\1 får vara högst \3"),
        (r"(.*) is not in the range (.*)\.?", r"\1 ligger utanför \2"),
        (r"(?:File|Path|Directory) '(.*)' does not exist\.?", r"'\1' finns inte"),
        (r"(?:File|Path) '(.*)' is a directory\.?", r"'\1' är en mapp"),
    )
    for pattern, repl in rules:
        if re.fullmatch(pattern, msg.strip()):
            return re.sub(pattern, repl, msg.strip())
    return msg.strip().rstrip(".")


class SwedishGroup(TyperGroup):
    """Runs the app in click's non-standalone mode so that usage errors, aborts and OS errors become one
    Swedish line with :data:`USER_ERROR` instead of English boxes or tracebacks."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                              standalone_mode=False, **extra)
        except cx.NoArgsIsHelpError as exc:
            typer.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
            rv = USER_ERROR
        except cx.UsageError as exc:
            cmd = exc.ctx.command_path if exc.ctx is not None else "analysis"
            err.print(f"[bold red]Fel:[/] {rich_escape(clihelp.relative_paths(_usage_text(exc)))}. "
                      f"Se '{rich_escape(cmd)} --help'.",
                      highlight=False)
            rv = USER_ERROR
        except cx.ClickException as exc:
            err.print(f"[bold red]Fel:[/] {rich_escape(clihelp.relative_paths(_translate(exc.format_message())))}",
                      highlight=False)
            rv = USER_ERROR
        except typer.Abort:
            err.print("Avbrutet.", highlight=False)
            rv = 130
        except AnalysisError as exc:  # raised outside a command's own handler
            err.print(f"[bold red]Fel:[/] {rich_escape(clihelp.relative_paths(str(exc)))}", highlight=False)
            rv = USER_ERROR
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                rv = 1
            else:
                err.print(f"[bold red]Fel:[/] {rich_escape(clihelp.relative_paths(os_error_text(exc)))}",
                          highlight=False)
                rv = USER_ERROR
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    cls=SwedishGroup,
    name="analysis",
    help="Integrationsuppföljning: indikatorer, skillnader mellan utrikes och inrikes födda, rapporter.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, soft_wrap=True)


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _fail(exc: Exception, code: int = USER_ERROR) -> None:
    rel = clihelp.relative_paths  # messages name paths relative to the working folder
    if isinstance(exc, DataValidationError):
        err.print(f"[bold red]Ogiltig data:[/] {rich_escape(rel(str(exc.source)))}: {len(exc.problems)} problem",
                  highlight=False)
        for p in exc.problems:
            err.print(f"  - {rel(str(p))}", highlight=False, markup=False)
    elif isinstance(exc, OSError):
        err.print(f"[bold red]Fel:[/] {rich_escape(rel(os_error_text(exc)))}", highlight=False)
    else:
        err.print(f"[bold red]Fel:[/] {rich_escape(rel(str(exc)))}", highlight=False)
    raise typer.Exit(code)


def _hold(lock) -> None:
    """Hold ``lock`` (:mod:`analysis.locks`) until the command ends, however it ends."""
    try:
        from typer._click.globals import get_current_context
    except ImportError:  # pragma: no cover - older typer on real click
        from click import get_current_context
    ctx = get_current_context(silent=True)
    if ctx is None:  # pragma: no cover - called outside a command: held until the process ends
        lock.__enter__()
    else:
        ctx.with_resource(lock)


def _check_name(path: Path | None, what: str) -> None:
    """Over-long names fail before any file system call with a clear line."""
    if path is None:
        return
    for part in Path(path).parts:
        if len(part.encode("utf-8", "surrogateescape")) > NAME_MAX:
            raise AnalysisError(f"{what}: filnamnet är för långt ({len(part)} tecken, högst {NAME_MAX}): "
                                f"{part[:40]}…")


def _check_url(url: str | None, what: str) -> None:
    from urllib.parse import urlparse

    if url is None:
        return
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc or any(c.isspace() for c in url.strip()):
        raise AnalysisError(f"{what} {url!r}: ange en webbadress som börjar med http:// eller https://")


def _check_output_file(path: Path, what: str) -> None:
    """A file path we may write: not a folder, its folder exists or can be made, and is writable."""
    _check_name(path, what)
    if path.is_dir():
        raise AnalysisError(f"{what} {path}: är en mapp; ange en fil, t.ex. {path / 'integration.csv'}")
    require_writable_folder(path.parent, what)


def _check_output_dir(path: Path, what: str) -> None:
    _check_name(path, what)
    require_writable_folder(path, what)


def _emit(df: pd.DataFrame, format: Format) -> None:
    if format is Format.csv:
        sys.stdout.write(df.to_csv(index=False, lineterminator="\n"))
    else:
        records = json.loads(df.to_json(orient="records", force_ascii=False))
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")


@app.command()
def indicators(
    format: Annotated[Format, typer.Option("--format", "-f", help="table, csv eller json")] = Format.table,
) -> None:
    """Indikatorkatalogen."""
    from analysis.domain.catalogue import load_catalogue

    try:
        cat = load_catalogue()
    except AnalysisError as exc:
        _fail(exc)
    df = pd.DataFrame(
        [
            {
                "id": i.id, "titel": i.title, "fokusområde": cat.focus_areas[i.focus_area], "enhet": i.unit,
                "riktning": "högre är bättre" if i.higher_is_better else "lägre är bättre",
                "jämförelse": "utrikes mot inrikes" if i.is_native else "kommun mot län och riket",
                "nivåer": ",".join(i.levels), "kön": "ja" if i.sex_split else "nej",
                "källa": f"{i.producer}: {i.source['statistic']}",
                "kolada": ",".join(i.source.get("kolada", [])),
                "mål": i.goal,
            }
            for i in cat
        ]
    )
    if format is not Format.table:
        return _emit(df, format)
    t = Table(title=f"Indikatorkatalog ({len(cat)} indikatorer)", show_lines=False)
    for col in ("id", "titel", "fokusområde", "enhet", "riktning", "jämförelse", "nivåer", "kön", "källa"):
        t.add_column(col, overflow="fold")
    for r in df.itertuples(index=False):
        t.add_row(r.id, r.titel, r.fokusområde, r.enhet, r.riktning, r.jämförelse, r.nivåer, r.kön, r.källa)
    out.print(t)


@app.command()
def gaps(
    municipality: Annotated[str, typer.Option("--municipality", "-m", help="Kommunkod (4 tecken) eller namn")],
    year: Annotated[Optional[int], typer.Option(help="Rapportår (standard: analysis.yml)")] = None,
    sex: Annotated[str, typer.Option(help="T, K, M eller all")] = "all",
    data: Annotated[Optional[Path], typer.Option(help="Tidy-datafil (standard: analysis.yml)")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table, csv eller json")] = Format.table,
) -> None:
    """Skillnader mellan utrikes och inrikes födda för en kommun, dess län och riket."""
    from analysis.domain.geography import load_geography
    from analysis.compute.results import area_gap_table, check_year, load_results, missing_indicators, require_year_data

    try:
        area = load_geography().find(municipality, level="kommun")
        results = load_results(year=check_year(year) if year is not None else None, county=area.county, data=data)
        require_year_data(results, area.code)
        sexes = ("T", "K", "M") if sex.lower() == "all" else tuple(sex.upper().split(","))
        if not set(sexes) <= {"T", "K", "M"}:
            raise AnalysisError(f"--sex {sex!r}: ange T, K, M eller all")
        table = area_gap_table(results, area.code, sexes)
        gone = missing_indicators(results, area.code)
    except AnalysisError as exc:
        _fail(exc)
    if format is not Format.table:
        return _emit(table, format)
    _print_gap_table(table, results, area)
    _print_missing(gone, results)


def _print_missing(gone, results) -> None:
    """Per indicator without figures: "uppgift saknas", why, and how to get them."""
    if gone:
        out.print(f"[bold]Uppgift saknas[/] för {len(gone)} indikator(er):", highlight=False)
    for m in gone:
        ind = results.catalogue.get(m.indicator)
        out.print(f"  • [bold]{ind.title}[/] ({results.geography.area(m.geo_code).name} {m.year}): "
                  f"{m.reason}. {m.how}", highlight=False)


def _print_gap_table(table: pd.DataFrame, results, area) -> None:
    out.print(
        f"[bold]{area.name} ({area.code}) {results.year}[/]: utrikes jämfört med inrikes födda, länet och riket. "
        f"Skillnad = värde − jämförelse (utrikes − inrikes födda, resp. kommunen − länet/riket); "
        f"Läge säger vem som har det sämre. Trend från basåret "
        f"{results.baseline_year}. Symboler: .. uppgift saknas eller är skyddad, . kan inte förekomma, – bortfall.",
        highlight=False,
    )
    grouped = table[table["level"] == "kommungrupp"] if "level" in table else table.iloc[0:0]
    if len(grouped) and results.grouping is not None:
        out.print(f"{grouped['area'].iloc[0]} = {grouped['group_name'].iloc[0]} ({results.grouping.title}); "
                  f"gruppens värde = {results.grouping.method_text}.", highlight=False)
    for _, rows in (table.groupby("indicator", sort=False) if len(table) else []):
        first = rows.iloc[0]
        native = first.comparison == "inrikes"
        versus = (f"{first.subject} (värde) mot {first.reference} (jämförelse)" if native
                  else "länet mot riket" if first.level == "lan" else "kommunen mot länet och riket")
        t = Table(title=f"[bold]{first.title}[/] – {versus}", title_justify="left")
        for col, just in (("Område", "left"), ("Kön", "left"),
                          ("Värde", "right"), ("Jämförelse", "right"),
                          ("Skillnad", "right"), ("Kvot", "right"), ("Trend", "left"), ("Data", "left")):
            t.add_column(col, justify=just, no_wrap=True)
        for r in rows.itertuples(index=False):
            ref = fmt.with_unit(r.value_reference, r.unit, status=r.status_reference)
            if not native:
                ref = f"{r.reference} {ref}"
            diff = fmt.number(r.gap, 1, status=r.status, signed=True)
            diff += f" {'pe' if r.diff_unit == 'procentenheter' else r.diff_unit}" if r.status == "" else ""
            if r.status == "" and r.disadvantage == r.disadvantage and round(r.disadvantage, 1) != 0:
                diff += " (sämre)" if r.disadvantage > 0 else " (bättre)"
            marker = "[bold magenta]EXEMPEL[/]" if r.example else "verklig"
            t.add_row(
                r.area, r.sex_label, fmt.with_unit(r.value_subject, r.unit, status=r.status_subject), ref,
                diff, fmt.ratio(r.ratio), r.trend_status or "", marker,
            )
        out.print(t)
    if len(table) and table["example"].any():
        out.print(
            "[bold magenta]EXEMPEL[/] = exempeldata: genererade värden, inte verklig statistik – "
            "används bara där inga verkliga uppgifter finns i data/."
        )


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="CSV- eller XLSX-fil enligt datakontraktet")],
    sheet: Annotated[Optional[str], typer.Option(help="Flik i en XLSX-fil (standard: den synliga fliken med data)")] = None,
    max_problems: Annotated[int, typer.Option(min=1, help="Högst så många problem av varje slag listas")] = 20,
) -> None:
    """Kontrollera en datafil mot datakontraktet; listar alla problem."""
    from analysis.domain.catalogue import load_catalogue
    from analysis.data.contract import load_tidy
    from analysis.domain.geography import load_geography

    try:
        _check_name(path, "Filen")
        df = load_tidy(path, load_catalogue(), load_geography(), sheet=sheet, max_per_kind=max_problems)
    except (AnalysisError, OSError) as exc:
        _fail(exc)
    out.print(
        f"[green]OK[/] {rich_escape(clihelp.shown_path(path))}: {len(df)} rader, {df['indicator'].nunique()} indikatorer, "
        f"{df['geo_code'].nunique()} områden, år {df['year'].min()}–{df['year'].max()}"
        + (f", varav {int(df['example'].sum())} rader exempeldata" if df["example"].any() else "")
    )


@app.command("build-data")
def build_data(
    output: Annotated[Optional[Path], typer.Option(help="Fil att skriva (standard: data i analysis.yml)")] = None,
) -> None:
    """Bygg den inbäddade datamängden från råfilerna i data/raw och exempelgeneratorn."""
    from analysis.data.build import build_and_write

    try:
        if output is not None:
            _check_output_file(output, "--output")
        res = build_and_write(path=output)
    except (AnalysisError, OSError) as exc:
        _fail(exc)
    out.print(
        f"Skrev {clihelp.shown_path(res.path)} ({len(res.table)} rader). Verkliga: {', '.join(res.real_indicators)}. "
        f"Exempeldata: {', '.join(res.example_indicators)}."
    )


@app.command()
def fetch(
    county: Annotated[Optional[str], typer.Option("--county", "-c", help="Länskod, t.ex. 10 (standard: analysis.yml)")] = None,
    years: Annotated[Optional[str], typer.Option("--years", "-y", help="År, t.ex. 2019-2024 (standard: exempelårens början till rapportåret)")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Använd bara sparade ögonblicksbilder; inget nätverk")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Hoppa över HTTP-cachen i .cache/")] = False,
    timeout: Annotated[float, typer.Option(help="Sekunder att vänta på ett svar (> 0)")] = 30.0,
    retries: Annotated[int, typer.Option(min=0, help="Nya försök vid 429, 5xx och tidsgräns")] = 4,
    kolada_url: Annotated[Optional[str], typer.Option(help="Kolada API v3 (eller en spegel)", envvar="ANALYSIS_KOLADA_URL")] = None,
    scb_url: Annotated[Optional[str], typer.Option(help="SCB PxWebApi 2.0 (eller en spegel)", envvar="ANALYSIS_SCB_URL")] = None,
) -> None:
    """Hämta indikatorer från Kolada och SCB, spara svaren med härkomst i data/raw och bygg om datamängden."""
    from analysis.data.fetch import fetch as run_fetch
    from analysis.data.fetch import parse_years

    try:
        import math

        if not (math.isfinite(timeout) and timeout > 0):
            raise AnalysisError(f"--timeout {timeout:g}: måste vara större än 0 sekunder, t.ex. 30")
        _check_url(kolada_url, "--kolada-url")
        _check_url(scb_url, "--scb-url")
        year_list = parse_years(years) if years else None
        res = run_fetch(
            county, year_list, offline=offline, cache=not no_cache, timeout=timeout, retries=retries,
            kolada_url=kolada_url, pxweb_url=scb_url,
            log=lambda msg: err.print(clihelp.relative_paths(msg), highlight=False),
        )
    except (AnalysisError, OSError) as exc:
        err.print("Inget i data/ ändrades.", highlight=False)
        _fail(exc)
    out.print(f"Län {res.county}, år {res.years[0]}–{res.years[-1]}" + (" (offline)" if offline else ""), highlight=False)
    for o in res.outcomes:
        colour = {"hämtad": "green", "ej nåbar": "yellow", "offline": "cyan"}.get(o.state, "white")
        out.print(f"  [{colour}]{o.source}: {o.state}[/] – {o.message}", highlight=False)
    b = res.build
    out.print(
        f"Datamängden byggdes om: {clihelp.shown_path(res.data_path)} ({len(b.table)} rader). Verkliga: {', '.join(b.real_indicators)}. "
        f"Exempeldata: {', '.join(b.example_indicators) or 'inga'}.",
        highlight=False,
    )


@app.command()
def sources(
    offline: Annotated[bool, typer.Option("--offline", help="Kontrollera inte mot Kolada och SCB")] = False,
    timeout: Annotated[float, typer.Option(help="Sekunder att vänta på ett svar (> 0)")] = 20.0,
    kolada_url: Annotated[Optional[str], typer.Option(help="Kolada API v3 (eller en spegel)", envvar="ANALYSIS_KOLADA_URL")] = None,
    scb_url: Annotated[Optional[str], typer.Option(help="SCB PxWebApi 2.0 (eller en spegel)", envvar="ANALYSIS_SCB_URL")] = None,
) -> None:
    """Varje indikators källa och vilka uppgifter som finns här; uppkopplad kontrolleras varje tabell, kod och nyckeltal."""
    from analysis.config import load_config
    from analysis.data import sources_check as sc
    from analysis.data.contract import load_tidy
    from analysis.domain.catalogue import load_catalogue
    from analysis.domain.geography import load_geography

    try:
        _check_url(kolada_url, "--kolada-url")
        _check_url(scb_url, "--scb-url")
        config, cat, geo = load_config(), load_catalogue(), load_geography()
        rows = sc.inventory(cat, load_tidy(config.data_path, cat, geo), geo)
        apis = (None, None) if offline else (
            sc.kolada.client(kolada_url or sc.kolada.BASE_URL, timeout=timeout, retries=1),
            sc.pxweb.client(scb_url or sc.pxweb.BASE_URL, timeout=timeout, retries=1))
        live = sc.check_live(cat, *apis, log=lambda m: err.print(m, highlight=False))
    except (AnalysisError, OSError) as exc:
        _fail(exc)
    width = min(out.width, 100)  # a terminal of 80 columns: everything wraps at words
    out.print(sc.overview(rows))
    out.print(f"Per indikator och nivå: vad som finns i {config.data_path.name}, källan som ger det och vad katalogen "
              "anger hos producenten.\n", highlight=False, width=width, soft_wrap=False)
    out.print(sc.blocks(cat, rows, sc.not_checkable(cat)), highlight=False, width=width)
    if not live.checked:
        out.print(f"[yellow]{rich_escape(live.offline_line)}[/]", highlight=False, width=width, soft_wrap=False)
    elif live.lines:
        out.print(f"[red]{len(live.lines)} avvikelse(r) mot källornas metadata:[/]", highlight=False)
        for line in live.lines:
            out.print(f"  {rich_escape(line)}", highlight=False)
    else:
        out.print("[green]Alla nyckeltal, tabeller, koder och etiketter finns hos källorna.[/]", highlight=False)


@app.command("fetch-groups")
def fetch_groups(
    title: Annotated[Optional[str], typer.Option("--title", "-t", help="Sökord i gruppens namn, t.ex. \"Liknande kommuner\"")] = None,
    id: Annotated[Optional[list[str]], typer.Option("--id", help="Koladas grupp-id (flera: upprepa)")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Hoppa över HTTP-cachen i .cache/")] = False,
    kolada_url: Annotated[Optional[str], typer.Option(help="Kolada API v3 (eller en spegel)", envvar="ANALYSIS_KOLADA_URL")] = None,
) -> None:
    """Hämta Koladas kommungrupper (t.ex. liknande kommuner) med medlemmar och spara svaren med härkomst."""
    from analysis.config import load_config
    from analysis.domain.geography import load_geography
    from analysis.data.sources.kolada_groups import fetch_groups as run

    try:
        _check_url(kolada_url, "--kolada-url")
        config = load_config()
        res = run(config, load_geography(config.root), title=title, ids=id, base_url=kolada_url, cache=not no_cache,
                  log=lambda msg: err.print(clihelp.relative_paths(msg), highlight=False))
    except (AnalysisError, OSError) as exc:
        err.print("Inget i data/ ändrades.", highlight=False)
        _fail(exc)
    folder = res.folder.relative_to(config.root) if res.folder.is_relative_to(config.root) else res.folder
    t = Table(title=f"{len(res.groups)} kommungrupper sparade i {folder}", title_justify="left")
    for col in ("id", "namn", "kommuner"):
        t.add_column(col)
    for g in sorted(res.groups.values(), key=lambda g: g.name):
        t.add_row(g.id, g.name, str(len(g.members)))
    out.print(t)
    out.print(f"Använd en grupp i analysis.yml: kommungrupp: {{source: kolada, kolada: {{snapshot: {folder}, "
              f"groups: {{\"1081\": \"<id>\"}}}}}}", highlight=False, markup=False)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="CSV- eller XLSX-fil enligt datakontraktet")],
    producer: Annotated[str, typer.Option(help="Vem som tagit fram uppgifterna (källa i rapporten)")] = "Egen uppgift",
    title: Annotated[Optional[str], typer.Option(help="Beskrivning av filen")] = None,
    url: Annotated[Optional[str], typer.Option(help="Var uppgifterna kommer ifrån")] = None,
    licence: Annotated[str, typer.Option(help="Licens/villkor")] = "enligt leverantören",
    sheet: Annotated[Optional[str], typer.Option(help="Flik i en XLSX-fil (standard: den synliga fliken med data)")] = None,
) -> None:
    """Läs in egna uppgifter: validera, spara med härkomst i data/raw/import och bygg om datamängden."""
    from analysis.data.importer import import_file

    try:
        _check_name(path, "Filen")
        _check_url(url, "--url")
        for name, text in (("--producer", producer), ("--licence", licence), ("--title", title)):
            if text is not None and not text.strip():
                raise AnalysisError(f"{name}: får inte vara tom")
            if text is not None and len(text) > 500:
                raise AnalysisError(f"{name}: högst 500 tecken ({len(text)} angivna)")
        rep = import_file(path, producer=producer, title=title, url=url, licence=licence, sheet=sheet)
    except (AnalysisError, OSError) as exc:
        _fail(exc)
    out.print(f"[green]Inläst[/] {rich_escape(clihelp.shown_path(path))}: {rep.rows} rader, sparad som "
              f"{clihelp.shown_path(rep.snapshot)} (med härkomstfil).", highlight=False)
    if len(rep.replaced_example):
        out.print(f"Ersatte {int(rep.replaced_example['rows'].sum())} rader exempeldata:", highlight=False)
        for r in rep.replaced_example.itertuples(index=False):
            out.print(f"  {r.indicator} {r.geo_code}: {r.rows} rader", highlight=False)
    else:
        out.print("Inga rader exempeldata ersattes.")
    if rep.replaced_real:
        out.print(f"[yellow]Obs:[/] {rep.replaced_real} tidigare verkliga rader ersattes av filens värden.")
    out.print(f"Datamängden byggdes om: {clihelp.shown_path(rep.data_path)}", highlight=False)


handlingsplan_app = typer.Typer(help="Handlingsplanen: mall, kontroll och inläsning (en rad per aktivitet).",
                                 no_args_is_help=True)
app.add_typer(handlingsplan_app, name="handlingsplan")


@handlingsplan_app.command("mall")
def handlingsplan_mall(
    county: Annotated[Optional[str], typer.Option("--county", "-c", help="Länskod, t.ex. 10 (standard: analysis.yml)")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="XLSX-fil att skriva (standard: handlingsplan-mall-lan-LL.xlsx)")] = None,
) -> None:
    """Skriv en tom XLSX-mall med strategins mål och status som listor, och ett blad med instruktioner."""
    from analysis.domain.catalogue import load_catalogue
    from analysis.config import load_config
    from analysis.data.handlingsplan import write_template
    from analysis.domain.strategy import load_strategy

    try:
        config = load_config()
        county = str(county or config.county).zfill(2)
        strategy = load_strategy(county, config.root)
        path = write_template(strategy, load_catalogue(config.root), output or Path(f"handlingsplan-mall-lan-{county}.xlsx"))
    except (AnalysisError, OSError) as exc:
        _fail(exc if isinstance(exc, AnalysisError) else AnalysisError(f"Kan inte skriva mallen: {exc}"))
    out.print(f"[green]Skrev[/] {clihelp.shown_path(path)}: mall för {strategy.name} ({len(strategy.goals)} mål). "
              f"Fyll i och läs in med: analysis handlingsplan import {path.name} --county {county}", highlight=False)


@handlingsplan_app.command("kontrollera")
def handlingsplan_kontrollera(
    path: Annotated[Path, typer.Argument(help="Ifylld handlingsplan (XLSX från mallen, eller CSV)")],
    county: Annotated[Optional[str], typer.Option("--county", "-c", help="Länskod (standard: analysis.yml)")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="Fliken att läsa (standard: den synliga fliken Handlingsplan)")] = None,
) -> None:
    """Kontrollera en ifylld handlingsplan utan att spara den; listar alla fel med rad och kolumn."""
    from analysis.domain.catalogue import load_catalogue
    from analysis.config import load_config
    from analysis.data.handlingsplan import load_plan_file
    from analysis.domain.strategy import load_strategy

    try:
        config = load_config()
        strategy = load_strategy(str(county or config.county).zfill(2), config.root)
        plan = load_plan_file(path, strategy, load_catalogue(config.root), sheet=sheet)
    except AnalysisError as exc:
        _fail(exc)
    for note in plan.attrs.get("notes") or ():
        err.print(f"[yellow]Obs:[/] {note}", highlight=False)
    out.print(f"[green]OK[/] {clihelp.shown_path(path)}: {len(plan)} aktiviteter, år {', '.join(map(str, sorted(plan['year'].unique())))}.",
              highlight=False)


@handlingsplan_app.command("import")
def handlingsplan_import(
    path: Annotated[Path, typer.Argument(help="Ifylld handlingsplan (XLSX från mallen, eller CSV)")],
    county: Annotated[Optional[str], typer.Option("--county", "-c", help="Länskod (standard: analysis.yml)")] = None,
    producer: Annotated[str, typer.Option(help="Vem som tagit fram planen")] = "Beredningsgruppen",
    title: Annotated[Optional[str], typer.Option(help="Beskrivning, t.ex. beslut i Integrationsrådet")] = None,
    url: Annotated[Optional[str], typer.Option(help="Var planen finns")] = None,
    licence: Annotated[str, typer.Option(help="Licens/villkor")] = "enligt leverantören",
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="Fliken att läsa (standard: den synliga fliken Handlingsplan)")] = None,
) -> None:
    """Läs in en ifylld handlingsplan: kontrollera, spara med härkomst i data/raw/handlingsplan/."""
    from analysis.data.handlingsplan import import_plan

    try:
        rep = import_plan(path, county, producer=producer, title=title, url=url, licence=licence, sheet=sheet)
    except AnalysisError as exc:
        _fail(exc)
    for note in rep.notes:
        err.print(f"[yellow]Obs:[/] {note}", highlight=False)
    out.print(f"[green]Inläst[/] {clihelp.shown_path(path)}: {rep.rows} aktiviteter för "
              f"{', '.join(map(str, rep.years))}, sparad som {clihelp.shown_path(rep.snapshot)} (med härkomstfil). "
              + _plan_years_note(rep.years, county), highlight=False)


def _plan_years_note(years: list[int], county: str | None) -> str:
    """Which of a plan's years a report can be built for now (the data file has figures for the län that year)."""
    from analysis.config import load_config

    config = load_config()
    lan = str(county or config.county).zfill(2)
    try:
        data = pd.read_csv(config.data_path, usecols=["geo_code", "year"], dtype=str)
        have = {int(y) for c, y in zip(data["geo_code"], data["year"]) if c == "00" + lan or c[:2] == lan}
    except (OSError, ValueError):
        have = set()
    ready, later = [y for y in years if y in have], [y for y in years if y not in have]
    text = ""
    if ready:
        text += (f"Rapporterna för {', '.join(map(str, ready))} visar planen när de byggs "
                 f"(analysis render --county {lan} --year {ready[-1]}). ")
    if later:
        which = "det året" if len(later) == 1 else "de åren"
        text += (f"För {', '.join(map(str, later))} finns inga uppgifter för länet i datamängden "
                 f"({clihelp.shown_path(config.data_path)}), så ingen rapport kan byggas för {which} ännu; "
                 "planen visas när uppgifterna finns.")
    return text.strip()


@app.command()
def areas(county: Annotated[Optional[str], typer.Option(help="Länskod, t.ex. 10")] = None) -> None:
    """Lista kommuner (i ett län) med koder."""
    from analysis.domain.geography import load_geography

    geo = load_geography()
    try:
        items = geo.kommuner_in(county) if county else geo.counties
    except AnalysisError as exc:
        _fail(exc)
    for a in items:
        out.print(f"{a.code}  {a.name}", highlight=False)


def _interrupted(signum: int, published: int) -> None:
    import signal

    name = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    err.print(f"[bold red]Avbrutet ({name}).[/] {published} rapport(er) hann publiceras före avbrottet; "
              "inget publicerades efter det och alla processer är stoppade. Kör kommandot igen för att "
              "fortsätta: aktuella rapporter hoppas över.", highlight=False)
    raise typer.Exit(128 + signum)


def _workers_text(jobs: int) -> str:
    """"1 Python-kärna och 2 renderare": what a run of ``jobs`` parallel processes keeps."""
    from analysis.publish.engine import kernels_for

    kernels = kernels_for(jobs)
    return f"{kernels} Python-{'kärna' if kernels == 1 else 'kärnor'} och {jobs} renderare"


def _prepare_run(todo, results_path, computed, force, jobs, job0):
    """Tag the jobs with the results and this run, clean stale folders, find the reports to build, say so."""
    import dataclasses

    from analysis.publish.engine import clean_stale, run_tag
    from analysis.publish.manifest import up_to_date
    from analysis.publish.render import prepare_assets

    tag = run_tag()
    todo = [dataclasses.replace(j, results_path=results_path, run_tag=tag) for j in todo]
    year_dir = job0.out_root / str(job0.year)
    stale = clean_stale(year_dir)
    if stale:
        err.print(f"Tog bort {len(stale)} tillfälliga mappar från avbrutna körningar.", highlight=False)
    current = [] if force else [j for j in todo if up_to_date(j)]
    build = [j for j in todo if j not in current]
    prepare_assets(job0.out_root, job0.year)
    err.print(
        f"Resultaten {'beräknades' if computed else 'fanns redan'} ({results_path.name}). "
        f"{len(build)} av {len(todo)} rapport(er) för {job0.year} ({', '.join(job0.formats)}) byggs med "
        f"{job0.renderer}, {_workers_text(min(jobs, max(1, len(build))))}"
        + (f"; {len(current)} är redan aktuella." if current else "."), highlight=False,
    )
    return todo, build, current


from analysis.publish.formats import FORMATS as _OUTPUT_FORMATS  # noqa: E402 - the --format choices


@app.command()
def render(
    municipality: Annotated[Optional[list[str]], typer.Option("--municipality", "-m", help="Kommunkod eller namn (flera: upprepa eller kommaseparera)")] = None,
    county: Annotated[Optional[list[str]], typer.Option(help="Länskod, t.ex. 10: alla länets kommuner plus länsrapporten (flera: upprepa eller kommaseparera)")] = None,
    all_areas: Annotated[bool, typer.Option("--all", help="Alla 290 kommuner, alla 21 län och index")] = False,
    year: Annotated[Optional[int], typer.Option(help="Rapportår (standard: analysis.yml)")] = None,
    format: Annotated[Optional[str], typer.Option("--format", "-f", help=f"{','.join(_OUTPUT_FORMATS)} (standard: analysis.yml)")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Parallella processer, minst 1 (standard: antal kärnor): hälften kör notebooks, alla renderar")] = None,
    data: Annotated[Optional[Path], typer.Option(help="Tidy-datafil (standard: analysis.yml)")] = None,
    force: Annotated[bool, typer.Option("--force", help="Bygg om även rapporter som redan är aktuella")] = False,
    renderer: Annotated[Optional[str], typer.Option(help="auto, quarto eller pandoc (standard: analysis.yml)")] = None,
) -> None:
    """Kör notebookarna (papermill) och rendera rapporter som HTML och PDF (standard: länet i analysis.yml).

    Resultaten beräknas en gång per körning; rapporter som redan är aktuella hoppas över (--force bygger om).
    """
    import os
    import time

    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from analysis.compute.artefact import start_artefact_child, wanted_counties
    from analysis.config import load_config
    from analysis.publish.engine import Interrupted, Pool
    from analysis.publish.render import check_coverage, plan, write_index

    start = time.perf_counter()
    pool = None
    codes = [c.strip() for m in (municipality or []) for c in m.split(",") if c.strip()]
    counties = [c.strip() for m in (county or []) for c in m.split(",") if c.strip()]
    config = load_config()
    try:
        formats = None
        if format is not None:
            formats = tuple(f.strip().lower() for f in format.split(","))
            from analysis.publish.render import FORMATS

            if not all(formats) or not set(formats) <= set(FORMATS):
                raise AnalysisError(f"--format {format!r}: ange {', '.join(FORMATS)} eller {','.join(FORMATS)}")
        if data is not None:
            _check_name(data, "--data")
        todo = plan(codes, counties, year, formats, data, config=config, all_areas=all_areas, renderer=renderer)
        _check_output_dir(todo[0].out_root, "Rapportmappen")
        from analysis.present.indexpage import check_maps

        check_maps(config)  # the index's indicator and the map geometry: one error now, not after the reports
        from analysis import locks

        _hold(locks.reports_lock(config.root, todo[0].out_root))  # one run per report folder
        _hold(locks.data_lock(config.root, shared=True))  # data/ unchanged while the reports are built
        job0 = todo[0]
        jobs = max(1, jobs or os.cpu_count() or 1)
        # no browser: the PDF's charts are SVG drawn from their chart specs (analysis.present.svgchart); a chart
        # without a spec (an analyst's own figure) starts kaleido in its kernel, for that report only
        pool = Pool(config.root, min(jobs, len(todo)), browser=False)
        counties = wanted_counties(config, {j.code[:2] if j.kind == "kommun" else j.code for j in todo})
        computing = start_artefact_child(config, job0.data_path, job0.year, counties)  # before the kernels: a fork
        if force or computing.running:
            pool.start()  # reports will be built: kernels and browsers start while the results are computed
        results_path, computed = computing.wait()
        check_coverage(todo, results_path)
    except Interrupted as exc:
        pool.close()
        _interrupted(exc.signum, 0)
    except (AnalysisError, OSError) as exc:
        if pool is not None:
            pool.close()
        _fail(exc)
    try:  # until the jobs run, a signal unwinds here (the pool's handler raises Interrupted)
        todo, build, current = _prepare_run(todo, results_path, computed, force, jobs, job0)
    except Interrupted as exc:
        pool.close()
        _interrupted(exc.signum, 0)
    except (AnalysisError, OSError) as exc:  # disk full while preparing: nothing published, the old kept
        pool.close()
        _fail(exc)
    outcome = None
    if build:
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeElapsedColumn(), console=err, transient=False) as progress:
            task = progress.add_task("Rapporter", total=len(build))

            def done(res):
                progress.update(task, description=f"Rapporter (klar: {res.job.name})")
                progress.advance(task)

            try:
                outcome = pool.run(build, on_done=done)
            except Interrupted as exc:  # between the checks and the first job
                pool.close()
                _interrupted(exc.signum, 0)
            finally:
                pool.close()
    else:
        pool.close()  # started for a run that turned out to have nothing to build
    if outcome is not None and outcome.interrupted:
        _interrupted(outcome.interrupted, sum(1 for r in outcome.results if r.ok))
    index_failed = False
    try:
        index = write_index(job0.out_root, job0.year, config, results_path)
    except AnalysisError as exc:
        _fail(exc)
    except OSError as exc:  # disk full: the summary still says what was built; the old index stays
        index, index_failed = f"kunde inte skrivas: {os_error_text(exc)}; det tidigare indexet finns kvar", True
    results = outcome.results if outcome else []
    order = {j.folder: i for i, j in enumerate(todo)}
    results.sort(key=lambda r: order[r.job.folder])
    out.print(f"\n[bold]Sammanfattning[/] ({clihelp.seconds(time.perf_counter() - start)}, renderare {job0.renderer}):")
    for r in results:
        if r.ok:
            paths = ", ".join(str(p.relative_to(job0.root)) if p.is_relative_to(job0.root) else str(p) for p in r.outputs)
            out.print(f"  [green]OK[/]     {r.job.name} ({r.job.folder}, {r.seconds:.0f} s, {r.job.renderer}): {paths}",
                      highlight=False)
            for note in r.notes:
                out.print(f"         [yellow]OBS[/] {escape(note)}", highlight=False)
        else:
            out.print(f"  [red]FEL[/]    {escape(clihelp.relative_paths(f'{r.job.name} ({r.job.folder}, {r.job.renderer}): {r.error}'))}",
                      highlight=False)
    if current:
        names = ", ".join(f"{j.name} ({j.folder})" for j in current[:12])
        more = f" och {len(current) - 12} till" if len(current) > 12 else ""
        out.print(f"  [cyan]AKTUELL[/] {len(current)} rapport(er) oförändrade, inte ombyggda: {names}{more}"
                  " (--force bygger om)", highlight=False)
    if outcome is not None:
        out.print(f"  {outcome.kernel_starts} Python-kärna(or) startade för {outcome.notebooks} notebooks (en varm "
                  f"kärna per arbetare, {outcome.workers} arbetare).", highlight=False)
    out.print(f"  Index: {clihelp.shown_path(index)}", highlight=False)
    failed = [r for r in results if not r.ok]
    if failed:
        out.print(f"[red]{len(failed)} av {len(todo)} rapporter misslyckades.[/]")
        raise typer.Exit(REPORTS_FAILED)
    if index_failed:
        raise typer.Exit(USER_ERROR)


@app.command()
def index(
    year: Annotated[Optional[int], typer.Option(help="Rapportår (standard: analysis.yml)")] = None,
    data: Annotated[Optional[Path], typer.Option(help="Tidy-datafil (standard: analysis.yml)")] = None,
) -> None:
    """Skriv årets index.html (karta över alla kommuner, sökruta, tabell, länkar) från resultaten, utan att
    rendera några rapporter. Indikatorn väljs med index_map.indicator i analysis.yml."""
    from analysis.compute.artefact import ensure_artefact_in_child
    from analysis.config import load_config
    from analysis.publish.render import write_index

    config = load_config()
    year = int(year or config.year)
    try:
        data_path = (Path(data) if data else config.data_path).resolve()
        if not data_path.is_file():
            raise AnalysisError(f"Datafilen finns inte: {data_path}")
        _check_output_dir(config.output_path, "Rapportmappen")
        from analysis.present.indexpage import check_maps

        check_maps(config)
        results_path, computed = ensure_artefact_in_child(config, data_path, year)
        path = write_index(config.output_path, year, config, results_path)
    except (AnalysisError, OSError) as exc:
        _fail(exc)
    out.print(f"Index: {path} ({path.stat().st_size:,} byte; resultaten "
              f"{'beräknades' if computed else 'fanns redan'})".replace(",", "\u00a0"), highlight=False)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
