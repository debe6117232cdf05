"""Finding the project and reading analysis.yml: Swedish one-line errors (issue 22, point 9)."""
from __future__ import annotations

import pytest

from analysis import config as config_module
from analysis.errors import AnalysisError


def test_no_project_here_is_said_in_swedish(tmp_path, monkeypatch):
    monkeypatch.delenv("ANALYSIS_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(config_module, "__file__", str(tmp_path / "site-packages" / "analysis" / "config.py"))
    with pytest.raises(AnalysisError) as exc:
        config_module.project_root()
    text = str(exc.value)
    assert text.startswith("Hittar inte projektets mapp (ingen analysis.yml") and "ANALYSIS_ROOT" in text
    assert "\n" not in text and not any(w in text for w in (" set ", " run ", " or ", "repository"))


def test_analysis_root_without_a_project_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_ROOT", str(tmp_path / "finns-inte"))
    with pytest.raises(AnalysisError, match=r"^ANALYSIS_ROOT=.*finns-inte: där finns ingen analysis.yml"):
        config_module.project_root()


def test_analysis_root_with_a_project_is_used(tmp_path, monkeypatch):
    (tmp_path / "analysis.yml").write_text("year: 2024\n", encoding="utf-8")
    monkeypatch.setenv("ANALYSIS_ROOT", str(tmp_path))
    assert config_module.project_root() == tmp_path.resolve()


def test_a_bad_value_in_analysis_yml_is_swedish(tmp_path):
    (tmp_path / "analysis.yml").write_text("year: tjugo\n", encoding="utf-8")
    config_module.load_config.cache_clear()
    with pytest.raises(AnalysisError, match=r"analysis.yml: ogiltigt värde i inställningarna: "):
        config_module.load_config(tmp_path)
