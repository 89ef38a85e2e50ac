"""Every package that ``course/`` imports is declared, and a learner's install needs no dev package.

The imports are read from the source (``ast``), not from a running process, so an import inside
a function or behind a condition counts as much as one at the top of a module. Each top-level
module that is neither the standard library nor the course itself must come from a distribution
listed in pyproject's ``[project] dependencies`` (the names map through
``importlib.metadata.packages_distributions()``: ``PIL`` is pillow, ``zmq`` pyzmq). A package of
the ``dev`` extra only (micrograd, pytest, hypothesis, playwright, ...) may be imported only inside
a function, inside a ``try`` that catches ImportError: the code must work without it.
"""

import ast
import importlib.metadata
import re
import sys
from functools import lru_cache

import pytest
from packaging.requirements import Requirement

from tests.helpers import ROOT, pyproject

COURSE = ROOT / "course"
# Import names whose distribution is named otherwise, for a package not installed here.
KNOWN_DISTRIBUTIONS = {
    "PIL": "pillow",
    "zmq": "pyzmq",
    "yaml": "pyyaml",
    "sklearn": "scikit-learn",
    "IPython": "ipython",
    "skimage": "scikit-image",
    "cv2": "opencv-python",
}


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(group=None):
    """The canonical distribution names of the runtime dependencies, or of an extra."""
    project = pyproject()["project"]
    listed = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return {canonical(Requirement(text).name) for text in listed}


@lru_cache(maxsize=1)
def installed_distributions():
    return importlib.metadata.packages_distributions()


def distributions_of(module):
    """The canonical names of the distributions that can provide the top-level ``module``."""
    found = installed_distributions().get(module) or [KNOWN_DISTRIBUTIONS.get(module, module)]
    return {canonical(name) for name in found}


class Import:
    """One import statement of the course: its top-level module, where, and how it is guarded."""

    def __init__(self, module, path, line, in_function, guarded):
        self.module, self.path, self.line = module, path, line
        self.in_function, self.guarded = in_function, guarded

    def __repr__(self):
        where = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{self.module} ({where}:{self.line})"


def _catches_import_error(handler):
    names = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
    caught = handler.type
    if caught is None:
        return True
    nodes = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return any(isinstance(node, ast.Name) and node.id in names for node in nodes)


def imports_in(path):
    """Every absolute import of the module at ``path``, with whether it is in a function and guarded."""
    found = []

    def visit(node, in_function, guarded):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            in_function = True
        if isinstance(node, ast.Try):
            inner = guarded or any(_catches_import_error(h) for h in node.handlers)
            for child in node.body:
                visit(child, in_function, inner)
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, in_function, guarded)
            return
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            names = []
        for name in names:
            found.append(Import(name.split(".")[0], path, node.lineno, in_function, guarded))
        for child in ast.iter_child_nodes(node):
            visit(child, in_function, guarded)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), False, False)
    return found


@lru_cache(maxsize=1)
def third_party_imports():
    """The imports in ``course/`` of modules that are neither the standard library nor the course."""
    everything = [found for path in sorted(COURSE.rglob("*.py")) for found in imports_in(path)]
    return [i for i in everything if i.module not in sys.stdlib_module_names and i.module != "course"]


def test_the_walk_finds_the_imports_the_course_is_known_to_make():
    modules = {i.module for i in third_party_imports()}
    assert {"numpy", "tensorflow", "nbformat", "PIL", "zmq", "jupyter_client", "micrograd"} <= modules


def test_every_import_of_the_course_is_a_declared_dependency():
    runtime, dev = declared(), declared("dev")
    missing = []
    for found in third_party_imports():
        distributions = distributions_of(found.module)
        if distributions & runtime:
            continue
        if distributions & dev and found.in_function and found.guarded:
            continue  # an optional dev package, imported where it is used, the code working without it
        missing.append(f"{found} from {', '.join(sorted(distributions))}")
    assert not missing, (
        "imported by course/ but not in pyproject's [project] dependencies (add each with a version "
        "range, and to environment.yml):\n  " + "\n  ".join(missing)
    )


def test_no_dev_package_is_imported_at_module_level_or_unguarded():
    dev_only = declared("dev") - declared()
    wrong = [
        found
        for found in third_party_imports()
        if distributions_of(found.module) & dev_only and not (found.in_function and found.guarded)
    ]
    assert not wrong, (
        "a dev package imported by course/ outside a function, or without an ImportError fallback: "
        f"a learner's install lacks it: {wrong}"
    )


def test_each_declared_dependency_is_installed_here_and_in_range():
    """What the course declares is what this environment has (so the checks above mean something)."""
    for text in pyproject()["project"]["dependencies"]:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        version = importlib.metadata.version(requirement.name)
        assert requirement.specifier.contains(version, prereleases=True), f"{requirement.name} {version}"


@pytest.mark.parametrize(
    "source, in_function, guarded",
    [
        ("import micrograd", False, False),
        ("def f():\n    import micrograd", True, False),
        (
            "def f():\n    try:\n        from micrograd.engine import Value\n    except ImportError:\n        pass",
            True,
            True,
        ),
        ("try:\n    import micrograd\nexcept (ImportError, OSError):\n    pass", False, True),
        ("try:\n    import micrograd\nexcept KeyError:\n    pass", False, False),
    ],
)
def test_the_walk_tells_where_and_how_an_import_is_made(tmp_path, source, in_function, guarded):
    module = tmp_path / "m.py"
    module.write_text(source)
    (found,) = imports_in(module)
    assert (found.module, found.in_function, found.guarded) == ("micrograd", in_function, guarded)
