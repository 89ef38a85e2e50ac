"""``python -m course bench NAME``: benchmarks that compare the course's code with libraries.

Each benchmark is a module of this package with a ``cli(argv)`` function, listed in
:data:`BENCHMARKS`.
"""

import importlib

from .. import command_line

BENCHMARKS = {
    "autodiff": "the course's autodiff vs TF eager, tf.function and micrograd",
    "flowers": "the notebook's compact CNN vs the TF tutorial's, on the same photos",
}


def cli(argv):
    argv = command_line(argv)
    if not argv or argv[0] not in BENCHMARKS:
        lines = ["usage: python -m course bench NAME [options]", "", "benchmarks:"]
        lines += [f"  {name:<9} {text}" for name, text in BENCHMARKS.items()]
        print("\n".join(lines))
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    return importlib.import_module(f"{__name__}.{argv[0]}").cli(argv[1:])
