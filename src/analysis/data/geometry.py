"""Kommun boundaries for the maps: the raw GeoJSON snapshot, validated against the geography, projected once.

The snapshot ``data/raw/geo/kommuner_2pct.geojson`` (provenance in its sidecar) holds Sweden's 290 kommuner as
polygons in WGS84 lon/lat. :func:`load_shapes` reads it with its checksum verified and checks it against the
geography (:mod:`analysis.domain.geography`): exactly the 290 kommuner, each code once, names equal, every
``lan_code`` the code's first two digits. A kommun that changes code (or a new kommun, a merger) is an error
that names what differs, never a map with a hole or a stale name.

:func:`prepared_geometry` is what the maps draw: the kommuner projected to a plane (x = longitude × cos 62°,
y = latitude, both in km: Sweden's shape without a projection library, areas close to true at 62° N) and
rounded to 10 m, plus the län outlines. An outline is derived from the kommuner: the carrier's simplification
kept the topology (a border between two kommuner is the same chain of points in both polygons), so a län's
outline is every segment of its kommuner's rings that no two of its kommuner share. It is computed once per
set of inputs and kept in ``.cache/maps/<key>.json`` (key: the snapshot, this module and the geography), so a
run prepares it once and every report and the index load it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from analysis.errors import AnalysisError

GEOMETRY_FILE = Path("data/raw/geo/kommuner_2pct.geojson")
CACHE_DIR = Path(".cache/maps")
REFERENCE_LATITUDE = 62.0  # the parallel where the projection keeps true scale (mid-Sweden)
KM_PER_DEGREE = 111.32
DECIMALS = 2  # km: 10 m
Point = tuple[float, float]


def project(lon: float, lat: float) -> Point:
    """(x, y) in km: x east, y north; equal-area-ish for Sweden (longitude scaled by cos 62°)."""
    k = math.cos(math.radians(REFERENCE_LATITUDE)) * KM_PER_DEGREE
    return round(lon * k, DECIMALS), round(lat * KM_PER_DEGREE, DECIMALS)


@dataclass(frozen=True)
class KommunShape:
    code: str
    name: str
    county: str  # länskod, 2 characters
    rings: list[list[Point]] = field(repr=False)  # projected; outer rings and holes alike (drawn even-odd)
    label: Point = (0.0, 0.0)  # where the name goes (the carrier's geo_point_2d, projected)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        xs = [x for r in self.rings for x, _ in r]
        ys = [y for r in self.rings for _, y in r]
        return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class MapGeometry:
    """Every kommun's projected shape and every län's outline (polylines), by code."""

    kommuner: dict[str, KommunShape]
    outlines: dict[str, list[list[Point]]]  # länskod -> polylines

    def in_county(self, county: str) -> list[KommunShape]:
        return [k for k in self.kommuner.values() if k.county == county]

    def bbox(self, codes: list[str] | None = None) -> tuple[float, float, float, float]:
        boxes = [self.kommuner[c].bbox for c in (codes or list(self.kommuner))]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                max(b[3] for b in boxes))

    def to_json(self) -> dict:
        return {"kommuner": [{"code": k.code, "name": k.name, "county": k.county, "label": list(k.label),
                              "rings": [[list(p) for p in r] for r in k.rings]} for k in self.kommuner.values()],
                "outlines": {c: [[list(p) for p in line] for line in lines] for c, lines in self.outlines.items()}}

    @classmethod
    def from_json(cls, data: dict) -> MapGeometry:
        kommuner = {k["code"]: KommunShape(k["code"], k["name"], k["county"],
                                           [[(p[0], p[1]) for p in r] for r in k["rings"]], tuple(k["label"]))
                    for k in data["kommuner"]}
        outlines = {c: [[(p[0], p[1]) for p in line] for line in lines] for c, lines in data["outlines"].items()}
        return cls(kommuner, outlines)


# --------------------------------------------------------------------------- reading and checking


def _rings(geometry: dict) -> list[list[list[float]]]:
    kind = (geometry or {}).get("type")
    coords = (geometry or {}).get("coordinates") or []
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    return []


def check_shapes(features: list[dict], geo, source: str) -> None:
    """Every problem between the map's features and the geography's kommuner, in one Swedish error."""
    problems: list[str] = []
    known = {a.code: a for a in geo.kommuner}
    seen: dict[str, int] = {}
    for n, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        code, name = props.get("id"), props.get("kom_namn")
        where = f"objekt {n}"
        if not isinstance(code, str) or len(code) != 4 or not code.isdigit():
            problems.append(f"{where}: kommunkoden {code!r} är inte en kod med fyra siffror (t.ex. \"0880\").")
            continue
        if code in seen:
            problems.append(f"{where}: kommunkoden {code} finns redan i objekt {seen[code]}.")
            continue
        seen[code] = n
        area = known.get(code)
        if area is None:
            problems.append(f"{where}: kommunkoden {code} ({name}) finns inte bland kommunerna i kommunlistan – "
                            "har kommunen bytt kod eller slagits ihop? Byt kartan mot en aktuell.")
        elif name != area.name:
            problems.append(f"{where}: kommunkoden {code} heter {name!r} i kartan men {area.name!r} i kommunlistan.")
        if props.get("lan_code") != code[:2]:
            problems.append(f"{where}: kommunkoden {code} har länskoden {props.get('lan_code')!r}; "
                            f"den ska vara kodens två första siffror ({code[:2]}).")
        rings = _rings(feature.get("geometry"))
        if not rings or any(len(r) < 4 for r in rings):
            problems.append(f"{where}: kommunkoden {code} saknar en giltig polygon (Polygon eller MultiPolygon).")
    for code, area in known.items():
        if code not in seen:
            problems.append(f"kommunen {code} {area.name} saknas i kartan.")
    if problems:
        head = (f"{source}: kartan stämmer inte med kommunlistan ({len(seen)} kommuner i kartan, {len(known)} i "
                f"kommunlistan; {len(problems)} problem):")
        raise AnalysisError(head + "\n" + "\n".join(f"  - {p}" for p in problems))


def load_shapes(root: Path | None = None, path: Path | None = None, geo=None) -> list[KommunShape]:
    """The snapshot's kommuner (checksum verified, checked against the geography), projected."""
    from analysis.config import project_root
    from analysis.data.provenance import load_snapshot
    from analysis.domain.geography import load_geography

    root = root or project_root()
    path = path or root / GEOMETRY_FILE
    load_snapshot(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        features = list(data["features"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AnalysisError(f"{path}: kartfilen kan inte läsas som GeoJSON ({exc}).") from exc
    check_shapes(features, geo or load_geography(root), str(path))
    shapes = []
    for f in features:
        p = f["properties"]
        rings = [r for r in (_clean([project(x, y) for x, y, *_ in ring]) for ring in _rings(f["geometry"]))
                 if len(r) >= 4]
        lat, lon = p.get("geo_point_2d") or (None, None)
        label = project(lon, lat) if lat is not None else _centre(rings)
        shapes.append(KommunShape(p["id"], p["kom_namn"], p["lan_code"], rings, label))
    return sorted(shapes, key=lambda k: k.code)


def _clean(ring: list[Point]) -> list[Point]:
    """Without points repeated after rounding."""
    out = [ring[0]]
    for p in ring[1:]:
        if p != out[-1]:
            out.append(p)
    return out


def _centre(rings: list[list[Point]]) -> Point:
    biggest = max(rings, key=len)
    return (round(sum(x for x, _ in biggest) / len(biggest), DECIMALS),
            round(sum(y for _, y in biggest) / len(biggest), DECIMALS))


# --------------------------------------------------------------------------- län outlines


def outline(shapes: list[KommunShape]) -> list[list[Point]]:
    """The outline of a set of kommuner as polylines: the segments that no two of them share, chained."""
    count: Counter = Counter()
    for k in shapes:
        for ring in k.rings:
            for a, b in zip(ring, ring[1:]):
                count[(a, b) if a <= b else (b, a)] += 1
    edges = [e for e, n in count.items() if n == 1]
    nxt: dict[Point, list[Point]] = defaultdict(list)
    for a, b in edges:
        nxt[a].append(b)
        nxt[b].append(a)
    used: set = set()
    lines = []
    for a, b in sorted(edges):  # sorted: the same polylines in every run
        if (a, b) in used:
            continue
        used.add((a, b))
        line = [a, b]
        while True:  # walk on while the end has an unused segment
            end = line[-1]
            step = next((p for p in nxt[end] if ((end, p) if end <= p else (p, end)) not in used), None)
            if step is None:
                break
            used.add((end, step) if end <= step else (step, end))
            line.append(step)
        lines.append(line)
    return lines


def build(root: Path | None = None) -> MapGeometry:
    shapes = load_shapes(root)
    by_county: dict[str, list[KommunShape]] = defaultdict(list)
    for k in shapes:
        by_county[k.county].append(k)
    return MapGeometry({k.code: k for k in shapes}, {c: outline(ks) for c, ks in sorted(by_county.items())})


# --------------------------------------------------------------------------- computed once


def geometry_key(root: Path) -> str:
    from analysis.data.provenance import sha256
    from analysis.domain.geography import GEOGRAPHY_FILE

    parts = [sha256(root / GEOMETRY_FILE), sha256(Path(__file__)), sha256(root / GEOGRAPHY_FILE)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def prepared_geometry(root: Path | None = None) -> MapGeometry:
    """The projected kommuner and län outlines: read from ``.cache/maps/<key>.json``, built and kept there the
    first time (written whole, so parallel kernels never read half a file)."""
    from analysis.config import project_root

    return _prepared(str((root or project_root()).resolve()))


@lru_cache(maxsize=2)
def _prepared(root: str) -> MapGeometry:
    base = Path(root)
    path = base / CACHE_DIR / f"{geometry_key(base)}.json"
    if path.is_file():
        try:
            return MapGeometry.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache file: build it again
    geometry = build(base)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(geometry.to_json(), separators=(",", ":")), encoding="utf-8")
    tmp.replace(path)
    return geometry
