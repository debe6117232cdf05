"""What the data cover: which indicators have no figures for an area and year, why, and how to get them.

One place for the rule and its Swedish sentences. Used by the reports ("uppgift saknas" with its reason) and by
`analysis gaps`. An indicator, area or year without rows is never an error: it is said plainly.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.domain.catalogue import Catalogue, Indicator
from analysis.domain.geography import Geography

MISSING_TITLE = "Uppgift saknas"


@dataclass(frozen=True)
class Missing:
    """Why an indicator has no figures for an area and year, and how to get them."""

    indicator: str
    geo_code: str
    year: int
    reason: str
    how: str

    @property
    def text(self) -> str:
        return f"{MISSING_TITLE}: {self.reason}. {self.how}".strip()


def fetchable_from(ind: Indicator) -> list[str]:
    """The online sources `analysis fetch` asks for this indicator (empty: it can only be imported)."""
    src = ind.source
    out = []
    if src.get("kolada"):
        out.append(f"Kolada {', '.join(src['kolada'])}")
    if src.get("pxweb"):
        out.append(f"SCB {', '.join(dict.fromkeys(src['pxweb']['tables'].values()))}")
    return out


def how_to_get(ind: Indicator, county: str) -> str:
    """The plain instruction for getting an indicator's figures: `analysis fetch` online, or `analysis import`."""
    importing = (f"läs in egna uppgifter med `analysis import FIL --producer \"{ind.producer}\"` "
                 "(CSV eller XLSX enligt datakontraktet)")
    sources = fetchable_from(ind)
    if sources:
        return (f"Hämta uppgifterna med `analysis fetch --county {county}` när datorn är uppkopplad "
                f"({'; '.join(sources)}), eller {importing}.")
    return (f"Uppgifterna kan inte hämtas automatiskt från {ind.producer}; {importing}.")


def missing(
    ind: Indicator, code: str, year: int, tidy: pd.DataFrame, geography: Geography,
    default_county: str | None = None,
) -> Missing | None:
    """None when the data have rows for ``ind`` in ``code`` and ``year`` (values or status symbols),
    else why not and how to get them."""
    area = geography.area(code)
    rows = tidy[(tidy["indicator"] == ind.id) & (tidy["geo_code"] == code)]
    if (rows["year"] == year).any():
        return None
    if ind.shows_latest and (rows["year"] <= year).any():
        return None  # measured in election or survey years: the latest one up to the report year is shown
    county = area.county or default_county or ""
    if ind.series_start and year < ind.series_start:
        return Missing(ind.id, code, year,
                       f"serien börjar {ind.series_start}, så det finns inga uppgifter för {year}",
                       f"Välj ett rapportår från och med {ind.series_start}.")
    if len(rows):
        first, last = int(rows["year"].min()), int(rows["year"].max())
        span = str(first) if first == last else f"{first}–{last}"
        what = "bara exempelvärden" if rows["example"].all() else "uppgifter"
        return Missing(ind.id, code, year, f"det finns {what} för {area.name} {span}, men inte för {year}",
                       how_to_get(ind, county))
    reason = f"datamängden har inga uppgifter för {area.name} {year}"
    has_example = bool(tidy.loc[tidy["indicator"] == ind.id, "example"].any())
    if default_county and area.level != "riket" and county != default_county and has_example:
        demo = geography.county(default_county).official
        reason += f" (exempelvärden visas bara för {demo}, som demonstration)"
    return Missing(ind.id, code, year, reason, how_to_get(ind, county))


def missing_for_area(
    catalogue: Catalogue, code: str, year: int, tidy: pd.DataFrame, geography: Geography,
    default_county: str | None = None,
) -> list[Missing]:
    """Every catalogue indicator without rows for the area (or its län, for län-only indicators) and year."""
    area = geography.area(code)
    out = []
    for ind in catalogue:
        shown = code
        if area.level == "kommun" and "kommun" not in ind.levels:
            if "lan" not in ind.levels:
                continue
            shown = area.county_code
        m = missing(ind, shown, year, tidy, geography, default_county)
        if m is not None:
            out.append(m)
    return out


def demonstration_only(tidy: pd.DataFrame, geography: Geography, county: str) -> pd.DataFrame:
    """Example rows are a demonstration for the län they were generated for: an indicator keeps its example
    rows only where the data have example rows for ``county`` itself (its kommuner or the län). Riket's
    example rows made for another län's demonstration are never shown next to this län's real figures."""
    if not tidy["example"].any():
        return tidy
    own = {a.code for a in geography.kommuner_in(county)} | {geography.county(county).code}
    ex = tidy["example"]
    demo = set(tidy.loc[ex & tidy["geo_code"].isin(own), "indicator"])
    return tidy[~ex | tidy["indicator"].isin(demo)]
