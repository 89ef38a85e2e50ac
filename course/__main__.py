"""``python -m course COMMAND``: build, doctor, grade, bench."""

import importlib
import sys

COMMANDS = {
    "build": ("course.build", "generate notebooks/ from solutions/ (--check compares only)"),
    "doctor": ("course.doctor", "check this machine: versions, devices, data, network"),
    "grade": ("course.grade", "run learner notebooks and write a gradebook"),
    "bench": ("course.bench", "time the course's code against libraries"),
}


def usage():
    lines = ["usage: python -m course COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<8} {help_text}" for name, (_, help_text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in {"-h", "--help"}:
        print(usage())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"unknown command {name!r}\n\n{usage()}")
        return 2
    return importlib.import_module(COMMANDS[name][0]).cli(rest)


if __name__ == "__main__":
    sys.exit(main())
