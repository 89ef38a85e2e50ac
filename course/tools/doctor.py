"""``python -m course doctor``: is this machine ready for the course?

Prints versions, the devices TensorFlow sees, the data cache, whether the
dataset origins answer (within seconds when offline) and the active modes.
Exits 1 when it finds a problem, with a one-line fix for each.
"""

import importlib.metadata
import os
import platform
import urllib.parse

from ..runtime.settings import settings

REQUIRED = {
    # distribution: (lowest version, first version not supported)
    "tensorflow": ("2.21", "2.22"),
    "keras": ("3.10", "4"),
    "numpy": ("1.26", "3"),
    "ipywidgets": ("8", "9"),
    "jupyterlab": ("4", "5"),
    "matplotlib": ("3.8", "4"),
    "scikit-learn": ("1.4", "2"),
}


def version_tuple(text):
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def package_problems():
    """(report lines, problems) for the packages the course needs."""
    lines, problems = [], []
    for name, (low, high) in REQUIRED.items():
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            lines.append(f"  {name:<13} missing")
            problems.append(f"{name} is not installed: pip install -e '.[dev]' (from the course folder)")
            continue
        ok = version_tuple(low) <= version_tuple(version) < version_tuple(high)
        lines.append(f"  {name:<13} {version}{'' if ok else '  (unsupported)'}")
        if not ok:
            problems.append(
                f"{name} {version} is outside {low} <= v < {high}: pip install '{name}>={low},<{high}'"
            )
    return lines, problems


def device_lines():
    try:
        from ..runtime.quiet import import_tensorflow

        tf = import_tensorflow()
    except Exception as error:  # a broken TF install is reported, not raised
        return [f"  TensorFlow could not start: {error}"], [
            f"TensorFlow fails to import ({error}): reinstall it"
        ]
    cpus = tf.config.list_physical_devices("CPU")
    gpus = tf.config.list_physical_devices("GPU")
    return [
        f"  CPU devices: {len(cpus)} ({os.cpu_count()} cores)",
        f"  GPU devices: {len(gpus) or 'none (CPU is fine for this course)'}",
    ], []


def data_lines(current):
    from ..data.downloads import cache_folder, reachable, registry, source_url

    lines, problems = [f"  cache: {cache_folder()}"], []
    if current.data_dir is not None and not current.data_dir.is_dir():
        problems.append(f"COURSE_DATA_DIR={current.data_dir} does not exist: create it or unset the variable")
    for name, item in registry().items():
        url = source_url(item, current.data_mirror)
        cached = (cache_folder() / item["file"]).exists()
        answer = "reachable" if reachable(url) else "NOT reachable (the offline fallback will be used)"
        lines.append(
            f"  {name:<13} {urllib.parse.urlsplit(url).netloc}: {answer}; cached: {'yes' if cached else 'no'}"
        )
    return lines, problems


def report():
    """(text, problems) of a full check-up."""
    current = settings()
    lines = [f"Python {platform.python_version()} on {platform.system()} {platform.machine()}", "Packages:"]
    problems = []
    for title, (more, found) in (
        ("Packages", package_problems()),
        ("Devices", device_lines()),
        ("Data", data_lines(current)),
    ):
        if title != "Packages":
            lines.append(f"{title}:")
        lines += more
        problems += found
    lines.append(f"Settings: {current.describe()}")
    return "\n".join(lines), problems


def cli(argv):
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
