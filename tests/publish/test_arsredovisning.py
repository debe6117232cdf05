import zipfile

import pypandoc
import pytest

from analysis.present import annual
from analysis.present import model as m
from analysis.present.annual import AnnualGoal, AnnualText, document_markdown as markdown
from analysis.present.county_report import CountyReport
from analysis.publish.arsredovisning import write_documents


def _model_with_document(report, data_file="data/tidy/integration.csv") -> m.ReportModel:
    """The county report's model as reportbuild makes it: the document composed in present from what the
    notebook's årsredovisning output carries."""
    data = annual.payload(report.annual_report_text(), report.results.strategy.name, report.annual_sources())
    doc = annual.document(data, report.year, "5 december 2026", data_file, "abc123def456")
    return m.ReportModel("lan", "10", report.year, "T", "U", "P", m.Flags(True, True), documents=[doc])


@pytest.fixture(scope="module")
def blekinge():
    return CountyReport("10", 2024, static_images=False)


def test_text_separates_real_example_and_missing(blekinge):
    text = blekinge.annual_report_text()
    by_number = {g.number: g for g in text.goals}
    arbete = by_number[3]  # BAS: real figures
    assert len(arbete.real) == 2 and not arbete.example and "sysselsättningsgraden 2024" in arbete.real[0]
    halsa = by_number[2]  # no figures for Blekinge: health by birth region exists only for Dalarna and riket
    assert not halsa.real and not halsa.example and len(halsa.missing) == 2
    assert all("Uppgift saknas" in m for m in halsa.missing)
    samarbete = by_number[5]  # the shipped plan is example data: no status in the document
    assert not samarbete.real and "exempeldata" in samarbete.missing[0]


@pytest.mark.slow
def test_document_has_real_sentences_only(blekinge, tmp_path):
    model = m.from_json(m.to_json(_model_with_document(blekinge)))  # as written once and read by publish
    docx, txt = write_documents(model, tmp_path)
    assert (docx.name, txt.name) == ("arsredovisning.docx", "arsredovisning.txt")
    text = blekinge.annual_report_text()
    plain = pypandoc.convert_file(str(docx), "plain", extra_args=["--wrap=none"])
    for g in text.goals:
        assert f"Mål {g.number}. {g.title}" in plain
        for sentence in g.real:
            assert sentence in plain
        for sentence in g.example:  # never an example figure in the årsredovisning
            assert sentence not in plain
    assert "Självskattad god hälsa 16–84 år: Uppgift saknas" in txt.read_text(encoding="utf-8")
    # the BAS figures name their carrier in the document's sources
    assert "SCB BAS, hämtad ur Region Hallands öppna data, ej kontrollerad mot SCB" in " ".join(plain.split())
    md = pypandoc.convert_file(str(docx), "markdown")
    assert "## Mål 5. Samarbete mellan offentliga aktörer" in md  # headings per goal
    with zipfile.ZipFile(docx) as z:
        styles = z.read("word/styles.xml").decode()
    assert 'w:val="sv-SE"' in styles and "Arial" in styles


@pytest.mark.slow
def test_real_plan_status_goes_into_the_text(project, tmp_path, monkeypatch):
    from analysis.data.handlingsplan import import_plan

    monkeypatch.setenv("ANALYSIS_ROOT", str(project.root))
    plan = tmp_path / "plan.csv"
    plan.write_text("År,Strategiskt mål,Aktivitet,Ansvariga organisationer,Status\n"
                    "2024,5,Gemensam lägesbild,Länsstyrelsen Blekinge,genomförd\n"
                    "2024,5,Ny samverkansyta,Länsstyrelsen Blekinge,pågår\n", encoding="utf-8")
    import_plan(plan, "10", config=project)
    text = CountyReport("10", 2024, static_images=False, data_path=str(project.data_path)).annual_report_text()
    samarbete = text.goals[4]
    assert samarbete.real == ["Handlingsplanen för 2024 har 2 aktiviteter för målet: 1 genomförd, 1 pågår."]


def test_markdown_without_real_sentences_says_so():
    md = markdown(AnnualText("Inledning.", [AnnualGoal(1, "Arbete", missing=["X saknas."])]), 2024, "Strategi",
                  {"sources": "inga", "created": "i dag", "data_file": "d.csv", "data_sha": "abc"})
    assert "## Mål 1. Arbete\n\nDet finns inga verkliga uppgifter för målet 2024." in md
    assert "- X saknas." in md


def test_kalmar_kommun_only_indicator_says_how_to_get_it():
    text = CountyReport("08", 2024, static_images=False).annual_report_text()
    social = text.goals[4]
    assert social.title == "Social sammanhållning" and not social.real and not social.example
    # the län's valdeltagande comes from SCB's TAB4268 (Kolada has kommuner only)
    assert "analysis fetch --county 08" in social.missing[0] and "TAB4268" in social.missing[0]
    bostad = text.goals[3]
    assert "Ingen handlingsplan för 2024 är inläst" in bostad.missing[0]


def test_cached_results_from_a_copy_that_is_gone_still_serve(config, tmp_path):
    """The results cache is keyed by the data's checksum: results computed from a copy of the file that has
    since been deleted serve a run on the same data elsewhere, and the document names the file of this run
    (the model's flags, from the job's data path)."""
    import dataclasses
    import shutil

    from analysis.compute.artefact import ensure_artefact
    from analysis.present.reportbuild import report_values
    from analysis.publish.render import plan

    gone, here = tmp_path / "gone" / "kopia.csv", tmp_path / "har.csv"
    gone.parent.mkdir()
    shutil.copy(config.data_path, gone)
    shutil.copy(config.data_path, here)
    path, _ = ensure_artefact(config, gone, 2024)
    shutil.rmtree(gone.parent)
    job = dataclasses.replace(plan([], "10", 2024, ("html",), data=here, config=config)[-1], results_path=path)
    _, flags = report_values(job)
    report = CountyReport("10", 2024, static_images=False, results_path=str(path))
    model = _model_with_document(report, flags.data_file)
    docx, txt = write_documents(model, tmp_path / "ut")
    assert "har.csv" in txt.read_text(encoding="utf-8") and flags.data_file == "har.csv"


def test_publish_composes_no_sentence_of_the_document():
    """Publish converts the model's markdown and nothing else: no text file of present is read there."""
    import ast
    import inspect

    from analysis.publish import arsredovisning

    tree = ast.parse(inspect.getsource(arsredovisning))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {"analysis.present.annual", "analysis.present.report", "analysis.present.escape"} & imported
