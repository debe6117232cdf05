"""Reading aids: the sources-and-methods text and the colophon."""

from analysis.data.provenance import all_snapshots
from analysis.present.reportmeta import colophon, methods, reading_guide


def test_methods_names_sources_and_last_update(catalogue, tidy, root):
    text = methods(catalogue, tidy, all_snapshots(root / "data" / "raw"))
    for ind in catalogue:
        assert f"**{ind.title}.**" in text
    assert "Kolada N02268, N02269" in text
    assert "verkliga uppgifter 2020–2024" in text  # the BAS snapshot covers the two arbete indicators
    assert text.count("genererade exempelvärden") == len(catalogue) - 2
    assert "egen bearbetning" in text


def test_colophon_lists_every_snapshot_with_checksum(root, config):
    text = colophon(root, all_snapshots(root / "data" / "raw"), config.data_path, "pandoc+typst")
    assert "pandoc+typst" in text and "scb/scb_bas_syss_arbl" in text and "`cc67e7f5a340dbf8`" in text


def test_reading_guide_mentions_example_data_only_when_present():
    assert "Exempeldata" in reading_guide(True) and "Exempeldata" not in reading_guide(False)
    assert "procentenheter" in reading_guide(False) and "`..`" in reading_guide(False)
