"""Phone-width layout of real rendered reports, measured in headless Chromium at a real 390 px viewport."""

import pytest

from analysis.publish.layoutcheck import PHONE_WIDTHS, Browser, measure_layout

pytestmark = pytest.mark.e2e


def test_the_check_finds_overflow_a_cut_caption_and_a_label_on_a_line(tmp_path):
    """The checker itself can fail: a block wider than the phone, a table caption cut by its scroll region,
    a chart drawn wider than its figure."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">'
        '</head><body><div style="width:600px">bred</div>'
        '<div style="overflow-x:auto"><table><caption>' + "lång rubrik " * 20 + '</caption>'
        '<tr><td style="white-space:nowrap">' + "x" * 200 + '</td></tr></table></div></body></html>',
        encoding="utf-8")
    layout = measure_layout(page, 390)
    assert layout.viewport == 390  # a real phone viewport, not headless Chromium's 500 px minimum
    assert layout.scroll_width > 390
    problems = "\n".join(layout.problems())
    assert "sidan är" in problems and "rubriken" in problems


@pytest.mark.parametrize("which", ["ronneby", "county_report"])
def test_reports_fit_a_phone_without_sideways_scrolling(which, request):
    """At 320–430 px: no horizontal overflow of the page, charts as wide as their column with nothing cut
    (EXEMPELDATA badge, labels, legend), captions wrapped in view, direct labels off lines and markers."""
    page = request.getfixturevalue(which).job.final_dir / "rapport.html"
    with Browser() as browser:
        for width in (*PHONE_WIDTHS, 1280):
            layout = measure_layout(page, width, browser=browser)
            assert layout.viewport == width
            assert not layout.problems(), f"{page} at {width} px:\n" + "\n".join(layout.problems())
            assert layout.charts and all(c["svg"] <= width for c in layout.charts)
