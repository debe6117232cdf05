"""The PDF overlap check finds words printed over words, and passes clean pages."""
import shutil

import pytest
import typst

from analysis.publish.pdfcheck import Word, check_folder, column_crossings, overlaps, page_flow

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")


def _pdf(tmp_path, name, body):
    src = tmp_path / f"{name}.typ"
    src.write_text('#set page(paper: "a4")\n#set text(size: 11pt)\n' + body, encoding="utf-8")
    out = tmp_path / f"{name}.pdf"
    typst.compile(str(src), output=str(out))
    return out


def test_overlapping_rows_are_found(tmp_path):
    pdf = _pdf(tmp_path, "bad", "Första raden här\n#place(top + left, dy: 2pt)[Andra raden ovanpå]\n")
    found = overlaps(pdf)
    assert found and found[0].page == 1
    assert {found[0].a.text, found[0].b.text} & {"Första", "Andra"}


def test_chart_watermark_is_not_an_overlap_but_text_over_text_under_it_is(tmp_path):
    # the example watermark (big, tilted letters under a chart) lies over the chart's labels on purpose
    mark = '#place(top + left, dx: 1cm, dy: 0.2cm, rotate(-18deg, text(size: 44pt, fill: luma(220))[EXEMPELDATA]))\n'
    labels = "".join(f"#place(top + left, dx: {x}cm, dy: 0.9cm)[{x},5 %]\n" for x in range(1, 9))
    assert overlaps(_pdf(tmp_path, "mark", mark + labels + "Text.\n")) == []
    clash = "#place(top + left, dx: 3cm, dy: 0.95cm)[84,4 %]\n"  # a label printed over a label
    assert overlaps(_pdf(tmp_path, "clash", mark + labels + clash + "Text.\n"))


def test_text_over_page_number_is_found(tmp_path):
    # the page number sits in the footer; a block placed past the bottom margin lands on it
    body = ('#set page(margin: 2cm, footer: align(center)[Sida 1 av 1])\n'
            '#place(bottom + center, dy: 0.85cm)[Sida 1 av 1 igen]\nText.\n')
    assert overlaps(_pdf(tmp_path, "footer", body))


def test_clean_pages_pass(tmp_path):
    body = "= Rubrik\n\n" + ("Ett stycke löptext med vanliga ord på flera rader. " * 40 + "\n\n") * 3
    body += "#table(columns: 3, [a], [b], [c], [1,0], [2,0], [3,0])\n"
    pdf = _pdf(tmp_path, "good", body)
    assert overlaps(pdf) == []
    pdfs, found = check_folder(tmp_path)
    assert pdf in pdfs and found == []


@pytest.fixture(scope="session")
def kalmar_pdfs(config, out_config, tmp_path_factory):
    """Kalmar län test data (generated example data, as in test_render) rendered as PDF: 0880 Kalmar and the
    county report."""
    from analysis.data.build import build_dataset
    from analysis.data.contract import write_tidy
    from analysis.publish.render import plan, run_job

    data = tmp_path_factory.mktemp("kalmar") / "kalmar.csv"
    write_tidy(build_dataset(config, county="08").table, data)
    jobs = [j for j in plan([], "08", 2024, ("pdf",), data=data, config=out_config) if j.code in ("0880", "08")]
    results = [run_job(j) for j in jobs]
    assert all(r.ok for r in results), [r.error for r in results]
    return [p for r in results for p in r.outputs if p.suffix == ".pdf"]


@pytest.mark.e2e
def test_rendered_pdfs_have_no_overlapping_words(ronneby, county_report, kalmar_pdfs, out_config):
    pdfs, found = check_folder(out_config.output_path)
    assert {ronneby.job.final_dir / "rapport.pdf", county_report.job.final_dir / "rapport.pdf", *kalmar_pdfs} <= set(pdfs)
    assert found == [], "\n".join(map(str, found[:20]))
    flow = [f for pdf in pdfs for f in page_flow(pdf)]
    assert flow == [], "\n".join(flow[:20])


@pytest.mark.parametrize("width", ["52pt", "60pt", "64pt"])
def test_a_header_overrunning_its_column_is_found(tmp_path, width):
    """A column narrower than its bold header: the header is printed over the next one (52 pt), into it with
    no gap so that pdftotext reads one word "KommungruppRegion" (60 pt), or touching it (64 pt)."""
    table = ('#set text(size: 9pt)\n#table(columns: (30pt, WIDTH, 60pt), inset: 5pt, stroke: none, '
             'table.header([År], [*Kommungrupp*], [*Region*]), [2020], [60,9 %], [57,7 %], [2021], [64,8 %], '
             '[60,8 %], [2022], [66,8 %], [62,7 %])\n')
    found = overlaps(_pdf(tmp_path, "narrow", table.replace("WIDTH", width)))
    assert found and all(o.a.text.startswith("Kommungrupp") for o in found)
    assert overlaps(_pdf(tmp_path, "wide", table.replace("WIDTH", "80pt"))) == []


def test_two_cells_printed_as_one_word_are_found(tmp_path):
    """A column too narrow for its word: the word runs into the next cell, and pdftotext reads one word."""
    table = ('#table(columns: (42pt, 80pt, 40pt), inset: 5pt, stroke: none, [Indikator], [Mått], [2022],'
             ' [Sysselsättningsgrad], [skillnad utrikes], [−22,7], [Arbetslöshet], [skillnad utrikes], [+13,7],'
             ' [Ohälsotal], [skillnad utrikes], [+4,7])\n')
    found = overlaps(_pdf(tmp_path, "merged", table))
    assert any(o.a.text.startswith("Sysselsättningsgrad") for o in found)
    wide = table.replace("(42pt, 80pt, 40pt)", "(100pt, 80pt, 40pt)")
    assert overlaps(_pdf(tmp_path, "wide", wide)) == []


def test_a_word_read_across_a_column_start_is_found():
    """County p. 4, Tabell 2 (pdftotext's boxes): "Sysselsättningsgrad" and "skillnad" printed with no gap
    became one word that runs across the start of the Mått column; the other rows' cells start there."""
    w = Word
    rows = [[w(67, 250, 100, 259, "Indikator"), w(138, 250, 155, 259, "Mått"), w(240, 250, 258, 259, "2022")],
            [w(67, 272, 170, 281, "Sysselsättningsgradskillnad"), w(173, 272, 200, 281, "utrikes"),
             w(240, 272, 258, 281, "−22,7")],
            [w(67, 308, 110, 317, "Arbetslöshet"), w(138, 308, 165, 317, "skillnad"), w(240, 308, 258, 317, "+13,7")],
            [w(67, 344, 105, 353, "Ohälsotal"), w(138, 344, 165, 353, "skillnad"), w(240, 344, 256, 353, "+4,7")]]
    found = column_crossings([x for row in rows for x in row])
    assert {a.text for a, _start in found} == {"Sysselsättningsgradskillnad"}
    assert {start.x0 for _a, start in found} == {138}


def test_page_flow_finds_a_lone_caption_and_a_half_empty_page(tmp_path):
    page = '#set page(paper: "a4", margin: (top: 24mm, bottom: 22mm, x: 22mm))\n#set text(size: 10.5pt)\n'
    filler = "Ett stycke löptext med vanliga ord på flera rader. " * 12 + "\n\n"
    lone = page + "Omslag\n#pagebreak()\n" + filler * 6 + "#v(1fr)\nTabell 7: Rubrik utan sin tabell.\n#pagebreak()\n" \
        "#table(columns: 2, [a], [b])\n"
    assert any("står ensam" in f for f in page_flow(_pdf(tmp_path, "lone", lone)))
    half = page + "Omslag\n#pagebreak()\n" + filler * 2 + "#pagebreak()\n" + filler * 3
    assert any("sida 2: bara" in f for f in page_flow(_pdf(tmp_path, "half", half)))
    section = half.replace("#pagebreak()\n" + filler * 3, "#pagebreak()\n#text(size: 16pt)[Nytt avsnitt]\n\n"
                           + filler * 3, 1)
    assert page_flow(_pdf(tmp_path, "section", section)) == []


def test_page_flow_finds_a_chart_above_its_own_heading(tmp_path):
    """Ronneby's Figur 2 floated to the top of the page its section starts on, above the section's heading."""
    page = '#set page(paper: "a4", margin: (top: 24mm, bottom: 22mm, x: 22mm))\n#set text(size: 10.5pt)\n'
    filler = "Ett stycke löptext med vanliga ord på flera rader. " * 6 + "\n\n"
    chart = "#rect(width: 100%, height: 200pt)\n#text(size: 9pt)[Figur 2: Kursdeltagare på sfi med godkänt betyg, Ronneby]\n\n"
    heading = "#text(size: 13pt)[Kursdeltagare på sfi med godkänt betyg]\n\n"
    above = page + "Omslag\n#pagebreak()\n" + chart + heading + filler
    assert [f.split(": ", 1)[1] for f in page_flow(_pdf(tmp_path, "above", above))] == [
        "figur 2 står ovanför sin egen rubrik ”Kursdeltagare på sfi med godkänt betyg”"]
    below = page + "Omslag\n#pagebreak()\n" + heading + filler + chart
    assert page_flow(_pdf(tmp_path, "below", below)) == []


def test_the_command_takes_folders_or_pdf_files_and_names_a_missing_path(tmp_path, capsys):
    from analysis.publish import pdfcheck

    assert pdfcheck.main([str(tmp_path / "saknas.pdf")]) == 2
    assert "finns inte" in capsys.readouterr().err
    assert pdfcheck.main([str(tmp_path)]) == 0 and ": 0 PDF, 0 sidor" in capsys.readouterr().out
