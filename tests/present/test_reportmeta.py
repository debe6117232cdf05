"""Reading aids: the sources-and-methods text and the colophon."""

from analysis.data.provenance import all_snapshots
from analysis.present.reportmeta import colophon, methods, reading_guide


def test_methods_names_sources_and_last_update(catalogue, tidy, root):
    text = methods(catalogue, tidy, all_snapshots(root / "data" / "raw"))
    for ind in catalogue:
        assert f"**{ind.title}.**" in text
    assert "Kolada N02268, N02269" in text
    # the BAS snapshot covers the two arbete indicators; its carrier is named, and it is not called an "uttag"
    assert text.count("verkliga uppgifter 2020–2024; SCB BAS, hämtad ur Region Hallands öppna data 2026-11-23, "
                      "ej kontrollerad mot SCB") == 2
    assert "verkliga uppgifter 2014–2021; Folkhälsomyndigheten HLV" in text  # god hälsa: Region Dalarna's file
    assert "uttag" not in text  # nothing here was fetched from its producer
    assert text.count("genererade exempelvärden") == len(catalogue) - 4  # 3 real, ohälsotal without figures
    assert "egen bearbetning" in text
    assert "Skolverket, export 402 (riket), 403 (län), 404 (kommun)" in text


def test_the_label_follows_the_snapshots_provenance():
    """One place turns provenance into words: a carried copy names its carrier, a fetch from SCB is an uttag."""
    from analysis.data.provenance import retrieval_phrase, source_label

    carried = {"producer": "SCB", "label_name": "SCB BAS", "carrier_name": "Region Halland", "retrieved": "2026-11-23"}
    assert source_label(carried) == "SCB BAS, hämtad ur Region Hallands öppna data, ej kontrollerad mot SCB"
    checked = {**carried, "checked_against_producer": True}
    assert source_label(checked, with_date=True) == "SCB BAS, hämtad ur Region Hallands öppna data 2026-11-23"
    fetched = {"producer": "SCB", "source": "SCB PxWebApi 2.0", "retrieved": "2026-12-01T10:00:00+01:00",
               "indicator": "sysselsattningsgrad"}
    assert source_label(fetched, with_date=True) == "SCB, uttag 2026-12-01"
    via = {"producer": "RKA/Kolada", "label_name": "SCB", "source": "Kolada API v3", "retrieved": "2026-12-01",
           "kpis": ["N02268"]}
    assert source_label(via, with_date=True) == "SCB via Kolada, hämtad 2026-12-01" and "uttag" not in source_label(via)
    assert retrieval_phrase([fetched]) == "uttag 2026-12-01"
    assert retrieval_phrase([{**carried, "indicators": ["x"]}, fetched]) == (
        "uppgifter hämtade 2026-11-23–2026-12-01 (SCB BAS, hämtad ur Region Hallands öppna data, "
        "ej kontrollerad mot SCB)")


def test_colophon_lists_every_snapshot_with_checksum(root, config):
    text = colophon(root, all_snapshots(root / "data" / "raw"), config.data_path, "pandoc+typst")
    assert "pandoc+typst" in text and "scb/scb_bas_syss_arbl" in text and "`cc67e7f5a340dbf8`" in text
    assert ("`scb_bas_syss_arbl_inrikes_utrikes_20-64_alla_kommuner_regioner_riket_2020-2024.csv`: SCB BAS, hämtad "
            "ur Region Hallands öppna data, ej kontrollerad mot SCB.") in text
    assert "| Uttag |" not in text


def test_reading_guide_mentions_example_data_only_when_present():
    assert "Exempeldata" in reading_guide(True) and "Exempeldata" not in reading_guide(False)
    assert "procentenheter" in reading_guide(False) and "`..`" in reading_guide(False)


def test_a_report_names_only_the_snapshots_behind_the_figures_it_shows(config):
    """Ronneby shows no self-rated health (no survey figures for Blekinge): its cover line, methods and colophon
    do not name Region Dalarna's HLV file (the riket rows it holds are not shown either). Falun shows them and
    names it; neither names Blekinge's handlingsplan folder unless it is Blekinge's report."""
    from analysis.compute.artefact import ensure_artefact, open_results
    from analysis.data.provenance import retrieval_phrase
    from analysis.present.reportmeta import report_snapshots, shown_indicators

    path, _ = ensure_artefact(config, config.data_path, 2024)
    snapshots = all_snapshots(config.raw_dir)
    names = {}
    for code in ("1081", "2080", "0020", "0010"):
        res = open_results(path, code, 2024, config)
        assert "god_halsa" in set(res.tidy.loc[~res.tidy["example"], "indicator"])  # riket's HLV rows at least
        kept = report_snapshots(snapshots, res, code)
        names[code] = {s.path.name for s in kept}
        phrase = retrieval_phrase([s.meta for s in kept])
        assert ("Region Dalarna" in phrase) == (code in ("2080", "0020")), (code, phrase)
        assert "Region Hallands" in phrase  # BAS figures are shown everywhere
        assert ("god_halsa" in shown_indicators(res, code)) == (code in ("2080", "0020"))
        text = methods(res.catalogue, res.tidy, kept)
        assert ("Region Dalarnas öppna data 2026-12-05" in text) == (code in ("2080", "0020"))
    hlv = "fohm_hlv_dalarna_kommuner_lan_riket_efter_fodelseland_2014_2018_2021.csv"
    assert hlv not in names["1081"] and hlv in names["2080"]
    assert "kommuner_2pct.geojson" in names["1081"]  # reference files stay
    assert not any("handlingsplan" in n for n in names["2080"])
    assert any("handlingsplan" in n for n in names["1081"])
