"""The handlingsplan's declaration (analysis.domain.handlingsplan): spec, goal matching, the plan's counts."""

from analysis.data.handlingsplan import load_plan
from analysis.domain.handlingsplan import goal_choice, goal_lookup, load_spec, norm, status_lookup
from analysis.domain.strategy import load_strategy


def test_example_plan_counts_and_kommun_activities(config):
    plan = load_plan("10", 2024, config)
    assert plan.example and "Exempeldata" in plan.meta["producer"]
    counts = plan.counts("samarbete")
    assert sum(counts.values()) == len(plan.for_goal("samarbete")) > 0
    assert plan.status_summary("samarbete").startswith(f"{counts['genomford']} genomförda")
    karlshamn = plan.for_kommun("Karlshamn")
    names = " ".join(karlshamn["responsible"])
    assert "Karlshamns kommun" in names and "Länets kommuner" in names
    assert not plan.for_kommun("Karlshamn")["responsible"].str.contains("^Region Blekinge$").any()


def test_a_goal_is_matched_by_number_title_or_its_list_entry(root):
    strategy = load_strategy("10", root)
    lookup = goal_lookup(strategy)
    g5 = strategy.goals[4]
    assert goal_choice(g5) == "5. Samarbete mellan offentliga aktörer"
    for form in ("5", "mål 5", goal_choice(g5), "5.  SAMARBETE mellan offentliga aktorer", g5.title, g5.id):
        assert lookup[norm(form)] == "samarbete", form
    assert norm("6. Bostäder") not in lookup


def test_a_status_is_matched_by_label_or_id_and_counted_in_words(root):
    spec = load_spec(root)
    lookup = status_lookup(spec)
    assert lookup[norm("Pågår")] == lookup[norm("pagar")] == "pagar"
    assert lookup[norm("Ej påbörjad")] == "ej_paborjad" and norm("klar") not in lookup
    assert spec.status_label("genomford") == "genomförd" and spec.status_plural("genomford") == "genomförda"
