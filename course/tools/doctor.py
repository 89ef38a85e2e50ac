"""``python -m course doctor``: is this machine ready for the course?

Prints versions, the devices TensorFlow sees, the settings, the data cache and
whether the dataset origins answer (within seconds when offline). Exits 1 when
it finds a problem, with a one-line fix for each; it never ends in a traceback.

The supported versions are the ranges in the course's own package metadata
(``dependencies`` in pyproject.toml), so they are written down once.
"""

import importlib.metadata
import os
import platform
import urllib.parse

from packaging.requirements import Requirement

from ..runtime import settings as course_settings
from . import command_line


def requirements():
    """The course's runtime requirements (extras such as ``dev`` left out), from its metadata."""
    parsed = (Requirement(text) for text in importlib.metadata.requires("course") or [])
    return [requirement for requirement in parsed if requirement.marker is None]


def package_line(requirement):
    """(report line, problem or None) for one requirement."""
    name = requirement.name
    try:
        version = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return f"  {name:<13} missing", f"{name} is not installed: pip install '{requirement}'"
    if requirement.specifier.contains(version, prereleases=True):
        return f"  {name:<13} {version}", None
    return (
        f"  {name:<13} {version}  (unsupported)",
        f"{name} {version} is outside {requirement.specifier}: pip install '{requirement}'",
    )


def package_lines():
    """(report lines, problems) for the packages the course needs."""
    try:
        wanted = requirements()
    except importlib.metadata.PackageNotFoundError:
        return ["  the course package is not installed"], [
            "the course package is not installed: pip install -e '.[dev]' (from the course folder)"
        ]
    checked = [package_line(requirement) for requirement in wanted]
    return [line for line, _ in checked], [problem for _, problem in checked if problem]


def device_lines():
    from ..runtime.quiet import import_tensorflow

    tf = import_tensorflow()
    cpus = tf.config.list_physical_devices("CPU")
    gpus = tf.config.list_physical_devices("GPU")
    return [
        f"  CPU devices: {len(cpus)} ({os.cpu_count()} cores)",
        f"  GPU devices: {len(gpus) or 'none (CPU is fine for this course)'}",
    ], []


def settings_lines():
    """(report lines, problems) for the COURSE_* variables and the folders they name."""
    problems = course_settings.errors()
    if problems:
        return ["  cannot be read (see the problems below)"], problems
    current = course_settings.settings()
    lines = [f"  {current.describe()}"]
    try:
        course_settings.workdir()
    except ValueError as error:
        problems.append(str(error))
    if current.data_dir is not None and not current.data_dir.is_dir():
        problems.append(
            f"COURSE_DATA_DIR={current.data_dir} is not a folder: create it or unset the variable"
        )
    return lines, problems


def data_lines():
    """(report lines, problems) for the dataset registry, the cache and the download hosts."""
    from ..data.downloads import REGISTRY_PATH, cache_folder, reachable, registry, source_url

    if course_settings.errors():
        return ["  not checked until the settings can be read"], []
    try:
        cache = cache_folder()
    except ValueError:  # the work folder cannot be created: reported under Settings
        return ["  not checked until the work folder can be created"], []
    mirror = course_settings.settings().data_mirror
    lines = [f"  registry: {REGISTRY_PATH}", f"  cache: {cache}"]
    for name, item in registry().items():
        url = source_url(item, mirror)
        cached = (cache / item["file"]).exists()
        answer = "reachable" if reachable(url) else "NOT reachable (the offline fallback will be used)"
        lines.append(
            f"  {name:<13} {urllib.parse.urlsplit(url).netloc}: {answer}; cached: {'yes' if cached else 'no'}"
        )
    return lines, []


SECTIONS = {
    "Packages": package_lines,
    "Devices": device_lines,
    "Settings": settings_lines,
    "Data": data_lines,
}


def run_section(title, check):
    """Run one check; an unexpected error becomes a reported problem, never a traceback."""
    try:
        return check()
    except Exception as error:
        return [f"  could not be checked: {type(error).__name__}: {error}"], [
            f"the {title.lower()} check failed ({type(error).__name__}: {error}): fix the cause above, "
            "or reinstall the course with pip install -e '.[dev]'"
        ]


def report():
    """(text, problems) of a full check-up."""
    lines = [f"Python {platform.python_version()} on {platform.system()} {platform.machine()}"]
    problems = []
    for title, check in SECTIONS.items():
        more, found = run_section(title, check)
        lines += [f"{title}:", *more]
        problems += found
    return "\n".join(lines), problems


def cli(argv):
    argv = command_line(argv)
    if argv:
        print("usage: python -m course doctor")
        return 2
    text, problems = report()
    print(text)
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("\nAll good: the course can run here.")
    return 0
