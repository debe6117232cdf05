"""The one command-line entry point: ``analysis …``.

Every user error (unknown code, invalid file, missing data) is printed as a message with a non-zero
exit code, never as a traceback.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from . import fmt
from .errors import AnalysisError, DataValidationError

app = typer.Typer(
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


def _fail(exc: Exception, code: int = 2) -> None:
    if isinstance(exc, DataValidationError):
        err.print(f"[bold red]Ogiltig data:[/] {exc.source}: {len(exc.problems)} problem", highlight=False)
        for p in exc.problems:
            err.print(f"  - {p}", highlight=False, markup=False)
    else:
        err.print(f"[bold red]Fel:[/] {exc}", highlight=False)
    raise typer.Exit(code)


def _emit(df: pd.DataFrame, format: Format) -> None:
    if format is Format.csv:
        sys.stdout.write(df.to_csv(index=False, lineterminator="\n"))
    else:
        records = json.loads(df.to_json(orient="records", force_ascii=False))
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")


@app.command()
def indicators(
    format: Annotated[Format, typer.Option("--format", "-f", help="table, csv or json")] = Format.table,
) -> None:
    """The indicator catalogue."""
    from .catalogue import load_catalogue

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
    format: Annotated[Format, typer.Option("--format", "-f", help="table, csv or json")] = Format.table,
) -> None:
    """Skillnader mellan utrikes och inrikes födda för en kommun, dess län och riket."""
    from .geography import load_geography
    from .results import area_gap_table, load_results, missing_indicators

    try:
        area = load_geography().find(municipality)
        results = load_results(year=year, county=area.county, data=data)
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
    for m in gone:
        ind = results.catalogue.get(m.indicator)
        out.print(f"[bold]{ind.title}[/] ({results.geography.area(m.geo_code).name} {m.year}): {m.text}",
                  highlight=False)


def _print_gap_table(table: pd.DataFrame, results, area) -> None:
    out.print(
        f"[bold]{area.name} ({area.code}) {results.year}[/]: utrikes jämfört med inrikes födda, länet och riket. "
        f"Skillnad: + = sämre för utrikes födda (resp. kommunen), − = bättre. Trend från basåret "
        f"{results.baseline_year}. Symboler: .. uppgift saknas eller är skyddad, . kan inte förekomma, – bortfall.",
        highlight=False,
    )
    for _, rows in table.groupby("indicator", sort=False):
        first = rows.iloc[0]
        native = first.comparison == "inrikes"
        versus = f"{first.subject} (värde) mot {first.reference} (jämförelse)" if native else "kommunen mot länet och riket"
        t = Table(title=f"[bold]{first.title}[/] – {versus}", title_justify="left")
        for col, just in (("Område", "left"), ("Kön", "left"),
                          ("Värde", "right"), ("Jämförelse", "right"),
                          ("Skillnad", "right"), ("Kvot", "right"), ("Trend", "left"), ("Data", "left")):
            t.add_column(col, justify=just, no_wrap=True)
        for r in rows.itertuples(index=False):
            ref = fmt.with_unit(r.value_reference, r.unit, status=r.status_reference)
            if not native:
                ref = f"{r.reference} {ref}"
            diff = fmt.number(r.disadvantage, 1, status=r.status, signed=True)
            diff += f" {'pe' if r.diff_unit == 'procentenheter' else r.diff_unit}" if r.status == "" else ""
            marker = "[bold magenta]EXEMPEL[/]" if r.example else "verklig"
            t.add_row(
                r.area, r.sex_label, fmt.with_unit(r.value_subject, r.unit, status=r.status_subject), ref,
                diff, fmt.ratio(r.ratio), r.trend_status or "", marker,
            )
        out.print(t)
    if table["example"].any():
        out.print(
            "[bold magenta]EXEMPEL[/] = exempeldata: genererade värden, inte verklig statistik – "
            "används bara där inga verkliga uppgifter finns i data/."
        )


@app.command()
def validate(path: Annotated[Path, typer.Argument(help="CSV- eller XLSX-fil enligt datakontraktet")]) -> None:
    """Kontrollera en datafil mot datakontraktet; listar alla problem."""
    from .catalogue import load_catalogue
    from .contract import load_tidy
    from .geography import load_geography

    try:
        df = load_tidy(path, load_catalogue(), load_geography())
    except AnalysisError as exc:
        _fail(exc, code=1)
    out.print(
        f"[green]OK[/] {path}: {len(df)} rader, {df['indicator'].nunique()} indikatorer, "
        f"{df['geo_code'].nunique()} områden, år {df['year'].min()}–{df['year'].max()}"
        + (f", varav {int(df['example'].sum())} rader exempeldata" if df["example"].any() else "")
    )


@app.command("build-data")
def build_data(
    output: Annotated[Optional[Path], typer.Option(help="Output file (default: analysis.yml's data)")] = None,
) -> None:
    """Bygg den inbäddade datamängden från råfilerna i data/raw och exempelgeneratorn."""
    from .build import build_and_write

    try:
        res = build_and_write(path=output)
    except AnalysisError as exc:
        _fail(exc)
    out.print(
        f"Skrev {res.path} ({len(res.table)} rader). Verkliga: {', '.join(res.real_indicators)}. "
        f"Exempeldata: {', '.join(res.example_indicators)}."
    )


@app.command()
def fetch(
    county: Annotated[Optional[str], typer.Option("--county", "-c", help="Länskod, t.ex. 10 (standard: analysis.yml)")] = None,
    years: Annotated[Optional[str], typer.Option("--years", "-y", help="År, t.ex. 2019-2024 (standard: exempelårens början till rapportåret)")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Använd bara sparade ögonblicksbilder; inget nätverk")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Hoppa över HTTP-cachen i .cache/")] = False,
    timeout: Annotated[float, typer.Option(help="Sekunder att vänta på ett svar")] = 30.0,
    retries: Annotated[int, typer.Option(help="Nya försök vid 429, 5xx och tidsgräns")] = 4,
    kolada_url: Annotated[Optional[str], typer.Option(help="Kolada API v3 (eller en spegel)", envvar="ANALYSIS_KOLADA_URL")] = None,
    scb_url: Annotated[Optional[str], typer.Option(help="SCB PxWebApi 2.0 (eller en spegel)", envvar="ANALYSIS_SCB_URL")] = None,
) -> None:
    """Hämta indikatorer från Kolada och SCB, spara svaren med härkomst i data/raw och bygg om datamängden."""
    from .fetch import fetch as run_fetch
    from .fetch import parse_years

    try:
        year_list = parse_years(years) if years else None
        res = run_fetch(
            county, year_list, offline=offline, cache=not no_cache, timeout=timeout, retries=retries,
            kolada_url=kolada_url, pxweb_url=scb_url,
            log=lambda msg: err.print(msg, highlight=False),
        )
    except AnalysisError as exc:
        err.print("Inget i data/ ändrades.", highlight=False)
        _fail(exc, code=1)
    out.print(f"Län {res.county}, år {res.years[0]}–{res.years[-1]}" + (" (offline)" if offline else ""), highlight=False)
    for o in res.outcomes:
        colour = {"hämtad": "green", "ej nåbar": "yellow", "offline": "cyan"}.get(o.state, "white")
        out.print(f"  [{colour}]{o.source}: {o.state}[/] – {o.message}", highlight=False)
    b = res.build
    out.print(
        f"Datamängden byggdes om: {res.data_path} ({len(b.table)} rader). Verkliga: {', '.join(b.real_indicators)}. "
        f"Exempeldata: {', '.join(b.example_indicators) or 'inga'}.",
        highlight=False,
    )


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="CSV- eller XLSX-fil enligt datakontraktet")],
    producer: Annotated[str, typer.Option(help="Vem som tagit fram uppgifterna (källa i rapporten)")] = "Egen uppgift",
    title: Annotated[Optional[str], typer.Option(help="Beskrivning av filen")] = None,
    url: Annotated[Optional[str], typer.Option(help="Var uppgifterna kommer ifrån")] = None,
    licence: Annotated[str, typer.Option(help="Licens/villkor")] = "enligt leverantören",
) -> None:
    """Läs in egna uppgifter: validera, spara med härkomst i data/raw/import och bygg om datamängden."""
    from .importer import import_file

    try:
        rep = import_file(path, producer=producer, title=title, url=url, licence=licence)
    except AnalysisError as exc:
        _fail(exc, code=1)
    out.print(f"[green]Inläst[/] {path}: {rep.rows} rader, sparad som {rep.snapshot} (med härkomstfil).", highlight=False)
    if len(rep.replaced_example):
        out.print(f"Ersatte {int(rep.replaced_example['rows'].sum())} rader exempeldata:", highlight=False)
        for r in rep.replaced_example.itertuples(index=False):
            out.print(f"  {r.indicator} {r.geo_code}: {r.rows} rader", highlight=False)
    else:
        out.print("Inga rader exempeldata ersattes.")
    if rep.replaced_real:
        out.print(f"[yellow]Obs:[/] {rep.replaced_real} tidigare verkliga rader ersattes av filens värden.")
    out.print(f"Datamängden byggdes om: {rep.data_path}", highlight=False)


handlingsplan_app = typer.Typer(help="Handlingsplanen: mall, kontroll och inläsning (en rad per aktivitet).",
                                 no_args_is_help=True)
app.add_typer(handlingsplan_app, name="handlingsplan")


@handlingsplan_app.command("mall")
def handlingsplan_mall(
    county: Annotated[Optional[str], typer.Option("--county", "-c", help="Länskod, t.ex. 10 (standard: analysis.yml)")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="XLSX-fil att skriva (standard: handlingsplan-mall-lan-LL.xlsx)")] = None,
) -> None:
    """Skriv en tom XLSX-mall med strategins mål och status som listor, och ett blad med instruktioner."""
    from .catalogue import load_catalogue
    from .config import load_config
    from .handlingsplan import write_template
    from .strategy import load_strategy

    try:
        config = load_config()
        county = str(county or config.county).zfill(2)
        strategy = load_strategy(county, config.root)
        path = write_template(strategy, load_catalogue(config.root), output or Path(f"handlingsplan-mall-lan-{county}.xlsx"))
    except (AnalysisError, OSError) as exc:
        _fail(exc if isinstance(exc, AnalysisError) else AnalysisError(f"Kan inte skriva mallen: {exc}"))
    out.print(f"[green]Skrev[/] {path}: mall för {strategy.name} ({len(strategy.goals)} mål). "
              f"Fyll i och läs in med: analysis handlingsplan import {path.name} --county {county}", highlight=False)


@handlingsplan_app.command("kontrollera")
def handlingsplan_kontrollera(
    path: Annotated[Path, typer.Argument(help="Ifylld handlingsplan (XLSX från mallen, eller CSV)")],
    county: Annotated[Optional[str], typer.Option("--county", "-c", help="Länskod (standard: analysis.yml)")] = None,
) -> None:
    """Kontrollera en ifylld handlingsplan utan att spara den; listar alla fel med rad och kolumn."""
    from .catalogue import load_catalogue
    from .config import load_config
    from .handlingsplan import load_plan_file
    from .strategy import load_strategy

    try:
        config = load_config()
        strategy = load_strategy(str(county or config.county).zfill(2), config.root)
        plan = load_plan_file(path, strategy, load_catalogue(config.root))
    except AnalysisError as exc:
        _fail(exc, code=1)
    out.print(f"[green]OK[/] {path}: {len(plan)} aktiviteter, år {', '.join(map(str, sorted(plan['year'].unique())))}.",
              highlight=False)


@handlingsplan_app.command("import")
def handlingsplan_import(
    path: Annotated[Path, typer.Argument(help="Ifylld handlingsplan (XLSX från mallen, eller CSV)")],
    county: Annotated[Optional[str], typer.Option("--county", "-c", help="Länskod (standard: analysis.yml)")] = None,
    producer: Annotated[str, typer.Option(help="Vem som tagit fram planen")] = "Beredningsgruppen",
    title: Annotated[Optional[str], typer.Option(help="Beskrivning, t.ex. beslut i Integrationsrådet")] = None,
    url: Annotated[Optional[str], typer.Option(help="Var planen finns")] = None,
    licence: Annotated[str, typer.Option(help="Licens/villkor")] = "enligt leverantören",
) -> None:
    """Läs in en ifylld handlingsplan: kontrollera, spara med härkomst i data/raw/handlingsplan/."""
    from .handlingsplan import import_plan

    try:
        rep = import_plan(path, county, producer=producer, title=title, url=url, licence=licence)
    except AnalysisError as exc:
        _fail(exc, code=1)
    out.print(f"[green]Inläst[/] {path}: {rep.rows} aktiviteter för {', '.join(map(str, rep.years))}, "
              f"sparad som {rep.snapshot} (med härkomstfil). Rapporterna för året visar nu denna plan.",
              highlight=False)


@app.command()
def areas(county: Annotated[Optional[str], typer.Option(help="Länskod, t.ex. 10")] = None) -> None:
    """Lista kommuner (i ett län) med koder."""
    from .geography import load_geography

    geo = load_geography()
    try:
        items = geo.kommuner_in(county) if county else geo.counties
    except AnalysisError as exc:
        _fail(exc)
    for a in items:
        out.print(f"{a.code}  {a.name}", highlight=False)


@app.command()
def render(
    municipality: Annotated[Optional[list[str]], typer.Option("--municipality", "-m", help="Kommunkod eller namn (flera: upprepa eller kommaseparera)")] = None,
    county: Annotated[Optional[str], typer.Option(help="Länskod, t.ex. 10: alla länets kommuner plus länsrapporten")] = None,
    year: Annotated[Optional[int], typer.Option(help="Rapportår (standard: analysis.yml)")] = None,
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="html,pdf (standard: analysis.yml)")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", help="Parallella processer (standard: antal kärnor)")] = None,
    data: Annotated[Optional[Path], typer.Option(help="Tidy-datafil (standard: analysis.yml)")] = None,
) -> None:
    """Kör notebookarna (papermill) och rendera rapporter som HTML och PDF (standard: länet i analysis.yml)."""
    import os
    import time
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from .config import load_config
    from .render import choose_renderer, plan, prepare_assets, run_job, write_index

    codes = [c.strip() for m in (municipality or []) for c in m.split(",") if c.strip()]
    formats = tuple(f.strip() for f in format.split(",")) if format else None
    try:
        todo = plan(codes, county, year, formats, data)
    except AnalysisError as exc:
        _fail(exc)
    jobs = max(1, jobs or os.cpu_count() or 1)
    job0 = todo[0]
    prepare_assets(job0.out_root, job0.year)
    err.print(
        f"Renderar {len(todo)} rapport(er) för {job0.year} ({', '.join(job0.formats)}) med {choose_renderer()}, "
        f"{min(jobs, len(todo))} parallella processer.", highlight=False,
    )
    start = time.perf_counter()
    results = []
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=False) as progress:
        task = progress.add_task("Rapporter", total=len(todo))
        # Always in worker processes: kernels' stderr goes to each report's log, not over the progress bar.
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo))) as pool:
            futures = {pool.submit(run_job, j): j for j in todo}
            for fut in as_completed(futures):
                res = fut.result()
                results.append(res)
                progress.update(task, description=f"Rapporter (klar: {res.job.name})")
                progress.advance(task)
    index = write_index(job0.out_root, job0.year, load_config())
    order = {j: i for i, j in enumerate(todo)}
    results.sort(key=lambda r: order[r.job])
    out.print(f"\n[bold]Sammanfattning[/] ({time.perf_counter() - start:.0f} s, renderare {job0.renderer}):")
    for r in results:
        if r.ok:
            paths = ", ".join(str(p.relative_to(job0.root)) if p.is_relative_to(job0.root) else str(p) for p in r.outputs)
            out.print(f"  [green]OK[/]     {r.job.name} ({r.job.folder}, {r.seconds:.0f} s): {paths}", highlight=False)
        else:
            from rich.markup import escape

            out.print(f"  [red]FEL[/]    {escape(f'{r.job.name} ({r.job.folder}): {r.error}')}", highlight=False)
    out.print(f"  Index: {index}", highlight=False)
    failed = [r for r in results if not r.ok]
    if failed:
        out.print(f"[red]{len(failed)} av {len(results)} rapporter misslyckades.[/]")
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
