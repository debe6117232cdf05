"""Chart craft shared by every plotly figure of the reports: the brand's typeface and sizes, room for the
toolbar, legends that never meet an axis title, and the EXEMPELDATA mark inside any chart with example values.

The mark is part of the figure itself (an annotation), so it is in the interactive chart, in the static PNG of
the PDF and in the PNG plotly's toolbar downloads.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from analysis.present import brand, fmt

HOUSE_TEMPLATE = "integrationsuppfoljning"


def house_template() -> go.layout.Template:
    """The template every figure starts from: plotly_white's layout plus the house style (the brand's typeface
    and sizes, decimal comma, legend below the plot), with trace defaults only for the trace types the reports
    draw. plotly_white carries defaults for some forty trace types, serialised into every figure three times
    (notebook output, HTML, PNG); this one is a fraction of that size."""
    base = pio.templates["plotly_white"]
    t = go.layout.Template(layout=base.layout)
    t.data.scatter, t.data.bar = base.data.scatter, base.data.bar
    font = brand.chart_font()
    size = {"size": font["size"]}
    t.layout.update(
        separators=fmt.PLOTLY_SEPARATORS, font=font, hoverlabel={"font": {"family": font["family"], **size}},
        # below the plot area at the bottom of the figure (container), below the x-axis title, left-aligned:
        # the margin grows to fit the legend, and its entries wrap onto more rows on a narrow screen instead
        # of being cut or meeting the axis title
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0, "xanchor": "left",
                "font": size, "title": {"text": ""}},
        xaxis={"automargin": True, "tickfont": size, "title": {"font": size}},
        yaxis={"automargin": True, "tickfont": size, "title": {"font": size}},
    )
    return t


# Registered as plotly's default when this module is imported, so a new figure takes it without validating it
# again (a template named per figure in ``update_layout`` cost ≈ 25 ms per chart, the house style another 30).
pio.templates[HOUSE_TEMPLATE] = house_template()
pio.templates.default = HOUSE_TEMPLATE

EXAMPLE_MARK = "EXEMPELDATA – inte verklig statistik"
#: static chart size: at the PDF's text width the smallest chart text prints at ≥ 8 pt (_brand.yml: chart)
STATIC_WIDTH = 640


def static_size() -> tuple[int, float]:
    """(width in px, printed pt per px) of the static charts."""
    chart = brand.scale()["chart"]
    width = int(chart["width-px"])
    return width, chart["print-width-mm"] / width / 0.3528


def style(fig: go.Figure, *, example: bool, height: int, legend: bool = True, margin: dict | None = None) -> go.Figure:
    """Apply the house style. ``margin`` overrides left/right/bottom; the top always leaves room for plotly's
    toolbar (and the example mark), so the toolbar never covers a bar or a line."""
    m = {"l": 10, "r": 20, "b": 10, **(margin or {})}
    m["t"] = 74 if example else 40  # toolbar band (≈ 30 px), then the example mark
    if fig.layout.template.layout.font.family != brand.chart_font()["family"]:  # made under another template
        fig.layout.template = HOUSE_TEMPLATE
    fig.update_layout(height=height, margin=m, showlegend=legend)
    if example:
        mark_example(fig)
    return fig


def mark_example(fig: go.Figure) -> go.Figure:
    """A visible EXEMPELDATA mark inside the chart (top left, above the plot area) and a light watermark."""
    amber, sand = brand.colour("warning"), brand.colour("sand")
    fig.add_annotation(text=f"<b>{EXAMPLE_MARK}</b>", xref="paper", yref="paper", x=0, y=1, yshift=6,
                       xanchor="left", yanchor="bottom", showarrow=False, align="left",
                       font={"color": amber, "size": brand.chart_font()["size"]}, bgcolor=sand,
                       bordercolor=amber, borderwidth=1.5, borderpad=3)
    fig.add_annotation(text="EXEMPELDATA", xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                       textangle=-18, font={"color": amber, "size": 44}, opacity=0.13)
    return fig


def is_marked(fig: go.Figure) -> bool:
    return any(EXAMPLE_MARK in (a.text or "") for a in fig.layout.annotations)
