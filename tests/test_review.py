"""The tamper report's static review: every family of attack named for a teacher, honest answers left alone."""

import ast
import re
import textwrap
from types import SimpleNamespace

import nbformat
import pytest

from course.tools.grading import review

from .helpers import ROOT, SOLUTIONS, code_cells

# (a student's cell, whether it holds an exercise's answer, a piece of the line it must produce)
ATTACKS = [
    # the checking machinery reached, however spelled
    ("import course.exercises.probing", False, "imports course.exercises.probing (the checking machinery)"),
    (
        "import importlib\nm = importlib.import_module('course.exercises.' + 'probing')",
        False,
        "imports course internals through importlib.import_module with a built name",
    ),
    (
        "import importlib\nimportlib.import_module(name)",
        False,
        "imports a module through importlib.import_module",
    ),
    (
        "from importlib import import_module as load\nload('course.exercises.store')",
        False,
        "imports course.exercises.store through importlib.import_module (the checking machinery)",
    ),
    ("__import__('course.exercises.store')", False, "imports course.exercises.store through __import__"),
    ("__import__(''.join(['cour', 'se']))", False, "imports a module through __import__ with a built name"),
    ("getattr(course, 'exer' + 'cises')", False, "reads an attribute through getattr() with a built name"),
    ("getattr(course, 'check')", False, "reads course.check through getattr()"),
    (
        "getattr(getattr(course, 'exercises'), 'probing')",
        False,
        "reads course.exercises.probing through getattr() (the checking",
    ),
    ("import importlib.util\nimportlib.util.spec_from_file_location('p', path)", False, "loads code with"),
    ("import sys\nsys.modules['course.exercises.probing']", False, "uses sys.modules (every loaded module)"),
    ("from sys import modules as loaded\nloaded.get('course')", False, "uses sys.modules"),
    ("import gc\nlive = gc.get_objects()", False, "uses get_objects (the garbage collector)"),
    ("import gc\ngc.get_referrers(course.check)", False, "uses get_referrers (the garbage collector)"),
    ("import sys\nsys._getframe(1).f_globals", False, "uses _getframe (frames)"),
    ("import inspect\ninspect.currentframe().f_back", False, "uses currentframe (frames)"),
    ("from inspect import stack\nstack()[1]", False, "imports inspect.stack (frames)"),
    (
        "try:\n    1 / 0\nexcept Exception as e:\n    e.__traceback__.tb_frame",
        False,
        "uses tb_frame (frames)",
    ),
    ("import sys\nsys.settrace(spy)", False, "uses settrace (trace hooks)"),
    ("import sys\nsys.meta_path.insert(0, Finder())", False, "uses meta_path (import hooks)"),
    ("print(course.__file__)", False, "reads course.__file__ (where the course's code"),
    ("import course.exercises as e\nprint(e.__path__)", False, "reads course.exercises.__path__"),
    ("import importlib.resources\nimportlib.resources.files('course')", False, "uses importlib.resources"),
    ("import pkgutil\nlist(pkgutil.walk_packages(course.__path__))", False, "imports pkgutil"),
    (
        "import os\nfor top, _, names in os.walk(os.path.dirname(course.__file__)):\n    print(names)",
        False,
        "lists the installed packages' files with os.walk",
    ),
    (
        "from pathlib import Path\nroot = Path(course.__file__).parent\nlist(root.rglob('*.py'))",
        False,
        "lists the installed packages' files with .rglob()",
    ),
    (
        "import glob, sys\nglob.glob(sys.prefix + '/lib/**/course/**', recursive=True)",
        False,
        "lists the installed packages' files with glob.glob",
    ),
    ("exec('course.check = print')", False, "runs code through exec() (the review cannot read it)"),
    # signals and timers
    (
        "import signal\nsignal.signal(signal.SIGALRM, handler)",
        False,
        "calls signal.signal (a signal or timer",
    ),
    ("from signal import alarm\nalarm(1)", False, "calls signal.alarm"),
    ("import signal\nsignal.setitimer(signal.ITIMER_REAL, 0.1)", False, "calls signal.setitimer"),
    ("signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})", False, "calls signal.pthread_sigmask"),
    (
        "import faulthandler\nfaulthandler.dump_traceback_later(5)",
        False,
        "calls faulthandler.dump_traceback_later",
    ),
    ("import threading\nthreading.Timer(1.0, cheat).start()", False, "calls threading.Timer"),
    # code running beside the checks, processes, exits
    (
        "import threading\nthreading.Thread(target=cheat, daemon=True).start()",
        False,
        "starts threading.Thread",
    ),
    ("from threading import Thread as T\nT(target=cheat).start()", False, "starts threading.Thread"),
    ("import _thread\n_thread.start_new_thread(cheat, ())", False, "starts _thread.start_new_thread"),
    (
        "from concurrent.futures import ThreadPoolExecutor\nThreadPoolExecutor().submit(cheat)",
        False,
        "starts concurrent.futures.ThreadPoolExecutor",
    ),
    (
        "import threading\nclass Spy(threading.Thread):\n    pass",
        False,
        "defines a subclass of threading.Thread",
    ),
    ("import asyncio\nasyncio.ensure_future(cheat())", False, "schedules work with asyncio.ensure_future"),
    ("import asyncio\nasyncio.get_event_loop().call_later(1, cheat)", False, "schedules work with"),
    ("import subprocess\nsubprocess.run(['ls'])", False, "calls subprocess.run (starts processes"),
    ("import os\nos.system('ls')", False, "calls os.system (starts processes or sends signals)"),
    ("from os import fork\nfork()", False, "calls os.fork"),
    ("import os\nos.execv('/bin/sh', ['sh'])", False, "calls os.execv"),
    ("import os\nos.spawnl(os.P_NOWAIT, '/bin/sh')", False, "calls os.spawnl"),
    (
        "import multiprocessing\nmultiprocessing.Process(target=cheat).start()",
        False,
        "calls multiprocessing.Process",
    ),
    ("import pty\npty.spawn('/bin/sh')", False, "calls pty.spawn"),
    ("%%bash\nls /", False, "runs a shell command (starts processes)"),
    ("import os\nos._exit(0)", True, "calls os._exit in an exercise's answer"),
    ("import sys\nsys.exit()", True, "calls sys.exit in an exercise's answer"),
    ("raise SystemExit(0)", True, "raises SystemExit in an exercise's answer"),
    # writes outside the working folder
    ("open('/etc/passwd', 'w')", False, "writes outside the working folder, to an absolute path, with open("),
    ("open('../other/notes.txt', 'a')", False, "to a path above the working folder (..)"),
    ("with open(f'/home/{user}/x', mode='x') as f:\n    pass", False, "to an absolute path"),
    (
        "from pathlib import Path\nPath('/tmp/x').write_text('hi')",
        False,
        "to an absolute path, with .write_text()",
    ),
    (
        "from pathlib import Path\nPath('..', 'grades.csv').write_bytes(b'')",
        False,
        "above the working folder (..)",
    ),
    ("import shutil\nshutil.rmtree('/work')", False, "to an absolute path, with shutil.rmtree()"),
    ("import os\nos.remove('../x')", False, "with os.remove()"),
    ("import os\nos.replace('mine.py', '/srv/course/x.py')", False, "with os.replace()"),
    (
        "import os, shutil\nshutil.copy('mine.py', os.path.join(os.path.dirname(course.__file__), 'x.py'))",
        False,
        "to a path into the installed packages, with shutil.copy()",
    ),
    ("import sys\nopen(sys.prefix + '/lib/x.py', 'w')", False, "to a path into the installed packages"),
    (
        "import site\nopen(site.getsitepackages()[0] + '/course/x.py', 'w')",
        False,
        "into the installed packages",
    ),
    ("root = '/srv'\nopen(root + '/x', 'w')", False, "to an absolute path"),
    # rebinding
    ("course.check = lambda *a: None", False, "replaces course.check (rebinds part of the course package"),
    (
        "import course.exercises.probing as p\np.run = lambda *a: []",
        False,
        "replaces p.run (course.exercises.probing.run: rebinds part of the course package",
    ),
    ("from course import tensors as t\nt.naive_matmul = f", False, "replaces t.naive_matmul (course.tensors"),
    ("from course.exercises import probing\nprobing.run = f", False, "replaces probing.run"),
    (
        "ex = course.exercises\nex.engine.evaluate = f",
        False,
        "replaces ex.engine.evaluate (course.exercises.engine",
    ),
    ("import course.exercises.probing as p\nsetattr(p, 'run', f)", False, "changes p.run with setattr()"),
    ("delattr(course, 'check')", False, "changes course.check with delattr()"),
    ("del course.exercises.registry._REGISTRY['00.1']", False, "deletes course.exercises.registry._REGISTRY"),
    ("def answer(x):\n    return x\nanswer.__code__ = other.__code__", False, "replaces answer.__code__"),
    ("setattr(answer, '__code__', other.__code__)", False, "replaces answer.__code__ with setattr()"),
    ("import builtins\nbuiltins.len = lambda x: 0", False, "replaces builtins.len (builtins)"),
    ("__builtins__['len'] = fake", False, "replaces __builtins__['len'] (builtins)"),
    ("import sys\nsys.modules['course.exercises.probing'] = fake", False, "replaces a module in sys.modules"),
    ("import sys\nsys.modules['course.exercises.probing'].run = f", False, "(course.exercises.probing.run:"),
    # unreadable code
    ("x = course" + ".part" * 1500, False, "nested too deeply for the review to read"),
]

# A cell the course notebook binds names in, as the report sees it.
BOUND_ELSEWHERE = {"tensor_ops": "course.tensor_ops", "forward": "course.autodiff.forward"}

HONEST = [
    ("def f(x):\n    return x * 2\n", True),
    ("with open('results.csv', 'w') as f:\n    f.write('x')", False),
    ("from pathlib import Path\nPath('work/notes.txt').write_text('hi')", False),
    ("model.save(course.workdir() / 'model.keras')", False),
    ("print(open('/etc/hostname').read())", False),
    ("import os\nos.makedirs('work/checkpoints', exist_ok=True)", False),
    ("import shutil\nshutil.copy('a.txt', 'b.txt')", False),
    ("import glob\nsorted(glob.glob('*.png'))", False),
    ("for path in sorted(folder.iterdir()):\n    print(path.name)", False),
    ("print('/usr/local/bin'.replace('local', 'x'))", False),
    ("layers = keras.layers\nlayers.Dense(3)", True),
    ("np.stack([a, b], axis=1)", True),
    (
        "class Net(keras.Model):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        for i in range(3):\n"
        "            setattr(self, f'dense_{i}', layers.Dense(4))\n\n"
        "    def call(self, x):\n"
        "        for i in range(3):\n"
        "            x = getattr(self, f'dense_{i}')(x)\n"
        "        return x\n",
        True,
    ),
    ("import gc\ngc.collect()", False),
    ("import time\ntime.sleep(0.1)", False),
    ("import threading\nprint(threading.active_count())", False),
    ("import inspect\nprint(inspect.signature(f))", False),
    ("import sys\nprint(sys.version)", False),
    ("rng = np.random.default_rng(0)\nchildren = rng.spawn(2)", True),
    ("model.fit(x, y, epochs=course.pick(1, 3), verbose=0)", True),
    ("from course.exercises import quiz\nquiz('00.q1')", False),
    ("course.progress()", False),
    ("history.events = []\nmodel.modules", False),
    ("model.compile(optimizer='sgd', loss='mse')", False),
    ("%timeit sum(range(3))", False),
    ("%matplotlib inline", False),
    ("from course.tensor_ops import naive_relu", False),
    ("z = tensor_ops.naive_vector_dot(x[0], y[:, 0])", True),
    ("def forward(x, layers):\n    return x\nforward.calls = 0", True),
    ("df.rename(columns={'a': 'b'})", False),
    ("sys.exit()", False),
]


def solution_answers():
    """``(label, code)`` of every answer in ``solutions/``: each whole answer cell, and each block between its markers."""
    for path in SOLUTIONS:
        for number, cell in enumerate(code_cells(path), start=1):
            if "# BEGIN SOLUTION" not in cell.source:
                continue
            yield f"{path.stem} cell {number}", cell.source
            blocks = re.findall(r"# BEGIN SOLUTION\n(.*?)# END SOLUTION", cell.source, flags=re.S)
            for block_number, block in enumerate(blocks, start=1):
                yield f"{path.stem} cell {number} block {block_number}", textwrap.dedent(block)


def course_bindings(stem):
    return review.course_bindings(
        {c.source.strip() for c in code_cells(ROOT / "notebooks" / f"{stem}.ipynb")}
    )


ANSWERS = list(solution_answers())


def test_every_solution_answer_is_read():
    assert len(ANSWERS) > 2 * 45  # every answer cell of the nine notebooks, and its blocks
    for _, code in ANSWERS:
        ast.parse(code)  # read, not skipped as unparsable


@pytest.mark.parametrize("source, answer_cell, expected", ATTACKS)
def test_each_attack_is_named(source, answer_cell, expected):
    found = review.cell_findings(source, answer_cell=answer_cell)
    assert any(expected in line for line in found), (source, found)


@pytest.mark.parametrize("source, answer_cell", HONEST)
def test_honest_code_is_left_alone(source, answer_cell):
    assert review.cell_findings(source, answer_cell, BOUND_ELSEWHERE) == []


@pytest.mark.parametrize("label, code", ANSWERS, ids=[label for label, _ in ANSWERS])
def test_the_solutions_answers_are_left_alone(label, code):
    stem = label.split()[0]
    assert review.cell_findings(code, answer_cell=True, bound_elsewhere=course_bindings(stem)) == []


VERBS = (
    "imports",
    "uses",
    "reads",
    "loads",
    "lists",
    "runs",
    "calls",
    "starts",
    "defines",
    "schedules",
    "raises",
    "writes",
    "replaces",
    "deletes",
    "changes",
    "names",
    "holds",
)


def test_every_finding_says_what_was_done_and_why_it_matters():
    lines = [line for source, answer, _ in ATTACKS for line in review.cell_findings(source, answer)]
    assert len(lines) > len(ATTACKS)
    for line in lines:
        verb, _, rest = line.partition(" ")
        assert verb in VERBS and rest, line  # what was done, named first
        assert "(" in rest and rest.endswith(")") or "): " in rest, line  # why it matters
        assert "\n" not in line and len(line) < 200, line  # one short line


def test_the_report_numbers_the_students_cells_and_follows_the_course_notebooks_names():
    course_nb = nbformat.read(ROOT / "notebooks" / "02_tensor_ops.ipynb", as_version=4)
    sources = {c.source.strip() for c in course_nb.cells if c.cell_type == "code"}
    own = next(c.source for c in course_nb.cells if c.cell_type == "code" and "tensor_ops" in c.source)
    cells = [nbformat.v4.new_code_cell(s) for s in (own, "tensor_ops.naive_vector_dot = np.dot", "import os")]
    plan = SimpleNamespace(notebook=SimpleNamespace(cells=cells), cell_numbers=[1, 2, 3])
    assert review.report(plan, sources, answer_numbers={2}) == [
        "cell 2: replaces tensor_ops.naive_vector_dot (course.tensor_ops.naive_vector_dot: "
        "rebinds part of the course package, which the checks rely on)"
    ]
