"""The kommun boundaries: validated against the geography, projected once, län outlines from shared segments."""
import json

import pytest

from analysis.data import geometry
from analysis.data.provenance import write_sidecar
from analysis.errors import AnalysisError


def _copy(root, tmp_path, change=None):
    """The snapshot copied with ``change(features)`` applied and a sidecar that matches the changed file (so the
    check under test is the geometry's, not the checksum's)."""
    data = json.loads((root / geometry.GEOMETRY_FILE).read_text(encoding="utf-8"))
    if change:
        change(data["features"])
    path = tmp_path / "kommuner.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    write_sidecar(path, {"title": "t", "producer": "p", "url": "u", "retrieved": "2026-12-05", "licence": "l"})
    return path


def _feature(features, code):
    return next(f for f in features if f["properties"]["id"] == code)


def test_the_snapshot_holds_every_kommun_of_the_geography(root, geography):
    shapes = geometry.load_shapes(root)
    assert len(shapes) == 290
    assert {s.code for s in shapes} == {a.code for a in geography.kommuner}
    assert all(s.name == geography.area(s.code).name and s.county == s.code[:2] for s in shapes)


def test_a_kommun_that_changes_code_fails_loudly(root, tmp_path):
    def renumber(features):
        _feature(features, "1081")["properties"]["id"] = "1099"

    with pytest.raises(AnalysisError) as err:
        geometry.load_shapes(root, _copy(root, tmp_path, renumber))
    text = str(err.value)
    assert "kartan stämmer inte med kommunlistan" in text
    assert "kommunkoden 1099 (Ronneby) finns inte bland kommunerna" in text and "bytt kod" in text
    assert "kommunen 1081 Ronneby saknas i kartan" in text


def test_names_county_codes_and_duplicates_are_checked(root, tmp_path):
    def spoil(features):
        _feature(features, "0880")["properties"]["kom_namn"] = "Kalmar stad"
        _feature(features, "1060")["properties"]["lan_code"] = "12"
        features.append(json.loads(json.dumps(_feature(features, "2580"))))

    with pytest.raises(AnalysisError) as err:
        geometry.load_shapes(root, _copy(root, tmp_path, spoil))
    text = str(err.value)
    assert "0880 heter 'Kalmar stad' i kartan men 'Kalmar' i kommunlistan" in text
    assert "1060 har länskoden '12'" in text
    assert "kommunkoden 2580 finns redan" in text


def test_a_changed_snapshot_is_refused(root, tmp_path):
    path = _copy(root, tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('"Ronneby"', '"Ronneby2"'), encoding="utf-8")
    with pytest.raises(AnalysisError, match="kontrollsumman"):
        geometry.load_shapes(root, path)


def test_an_outline_keeps_only_the_segments_no_two_kommuner_share():
    left = geometry.KommunShape("0001", "A", "01", [[(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]])
    right = geometry.KommunShape("0002", "B", "01", [[(1, 0), (2, 0), (2, 1), (1, 1), (1, 0)]])
    lines = geometry.outline([left, right])
    segments = {frozenset(s) for line in lines for s in zip(line, line[1:])}
    assert frozenset({(1, 0), (1, 1)}) not in segments  # the shared border
    assert len(segments) == 6 and all(len(s) == 2 for s in segments)
    assert lines == [[(0, 0), (0, 1), (1, 1), (2, 1), (2, 0), (1, 0), (0, 0)]]  # one closed ring


def test_blekinge_outline_is_its_kommuners_outer_border(root):
    geo = geometry.prepared_geometry(root)
    shapes = geo.in_county("10")
    segments = [frozenset(s) for k in shapes for r in k.rings for s in zip(r, r[1:])]
    outer = {s for s in segments if segments.count(s) == 1}
    drawn = [frozenset(s) for line in geo.outlines["10"] for s in zip(line, line[1:])]
    assert set(drawn) == outer and len(drawn) == len(outer)
    assert len(outer) < len(segments)  # the inner borders are gone


def test_projection_keeps_sweden_in_shape(root):
    x0, y0, x1, y1 = geometry.prepared_geometry(root).bbox()
    assert 600 < x1 - x0 < 800 and 1450 < y1 - y0 < 1650  # km: ≈ 690 wide, ≈ 1 530 tall


def test_the_prepared_geometry_is_computed_once_and_then_loaded(project, monkeypatch):
    geometry._prepared.cache_clear()
    first = geometry.prepared_geometry(project.root)
    files = list((project.root / geometry.CACHE_DIR).glob("*.json"))
    assert len(files) == 1
    geometry._prepared.cache_clear()
    monkeypatch.setattr(geometry, "build", lambda root=None: pytest.fail("built again"))
    again = geometry.prepared_geometry(project.root)
    assert again.kommuner["1081"] == first.kommuner["1081"] and again.outlines == first.outlines
    geometry._prepared.cache_clear()
