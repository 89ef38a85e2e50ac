"""``python -m course doctor``: is this machine ready for the course?

Prints versions, the devices TensorFlow sees, the settings, the data cache and
whether the dataset origins answer (within seconds when offline). Exits 1 when
it finds a problem, with a one-line fix for each; it never ends in a traceback.
The work folder must exist and take a file (one is written and removed): a
read-only folder, or a ``COURSE_WORKDIR`` that no folder can be (a symbolic link
loop, a file in the way), is a problem that names the variable and the fix.

The supported versions are the ranges in the course's own package metadata
(``dependencies`` in pyproject.toml), so they are written down once.
"""

import importlib.metadata
import os
import platform
import tempfile
import urllib.parse

from packaging.requirements import Requirement

from ..runtime import settings as course_settings
from . import ArgumentParser, command_line

REINSTALL = "pip install -e . (from the course folder)"
SETTINGS_ERRORS = (ValueError, OSError, RuntimeError)  # RuntimeError: Python 3.11's "Symlink loop from ..."


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
            f"the course package is not installed: {REINSTALL}"
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


def current_settings():
    """``(settings or None, problems)``: None when the COURSE_* variables cannot be read."""
    problems = course_settings.errors()
    try:
        return course_settings.settings(), problems
    except SETTINGS_ERRORS as error:
        return None, problems or [
            f"the COURSE_* settings cannot be read ({error}): set COURSE_WORKDIR and COURSE_DATA_DIR "
            "to folders you can use, or unset them"
        ]


def workdir_problems():
    """The work folder's problems: it cannot be made, or it does not take a file."""
    try:
        folder = course_settings.workdir()
    except SETTINGS_ERRORS as error:
        return [
            str(error)
            if "COURSE_WORKDIR" in str(error)
            else f"{error}: set COURSE_WORKDIR to a folder you can write to"
        ]
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as error:
        return [
            f"the work folder {folder} is not writable ({error.strerror or error}): the notebooks keep "
            "progress, models and datasets there; make it writable, or set COURSE_WORKDIR to a folder "
            "you can write to"
        ]
    return []


def data_dir_problems(folder):
    """The problems of the folder COURSE_DATA_DIR names."""
    fix = "create it or unset the variable"
    try:
        if not folder.is_dir():
            return [f"COURSE_DATA_DIR={folder} is not a folder: {fix}"]
    except OSError as error:
        return [f"COURSE_DATA_DIR={folder} cannot be used ({error.strerror or error}): {fix}"]
    if not os.access(folder, os.R_OK | os.X_OK):
        return [
            f"COURSE_DATA_DIR={folder} cannot be read (permission denied): change its permissions or unset the variable"
        ]
    return []


def settings_lines():
    """(report lines, problems) for the COURSE_* variables and the folders they name."""
    current, problems = current_settings()
    if current is None:
        return ["  cannot be read (see the problems below)"], problems
    problems += workdir_problems()
    if current.data_dir is not None:
        problems += data_dir_problems(current.data_dir)
    return [f"  {current.describe()}"], problems


def data_lines():
    """(report lines, problems) for the dataset registry, the cache and the download hosts."""
    from ..data.downloads import REGISTRY_PATH, cache_folder, reachable, registry, source_url

    current, problems = current_settings()
    if problems:
        return ["  not checked until the settings can be read"], []
    try:
        cache = cache_folder()
    except SETTINGS_ERRORS:  # the work folder cannot be created: reported under Settings
        return ["  not checked until the work folder can be created"], []
    mirror = current.data_mirror
    lines = [f"  registry: {REGISTRY_PATH}", f"  cache: {cache}"]
    for name, item in registry().items():
        url = source_url(item, mirror)
        cached = os.path.isfile(cache / item["file"])
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
            f"the {title.lower()} check failed ({type(error).__name__}: {error}): fix the cause above; "
            f"if it stays, reinstall the course: {REINSTALL}"
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
    ArgumentParser(prog="python -m course doctor", description=__doc__.splitlines()[0]).parse_args(argv)
    text, problems = report()
    print(text)
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("\nAll good: the course can run here.")
    return 0
