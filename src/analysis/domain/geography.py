"""Sweden's 290 kommuner, 21 län/regioner and riket, with Kolada-style 4-character codes.

Codes are always strings: ``0000`` riket, ``00LL`` region/län (``0010`` Region Blekinge), and the
SCB kommunkod for a kommun (``0880`` Kalmar, ``1081`` Ronneby). A kommun's län is its first two digits.
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

GEOGRAPHY_FILE = Path("data/raw/kolada/kolada_municipality_list_2026-03.csv")
RIKET = "0000"


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str  # "kommun" | "lan" | "riket"

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
        self._areas = {
            r.code: Area(r.code, r.name, r.level) for r in table.itertuples(index=False)
        }

    @classmethod
    def from_csv(cls, path: Path) -> Geography:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        table = pd.DataFrame(
            {
                "code": raw["id"].str.zfill(4),
                "name": raw["title"],
                "level": [
                    "riket" if c == RIKET else ("lan" if t == "L" else "kommun")
                    for c, t in zip(raw["id"].str.zfill(4), raw["type"])
                ],
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

    def find(self, text: str) -> Area:
        """An area by code or by (accent-insensitive) name: "1081", "Solvesborg", "Region Kalmar"."""
        text = str(text).strip()
        if text in self._areas:
            return self._areas[text]
        by_name = {fold(a.name): a for a in self}
        if fold(text) in by_name:
            return by_name[fold(text)]
        raise UnknownAreaError(self._unknown_message(text))

    def county(self, county: str | int) -> Area:
        """A län by länskod ("10", "08") or region code ("0010")."""
        code = str(county).strip()
        if code.isdigit() and len(code) <= 2:
            code = "00" + code.zfill(2)
        area = self.find(code)
        if area.level != "lan":
            raise UnknownAreaError(f"{area.code} {area.name} är inte ett län (ange länskod, t.ex. 10 för Blekinge).")
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

    def suggestions(self, text: str, n: int = 5) -> list[Area]:
        text = str(text).strip()
        codes = difflib.get_close_matches(text, list(self._areas), n=n, cutoff=0.7)
        names = {fold(a.name): a.code for a in self}
        # Match the folded text against the folded names and against the name without "Region ".
        for key in (fold(text), fold(text).removeprefix("region ")):
            codes += [names[m] for m in difflib.get_close_matches(key, list(names), n=n, cutoff=0.6)]
        seen: dict[str, Area] = {}
        for c in codes:
            seen.setdefault(c, self._areas[c])
        return list(seen.values())[:n]

    def _unknown_message(self, text: str) -> str:
        msg = f"Okänd områdeskod eller namn: {text!r}."
        if text.isdigit() and len(text) < 4:
            msg += f" Koder har fyra tecken (kommunkod med inledande nolla, t.ex. {text.zfill(4)!r})."
        hits = self.suggestions(text.zfill(4) if text.isdigit() else text)
        if hits:
            msg += " Menade du: " + ", ".join(f"{a.code} {a.name}" for a in hits) + "?"
        return msg


# The län's names in running text ("Norrbottens län", not "Norrbotten län"), by länskod.
COUNTY_NAMES = {
    "01": "Stockholms län", "03": "Uppsala län", "04": "Södermanlands län", "05": "Östergötlands län",
    "06": "Jönköpings län", "07": "Kronobergs län", "08": "Kalmar län", "09": "Gotlands län",
    "10": "Blekinge län", "12": "Skåne län", "13": "Hallands län", "14": "Västra Götalands län",
    "17": "Värmlands län", "18": "Örebro län", "19": "Västmanlands län", "20": "Dalarnas län",
    "21": "Gävleborgs län", "22": "Västernorrlands län", "23": "Jämtlands län", "24": "Västerbottens län",
    "25": "Norrbottens län",
}


def county_name(area: Area) -> str:
    """"Norrbottens län" for Region Norrbotten (or any of its kommuner)."""
    return COUNTY_NAMES.get(area.county or "", area.name.replace("Region ", "") + " län")


@lru_cache(maxsize=2)
def load_geography(root: Path | None = None) -> Geography:
    root = root or project_root()
    return Geography.from_csv(root / GEOGRAPHY_FILE)
