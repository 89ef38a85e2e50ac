"""``python -m course bench NAME``: benchmarks that compare the course's code with libraries.

Each benchmark is a module ``course.bench_NAME`` with a ``cli(argv)`` function.
"""

import importlib
import pkgutil

import course


def available():
    return sorted(m.name[len("bench_") :] for m in pkgutil.iter_modules(course.__path__) if m.name.startswith("bench_"))


def cli(argv):
    names = available()
    if not argv or argv[0] not in names:
        print(f"usage: python -m course bench NAME [options]\nbenchmarks: {', '.join(names) or 'none yet'}")
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    return importlib.import_module(f"course.bench_{argv[0]}").cli(argv[1:])
