"""A report's cover line, methods and colophon name only the raw files behind the figures it shows (issue 23):
Ronneby shows no self-rated health, so nothing in its front or back matter names Region Dalarna's HLV file;
Falun shows it and names it. Both name the carrier of the BAS figures they show."""

import pytest

from analysis.present.reportbuild import report_values
from analysis.publish.render import Job


def meta_of(root, config, code):
    job = Job("kommun", code, code, 2024, config.data_path, ("html",), root / "reports", root, "pandoc+typst")
    return report_values(job)[0]


@pytest.mark.parametrize("code, dalarna", [("1081", False), ("2080", True)])
def test_front_and_back_matter_name_the_carriers_of_the_figures_shown(root, config, code, dalarna):
    meta = meta_of(root, config, code)
    bas = "SCB BAS, hämtad ur Region Hallands öppna data, ej kontrollerad mot SCB"
    hlv = "fohm_hlv_dalarna_kommuner_lan_riket_efter_fodelseland_2014_2018_2021"
    assert bas in meta["data_date"] and bas in meta["colophon"]
    assert "Region Hallands öppna data 2026-11-23" in meta["methods"]
    assert ("Region Dalarnas öppna data" in meta["data_date"]) == dalarna
    assert (hlv in meta["colophon"]) == dalarna
    assert ("Region Dalarnas öppna data" in meta["pdf_cover"]) == dalarna
