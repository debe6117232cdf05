"""The overview tables built from rows made by hand (no results, no report)."""
from analysis.present.overviews import (COUNTY_ONLY, LAGE_MEASURE, LAGE_NUMBER, GoalRow, StatusRow, goal_caption,
                                        goal_table, kommun_counts, status_caption, status_table)

ROWS = [GoalRow("1. Arbete", "Sysselsättningsgrad", "skillnad −24,4 procentenheter", "↓ sämre", "Verklig",
                "−24,4", "skillnad, procentenheter", {"Kommungruppen": "−20,1"}),
        GoalRow("5. Samverkan", "Aktiviteter", "länets handlingsplan", "12 av 14 genomförda", "Verklig")]


def test_goal_table_and_its_download():
    table, download = goal_table(ROWS, one_goal=False)
    assert list(table.columns) == ["Mål", "Indikator", "Läge", "Kommungruppen", "Utveckling", "Data"]
    assert table.loc[1, "Kommungruppen"] == "."  # the plan's line has no group cell: not applicable
    assert list(download.columns) == ["Mål", "Indikator", "Läge", LAGE_NUMBER, LAGE_MEASURE, "Kommungruppen",
                                      "Utveckling", "Data"]
    assert download.loc[0, LAGE_NUMBER] == "−24,4" and download.loc[1, LAGE_NUMBER] == "."
    assert "Mål" not in goal_table(ROWS, one_goal=True)[0].columns


def test_status_table_counts_the_kommuner():
    rows = [StatusRow("1. Arbete", "Sysselsättningsgrad", "sämre", "Verklig", ["bättre", "sämre", "bättre"]),
            StatusRow("2. Hälsa", "God hälsa", "oförändrad", "Verklig", [], county_only=True),
            StatusRow("5. Samverkan", "Aktiviteter", "12 av 14", "Verklig")]
    table = status_table(rows, one_goal=False)
    assert list(table["Kommunerna"]) == ["2 bättre, 1 sämre", COUNTY_ONLY, "."]
    assert kommun_counts(["?", "bättre", "?"]) == "2 ?, 1 bättre"
    assert "Strategiskt mål" not in status_table(rows, one_goal=True).columns


def test_captions():
    assert goal_caption("Ronneby kommun", 2024, 2022) == "Måluppfyllelse 2024 för Ronneby kommun, utveckling sedan basåret 2022."
    assert status_caption(2024, 2022) == "Måluppfyllelse per strategiskt mål, utveckling 2022–2024."
    assert status_caption(2024, 2022, "Arbete och försörjning") == "Måluppfyllelse för arbete och försörjning, utveckling 2022–2024."
