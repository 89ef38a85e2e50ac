"""pyproject.toml and environment.yml list the same dependencies; README and CI agree; the wheel works."""

import csv
import os
import re
import shutil
import subprocess
import sys

from tests.helpers import ROOT, pyproject


def environment_pip_lines():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    return [
        re.sub(r'^-\s*"?|"$', "", line.strip()) for line in lines[start + 1 :] if line.strip().startswith("-")
    ]


def test_environment_matches_pyproject_and_installs_the_learner_set_only():
    listed = environment_pip_lines()
    assert listed[-1] == "-e .", "the learners' environment installs the course without the dev extra"
    assert listed[:-1] == pyproject()["project"]["dependencies"]
    dev = {re.split(r"[<>=!~; \[]", r)[0] for r in pyproject()["project"]["optional-dependencies"]["dev"]}
    assert not any(re.split(r"[<>=!~; \[]", line)[0] in dev for line in listed), (
        "a dev package in environment.yml"
    )


def test_dependencies_are_ranges_not_pins():
    for requirement in pyproject()["project"]["dependencies"]:
        assert "==" not in requirement, f"{requirement}: use a range"
        assert re.search(r">=", requirement), f"{requirement}: give a lower bound"


def test_ci_runs_the_readme_commands():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install -e ".[dev]"' in readme and 'pip install -e ".[dev]"' in ci
    assert re.search(r"^pytest\b", readme, re.M) and re.search(r"^\s*pytest\b", ci, re.M)
    assert "python -m course lab" in readme


def test_ci_checks_style_before_the_tests():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    order = [
        line.strip() for line in ci if line.strip() in {"ruff check .", "ruff format --check .", "pytest"}
    ]
    assert order == ["ruff check .", "ruff format --check .", "pytest"]


def build_wheel(tmp_path):
    """Build the course's wheel from a clean copy of its sources (offline: no build isolation)."""
    source = tmp_path / "source"
    shutil.copytree(ROOT / "course", source / "course", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    wheels = tmp_path / "wheels"
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(wheels), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = wheels.glob("course-*.whl")
    return wheel


def test_the_installed_wheel_runs_outside_the_course_folder(tmp_path):
    wheel = build_wheel(tmp_path)
    target, outside = tmp_path / "installed", tmp_path / "elsewhere"
    outside.mkdir()
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    env = dict(os.environ, PYTHONPATH=str(target), COURSE_WORKDIR=str(outside / "work"))

    def course(*args):
        return subprocess.run(
            [sys.executable, *args], capture_output=True, text=True, timeout=120, cwd=outside, env=env
        )

    registry = course(
        "-c",
        "import course; from course.data.downloads import registry; print(course.__file__, sorted(registry()))",
    )
    assert registry.returncode == 0, registry.stderr
    assert registry.stdout.startswith(str(target)) and "'mnist'" in registry.stdout

    doctor = course("-m", "course", "doctor")
    assert "Traceback" not in doctor.stdout + doctor.stderr
    assert f"registry: {target}" in doctor.stdout and "mnist" in doctor.stdout
    assert doctor.returncode == 0, doctor.stdout  # unreachable hosts are reported, not problems

    lost = course("-m", "course", "workspace")
    assert lost.returncode == 2
    assert lost.stderr.startswith("python -m course workspace: error: ") and lost.stderr.count("\n") == 1
    assert "run this command from the course folder, or pass --course DIR" in lost.stderr
    found = course("-m", "course", "workspace", "--course", str(ROOT), str(outside / "mine"))
    assert found.returncode == 0, found.stdout + found.stderr
    assert (outside / "mine" / "00_welcome.ipynb").is_file()

    # The grader: a wheel carries no notebooks, so from elsewhere it asks for the course folder, and
    # with --course it grades. The submission is damaged, so no kernel starts, but its row lists
    # 00_welcome's exercises: the grading worker (another process) read the course's notebook too.
    ann = outside / "class" / "ann"
    ann.mkdir(parents=True)
    (ann / "00_welcome.ipynb").write_text("{not json")
    (outside / "data").mkdir()
    grade = [
        "-m",
        "course",
        "grade",
        str(ann),
        "--data",
        str(outside / "data"),
        "--no-sandbox",
        "--jobs",
        "1",
    ]
    lost = course(*grade, "--csv", str(outside / "lost.csv"))
    assert lost.returncode == 2 and "Traceback" not in lost.stderr
    assert lost.stderr.count("\n") == 1 and "pass --course DIR" in lost.stderr, lost.stderr
    assert not (outside / "lost.csv").exists()
    graded = course(*grade, "--csv", str(outside / "book.csv"), "--course", str(ROOT))
    assert graded.returncode == 0, graded.stdout + graded.stderr
    with open(outside / "book.csv", newline="", encoding="utf-8") as file:
        (row,) = csv.DictReader(file)
    assert (row["student"], row["notebook"], row["run"]) == (
        "ann",
        "00_welcome",
        "not a notebook (NotJSONError)",
    )
    assert row["exercises"] == "2" and row["00.1"] == row["00.2"] == "not attempted"
