"""The analyst notebook, executed as Jupyter would execute it: its charts come out as images,
and the gaps cell has something to ask next."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    notebook = nbformat.read(EXAMPLES / "analyst.ipynb", as_version=4)
    NotebookClient(notebook, timeout=600, resources={"metadata": {"path": str(EXAMPLES)}}).execute()
    return notebook


def _outputs(notebook: nbformat.NotebookNode, text: str) -> list[nbformat.NotebookNode]:
    (cell,) = [c for c in notebook.cells if c.cell_type == "code" and text in c.source]
    outputs: list[nbformat.NotebookNode] = cell.outputs
    return outputs


@pytest.mark.parametrize(
    "cell", ['impact.chart("measure")', 'impact.chart("county")', 'impact.winners_chart("county")']
)
def test_each_chart_shows_as_an_image(executed: nbformat.NotebookNode, cell: str) -> None:
    outputs = _outputs(executed, cell)
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1, [o.get("data", {}).keys() for o in outputs]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]


def test_the_gaps_cell_asks_something_and_names_history(
    executed: nbformat.NotebookNode,
) -> None:
    printed = "".join(o.text for o in _outputs(executed, "report.within_reach") if "text" in o)
    ask = next(line for line in printed.splitlines() if line.startswith("Ask next:"))
    assert ask != "Ask next: []"
    assert "out of reach for this enterprise" in printed
