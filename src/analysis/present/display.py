"""The display layer: presentation objects (text, charts, tables) and how they become notebook outputs.

Presentation methods (:mod:`analysis.present.report`) return objects; nothing is shown or written until an object is
displayed: as the last expression of a cell, with :func:`show`, or with IPython's ``display``. So an analyst can
look at and change a chart (``parts.figure.figure`` is the plotly figure) or a table (``parts.table.data``)
before it is shown. Displaying writes the files that belong to the object (static chart image, CSV/XLSX downloads).

One output per object, with the representations every consumer picks from (Quarto's own choice: HTML takes
``text/html``, Typst ``text/markdown``; see :data:`analysis.publish.pandoc_render.MIME_PRIORITY`):

* text   -> ``text/markdown``
* table  -> ``text/html`` (caption, keyboard-scrollable region, download links) and ``text/markdown``: a pipe
            table whose separator dashes follow the content's width, then ``: caption {#tbl-…}``
* chart  -> ``application/vnd.plotly.v1+json`` (JupyterLab draws it), ``text/html`` (a ``<figure>`` with the
            plotly div, short visible caption, long description for screen readers only; plotly.js comes from
            the report page, or once per notebook for nbconvert) and, for the PDF,
            ``text/markdown`` ``![caption](figurer/….png){#fig-… fig-alt="…"}`` with the PNG written beside the
            report (``figures_dir``); without ``figures_dir`` the PNG is an ``image/png`` representation.
            In a batch the chart is sent to the run's image server when it is made (:meth:`Chart.draw_ahead`)
            and its file is written by the kernel's drawing thread once drawn; the kernel never waits for
            Chromium; the chart's part in the report model names its file (``image``) and publish waits for the
            files the model names before the PDF (:mod:`analysis.publish.figurefiles`).
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analysis.present.fmt import plain

# A short toolbar (PNG download, zoom, reset) that fits above the plot even at 390 px; the PNG it downloads is
# the figure as drawn, with the EXEMPELDATA mark where the chart shows example values (analysis.present.charts).
PLOTLY_CONFIG = {"displaylogo": False, "locale": "sv", "responsive": True,
                 "modeBarButtonsToRemove": ["lasso2d", "select2d", "pan2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
                                            "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian"],
                 "toImageButtonOptions": {"format": "png", "scale": 2}}
PLOTLY_MIME = "application/vnd.plotly.v1+json"
#: px: the width Plotly falls back to in JupyterLab before the output area has one (Plotly's own is 700)
MIME_FALLBACK_WIDTH = 480
#: read by screen readers, not shown: inline as well, so it holds in nbconvert/JupyterLab pages without our CSS
VISUALLY_HIDDEN = ("position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
                   "clip:rect(0,0,0,0);white-space:nowrap;border:0")


@dataclass
class Settings:
    """Where displayed objects write their files, for the process (one notebook = one kernel)."""

    static_images: bool = True  # a static image of every chart (SVG from its chart spec; else kaleido)
    figures_dir: Path | None = None  # a folder beside rapport.qmd: chart images + markdown figures for the PDF
    include_plotlyjs: bool = True  # put plotly.js once into this notebook's HTML (False: the page loads it)


settings = Settings()
_state: dict = {"plotlyjs_sent": False}


def new_notebook() -> None:
    """The display state of a fresh notebook, for a kernel that runs many (the warm kernel's reset calls
    this, and touches nothing else of present): plotly.js goes once more into the next notebook's HTML, and no
    presentation call is left collecting. The browser and the drawing thread stay."""
    _state["plotlyjs_sent"] = False
    _collectors.clear()


def configure(static_images: bool = True, figures_dir: str | Path | None = None,
              include_plotlyjs: bool = True) -> None:
    settings.static_images = static_images
    settings.figures_dir = Path(figures_dir) if figures_dir else None
    settings.include_plotlyjs = include_plotlyjs


# --------------------------------------------------------------------------- downloads (lazy)


@dataclass
class Download:
    """A table's CSV/XLSX files, written the first time the object that links them is displayed."""

    slug: str
    write: Callable[[], dict[str, str] | None] = field(repr=False)
    _links: dict | None = field(default=None, repr=False)
    _done: bool = field(default=False, repr=False)
    notes: object = field(default=None, repr=False)  # its TableNotes (analysis.present.downloads)
    order: tuple = field(default=(), repr=False)  # (indicator's place in the catalogue, part)

    def links(self) -> dict[str, str] | None:
        if not self._done:
            self._links, self._done = self.write(), True
        return self._links

    def described(self) -> dict | None:
        """The report model's description of the files (:class:`analysis.present.model.Download` as a dict),
        once they are written; None when nothing was written."""
        links = self.links()
        if not links or self.notes is None:
            return None
        from dataclasses import asdict

        return {"slug": self.slug, "csv": links["csv"], "xlsx": links["xlsx"], **asdict(self.notes),
                "order": list(self.order)}


#: the key of an output's metadata that carries its report model part (analysis.present.model), read by
#: :mod:`analysis.present.reportbuild` from the executed notebooks
PART_KEY = "analysis/part"


def _jsonable(value):
    """Plain JSON values (:func:`analysis.present.fmt.plain`, tuples as lists) for an output's metadata."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return plain(value)


def _download_part(links) -> dict | None:
    return links.described() if isinstance(links, Download) else None


def _links(links) -> dict[str, str] | None:
    return links.links() if isinstance(links, Download) else links


def _links_html(links: dict[str, str] | None, what: str) -> str:
    if not links:
        return ""
    return (f'<p class="nedladdning">Ladda ner {html.escape(what)}: '
            f'<a href="{html.escape(links["csv"])}" download>CSV</a> · '
            f'<a href="{html.escape(links["xlsx"])}" download>Excel (XLSX)</a></p>')


def label_for(prefix: str, text: str) -> str:
    """A cross-reference label Quarto accepts: ``fig-…`` / ``tbl-…`` with ASCII letters, digits and dashes."""
    text = text.lower().translate(str.maketrans("åäöéü", "aaoeu"))
    return f"{prefix}-" + (re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "x")


# --------------------------------------------------------------------------- objects


def _display(data: dict, metadata: dict | None = None) -> None:
    """The one place an output leaves for the notebook."""
    from IPython.display import display

    display(data, raw=True, metadata=metadata or {})


class Shown:
    """Base: an object that displays itself (``_ipython_display_``) or hands its bundle to :func:`show`."""

    def bundle(self) -> tuple[dict, dict]:
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        _display(*self.bundle())


@dataclass
class Text(Shown):
    markdown: str
    #: when the text is an indicator's headline: its figures ({"indicator", "area", "year", "unit", "figures"})
    headline: dict | None = None
    #: more metadata of its output for the report model (the årsredovisning's sentences under
    #: :data:`analysis.present.annual.ANNUAL_KEY`)
    metadata: dict | None = None

    def bundle(self):
        # the part's markdown is the output's own text/markdown (the builder takes it from there)
        part = {"type": "headline", **_jsonable(self.headline)} if self.headline else {"type": "text"}
        return {"text/markdown": self.markdown, "text/plain": self.markdown}, {**_jsonable(self.metadata or {}),
                                                                              PART_KEY: part}


@dataclass
class Table(Shown):
    data: pd.DataFrame
    caption: str
    label: str = ""
    links: Download | dict | None = None
    widths: list[float] | None = None  # relative PDF column widths (default: from the content)
    free_text: list[str] | None = None  # columns of people's own text (a handlingsplan): literal in Markdown

    def __post_init__(self):
        self.label = self.label or label_for("tbl", self.links.slug if isinstance(self.links, Download)
                                             else self.caption)

    def html(self) -> str:
        body = self.data.to_html(index=False, escape=True, border=0, classes="tabell", na_rep="..",
                                 table_id=self.label)
        body = body.replace(">", f">\n<caption>{html.escape(self.caption)}</caption>", 1)  # right after <table>
        return (f'<div class="tabell-ram" role="region" tabindex="0" aria-label="{html.escape(self.caption)}">\n'
                f"{body}\n</div>\n{_links_html(_links(self.links), 'tabellen')}")

    def markdown(self) -> str:
        return pipe_table(self.data, self.widths, self.free_text) + f"\n\n: {_md_escape(self.caption)} {{#{self.label}}}\n"

    def part(self) -> dict:
        """The table as the report model describes it (:class:`analysis.present.model.Table` as a dict)."""
        download = _download_part(self.links)
        return {"type": "table", "caption": self.caption, "label": self.label,
                "columns": [_raw(c) for c in self.data.columns],
                "rows": [[_raw(v) for v in row] for row in self.data.itertuples(index=False)],
                "download": download}

    def bundle(self):
        return {"text/html": self.html(), "text/markdown": self.markdown(),
                "text/plain": self.data.to_string(index=False)}, {PART_KEY: self.part()}


@dataclass
class Chart(Shown):
    """A plotly chart with a short visible caption and a long description (alt text only).

    With a ``spec`` (:class:`analysis.present.chartspec.ChartSpec`, the figure made from it) the static image is
    an SVG drawn from the spec by :mod:`analysis.present.svgchart`, without a browser. A figure without a spec, or
    changed after it was made from its spec, is drawn by kaleido (Chromium), as a user asking for a PNG gets it."""

    figure: go.Figure | None  # None with a spec: made from it when first asked for (__getattr__)
    caption: str
    alt: str
    label: str = ""
    links: Download | dict | None = None
    static: bool | None = None  # None: the process setting
    spec: ChartSpec | None = None  # noqa: F821 - analysis.present.chartspec (a string annotation: not imported)

    def __post_init__(self):
        self.label = self.label or label_for("fig", self.links.slug if isinstance(self.links, Download)
                                             else self.caption)
        if self.spec is not None:
            if not self.spec.alt:
                self.spec.alt = self.alt
            if not self.spec.caption:
                self.spec.caption = self.caption
            if self.figure is None:  # the figure as data; a plotly figure only when someone asks (__getattr__)
                from analysis.present.chartspec import plotly_figure

                del self.__dict__["figure"]
                self._made = plotly_figure(self.spec)
            else:
                self._made = self.figure.to_dict()  # the figure as made from the spec (an analyst may change it)
            self._spec_seen = repr(self.spec)

    def __getattr__(self, name):
        """``chart.figure`` of a chart made from its spec: the plotly figure, made (and checked) when first asked
        for, so an analyst can change it; a report run never asks and shows the figure's dict as made."""
        if name == "figure" and "_made" in self.__dict__:
            from analysis.present.charts import use_house_template

            use_house_template()  # the analyst's further figures look the same
            self.figure = go.Figure(self._made)
            return self.figure
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _current(self) -> dict:
        """The figure as a dict: as made from the spec while nobody has asked for the plotly figure."""
        return self.figure.to_dict() if "figure" in self.__dict__ else self._made

    def _follow_spec(self) -> None:
        """An analyst changed the spec (and not the figure): the figure is made again from it, so both drawings
        show the change."""
        if self.spec is None or repr(self.spec) == self.__dict__.get("_spec_seen"):
            return
        from analysis.present.chartspec import plotly_figure

        if "figure" not in self.__dict__:
            self._made = plotly_figure(self.spec)
        elif _same(self.figure.to_dict(), self.__dict__.get("_made")):
            self._made = plotly_figure(self.spec)
            self.figure = go.Figure(self._made)
        self._spec_seen = repr(self.spec)

    def spec_svg(self, fig: dict) -> bytes | None:
        """The static SVG drawn from the spec, if the figure is still the one made from it."""
        if self.spec is None or not _same(fig, self.__dict__.get("_made")):
            return None
        from analysis.present.svgchart import svg

        try:
            return svg(self.spec).encode("utf-8")
        except Exception as exc:  # noqa: BLE001 - the report goes on; the chart's place says why it is missing
            width, height = _static_size_of(fig)
            return _message_svg(no_image_text(f"{type(exc).__name__}: {exc}"[:120]), width, height)

    def html(self, fig: dict | None = None) -> str:
        """The figure is labelled by its caption and described by the alt text (not ``role="img"``: plotly's
        toolbar buttons inside must stay reachable); the description is for screen readers only.
        ``fig``: the figure as a dict when the caller has it already (:meth:`bundle`)."""
        include = settings.include_plotlyjs and not _state["plotlyjs_sent"]
        div = pio.to_html(self._current() if fig is None else fig, include_plotlyjs=include, full_html=False,
                          config=PLOTLY_CONFIG, div_id=f"{self.label}-plot", validate=False)
        _state["plotlyjs_sent"] |= include
        fid = self.label
        return (
            f'<figure class="diagram" id="{fid}" aria-labelledby="{fid}-cap" aria-describedby="{fid}-alt">\n{div}\n'
            f'<figcaption id="{fid}-cap">{html.escape(self.caption)}</figcaption>\n'
            f'<p class="diagram-beskrivning visually-hidden" style="{VISUALLY_HIDDEN}" id="{fid}-alt">'
            f"{html.escape(self.alt)}</p>\n"
            f"{_links_html(_links(self.links), 'diagrammets data')}</figure>"
        )

    def plotly_json(self, fig: dict | None = None) -> dict:
        """The figure for JupyterLab's plotly renderer: no fixed width, so it fills the output area and follows
        JupyterLab's resizes (``autosize``); drawn while its output area is not laid out (a notebook in a
        background tab, a cell not yet shown) Plotly falls back to the layout's default width, 700 px, wider
        than many output areas (cut off on the right): :data:`MIME_FALLBACK_WIDTH` instead, as a template
        default, which the first resize replaces with the area's width."""
        data = json.loads(pio.to_json(self._current() if fig is None else fig, validate=False))
        layout = data.setdefault("layout", {})
        if not layout.get("width"):
            layout.setdefault("template", {}).setdefault("layout", {}).setdefault("width", MIME_FALLBACK_WIDTH)
        return {**data, "config": PLOTLY_CONFIG}

    def markdown_figure(self, rel_path: str) -> str:
        alt = self.alt.replace('"', "'").replace("\n", " ")
        return f'![{_md_escape(self.caption)}]({rel_path}){{#{self.label} width=100% fig-alt="{alt}"}}'

    def bundle(self):
        data, metadata = self._bundle()
        spec = None
        if self.__dict__.get("_from_spec"):  # the figure is still the one made from its spec
            from dataclasses import asdict

            spec = _jsonable(asdict(self.spec))
        return data, {**metadata, PART_KEY: {"type": "figure", "caption": self.caption, "label": self.label,
                                             "alt": self.alt, "spec": spec, "download": _download_part(self.links),
                                             "image": self.__dict__.pop("_image", "")}}

    def _figure_markdown(self, folder: Path, name: str) -> str:
        """The markdown figure of the static image ``folder/name`` (written now or by the drawing thread); the
        report model's Figure part names the file (``image``), so publish knows which files the PDF needs."""
        self._image = f"{folder.name}/{name}"
        return self.markdown_figure(self._image)

    def _bundle(self):
        self._follow_spec()
        fig = self._current()  # once for all three outputs (each would copy and check the figure again)
        self._from_spec = self.spec is not None and _same(fig, self.__dict__.get("_made"))
        data = {PLOTLY_MIME: self.plotly_json(fig), "text/html": self.html(fig), "text/plain": self.caption}
        metadata = {}
        static = self.wants_static
        folder = settings.figures_dir
        name = f"{self.label}.{STATIC_FORMAT}"
        drawn = self.spec_svg(fig) if static else None
        if drawn is not None and folder is not None:  # a report: the SVG beside rapport.qmd, a markdown figure
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / (name + ".tmp")
            tmp.write_bytes(drawn)
            tmp.replace(folder / name)
            data["text/markdown"] = self._figure_markdown(folder, name)
            return data, metadata
        if drawn is not None:  # a notebook on its own: the SVG inside it
            data["image/svg+xml"] = drawn.decode("utf-8")
            return data, {"image/svg+xml": {"alt": self.alt, "caption": self.caption}}
        if static and folder is not None and self._write_when_drawn(fig, folder / name):
            data["text/markdown"] = self._figure_markdown(folder, name)
            return data, metadata
        image = self._static_image(fig, STATIC_FORMAT if folder is not None else "png") if static else None
        if image is not None and folder is not None:  # a report: a file beside rapport.qmd, a markdown figure
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(image)
            data["text/markdown"] = self._figure_markdown(folder, name)
        elif image is not None:  # a notebook on its own: the PNG inside it
            data["image/png"] = base64.b64encode(image).decode("ascii")
            metadata = {"image/png": {"alt": self.alt, "caption": self.caption}}
        elif static:
            data["text/markdown"] = f"*{no_image_text(_kaleido_state.get('failed', ''))}*"
        return data, metadata

    def _write_when_drawn(self, fig: dict, path: Path) -> bool:
        """In a batch: when the chart was sent ahead and is unchanged, its file is written by the drawing thread
        once Chromium has drawn it, and the kernel goes on (:func:`wait_for_drawings` waits for the files before
        the PDF is made). A chart that could not be drawn gets an image saying so. False: draw now."""
        ahead = self.__dict__.get("_ahead")
        if ahead is None or not _unchanged(fig, ahead[0]):
            return False
        del self.__dict__["_ahead"]
        path.parent.mkdir(parents=True, exist_ok=True)
        width, height = _static_size_of(fig)
        _drawing_thread().submit(_write_drawn, ahead[1], path, width, height)
        return True

    @property
    def wants_static(self) -> bool:
        """Whether this chart gets a static image (its own setting, else the process's)."""
        return settings.static_images if self.static is None else self.static

    def draw_ahead(self) -> None:
        """In a batch, send the chart to the run's image server as soon as it is made: the kernel goes on with
        the next tables and texts while Chromium draws, and :meth:`bundle` takes the image when the chart is
        displayed. Nothing happens without the image server or when the report's charts are not files."""
        if not self.wants_static or settings.figures_dir is None:
            return
        if hooks["image_server"]() is None:
            return
        fig = self.figure.to_dict()  # a copy: the drawing thread reads it while the kernel goes on
        fig_json = pio.to_json(fig, validate=False)
        self._ahead = (fig_json, _drawing_thread().submit(_image, fig, STATIC_FORMAT, fig_json=fig_json))

    def _static_image(self, fig: dict, fmt: str) -> bytes | None:
        """The image drawn ahead if the figure is still the one sent (an analyst may change it before it is
        shown), else drawn now."""
        ahead = self.__dict__.pop("_ahead", None)
        if ahead is not None:
            sent, future = ahead
            image = future.result()
            if fmt == STATIC_FORMAT and _unchanged(fig, sent):
                return image
        return _image(fig, fmt)


@functools.lru_cache(maxsize=1)
def _drawing_thread():
    """One thread per kernel: draws the charts sent ahead, then writes their files, in the order sent."""
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="diagram")


def _same(fig: dict, made: dict | None) -> bool:
    try:
        return made is not None and bool(fig == made)
    except ValueError:  # arrays inside: compare as JSON
        return pio.to_json(fig, validate=False) == pio.to_json(made, validate=False)


def _unchanged(fig: dict, sent: str) -> bool:
    """Whether a chart is still the one sent to be drawn ahead (an analyst may change it before it is shown)."""
    return pio.to_json(fig, validate=False) == sent


def no_image_text(reason: str) -> str:
    """Where a chart could not be drawn as an image (in the PDF: in its place)."""
    return f"Diagrammet kunde inte skapas som bild ({reason}); samma uppgifter finns i tabellen nedan."


def _static_size_of(fig: go.Figure | dict) -> tuple[int, int]:
    """(width, height) in px of a chart's static image."""
    from analysis.present.charts import static_size

    height = fig.get("layout", {}).get("height") if isinstance(fig, dict) else fig.layout.height
    return static_size()[0], height or 420


def _write_drawn(future, path: Path, width: int, height: int) -> None:
    """On the drawing thread, after the chart's drawing (same thread, sent first): its file, written whole."""
    try:
        image = future.result()
    except Exception:  # noqa: BLE001 - any failure means: no image, say so
        image = None
    if image is None:
        image = _message_svg(no_image_text(_kaleido_state.get("failed", "")), width, height)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(image)
    tmp.replace(path)


def _message_svg(text: str, width: int, height: int) -> bytes:
    """A framed image with ``text`` in it, in place of a chart."""
    import textwrap

    from analysis.present.brand import chart_font

    font = html.escape(chart_font()["family"], quote=True)
    lines = textwrap.wrap(text, 60)
    rows = "".join(f'<tspan x="{width // 2}" dy="{0 if i == 0 else 1.4}em">{html.escape(line)}</tspan>'
                   for i, line in enumerate(lines))
    y = height // 2 - len(lines) * 10
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><rect x="1" y="1" width="{width - 2}" height="{height - 2}" '
            f'fill="white" stroke="#767676" stroke-width="2"/><text x="{width // 2}" y="{y}" '
            f'text-anchor="middle" font-family="{font}" font-size="18" fill="#000">{rows}</text></svg>').encode()


def wait_for_drawings(timeout: float | None = None) -> None:
    """Return once every chart sent ahead in this process has its file (nothing to wait for outside a batch)."""
    if _drawing_thread.cache_info().currsize:
        _drawing_thread().submit(lambda: None).result(timeout)


class Parts(list):
    """What one presentation call shows, in order. ``.figure``/``.table`` are its first chart and table
    (``.figures``/``.tables`` all of them); displaying it displays every part."""

    @property
    def figures(self) -> list[Chart]:
        return [p for p in self if isinstance(p, Chart)]

    @property
    def tables(self) -> list[Table]:
        return [p for p in self if isinstance(p, Table)]

    @property
    def figure(self) -> Chart | None:
        return next(iter(self.figures), None)

    @property
    def table(self) -> Table | None:
        return next(iter(self.tables), None)

    def _ipython_display_(self) -> None:
        for part in self:
            part._ipython_display_()

    def _repr_markdown_(self) -> str:  # outside IPython's display machinery: a readable summary
        return "\n\n".join(p.markdown if isinstance(p, Text) else f"[{type(p).__name__}: {p.caption}]" for p in self)


def show(*objects) -> None:
    """Display presentation objects (or :class:`Parts`) now: the edge where files are written."""
    for obj in objects:
        obj._ipython_display_()


# --------------------------------------------------------------------------- collecting


_collectors: list[Parts] = []


def emit(obj: Shown) -> Shown:
    """Inside a :func:`presents` method: add to what it returns. Elsewhere: display at once."""
    if _collectors:
        _collectors[-1].append(obj)
    else:
        obj._ipython_display_()
    return obj


def presents(method):
    """Decorator: the method's ``show_*`` calls become the :class:`Parts` it returns (displayed by the caller)."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs) -> Parts:
        parts = Parts()
        _collectors.append(parts)
        try:
            method(*args, **kwargs)
        finally:
            _collectors.pop()
        if _collectors:  # called by another presentation method: its parts are part of the caller's
            _collectors[-1].extend(parts)
        return parts

    return wrapper


def show_markdown(text: str, headline: dict | None = None) -> Text:
    """``headline``: the figures when ``text`` is an indicator's headline (the report model's Headline)."""
    return emit(Text(text, headline))


def show_table(df: pd.DataFrame, caption: str, links: Download | dict | None = None, widths: list[float] | None = None,
               free_text: list[str] | None = None, label: str = "") -> Table:
    """``widths``: relative column widths in the PDF (default: from the content). ``free_text``: columns
    holding people's own text (a handlingsplan), kept literal in the Markdown."""
    return emit(Table(df, caption, label, links, widths, free_text))


def show_chart(spec, caption: str, static: bool | None = None, links: Download | dict | None = None) -> Chart:
    """A chart of the reports, from its :class:`~analysis.present.chartspec.ChartSpec`: the interactive figure
    and the static SVG both drawn from the spec, its alt text the spec's."""
    return emit(Chart(None, caption, spec.alt, "", links, static, spec))


def show_figure(fig: go.Figure, alt: str, caption: str, static: bool | None = None,
                links: Download | dict | None = None, label: str = "", spec=None) -> Chart:
    """``spec``: the :class:`~analysis.present.chartspec.ChartSpec` ``fig`` was made from; its static image is
    then drawn from the spec without a browser."""
    chart = Chart(fig, caption, alt, label, links, static, spec)
    if spec is None:
        chart.draw_ahead()
    return emit(chart)


# --------------------------------------------------------------------------- markdown tables


def _md_escape(text: str) -> str:
    """A caption or cell as literal Markdown text (the HTML output escapes the same text with html.escape):
    no raw HTML, Typst, citation (``@word``), link or emphasis can come from the data."""
    from analysis.present.escape import md_text

    return md_text(text, inline=True)  # "|" included: it cannot end a pipe-table cell


def _raw(value) -> str:
    text = ".." if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    # "3. Arbete" is a goal's number, not an ordered list: pandoc writes the cell as Typst markup "[3. Arbete]",
    # which Typst reads as a list item (and broke the cell after "3."); a no-break space is not a list marker
    return re.sub(r"^(\d+)\. ", "\\1.\u00a0", text)


def _cell(value) -> str:
    return _raw(value).replace("|", "\\|").replace("\n", " ")


WRAP_AT = 30  # characters: longer cells wrap, so one long text column does not squeeze the others
CELL_PAD = 2  # characters for the cell's inset
#: characters of the PDF's 9 pt table text across the A4 text width (166 mm, _brand.yml), with some margin
TEXT_WIDTH_CHARS = 90


def _longest_word(df: pd.DataFrame, col) -> int:
    """Longest run a line cannot break inside: words joined by no-break spaces ("24,4\u00a0procentenheter")
    count as one."""
    return max((len(w) for text in [str(col), *map(_cell, df[col])] for w in re.split(r"[ \t\n]+", text)),
               default=1)


def column_widths(df: pd.DataFrame) -> list[int]:
    """Characters each column needs: its longest value (up to :data:`WRAP_AT`, beyond that it wraps) and at
    least its longest word, header included (a header wraps between words, never inside one). Quarto (and
    pandoc) take PDF column widths from the separator's dashes, so these keep years from running into values
    and short headings from being hyphenated."""
    widths = []
    for col in df.columns:
        longest = max((len(_cell(v)) for v in df[col]), default=0)
        widths.append(max(min(longest, WRAP_AT), _longest_word(df, col), 3) + CELL_PAD)
    return widths


def fit_widths(desired: list[float], minimum: list[float], total: float) -> list[float]:
    """Shares of ``total`` in proportion to ``desired``, but none below its ``minimum`` (the others give way):
    a column never gets less room than its longest word, so no word prints over the next column."""
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(desired)) if i not in fixed]
        rest, weight = total - sum(fixed.values()), sum(desired[i] for i in free)
        if not free or weight <= 0:
            break
        short = [i for i in free if desired[i] * rest / weight < minimum[i]]
        if not short:
            break
        fixed.update({i: minimum[i] for i in short})
    rest, weight = total - sum(fixed.values()), sum(desired[i] for i in range(len(desired)) if i not in fixed)
    return [fixed[i] if i in fixed else desired[i] * rest / weight for i in range(len(desired))]


def separator_dashes(df: pd.DataFrame, widths: list[float] | None = None) -> list[int]:
    """Dashes per column (100 = the text width): ``widths`` (relative) or the content's :func:`column_widths`,
    fitted so every column holds its longest word."""
    scale = 100 / TEXT_WIDTH_CHARS
    minimum = [(_longest_word(df, c) + CELL_PAD) * scale for c in df.columns]
    if widths and len(widths) == len(df.columns):
        desired = [100 * w / sum(widths) for w in widths]
    else:
        desired = [w * scale for w in column_widths(df)]
    return [max(3, round(w)) for w in fit_widths(desired, minimum, 100.0)]


def pipe_table(df: pd.DataFrame, widths: list[float] | None = None, free_text: list[str] | None = None) -> str:
    """A pandoc/Quarto pipe table with separator dashes from :func:`separator_dashes`."""
    dashes = separator_dashes(df, widths)
    header = "| " + " | ".join(_md_escape(_raw(c)) for c in df.columns) + " |"
    sep = "|" + "|".join(":" + "-" * d for d in dashes) + "|"
    # every cell is literal text (free_text, the plan's own columns, was the first use; the HTML table
    # escapes every cell too, so no cell is meant as Markdown)
    rows = ["| " + " | ".join(_md_escape(_raw(v)) for v in row) + " |"
            for row in df.itertuples(index=False)]
    return "\n".join([header, sep, *rows])


# --------------------------------------------------------------------------- static PNG


_kaleido_state: dict = {}
#: What the publishing stage lends this module for kaleido, the optional browser path (charts without a chart spec;
#: PNG exports): the run's image server client (or None) and what prepares kaleido before its browser starts (tab
#: reuse, :mod:`analysis.publish.kaleido_tabs`). Set by the warm kernel (:mod:`analysis.publish.kernel`), so that
#: present never imports publish; without them kaleido starts its own browser, as it comes.
hooks: dict = {"image_server": lambda: None, "prepare_kaleido": lambda: None}


def start_browser() -> bool:
    """Start kaleido's browser (once per process) for the static charts; False when there is no Chrome.
    In a batch the run's image server draws them (:mod:`analysis.publish.imageserver`) and no browser starts here."""
    if _kaleido_state.get("failed"):
        return False
    if _kaleido_state.get("started"):
        return True
    if hooks["image_server"]() is not None:
        return True
    try:
        import kaleido

        from analysis.present.brand import use_brand_fonts_in_chromium

        use_brand_fonts_in_chromium()
        hooks["prepare_kaleido"]()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kaleido.start_sync_server(silence_warnings=True)
        _kaleido_state["started"] = True
        return True
    except Exception as exc:  # noqa: BLE001 - any failure means: no static image, say so
        _kaleido_state["failed"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return False


#: the static charts of a report (its PDF): vector images. In Chromium an SVG costs about half of a PNG (no
#: rasterising, no encoding), Typst draws it sharp at any zoom, with the chart's text as text in the brand's font.
STATIC_FORMAT = "svg"


def _image(fig: go.Figure | dict, fmt: str = "png", width: int | None = None,
           fig_json: str | None = None) -> bytes | None:
    """A static image (``fmt`` png or svg) through kaleido; the browser starts once per process. None if no
    Chrome. ``fig_json``: the figure already serialised (sent to the image server as it is).

    Drawn at the width of :func:`analysis.present.charts.static_size`, so chart text prints at ≥ 8 pt in the PDF, in the
    brand's typeface (registered for the headless Chromium; Typst has the same font files)."""
    if not start_browser():
        return None
    default_width, height = _static_size_of(fig)
    width = width or default_width
    scale = 2 if fmt == "png" else 1
    try:
        server = hooks["image_server"]()
        if server is not None:
            return server.image(fig_json or pio.to_json(fig, validate=False),
                                {"format": fmt, "width": width, "height": height, "scale": scale})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pio.to_image(fig, format=fmt, width=width, height=height, scale=scale, validate=False)
    except Exception as exc:  # noqa: BLE001 - any failure means: no static image, say so
        _kaleido_state["failed"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None
