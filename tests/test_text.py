from analysis.text import slugify


def test_slugify():
    assert slugify("Måluppfyllelse för Sölvesborg") == "maluppfyllelse-for-solvesborg"
    assert slugify("id-" + "-".join(["G123", "G45"])) == "id-g123-g45"  # a Kolada groups snapshot folder
    assert slugify("Liknande kommuner, IFO") == "liknande-kommuner-ifo"
    assert slugify("–––") == "tabell" and len(slugify("x" * 100)) == 60
