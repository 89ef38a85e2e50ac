"""The command line, ``python -m course COMMAND``: one module per command.

Every run of a command ends with its exit status, never a traceback: a wrong argument, a
missing or unusable file or folder, or a bad ``COURSE_*`` variable is one line on stderr
naming what is wrong and what to do, and exit status 2 (:func:`cli`). A bad variable stops
every command before it starts, except ``doctor``, whose work is to report it.
"""

import argparse
import importlib
import math
import os
import stat
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
PROGRAM = "python -m course"
HELP = {"-h", "--help"}
USAGE_ERROR = 2  # the exit status of a command line that cannot run: a bad argument, file or setting


def command_line(argv):
    """``argv`` as a list of strings (the words after the command), or a TypeError naming what came."""
    if not isinstance(argv, (list, tuple)) or not all(isinstance(word, str) for word in argv):
        shown = type(argv).__name__ if not isinstance(argv, (list, tuple)) else "a list holding non-strings"
        raise TypeError(f"argv must be a list of strings such as ['--check'], got {shown}")
    return list(argv)


def one_line(text):
    """``text`` on one line (a file name or a message may hold line breaks)."""
    return " ".join(str(text).split("\n")).strip()


def fail(prog, message):
    """Say ``prog: error: message`` in one line on stderr; returns the exit status 2."""
    print(f"{prog}: error: {one_line(message)}", file=sys.stderr)
    return USAGE_ERROR


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser whose errors are one line on stderr (``PROG: error: ...``) and exit status 2."""

    def error(self, message):
        self.exit(USAGE_ERROR, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


def whole_number(minimum=None, maximum=None):
    """An argparse ``type``: a whole number within the bounds, else a message saying which."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if minimum is not None and value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}, got {value}")
        return value

    parse.__name__ = "whole number"
    return parse


def number(minimum, maximum, unit=""):
    """An argparse ``type``: a number from ``minimum`` to ``maximum`` (both included), in ``unit``."""

    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a number{unit and ' of ' + unit}, got {text!r}"
            ) from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"must be between {minimum} and {maximum} {unit}, got {text}")
        return value

    parse.__name__ = "number"
    return parse


def positive_number(text):
    """An argparse ``type``: a finite number greater than 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a finite number greater than 0, got {text}")
    return value


def path_kind(path):
    """What is at ``path``: "folder", "file", "missing", "special" (a FIFO, socket or device) or "unusable".

    "unusable": a symbolic link loop, a name too long, a NUL byte, no permission to look.
    Nothing is opened, so a FIFO cannot block.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError):
        return "unusable"
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else "special"


def folder_problem(path, option):
    """Why ``path`` (given as ``option``) is not an existing folder to read from, in one line; None if it is."""
    kind = path_kind(path)
    if kind == "folder":
        return None
    what = {
        "missing": "there is no such folder",
        "file": "it is a file, not a folder",
        "special": "it is not a folder (a FIFO, socket or device)",
        "unusable": "it cannot be looked at (a symbolic link loop, a name too long, or no permission)",
    }[kind]
    return f"{option} {path}: {what}"


def usage():
    lines = [f"usage: {PROGRAM} COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<10} {help_text}" for name, (_, help_text) in COMMANDS.items()]
    return "\n".join(lines)


def settings_problem():
    """Why the ``COURSE_*`` variables cannot be used (one line), or None when they can."""
    from ..runtime import settings

    try:
        problems = settings.errors()
        if not problems:
            settings.settings()
    except (ValueError, OSError, RuntimeError) as error:  # RuntimeError: a symbolic link loop on Python 3.11
        problems = [
            f"the COURSE_* settings cannot be read ({error}): check COURSE_WORKDIR and COURSE_DATA_DIR"
        ]
    problems = [p for p in problems if not p.startswith("COURSE_DATA_MIRROR")]  # the loaders fall back
    if not problems:
        return None
    more = f" (and {len(problems) - 1} more: {PROGRAM} doctor lists them)" if len(problems) > 1 else ""
    return problems[0] + more


def _exit_status(stop):
    """The exit status of a SystemExit (argparse's, after its message; or sys.exit(...) in a command)."""
    if stop.code is None or isinstance(stop.code, int):
        return stop.code or 0
    print(one_line(stop.code), file=sys.stderr)
    return 1


def cli(argv):
    """Run one command line, ``argv`` the words after ``python -m course``; returns the exit status.

    It never raises for a command line (only KeyboardInterrupt goes through): an argument, a
    file or a setting the command cannot use is one line on stderr and exit status 2; an
    error of the course's own is said in one line as an internal error (exit status 2).
    """
    argv = command_line(argv)
    if not argv or argv[0] in HELP:
        print(usage())
        return 0 if argv else fail(PROGRAM, f"name a command: one of {', '.join(COMMANDS)}")
    name, rest = argv[0], argv[1:]
    prog = f"{PROGRAM} {name}"
    if name not in COMMANDS:
        return fail(PROGRAM, f"unknown command {name!r}: use one of {', '.join(COMMANDS)} ({PROGRAM} --help)")
    if name != "doctor" and not HELP & set(rest):
        problem = settings_problem()
        if problem:
            return fail(prog, f"{problem} ({PROGRAM} doctor checks every setting)")
    try:
        return importlib.import_module(COMMANDS[name][0]).cli(rest)
    except SystemExit as stop:  # argparse, which has said why
        return _exit_status(stop)
    except (ValueError, OSError) as error:  # the course's own messages, and the system's about a file
        return fail(prog, error)
    except Exception as error:  # noqa: BLE001 - the line to report, rather than a traceback
        return fail(
            prog,
            f"internal error ({type(error).__name__}: {error}): please report it with the command line",
        )


def main(argv=None):
    """``python -m course``: :func:`cli` on ``argv`` (default: the process's command line)."""
    return cli(sys.argv[1:] if argv is None else argv)
