"""The PDF overlap check finds words printed over words, and passes clean pages."""
import shutil

import pytest
import typst

from analysis.publish.pdfcheck import check_folder, overlaps

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
