import pytest

from analysis.text import column_letter, slugify


def test_slugify():
    assert slugify("Måluppfyllelse för Sölvesborg") == "maluppfyllelse-for-solvesborg"
    assert slugify("id-" + "-".join(["G123", "G45"])) == "id-g123-g45"  # a Kolada groups snapshot folder
    assert slugify("Liknande kommuner, IFO") == "liknande-kommuner-ifo"
    assert slugify("–––") == "tabell" and len(slugify("x" * 100)) == 60


def test_column_letter_is_openpyxls():
    from openpyxl.utils import get_column_letter

    assert [column_letter(n) for n in range(1, 18279)] == [get_column_letter(n) for n in range(1, 18279)]
    with pytest.raises(ValueError):
        column_letter(0)
