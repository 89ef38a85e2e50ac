"""pyproject.toml and environment.yml list the same dependencies; README and CI agree."""

import re

import tomllib

from tests.helpers import ROOT


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def environment_pip_lines():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    return [
        re.sub(r'^-\s*"?|"$', "", line.strip()) for line in lines[start + 1 :] if line.strip().startswith("-")
    ]


def test_environment_matches_pyproject():
    listed = environment_pip_lines()
    assert listed[-1] == "-e .[dev]"
    assert listed[:-1] == pyproject()["project"]["dependencies"]


def test_dependencies_are_ranges_not_pins():
    for requirement in pyproject()["project"]["dependencies"]:
        assert "==" not in requirement, f"{requirement}: use a range"
        assert re.search(r">=", requirement), f"{requirement}: give a lower bound"


def test_ci_runs_the_readme_commands():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install -e ".[dev]"' in readme and 'pip install -e ".[dev]"' in ci
    assert re.search(r"^pytest\b", readme, re.M) and re.search(r"^\s*pytest\b", ci, re.M)
    assert "jupyter lab notebooks/" in readme
