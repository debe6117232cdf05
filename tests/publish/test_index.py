"""The year's index: a map of all 290 kommuner linking to their reports, a search box and the table of all
kommuner, written from the results alone and working offline."""
import dataclasses
import re
import shutil
import subprocess

import pytest

from analysis.errors import AnalysisError
from analysis.present.indexpage import index_indicator
from analysis.publish.index import write_index


@pytest.fixture(scope="module")
def results(config):
    from analysis.compute.artefact import ensure_artefact

    return ensure_artefact(config, config.data_path, 2024)[0]


def _index(config, tmp_path, results, reports=("1081",)):
    cfg = dataclasses.replace(config, output_dir=tmp_path)
    for code in reports:
        (tmp_path / "2024" / code).mkdir(parents=True)
        (tmp_path / "2024" / code / "rapport.html").write_text("x", encoding="utf-8")
    return write_index(tmp_path, 2024, cfg, results).read_text(encoding="utf-8")


def test_the_map_links_every_kommun(config, geography, tmp_path, results):
    page = _index(config, tmp_path, results, reports=("1081", "0880"))
    links = {code: href for href, code in re.findall(r'<a href="([^"]+)" id="karta-(\d{4})"', page)}
    assert set(links) == {a.code for a in geography.kommuner} and len(links) == 290
    assert links["1081"] == "1081/rapport.html" and links["0880"] == "0880/rapport.html"
    # a kommun without a report yet links to its row in the table, which says so
    assert links["2580"] == "#rad-2580" and re.search(r'<tr id="rad-2580"[^>]*>.*?ej skapad</td></tr>', page)
    rows = re.findall(r'<tr id="rad-(\d{4})"', page)
    assert len(rows) == 290 and '<input id="sok" type="search"' in page


def test_the_index_loads_nothing_from_the_network(config, tmp_path, results):
    page = _index(config, tmp_path, results)
    urls = set(re.findall(r"https?://[^\"' <)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls  # the SVG namespace names, it is never fetched
    assert "<script src" not in page and "<link" not in page and "@import" not in page


def test_colours_follow_the_employment_gap(config, tmp_path, results, catalogue):
    from analysis.present.maps import WORSE

    page = _index(config, tmp_path, results)
    ronneby = re.search(r'id="karta-1081"[^>]*><title>([^<]+)</title><path d="[^"]+" fill="([^"]+)"', page)
    assert "Ronneby (1081): skillnad −24,4 procentenheter, verklig" == ronneby.group(1)
    assert ronneby.group(2) in WORSE  # lower employment among utrikes födda: the worse side
    assert "Riket: −14,4 procentenheter." in page


def test_the_indicator_is_configurable_and_checked(config, tmp_path, results):
    cfg = dataclasses.replace(config, extra={**config.extra, "index_map": {"indicator": "arbetsloshet"}})
    assert index_indicator(cfg).id == "arbetsloshet"
    for bad, words in (("finns_inte", "finns inte i indikatorkatalogen"), ("sfi_godkanda", "jämför inte utrikes")):
        cfg = dataclasses.replace(config, extra={**config.extra, "index_map": {"indicator": bad}})
        with pytest.raises(AnalysisError, match=words):
            index_indicator(cfg)


@pytest.mark.e2e
def test_copied_alone_it_draws_the_map_and_searches_offline(config, tmp_path, results):
    """Chromium (no network: every host unresolvable) opens the index copied alone into an empty folder; a script
    added to the copy types a name into the search box and reports what the page shows."""
    from analysis.publish.accessibility import find_browser

    page = _index(config, tmp_path / "reports", results)
    alone = tmp_path / "tom"
    alone.mkdir()
    probe = """<script>window.addEventListener('load',function(){
      var box=document.getElementById('sok'); box.value='ronneby'; box.dispatchEvent(new Event('input'));
      var svg=document.querySelector('#karta svg').getBoundingClientRect();
      var rows=[].slice.call(document.querySelectorAll('#kommuner tbody tr')).filter(function(r){return !r.hidden;});
      var hits=[].slice.call(document.querySelectorAll('#karta a.traff')).map(function(a){return a.getAttribute('href');});
      var p=document.createElement('pre'); p.id='utfall';
      p.textContent=JSON.stringify({w:svg.width,h:svg.height,rows:rows.map(function(r){return r.id;}),hits:hits,
        count:document.getElementById('sok-antal').textContent}); document.body.appendChild(p);});</script>"""
    (alone / "index.html").write_text(page.replace("</body>", probe + "</body>"), encoding="utf-8")
    proc = subprocess.run([find_browser(), "--headless", "--no-sandbox", "--disable-gpu",
                           "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=5000", "--dump-dom",
                           (alone / "index.html").as_uri()], capture_output=True, text=True, timeout=120)
    import html
    import json

    out = json.loads(html.unescape(re.search(r'<pre id="utfall">(.*?)</pre>', proc.stdout, re.S).group(1)))
    assert out["w"] > 200 and out["h"] > 400  # the map is drawn
    assert out["rows"] == ["rad-1081"] and out["hits"] == ["1081/rapport.html"]
    assert out["count"].startswith("1 kommun matchar")
    shutil.rmtree(alone)
