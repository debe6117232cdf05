"""The index page composed in present: its sentences and values, with no HTML; publish only places them."""
import datetime as dt

import pandas as pd
import pytest

from analysis.present.indexpage import index_indicator, index_page, national_values


@pytest.fixture(scope="module")
def results(config):
    from analysis.compute.artefact import ensure_artefact

    return ensure_artefact(config, config.data_path, 2024)[0]


def test_one_read_gives_the_same_values_as_each_county_table(config, geography, results):
    """The values from one dataset read equal those read county table by county table with pandas."""
    ind = index_indicator(config)
    values, riket = national_values(results, ind, 2024, geography)
    frames = [pd.read_parquet(f / "gaps.parquet") for f in sorted(results.glob("lan-*"))]
    df = pd.concat(frames)
    df = df[(df["indicator"] == ind.id) & (df["year"] == 2024) & (df["sex"] == "T") & (df["comparison"] == "inrikes")]
    gap = df.drop_duplicates("geo_code").set_index("geo_code")["gap"]
    assert len(values) == 290 and sum(v.shown for v in values) > 250
    for v in values:
        if v.shown:
            assert v.gap == pytest.approx(gap[v.code])
    assert riket.gap == pytest.approx(gap["0000"])


def test_the_page_says_everything_in_swedish_without_markup(config, results):
    page = index_page(config, results, 2024, today=dt.date(2026, 12, 5))
    assert page.created == "Rapporter per kommun och län. Skapad 5 december 2026."
    m = page.map
    assert m.heading == f"Karta: {m.indicator.title} 2024"
    assert "Riket: −14,4 procentenheter." in m.intro and "  " not in m.intro
    assert len(m.rows) == 290 and len(m.columns) == 8
    ronneby = next(r for r in m.rows if r.code == "1081")
    assert (ronneby.county, ronneby.gap, ronneby.kind) == ("Blekinge", "−24,4", "Verklig")
    texts = [page.title, page.created, page.example_notice, m.intro, m.alt, m.source, m.table_caption,
             *(t for _, _, t in m.legend)]
    assert not any("<" in t or "&" in t for t in texts)  # publish escapes; present writes plain text


def test_no_values_for_the_year_says_so(config, results):
    page = index_page(config, results, 1990)
    assert page.map is None and page.no_map.startswith("Ingen karta: resultaten har inga uppgifter om")
