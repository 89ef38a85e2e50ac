import nbformat
import pytest

from course.exercises.core import ID_SCHEME
from course.tools import build
from course.tools.build import MarkerError, learner_notebook, stub_cell_source
from tests.helpers import LEARNER, ROOT, SOLUTIONS


def test_function_region_becomes_raise():
    source = "def f(x):\n    # BEGIN SOLUTION\n    y = x * 2\n    # END SOLUTION\n    return y"
    assert (
        stub_cell_source(source, "t")
        == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError\n    return y"
    )


def test_top_level_region_keeps_names_and_signatures():
    source = (
        "# BEGIN SOLUTION\n"
        "a, b = 1, 2\n"
        "total: int = a + b\n"
        "for i in range(3):\n    total += i\n"
        "def helper(x, y=1):\n    '''Doc.'''\n    return x + y\n"
        "# END SOLUTION\n"
        "check('x', total)"
    )
    assert stub_cell_source(source, "t") == (
        "# YOUR CODE HERE\n(a, b) = ...\ntotal = ...\ndef helper(x, y=1):\n    raise NotImplementedError\ncheck('x', total)"
    )


def test_region_without_names_becomes_ellipsis():
    assert stub_cell_source("# BEGIN SOLUTION\nprint(1)\n# END SOLUTION", "t") == "# YOUR CODE HERE\n..."


@pytest.mark.parametrize(
    "source, says",
    [
        ("# BEGIN SOLUTION\nx = 1", "line 1 is never closed"),
        ("x = 1\n# END SOLUTION", "line 2 has no matching BEGIN"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n# END SOLUTION", "nested"),
        ("# BEGIN SOLUTION\nx = (\n# END SOLUTION", "not valid Python"),
    ],
)
def test_malformed_markers_name_the_place(source, says):
    with pytest.raises(MarkerError, match=f"nb.ipynb, cell 3: .*{says}"):
        stub_cell_source(source, "nb.ipynb, cell 3")


def make_course(tmp_path, source):
    (tmp_path / "solutions").mkdir()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.v4.new_output("stream", text="hi")]
    cell.execution_count = 4
    cell.metadata = {"collapsed": True, "tags": ["keep"]}
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), cell]
    nb.metadata["widgets"] = {"state": {}}
    nbformat.write(nb, tmp_path / "solutions" / "01_x.ipynb")
    return tmp_path


def test_build_strips_outputs_and_normalizes(tmp_path):
    root = make_course(tmp_path, "# BEGIN SOLUTION\nx = 1\n# END SOLUTION")
    assert build.build(root) == (["01_x.ipynb", build.MANIFEST], [])
    nb = nbformat.read(root / "notebooks" / "01_x.ipynb", as_version=4)
    code = nb.cells[1]
    assert code.outputs == [] and code.execution_count is None
    assert code.metadata == {"tags": ["keep"]}
    assert "widgets" not in nb.metadata
    assert nb.metadata["course"] == {"id_scheme": ID_SCHEME}
    assert code.source == "# YOUR CODE HERE\nx = ..."
    assert build.build(root, check=True) == ([], [])


def test_check_names_stale_and_orphan_notebooks(tmp_path, capsys):
    root = make_course(tmp_path, "x = 1")
    build.build(root)
    (root / "notebooks" / "01_x.ipynb").write_text("{}")
    (root / "notebooks" / "99_old.ipynb").write_text("{}")
    assert build.cli(["--check", "--root", str(root)]) == 1
    out = capsys.readouterr().out
    assert "notebooks/01_x.ipynb is out of sync" in out and "notebooks/99_old.ipynb has no solutions" in out


def test_bad_markers_are_a_cli_error(tmp_path, capsys):
    root = make_course(tmp_path, "# BEGIN SOLUTION\nx = 1")
    assert build.cli(["--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{build.PROG}: error: ") and "01_x.ipynb, cell 1" in err and err.count("\n") == 1


def test_repository_notebooks_are_in_sync():
    stale, orphans = build.build(ROOT, check=True)
    assert (stale, orphans) == ([], [])
    assert [p.name for p in SOLUTIONS] == [p.name for p in LEARNER]


@pytest.mark.parametrize("path", LEARNER, ids=lambda p: p.name)
def test_learner_notebooks_hold_no_solutions(path):
    text = path.read_text()
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    solution = ROOT / "solutions" / path.name
    if "BEGIN SOLUTION" in solution.read_text():
        assert "YOUR CODE HERE" in text


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solutions_are_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"
    assert learner_notebook(path).cells  # builds without marker errors
