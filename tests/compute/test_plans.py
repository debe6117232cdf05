"""The handlingsplan validated once with the results: read back equal to load_plan, errors kept, in the key."""
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from analysis.compute import plans
from analysis.compute.artefact import artefact_key, ensure_artefact, open_results
from analysis import yamlio
from analysis.data.handlingsplan import load_plan, plan_dir
from analysis.data.provenance import sha256, sidecar_path
from analysis.errors import AnalysisError


def _same_plan(got, expected):
    assert got is not None and expected is not None
    pd.testing.assert_frame_equal(got.rows, expected.rows)
    assert (got.county, got.year, got.example, got.meta, got.file, got.stale) == (
        expected.county, expected.year, expected.example, expected.meta, expected.file, expected.stale)
    assert got.spec.ids == expected.spec.ids


@pytest.mark.slow
def test_the_artefact_gives_back_the_plan_load_plan_gives(project):
    path, _ = ensure_artefact(project, project.data_path, 2024)
    assert sorted(p.name for p in (path / plans.PLANS_DIR).iterdir()) == ["lan-10.json"]  # Blekinge's example plan
    got = open_results(path, "1081", 2024, config=project).plan("10")
    _same_plan(got, load_plan("10", 2024, project))
    assert got.example and len(got.rows) and got.rows["line"].dtype == "int64"
    assert open_results(path, "0880", 2024, config=project).plan("08") is None  # Kalmar has none


@pytest.mark.slow
def test_a_year_without_a_plan_reads_back_as_none(project):
    assert load_plan("10", 2023, project) is None  # Blekinge's example plan is for 2024
    path, _ = ensure_artefact(project, project.data_path, 2023)
    assert not (path / plans.PLANS_DIR).exists()
    assert open_results(path, "1081", 2023, config=project).plan("10") is None


@pytest.mark.slow
def test_a_broken_plan_is_its_error_line_again_and_the_key_follows_the_files(project):
    before, _ = artefact_key(project, project.data_path, 2024)
    csv = next(plan_dir(project, "10").glob("*.csv"))
    # an unknown status in an imported file whose record (sidecar) is whole: the plan does not validate
    csv.write_text(csv.read_text(encoding="utf-8").replace(",genomförd,", ",klar typ,", 1), encoding="utf-8")
    side = sidecar_path(csv)
    side.write_text(side.read_text(encoding="utf-8").replace(
        yamlio.read(side)["sha256"], sha256(csv)), encoding="utf-8")
    after, _ = artefact_key(project, project.data_path, 2024)
    assert after != before  # a changed plan file makes a new artefact
    with pytest.raises(AnalysisError) as direct:
        load_plan("10", 2024, project)
    path, _ = ensure_artefact(project, project.data_path, 2024)
    record = json.loads(plans.plan_file(path, "10").read_text(encoding="utf-8"))
    assert record == {"error": str(direct.value).splitlines()[0]}
    with pytest.raises(AnalysisError) as read:
        open_results(path, "1081", 2024, config=project).plan("10")
    assert str(read.value) == str(direct.value).splitlines()[0]


def test_the_key_follows_the_plan_declaration(project):
    from analysis.domain.handlingsplan import SPEC_FILE

    before, _ = artefact_key(project, project.data_path, 2024)
    spec = project.root / SPEC_FILE
    spec.write_text(spec.read_text(encoding="utf-8") + "\n# ändrad\n", encoding="utf-8")
    assert artefact_key(project, project.data_path, 2024)[0] != before


@pytest.mark.slow
def test_a_report_kernel_reads_the_plan_without_pandera(project):
    """What a report's process does with the plan: read it, not validate it (no pandera import)."""
    path, _ = ensure_artefact(project, project.data_path, 2024)
    code = (
        "import sys\n"
        "from analysis.compute.artefact import open_results\n"
        f"plan = open_results({str(path)!r}, '1081', 2024).plan('10')\n"
        "assert plan is not None and len(plan.rows)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pandera'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=project.root, env={**os.environ, "ANALYSIS_ROOT": str(project.root)})
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_computing_with_csv_data_and_a_csv_plan_imports_no_openpyxl(project):
    """Validating the plan's columns needs their letters, not openpyxl (≈ 0,2 s to import; text.column_letter)."""
    code = (
        "import sys\n"
        "from analysis.config import load_config\n"
        "from analysis.compute.artefact import ensure_artefact\n"
        f"c = load_config({str(project.root)!r})\n"
        "assert c.data_path.suffix == '.csv'\n"
        "path, computed = ensure_artefact(c, c.data_path, 2024)\n"
        "assert computed and (path / 'plans' / 'lan-10.json').is_file()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'openpyxl'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=project.root, env={**os.environ, "ANALYSIS_ROOT": str(project.root)})
    assert out.stdout.strip() == "[]"
