"""Accessibility (DOS-lagen: WCAG 2.1 AA, PDF/UA-1) of real rendered reports.

axe-core (npm, tests/a11y) runs in headless Chromium; it is installed with `npm ci` on first use."""

import pytest

from analysis.publish.accessibility import WCAG_TAGS, axe_violations, pdf_figures, pdf_ua_problems

pytestmark = pytest.mark.e2e


def test_axe_reports_violations_on_a_bad_page(root, tmp_path):
    """The checker itself can fail: an image without alt text, no language, low contrast."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><main><img src="x.png">'
                    '<p style="color:#bbb;background:#fff">svag text</p></main></body></html>', encoding="utf-8")
    ids = {v.id for v in axe_violations(page, root)}
    assert {"image-alt", "html-has-lang", "color-contrast"} <= ids


@pytest.mark.parametrize("which", ["ronneby", "county_report"])
def test_reports_have_no_wcag_21_aa_violations(which, request, root):
    result = request.getfixturevalue(which)
    page = result.job.final_dir / "rapport.html"
    violations = axe_violations(page, root)
    assert not violations, f"WCAG ({', '.join(WCAG_TAGS)}) violations in {page}:\n" + "\n".join(map(str, violations))
    html = page.read_text(encoding="utf-8")
    assert 'lang="sv-SE"' in html and 'role="img"' not in html
    # short visible caption; the long description only for screen readers (the chart's alt text)
    assert 'class="diagram-beskrivning visually-hidden"' in html and 'aria-describedby="fig-' in html


@pytest.mark.parametrize("which", ["ronneby", "county_report"])
def test_pdf_is_tagged_pdf_ua_with_alt_text(which, request):
    pdf = request.getfixturevalue(which).job.final_dir / "rapport.pdf"
    assert pdf_ua_problems(pdf) == []
    alts = pdf_figures(pdf)
    assert alts and all("diagram" in a.lower() or a.startswith("Karta") for a in alts)  # charts and maps
    assert any("diagram" in a.lower() for a in alts)
    assert any("," in a and "%" in a for a in alts)  # key numbers, Swedish decimal comma
