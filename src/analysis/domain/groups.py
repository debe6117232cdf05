"""A comparison group of similar kommuner (SKR's kommungrupper or a Kolada group): the type every stage shares.

Read in data (Kolada's groups: :mod:`analysis.data.sources.kolada_groups`), validated and used for group values
in compute (:mod:`analysis.compute.groups`), named in the reports by present.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ComparisonGroup:
    id: str  # "C7", or a Kolada group id
    name: str  # "Pendlingskommun nära mindre stad/tätort"
    members: tuple[str, ...]
    kind: str  # "skr" | "kolada"
    main_group: str = ""

    @property
    def label(self) -> str:
        """For running text: "kommungruppen Pendlingskommun nära mindre stad/tätort"."""
        return f"kommungruppen {self.name}" if self.kind == "skr" else f"gruppen {self.name}"

    @property
    def display_name(self) -> str:
        """For tables and legends: "Kommungrupp C7 Pendlingskommun nära mindre stad/tätort"."""
        return f"Kommungrupp {self.id} {self.name}" if self.kind == "skr" else f"Liknande kommuner: {self.name}"
