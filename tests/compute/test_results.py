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


def test_a_row_is_the_first_row_of_its_selection_made_once(results):
    ind = results.gaps["indicator"].iloc[0]
    where = {"geo_code": "1081", "year": 2024, "sex": "T", "comparison": "inrikes"}
    row = results.row("gaps", ind, **where)
    assert row.equals(results.rows("gaps", ind, **where).iloc[0]) and row.name == results.rows("gaps", ind, **where).index[0]
    assert results.row("gaps", ind, **where) is row
    assert results.row("gaps", ind, geo_code="no-such-area") is None


def test_row_positions_are_those_of_pandas_groupby():
    """Results.rows indexes a table from plain lists (:func:`_positions`): the same positions per key as
    ``groupby(columns).indices``, keys with a missing value left out, one column's keys unwrapped."""
    import pandas as pd

    from analysis.compute.results import _positions

    frame = pd.DataFrame({"geo_code": ["1081", "1081", "0010", None, "1081", "0010"],
                          "year": [2023, 2024, 2024, 2024, 2024, 2024],
                          "sex": ["T", "T", "K", "T", float("nan"), "T"]}).astype({"geo_code": "str"})
    for columns in (["geo_code"], ["geo_code", "year"], ["geo_code", "year", "sex"], ["sex"]):
        expected = {k: list(v) for k, v in frame.groupby(columns, sort=False).indices.items()}
        assert _positions(frame, columns) == expected, columns
    assert _positions(frame, ["geo_code", "year"])[("1081", 2024)] == [1, 4]
