"""Results.rows: the selections the reports read, against the same selections made with masks."""
import itertools

import pytest

from analysis.compute.results import load_results


@pytest.fixture(scope="module")
def results():
    return load_results(year=2024, county="10")


@pytest.mark.parametrize("table,columns", [
    ("tidy", ("geo_code", "group", "sex", "year")),
    ("gaps", ("geo_code", "year", "sex", "comparison")),
    ("trends", ("geo_code", "sex")),
    ("positions", ("year", "sex")),
])
def test_rows_are_the_rows_a_mask_selects(results, table, columns):
    df = getattr(results, table)
    checked = 0
    for ind in df["indicator"].unique()[:4]:
        part = df[df["indicator"] == ind]
        values = [part[c].unique()[:3] for c in columns]
        for combo in itertools.product(*values):
            mask = True
            for column, value in zip(columns, combo):
                mask = mask & (part[column] == value)
            got = results.rows(table, ind, **dict(zip(columns, combo)))
            assert got.index.tolist() == part[mask].index.tolist()
            checked += len(got)
    assert checked > 0
    assert results.rows(table, "no-such-indicator", **{c: "x" for c in columns}).empty
    assert results.rows(table, df["indicator"].iloc[0], **{columns[0]: "no-such-value"}).empty


def test_a_selection_is_made_once(results):
    ind = results.tidy["indicator"].iloc[0]
    first = results.rows("tidy", ind, geo_code="1081", sex="T")
    assert results.rows("tidy", ind, geo_code="1081", sex="T") is first
    assert len(results.rows("tidy", ind)) == (results.tidy["indicator"] == ind).sum()
