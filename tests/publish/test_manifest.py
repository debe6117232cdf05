"""The up-to-date check of the incremental build (no rendering: manifests are written directly)."""
import dataclasses

import pandas as pd
import pytest

from analysis.compute.artefact import ensure_artefact
from analysis.publish.manifest import MANIFEST, up_to_date, write_manifest
from analysis.publish.render import plan


def _built(job):
    """Pretend the report was built: its outputs and its record of what it was built from."""
    job.final_dir.mkdir(parents=True, exist_ok=True)
    for f in job.formats:
        (job.final_dir / f"rapport.{f}").write_text("x", encoding="utf-8")
    write_manifest(job, job.final_dir)


@pytest.mark.slow
def test_skip_rebuild_on_changed_row_and_changed_parameters(project, tmp_path):
    config = dataclasses.replace(project, output_dir=tmp_path / "out")
    path, _ = ensure_artefact(config, config.data_path, 2024)
    jobs = {j.folder: dataclasses.replace(j, results_path=path)
            for j in plan([], "10", 2024, ("html",), config=config)}
    for job in jobs.values():
        assert not up_to_date(job)  # never built
        _built(job)
        assert up_to_date(job)
    assert not up_to_date(dataclasses.replace(jobs["1081"], formats=("html", "pdf")))  # pdf not built yet
    (jobs["1080"].final_dir / "rapport.html").unlink()
    assert not up_to_date(jobs["1080"])  # an output is missing
    _built(jobs["1080"])

    # One changed row of Ronneby: a new artefact; Ronneby and the county report are out of date, and of the
    # others only Olofström, in Ronneby's comparison group (C7), whose group value changed.
    tidy = pd.read_csv(config.data_path, dtype=str, keep_default_na=False)
    row = (tidy["geo_code"] == "1081") & (tidy["year"] == "2023") & (tidy["group"] == "inrikes")
    cell = row & (tidy["indicator"] == "sysselsattningsgrad")
    tidy.loc[cell, "value"] = tidy.loc[cell, "value"].astype(float).add(0.01).astype(str)  # small: no place changes
    tidy.to_csv(config.data_path, index=False)
    new_path, computed = ensure_artefact(config, config.data_path, 2024)
    assert computed
    stale = {f for f, j in jobs.items() if not up_to_date(dataclasses.replace(j, results_path=new_path))}
    assert stale == {"1081", "lan-10", "1060"}


@pytest.mark.slow
def test_changed_notebook_or_strategy_rebuilds(project, tmp_path):
    config = dataclasses.replace(project, output_dir=tmp_path / "out")
    path, _ = ensure_artefact(config, config.data_path, 2024)
    [job] = plan(["1081"], None, 2024, ("html",), config=config)
    job = dataclasses.replace(job, results_path=path)
    _built(job)
    assert up_to_date(job)
    strategy = config.root / "data" / "strategies" / "blekinge.yml"
    strategy.write_text(strategy.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert not up_to_date(job)


@pytest.mark.slow
def test_the_record_names_the_report_and_the_code_version(project, tmp_path):
    """The record keeps the report's code and, under its own key, the checksum of the library's code."""
    import json

    from analysis.publish.manifest import MANIFEST

    config = dataclasses.replace(project, output_dir=tmp_path / "out")
    path, _ = ensure_artefact(config, config.data_path, 2024)
    [job] = plan(["1081"], None, 2024, ("html",), config=config)
    _built(dataclasses.replace(job, results_path=path))
    record = json.loads((job.final_dir / MANIFEST).read_text(encoding="utf-8"))
    assert record["code"] == "1081" and record["kind"] == "kommun"
    assert len(record["code_version"]) == 20 and record["code_version"] != record["notebooks"]


@pytest.mark.slow
def test_a_broken_build_record_means_rebuild_never_a_traceback(project, tmp_path):
    config = dataclasses.replace(project, output_dir=tmp_path / "out")
    path, _ = ensure_artefact(config, config.data_path, 2024)
    job = dataclasses.replace(plan(["1081"], None, 2024, ("html",), config=config)[0], results_path=path)
    manifest = job.final_dir / MANIFEST
    for record in (b"not json", b"\x00\xff[", b"[1, 2]", b'{"kind": 3}', b"", None):
        _built(job)
        assert up_to_date(job)
        if record is None:  # a folder where the record should be
            manifest.unlink()
            manifest.mkdir()
        else:
            manifest.write_bytes(record)
        assert not up_to_date(job), record
        if record is None:
            manifest.rmdir()


def test_a_run_for_one_format_keeps_the_others_when_built_from_the_same_inputs(config, tmp_path):
    """`render --format pdf` after html,pdf: the HTML built from the same inputs is carried into the new folder
    and the record names both; an HTML from other inputs is left out and named (the summary says so). A run
    for fewer formats than were built is up to date."""
    from analysis.publish.manifest import build_inputs, carry_other_formats

    out = dataclasses.replace(config, output_dir=tmp_path / "out")
    path, _ = ensure_artefact(out, out.data_path, 2024)
    [both] = plan(["1081"], None, 2024, ("html", "pdf"), config=out)
    both = dataclasses.replace(both, results_path=path)
    _built(both)
    pdf = dataclasses.replace(both, formats=("pdf",))
    assert up_to_date(pdf) and up_to_date(dataclasses.replace(both, formats=("html",)))
    work = tmp_path / "ny"
    work.mkdir()
    inputs = build_inputs(pdf)
    assert carry_other_formats(pdf, work, inputs) == (["html"], [])
    assert (work / "rapport.html").read_text(encoding="utf-8") == "x" and inputs["formats"] == ["pdf", "html"]
    # the same HTML recorded from other inputs (another code version): not kept, named
    recorded = (both.final_dir / MANIFEST).read_text(encoding="utf-8")
    (both.final_dir / MANIFEST).write_text(recorded.replace(build_inputs(both)["code_version"], "annan"),
                                           encoding="utf-8")
    other = tmp_path / "ny2"
    other.mkdir()
    assert carry_other_formats(pdf, other, build_inputs(pdf)) == ([], ["html"])
    assert not (other / "rapport.html").exists() and not up_to_date(pdf)
