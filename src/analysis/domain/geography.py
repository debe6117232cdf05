"""Sweden's 290 kommuner, 21 län/regioner and riket, with Kolada-style 4-character codes.

Codes are always strings: ``0000`` riket, ``00LL`` län (``0010`` Blekinge län, whose region is Region Blekinge),
and the SCB kommunkod for a kommun (``0880`` Kalmar, ``1081`` Ronneby). A kommun's län is its first two digits.

Names: ``Area.name`` is what a table or chart shows (``Ronneby``, ``Blekinge län``, ``Riket``); ``Area.official``
the official name in running text (``Karlshamns kommun``, ``Norrbottens län``); ``Area.region`` the county
council as an organisation (``Region Norrbotten``). All official forms come from one declared table,
``data/geography/names.yml``.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.config import project_root
from analysis.errors import UnknownAreaError
from analysis import yamlio

GEOGRAPHY_FILE = Path("data/raw/kolada/kolada_municipality_list_2026-03.csv")
NAMES_FILE = Path("data/geography/names.yml")
RIKET = "0000"


@dataclass(frozen=True)
class Area:
    code: str
    name: str  # shown in tables and charts: "Ronneby", "Blekinge län", "Riket"
    level: str  # "kommun" | "lan" | "riket"
    official: str = ""  # in running text: "Karlshamns kommun", "Norrbottens län", "Riket"
    region: str = ""  # a län's county council as an organisation: "Region Norrbotten" ("" for kommun, riket)

    def __post_init__(self):
        if not self.official:
            object.__setattr__(self, "official", self.name)

    @property
    def county(self) -> str | None:
        """Two-character länskod ("10"), or None for riket."""
        if self.level == "riket":
            return None
        return self.code[2:] if self.level == "lan" else self.code[:2]

    @property
    def county_code(self) -> str | None:
        """The region's 4-character code ("0010"), or None for riket."""
        return None if self.county is None else "00" + self.county


def fold(text: str) -> str:
    """Lower-case, accents removed: "Sölvesborg" -> "solvesborg"."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )


class Geography:
    """All areas, indexed by code, with lookups that explain what went wrong."""

    def __init__(self, table: pd.DataFrame):
        self.table = table
        cols = set(table.columns)
        self._areas = {
            r.code: Area(r.code, r.name, r.level, getattr(r, "official", "") if "official" in cols else "",
                         getattr(r, "region", "") if "region" in cols else "")
            for r in table.itertuples(index=False)
        }

    @classmethod
    def from_csv(cls, path: Path, names: Names | None = None) -> Geography:
        """The Kolada area list, with the official names of ``names`` (default: data/geography/names.yml)."""
        names = names or load_names()
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        codes = raw["id"].str.zfill(4)
        levels = ["riket" if c == RIKET else ("lan" if t == "L" else "kommun") for c, t in zip(codes, raw["type"])]
        rows = [names.area_names(c, title, level) for c, title, level in zip(codes, raw["title"], levels)]
        table = pd.DataFrame(
            {
                "code": codes,
                "name": [r[0] for r in rows],
                "level": levels,
                "official": [r[1] for r in rows],
                "region": [r[2] for r in rows],
            }
        )
        return cls(table)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._areas

    def __iter__(self):
        return iter(self._areas.values())

    @property
    def kommuner(self) -> list[Area]:
        return [a for a in self if a.level == "kommun"]

    @property
    def counties(self) -> list[Area]:
        return [a for a in self if a.level == "lan"]

    def area(self, code: str | int) -> Area:
        """The area with this code. Integers and short codes are rejected with a hint."""
        if not isinstance(code, str):
            raise UnknownAreaError(
                f"Områdeskod {code!r} måste vara en textsträng med fyra tecken, t.ex. '{int(code):04d}' "
                "(a number loses its leading zero)."
                if isinstance(code, int)
                else f"Områdeskod {code!r} måste vara en textsträng med fyra tecken."
            )
        if code in self._areas:
            return self._areas[code]
        raise UnknownAreaError(self._unknown_message(code))

    def find(self, text: str, level: str | None = None) -> Area:
        """An area by code or by (accent-insensitive) name: "1081", "Solvesborg", "Region Kalmar". ``level``
        ("kommun", "lan") only narrows the suggestions when nothing is found."""
        text = str(text).strip()
        if text in self._areas:
            return self._areas[text]
        key = fold(text)
        hits = [a for a in self if key in {fold(n) for n in (a.name, a.official, a.region) if n}]
        if level is not None and any(a.level == level for a in hits):  # "Region Gotland": the kommun or the län
            hits = [a for a in hits if a.level == level]
        if hits:
            return hits[-1] if level is None else hits[0]
        raise UnknownAreaError(self._unknown_message(text, level))

    def county(self, county: str | int) -> Area:
        """A län by länskod ("10", "08"), region code ("0010") or name ("Blekinge", "Region Kalmar")."""
        code = str(county).strip()
        if code.isdigit() and len(code) <= 2:
            code = "00" + code.zfill(2)
        bare = next((c for c in self.counties if fold(code) in {
            fold(c.name.removesuffix(" län")), fold(c.region.removeprefix("Region "))}), None)
        if bare is not None:  # "Blekinge", "Norrbotten": the län without " län" (or its region without "Region ")
            return bare
        try:
            area = self.find(code, level="lan")
        except UnknownAreaError:
            raise UnknownAreaError(self._unknown_county_message(str(county).strip())) from None
        if area.level != "lan":
            raise UnknownAreaError(f"{area.code} {area.official} är inte ett län (ange länskod, t.ex. 10 för "
                                   f"Blekinge län). {self._county_hint(str(county).strip())}".rstrip())
        return area

    def kommuner_in(self, county: str) -> list[Area]:
        lan = self.county(county)
        return [a for a in self.kommuner if a.county == lan.county]

    def comparison_areas(self, code: str) -> list[Area]:
        """The area itself, its län and riket (the comparison chain used in reports)."""
        area = self.area(code)
        chain = [area]
        if area.level == "kommun":
            chain.append(self.area(area.county_code))
        if area.level != "riket":
            chain.append(self.area(RIKET))
        return chain

    def suggestions(self, text: str, n: int = 5, level: str | None = None) -> list[Area]:
        """Areas whose code or name is close to ``text``; only of ``level`` ("kommun", "lan") when given."""
        text = str(text).strip()
        pool = {c: a for c, a in self._areas.items() if level is None or a.level == level}
        codes = difflib.get_close_matches(text, list(pool), n=n, cutoff=0.7)
        names: dict[str, str] = {}
        for a in pool.values():
            for name in (a.name, a.official, a.region, a.name.removesuffix(" län")):
                if name:
                    names.setdefault(fold(name), a.code)
        # Match the folded text against the folded names and against the name without "Region ".
        for key in (fold(text), fold(text).removeprefix("region ")):
            codes += [names[m] for m in difflib.get_close_matches(key, list(names), n=n, cutoff=0.6)]
        seen: dict[str, Area] = {}
        for c in codes:
            seen.setdefault(c, self._areas[c])
        return list(seen.values())[:n]

    def _county_hint(self, text: str) -> str:
        lan_code = text.zfill(2) if text.isdigit() and len(text) <= 2 else text
        hits = self.suggestions(lan_code, level="lan")
        if text.isdigit() and len(text) <= 2:  # a länskod: suggest the län with the nearest codes
            near = sorted(self.counties, key=lambda a: abs(int(a.county) - int(text)))[:3]
            hits = list(dict.fromkeys(hits + near))[:5]
        return ("Menade du: " + ", ".join(f"{a.county} {a.official}" for a in hits) + "?") if hits else ""

    def _unknown_county_message(self, text: str) -> str:
        msg = (f"Okänt län: {text!r}. Ange länskoden med två siffror (01–25, t.ex. 10 för Blekinge län) "
               "eller länets namn.")
        hint = self._county_hint(text)
        return f"{msg} {hint}" if hint else msg

    def _unknown_message(self, text: str, level: str | None = None) -> str:
        msg = f"Okänd {'kommunkod eller kommun' if level == 'kommun' else 'områdeskod eller namn'}: {text!r}."
        if text.isdigit() and len(text) < 4:
            msg += f" Koder har fyra tecken (kommunkod med inledande nolla, t.ex. {text.zfill(4)!r})."
        hits = self.suggestions(text.zfill(4) if text.isdigit() else text, level=level)
        if hits:
            msg += " Menade du: " + ", ".join(f"{a.code} {a.official}" for a in hits) + "?"
        return msg


class Names:
    """The official-name table (data/geography/names.yml): genitive rule, kommun exceptions, län names."""

    def __init__(self, raw: dict):
        self.suffix = raw["genitive"]["suffix"]
        self.no_suffix_after = raw["genitive"]["no_suffix_after"]
        self.kommun_suffix = raw["kommun"]["suffix"]
        self.kommun_no_s_after = raw["kommun"]["no_s_after"] if raw["kommun"].get("s_before_suffix", True) else None
        self.kommun_exceptions = {str(k): v for k, v in (raw["kommun"].get("exceptions") or {}).items()}
        self.lan = {str(k).zfill(2): v for k, v in raw["lan"].items()}
        self.riket = raw.get("riket", "Riket")

    def genitive(self, name: str) -> str:
        """"Karlshamn" -> "Karlshamns", "Ronneby" -> "Ronnebys", "Borås" -> "Borås"."""
        return name if not name or name[-1].lower() in self.no_suffix_after else name + self.suffix

    def kommun_stem(self, name: str) -> str:
        """The name before " kommun": "Karlshamns", "Ronneby", "Borås"."""
        if self.kommun_no_s_after is None or not name or name[-1].lower() in self.kommun_no_s_after:
            return name
        return name + "s"

    def kommun(self, code: str, name: str) -> str:
        return self.kommun_exceptions.get(code) or self.kommun_stem(name) + self.kommun_suffix

    def area_names(self, code: str, title: str, level: str) -> tuple[str, str, str]:
        """(name, official, region) for an area of the Kolada list."""
        if level == "riket":
            return self.riket, self.riket, ""
        if level == "lan":
            lan = self.lan.get(code[2:])
            if lan is None:
                raise UnknownAreaError(f"{NAMES_FILE}: länet {code} ({title}) saknar namn under 'lan'.")
            return lan, lan, title
        return title, self.kommun(code, title), ""


@lru_cache(maxsize=2)
def load_names(root: Path | None = None) -> Names:
    root = root or project_root()
    return Names(yamlio.load((root / NAMES_FILE).read_text(encoding="utf-8")))


def genitive(name: str) -> str:
    """The genitive of a name by the declared rule: "Ronneby" -> "Ronnebys", "Luleå" -> "Luleås", "Kalix" -> "Kalix"."""
    return load_names().genitive(name)


def county_name(area: Area) -> str:
    """"Norrbottens län" for the län 0025 or any of its kommuner."""
    if area.level == "lan":
        return area.official
    return load_names().lan[area.county] if area.county else area.official


@lru_cache(maxsize=2)
def load_geography(root: Path | None = None) -> Geography:
    root = root or project_root()
    return Geography.from_csv(root / GEOGRAPHY_FILE, load_names(root))
