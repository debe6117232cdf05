"""What a report's kernel and the batch's main process import leaves out the heavy libraries they do not need
on every run: pandera (only where a table or plan is validated), kaleido (only for PNG exports)."""
import subprocess
import sys

MODULES = ["analysis.present.report", "analysis.data.handlingsplan", "analysis.compute.results",
           "analysis.data.contract", "analysis.publish.render", "analysis.cli"]


def test_kernel_and_batch_modules_import_no_pandera_or_kaleido():
    code = (f"import sys\nfor m in {MODULES!r}: __import__(m)\n"
            "print(sorted({n.split('.')[0] for n in sys.modules} & {'pandera', 'kaleido'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_validating_a_plan_still_loads_pandera():
    """The check above can fail: the plan's validation does import pandera."""
    code = ("import sys\nfrom analysis.data.handlingsplan import _schema\n"
            "from analysis.domain.handlingsplan import load_spec\nfrom analysis.domain.strategy import load_strategy\n"
            "from analysis.domain.catalogue import load_catalogue\n"
            "_schema(load_spec(), load_strategy('10'), load_catalogue())\nprint('pandera' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
