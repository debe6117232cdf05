"""Execute the notebooks with papermill and render the reports (per kommun and for the län).

One job = one report: execute its notebooks into a temporary folder, write ``rapport.qmd`` from the
template, render HTML and/or PDF, then move the folder into place (``reports/<year>/<code>/`` or
``reports/<year>/lan-<LL>/``). A failed job leaves any earlier report untouched and is named in the summary.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from analysis.domain import geography
from analysis.config import Config, load_config
from analysis.present.downloads import DATA_DIR, report_workbook
from analysis.errors import AnalysisError, os_error_text, require_writable_folder
from analysis.publish.formats import FORMATS  # the output formats' registry (the CLI's --format choices)

FOCUS_AREAS = ("arbete", "utbildning", "sprak", "halsa")
# executed notebook -> (source notebook, its own parameters): one focus-area notebook run once per focus area
KOMMUN_NOTEBOOKS = {"sammanfattning": ("sammanfattning", {}),
                    **{f: ("fokusomrade", {"focus_area": f}) for f in FOCUS_AREAS}}
LAN_NOTEBOOKS = {"lan": ("lan", {})}
FIGURES_DIR = "figurer"  # chart PNGs beside rapport.qmd, referenced by the markdown figures


@dataclass(frozen=True)
class Job:
    kind: str  # "kommun" | "lan"
    code: str  # kommunkod or länskod (2 characters) for kind "lan"
    name: str
    year: int
    data_path: Path
    formats: tuple[str, ...]
    out_root: Path
    root: Path
    renderer: str
    results_path: Path | None = None  # the computed results (artefact folder); set by the batch
    run_tag: str = ""  # names this run's temporary folders: .tmp-<run_tag>-<folder>

    @property
    def folder(self) -> str:
        return self.code if self.kind == "kommun" else f"lan-{self.code}"

    @property
    def final_dir(self) -> Path:
        return self.out_root / str(self.year) / self.folder


@dataclass
class JobResult:
    job: Job
    outputs: list[Path] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    work: Path | None = None  # the built report folder, waiting to be published
    phases: dict = field(default_factory=dict)  # seconds per step (notebooks, render)
    notes: list[str] = field(default_factory=list)  # what the summary says under the report's line

    @property
    def ok(self) -> bool:
        return self.error is None


def choose_renderer(setting: str | None = "auto") -> str:
    """``quarto`` or ``pandoc+typst`` (:func:`analysis.publish.quarto_render.choose_renderer`)."""
    from analysis.publish.quarto_render import choose_renderer as choose

    return choose(setting)


def _execute(job: Job, work: Path, kernel=None) -> None:
    """Run the notebooks, then have present build the report model (written once, ``rapport-modell.json``)
    and the workbook of its tables."""
    from analysis.present import model, reportbuild

    nb_dir = work / "notebooks"
    nb_dir.mkdir(parents=True, exist_ok=True)
    notebooks = _execute_notebooks(job, nb_dir, kernel)
    built = reportbuild.build(job, nb_dir, notebooks=notebooks)
    if built.workbook:
        report_workbook(work / DATA_DIR, work / built.workbook, built.downloads)
    model.write(built, work)


def _static_images(names) -> bool:
    """Whether any requested format shows the charts as image files (the notebooks then write them)."""
    return any(FORMATS[n].static_images for n in names if n in FORMATS)


def _execute_notebooks(job: Job, nb_dir: Path, kernel) -> dict[str, dict]:
    """Every notebook of the report through papermill's API, in the worker's warm kernel. Each executed notebook
    is written once, without the machine's absolute paths (:func:`analysis.publish.localpaths.clean_notebook`),
    and returned by name for the report model (nothing reads it back from disk)."""
    from papermill.exceptions import PapermillExecutionError

    from analysis.publish.localpaths import clean_notebook, write_notebook
    from analysis.publish.pandoc_render import remember

    names = KOMMUN_NOTEBOOKS if job.kind == "kommun" else LAN_NOTEBOOKS
    params = {"year": job.year, "data_path": str(job.data_path), "static_images": _static_images(job.formats),
              "downloads_dir": str(nb_dir.parent / DATA_DIR), "figures_dir": str(nb_dir.parent / FIGURES_DIR),
              "include_plotlyjs": False,  # the report page carries plotly.js once
              "results_path": str(job.results_path or "")}
    params["municipality" if job.kind == "kommun" else "county"] = job.code
    notebooks = {}
    for name, (source, own) in names.items():
        src = job.root / "notebooks" / f"{source}.ipynb"
        try:
            executed = kernel.execute(src, None, {**params, **own})
        except PapermillExecutionError as exc:
            raise AnalysisError(_notebook_os_error(exc) or f"notebooken {name}.ipynb misslyckades: {exc.ename}: {exc.evalue}") from exc
        except RuntimeError as exc:
            raise AnalysisError(f"notebooken {name}.ipynb kunde inte köras: {exc}") from exc
        path = nb_dir / f"{name}.ipynb"
        notebooks[name] = write_notebook(path, clean_notebook(executed, nb_dir.parent, job.root, job.data_path))
        remember(path, notebooks[name])  # pandoc+typst take its embeds from it, not read back
    return notebooks


def _render(job: Job, work: Path, before_pdf=None) -> list[Path]:
    """The report in each format, each through its entry in the format registry (:mod:`analysis.publish.formats`).
    ``before_pdf``: called once before the first format that shows the charts as image files (the kernel's
    charts drawn ahead must have their files by then, :func:`_figure_files_written`; the HTML does not read them)."""
    from analysis.present import model
    from analysis.publish import formats
    from analysis.publish.qmd import write_report_source

    qmd = write_report_source(model.read(work), work, job.root)  # the report model: its only description
    outputs, waited = [], False
    for name in formats.render_order(job.formats):
        fmt = formats.get(name)
        if fmt.static_images and not waited and before_pdf is not None:
            before_pdf()
            waited = True
        outputs.append(fmt.render(qmd, job))
    return outputs


def _figure_files_written(work: Path, kernel):
    """Before the PDF: wait until the chart files the report model names exist (the kernel may still be writing
    charts it drew ahead; :mod:`analysis.publish.figurefiles`)."""
    from analysis.publish.figurefiles import await_figure_files

    return lambda: await_figure_files(work, alive=getattr(kernel, "alive", None))


def _annual_report_documents(job: Job, work: Path) -> list[Path]:
    """The report model's documents (the county report's årsredovisning text) as DOCX and plain text beside the
    report (:mod:`analysis.publish.arsredovisning`)."""
    from analysis.present import model
    from analysis.publish.arsredovisning import write_documents

    return write_documents(model.read(work), work)  # the documents the model carries (composed in present)


def _move_into_place(work: Path, final: Path) -> None:
    """Replace the old report folder only once the new one is complete; if the new one cannot be moved in,
    the old one is put back."""
    old = final.with_name(f".old-{os.getpid()}-{final.name}")
    if final.exists():
        final.rename(old)
    try:
        work.rename(final)
    except BaseException:
        if old.exists() and not final.exists():
            old.rename(final)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all (a temporary file of this run, renamed): a full disk leaves the old
    file as it was."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        if exc.filename:
            raise
        raise OSError(exc.errno, exc.strerror, str(path)) from None  # a failed write() names no file
    finally:
        tmp.unlink(missing_ok=True)


def _os_failure(exc: OSError, where: Path | None = None) -> str:
    """One Swedish line for an OS error while a report was built (disk full, no permission, …)."""
    if not exc.filename and where is not None:  # a failed write() names no file: name the report's folder
        exc = OSError(exc.errno, exc.strerror, str(where))
    return f"kunde inte skrivas: {os_error_text(exc)}; den tidigare publicerade rapporten finns kvar"


def _notebook_os_error(exc) -> str | None:
    """An OS error raised inside a notebook (papermill passes its name and message), as one Swedish line."""
    import errno as _errno
    import re

    builtin = {"OSError", "IOError", "PermissionError", "FileNotFoundError", "IsADirectoryError",
               "NotADirectoryError", "FileExistsError"}
    m = re.match(r"\[Errno (\d+)\] [^:]*(?:: '(.*)')?", str(exc.evalue or ""))
    if exc.ename not in builtin or not m:
        return None
    err = OSError(int(m.group(1)), _errno.errorcode.get(int(m.group(1)), ""), m.group(2))
    return _os_failure(err)


def work_dir(job: Job) -> Path:
    return job.final_dir.with_name(f".tmp-{job.run_tag or os.getpid()}-{job.folder}")


def build_job(job: Job, kernel) -> JobResult:
    """Build one report into its temporary folder (not published: see :func:`publish`): :func:`execute_job`,
    then :func:`finish_job`. The batch runs the two halves in different threads (:mod:`analysis.publish.engine`)."""
    result = execute_job(job, kernel)
    return finish_job(result, kernel) if result.ok else result


def execute_job(job: Job, kernel) -> JobResult:
    """The half of a report that needs the kernel: its notebooks, the report model and the workbook, in its
    temporary folder (``result.work``, not complete yet). On an error the folder is removed and
    ``result.error`` says what went wrong."""
    result = JobResult(job)
    work = work_dir(job)
    shutil.rmtree(work, ignore_errors=True)
    with _failures(result, work):
        work.mkdir(parents=True)
        t = time.perf_counter()
        _execute(job, work, kernel)
        result.phases["notebooks"] = time.perf_counter() - t
        result.work = work
    return result


def finish_job(result: JobResult, kernel=None) -> JobResult:
    """The half of a report :func:`execute_job` left: every format (pandoc/typst or Quarto), the annual-report
    documents and the manifest. The kernel is only asked whether it still runs while the PDF waits for chart
    files it may still be writing. Afterwards ``result.work`` is the complete folder, or None on an error."""
    job, work = result.job, result.work
    result.work = None
    with _failures(result, work):
        t = time.perf_counter()
        outputs = _render(job, work, before_pdf=_figure_files_written(work, kernel))
        outputs += _annual_report_documents(job, work)
        result.phases["render"] = time.perf_counter() - t
        from analysis.publish.localpaths import strip_local_paths
        from analysis.publish.manifest import build_inputs, carry_other_formats, write_manifest

        strip_local_paths(work, job.root, job.data_path)  # nothing published names the machine's folders
        inputs = build_inputs(job)
        kept, dropped = carry_other_formats(job, work, inputs)  # `--format pdf` keeps a current HTML
        write_manifest(job, work, inputs)
        result.work = work
        result.outputs = [job.final_dir / p.name for p in outputs] + [job.final_dir / f"rapport.{f}" for f in kept]
        result.notes += [f"rapport.{f} från en tidigare körning togs bort: den byggdes av andra indata "
                         f"(bygg den igen med --format {','.join([*job.formats, f])})" for f in dropped]
    return result


@contextlib.contextmanager
def _failures(result: JobResult, work: Path):
    """A failure inside becomes ``result.error`` (one report's failure must not stop the batch) and removes the
    report's temporary folder unless ``result.work`` holds it; the phase's seconds are added to
    ``result.seconds``."""
    job, start = result.job, time.perf_counter()
    try:
        yield
    except AnalysisError as exc:
        result.error = str(exc) + (" Den tidigare publicerade versionen ligger kvar." if job.final_dir.exists() else "")
    except OSError as exc:  # disk full, …: one line; nothing of this report is published
        result.error = _os_failure(exc, job.final_dir.parent)
    except Exception as exc:  # noqa: BLE001 - one report's failure must not stop the batch
        result.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
    finally:
        if result.error is not None:
            result.work = None
        if result.work is None:
            shutil.rmtree(work, ignore_errors=True)
        result.seconds += time.perf_counter() - start


def publish(result: JobResult) -> None:
    """Move a built report into place (one rename of the complete folder)."""
    if result.work is not None:
        _move_into_place(result.work, result.job.final_dir)
        result.work = None


def run_job(job: Job) -> JobResult:
    """Build and publish one report in this process, with a kernel of its own (tests, small runs)."""
    import dataclasses

    from analysis.compute.artefact import ensure_artefact
    from analysis.config import load_config
    from analysis.publish.kernel import WarmKernel

    if job.results_path is None:
        config = load_config(job.root)
        try:
            path, _ = ensure_artefact(config, job.data_path, job.year)
        except AnalysisError as exc:
            return JobResult(job, error=str(exc))
        job = dataclasses.replace(job, results_path=path)
    kernel = WarmKernel(job.root)
    try:
        result = build_job(job, kernel)
    finally:
        kernel.shutdown()
    publish(result)
    return result


def plan(
    municipalities: list[str], county: str | list[str] | None, year: int | None, formats: tuple[str, ...] | None,
    data: Path | None = None, config: Config | None = None, all_areas: bool = False, renderer: str | None = None,
) -> list[Job]:
    """The jobs for the requested kommuner and/or län (all its kommuner plus the county report).

    Checks the plan before any work: unknown codes, formats, the data file, the output folder. Nothing is
    created here.
    """
    from analysis.domain.geography import load_geography
    from analysis.domain.strategy import load_strategy

    config = config or load_config()
    geo = load_geography(config.root)
    year = int(year or config.year)
    formats = tuple(formats or config.formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise AnalysisError(f"--format {','.join(bad)}: välj bland {', '.join(FORMATS)}")
    data_path = (Path(data) if data else config.data_path).resolve()
    if not data_path.is_file():
        raise AnalysisError(f"Datafilen finns inte: {data_path}")
    require_writable_folder(config.output_path / str(year), "Rapportmappen")
    counties = [county] if isinstance(county, str) else list(county or [])
    if all_areas:
        counties = [a.county for a in geo.counties]
    if not municipalities and not counties:
        counties = [config.county]  # default: the configured län with all its kommuner
    renderer = choose_renderer(renderer or config.renderer)  # --renderer, else analysis.yml's `renderer:`
    common = dict(year=year, data_path=data_path, formats=formats, out_root=config.output_path,
                  root=config.root, renderer=renderer)
    jobs: list[Job] = []
    areas = [geo.find(m, level="kommun") for m in municipalities]
    lans = [geo.county(c) for c in counties]
    for lan in lans:
        load_strategy(lan.county, config.root)  # a clear error now rather than in every job
        areas += [a for a in geo.kommuner_in(lan.county) if a not in areas]
    for a in areas:
        if a.level != "kommun":
            raise AnalysisError(f"{a.code} {a.name} är inte en kommun; använd --county för länsrapporten.")
        load_strategy(a.county, config.root)
        jobs.append(Job(kind="kommun", code=a.code, name=a.name, **common))
    for lan in lans:
        jobs.append(Job(kind="lan", code=lan.county, name=geography.county_name(lan), **common))
    return jobs


def check_coverage(jobs: list[Job], results_path: Path) -> None:
    """Every requested area must have data for the report year: one error naming all that lack it."""
    from analysis.compute.artefact import read_meta

    meta = read_meta(str(results_path))
    missing = []
    for j in jobs:
        county = j.code[:2] if j.kind == "kommun" else j.code
        have = set(meta["counties"][county]["has_data"])
        if (j.code if j.kind == "kommun" else "00" + j.code) not in have and (
                j.kind == "kommun" or not any(c[:2] == county and not c.startswith("00") for c in have)):
            missing.append(f"{j.code} {j.name}")
    if missing:
        shown = ", ".join(missing[:8]) + (f" och {len(missing) - 8} till" if len(missing) > 8 else "")
        raise AnalysisError(f"Datafilen har inga uppgifter för {jobs[0].year} för {shown}.")


def prepare_assets(out_root: Path, year: int) -> None:
    """One shared plotly.js per year folder, from the installed plotly package (works offline, no CDN)."""
    import plotly

    assets = out_root / str(year) / "_assets"
    assets.mkdir(parents=True, exist_ok=True)
    src = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    dst = assets / "plotly.min.js"
    if not dst.exists() or dst.stat().st_size != src.stat().st_size:
        write_atomic(dst, src.read_bytes())


def _has_example_data(report_dir: Path) -> bool:
    """Whether a rendered report shows example values: its model's flag (False for a folder without a
    readable model, e.g. one built before the model existed)."""
    from analysis.present import model

    try:
        return model.read(report_dir).flags.example_data
    except model.ModelError:
        return False


def write_index(out_root: Path, year: int, config: Config, results_path: Path | None = None) -> Path:
    """``reports/<year>/index.html``: the map of all kommuner, their table and a link to every report present
    for the year (:mod:`analysis.publish.index`)."""
    from analysis.publish.index import write_index as write

    return write(out_root, year, config, results_path)
