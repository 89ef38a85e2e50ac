"""``python -m course bench NAME``: benchmarks that compare the course's code with libraries.

Each benchmark is a module of this package with a ``cli(argv)`` function, listed in
:data:`BENCHMARKS`.
"""

import importlib

from .. import command_line, fail

BENCHMARKS = {
    "autodiff": "the course's autodiff vs TF eager, tf.function and (if installed) micrograd",
    "flowers": "the notebook's compact CNN vs the TF tutorial's, on the same photos",
}
PROG = "python -m course bench"


def usage():
    lines = [f"usage: {PROG} NAME [options]", "", "benchmarks:"]
    lines += [f"  {name:<9} {text}" for name, text in BENCHMARKS.items()]
    return "\n".join(lines)


def cli(argv):
    argv = command_line(argv)
    if argv[:1] in (["-h"], ["--help"]):
        print(usage())
        return 0
    if not argv or argv[0] not in BENCHMARKS:
        named = f"unknown benchmark {argv[0]!r}" if argv else "name a benchmark"
        return fail(PROG, f"{named}: use one of {', '.join(BENCHMARKS)} ({PROG} --help)")
    return importlib.import_module(f"{__name__}.{argv[0]}").cli(argv[1:])
