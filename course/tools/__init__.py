"""The command line, ``python -m course COMMAND``: one module per command."""

import importlib
import sys

COMMANDS = {
    "lab": ("course.tools.lab", "start the course: copy the notebooks to your workspace, open JupyterLab"),
    "workspace": (
        "course.tools.workspace",
        "copy the notebooks to your workspace (never overwriting) and print it",
    ),
    "build": ("course.tools.build", "generate notebooks/ from solutions/ (for course authors)"),
    "doctor": ("course.tools.doctor", "check this machine: versions, devices, data, network, settings"),
    "grade": ("course.tools.grade", "run learner notebooks and write a gradebook (for teachers)"),
    "bench": ("course.tools.bench", "time the course's code against libraries"),
}


def command_line(argv):
    """``argv`` as a list of strings (the words after the command), or a TypeError naming what came."""
    if not isinstance(argv, (list, tuple)) or not all(isinstance(word, str) for word in argv):
        shown = type(argv).__name__ if not isinstance(argv, (list, tuple)) else "a list holding non-strings"
        raise TypeError(f"argv must be a list of strings such as ['--check'], got {shown}")
    return list(argv)


def usage():
    lines = ["usage: python -m course COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<10} {help_text}" for name, (_, help_text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv=None):
    argv = command_line(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(usage())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"unknown command {name!r}\n\n{usage()}")
        return 2
    return importlib.import_module(COMMANDS[name][0]).cli(rest)
