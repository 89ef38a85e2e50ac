"""Static checks of every notebook: Keras 3 idioms, the standard first cell, the glossary."""

import re

import nbformat
import pytest

from tests.helpers import LEARNER, SOLUTIONS, code_cells

# Idioms of Keras 2 that Keras 3 rejects or that no longer do what the notes said.
KERAS2_IDIOMS = {
    "lr= (use learning_rate=)": re.compile(r"\blr\s*="),
    "input_shape= (use keras.Input)": re.compile(r"\binput_shape\s*="),
    "save() without .keras/.h5 (use model.save('m.keras') or model.export())": re.compile(
        r"\.save\(\s*(?:f?['\"](?![^'\"]*\.(?:keras|h5)['\"])[^'\"]*['\"])\s*[,)]"
    ),
    "save_weights without .weights.h5": re.compile(
        r"\.save_weights\(\s*f?['\"](?![^'\"]*\.weights\.h5['\"])[^'\"]*['\"]"
    ),
    "fit_generator (use fit)": re.compile(r"\bfit_generator\b"),
    "ImageDataGenerator (use keras.utils.image_dataset_from_directory and preprocessing layers)": re.compile(
        r"\bImageDataGenerator\b"
    ),
    "save_format= (gone in Keras 3)": re.compile(r"\bsave_format\s*="),
}


def keras2_problems(source):
    return [name for name, pattern in KERAS2_IDIOMS.items() if pattern.search(source)]


@pytest.mark.parametrize(
    "source, bad",
    [
        ("keras.optimizers.Adam(lr=0.01)", True),
        ("keras.optimizers.Adam(learning_rate=0.01)", False),
        ("layers.Dense(3, input_shape=(4,))", True),
        ("model.save('my_model')", True),
        ("model.save(str(path))", False),
        ("model.save('m.keras')", False),
        ("model.save_weights('w.h5')", True),
        ("model.save_weights('w.weights.h5')", False),
        ("model.fit_generator(gen)", True),
        ("from keras.preprocessing.image import ImageDataGenerator", True),
    ],
)
def test_idiom_detector(source, bad):
    assert bool(keras2_problems(source)) == bad


@pytest.mark.parametrize("path", SOLUTIONS + LEARNER, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_keras2_idioms(path):
    found = {problem for cell in code_cells(path) for problem in keras2_problems(cell.source)}
    assert not found, f"{path.name} uses Keras 2 idioms: {sorted(found)}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_first_code_cell_sets_up_the_course(path):
    first = code_cells(path)[0].source
    assert "course.setup(" in first and "seed=" in first, f"{path.name}: start with course.setup(seed=...)"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_ends_with_summary_and_glossary(path):
    markdown = "\n".join(
        c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"
    )
    assert "## Summary" in markdown, f"{path.name}: add a '## Summary' section"
    assert "## Glossary" in markdown and re.search(r"\|[^|\n]*[\u4e00-\u9fff]+[^|\n]*\|", markdown), (
        f"{path.name}: add an English-Chinese '## Glossary' table"
    )


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_check_ids_belong_to_the_notebook(path):
    prefix = path.name[:2]
    ids = re.findall(r"check\(\s*['\"]([^'\"]+)['\"]", "\n".join(c.source for c in code_cells(path)))
    quiz_ids = re.findall(
        r"(?:MultipleChoice|PredictShape)\(\s*['\"]([^'\"]+)['\"]",
        "\n".join(c.source for c in code_cells(path)),
    )
    assert all(i.startswith(prefix + ".") for i in ids + quiz_ids), (
        f"{path.name}: ids must start with {prefix}."
    )
    assert len(ids) == len(set(ids)), f"{path.name}: an exercise id is checked twice"
