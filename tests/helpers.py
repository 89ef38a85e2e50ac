"""Shared test helpers."""

import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

import nbformat
import numpy as np

try:
    import tomllib
except ImportError:  # Python 3.10: the dev extra installs tomli, the same parser
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
LEARNER = sorted((ROOT / "notebooks").glob("*.ipynb"))


def pyproject():
    """The course's ``pyproject.toml``, parsed."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def run_python(code, **kwargs):
    """Run ``python -c code`` in a fresh interpreter; return the CompletedProcess."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, **kwargs)


def code_cells(path):
    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


def stub(*args, **kwargs):
    """The learner copy's function body: an exercise not attempted yet."""
    raise NotImplementedError


def lookup_table(exercise_id, right, seed=0):
    """A cheat: replays the outputs of ``right`` it saw on ``seed``'s cases, and the first one otherwise."""
    from course.exercises import PASSED, evaluate

    table = {}

    def key(args):
        return repr([a.tobytes() if isinstance(a, np.ndarray) else a for a in args])

    def recording(*args):
        table[key(args)] = right(*args)
        return table[key(args)]

    assert evaluate(exercise_id, recording, seed=seed).status == PASSED
    first = next(iter(table.values()))
    return lambda *args: table.get(key(args), first)


def assert_not_attempted_quietly(exercise_id, answer, solution_code):
    """A stub's verdict is "not attempted", and its message shows none of the solution's code."""
    from course.exercises import NOT_ATTEMPTED, evaluate

    feedback = evaluate(exercise_id, answer, seed=0)
    assert feedback.status == NOT_ATTEMPTED, feedback
    for code in solution_code:
        assert code not in feedback.message, (feedback.message, code)


def assert_hints_climb_without_code(exercise_id, solution_code):
    """Two or three hints, none of which shows the solution's code."""
    from course.exercises import hints

    ladder = hints(exercise_id)
    assert 2 <= len(ladder) <= 3
    for hint in ladder:
        for code in solution_code:
            assert code not in hint, (hint, code)


@contextmanager
def local_http_server(handler, **state):
    """A real HTTP server on 127.0.0.1 (a free port) serving ``handler`` in threads, with ``url`` and
    each of ``state`` set on it for the handler to read. On exit every ``threading.Event`` in
    ``state`` is set, releasing handlers that wait on it, and the server is shut down."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    for name, value in state.items():
        setattr(httpd, name, value)
    httpd.url = f"http://127.0.0.1:{httpd.server_port}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd
    finally:
        for value in state.values():
            if isinstance(value, threading.Event):
                value.set()
        httpd.shutdown()
        httpd.server_close()
