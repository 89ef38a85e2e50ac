"""The tamper report: what in a student's cells a teacher should look at before giving marks.

Only the cells a student wrote or changed are read (a cell whose code is one of
the course notebook's own cells is skipped). Their code is parsed, IPython's
``%``/``!`` syntax included, and these are listed with the cell number:

* the course's checking machinery touched: ``course.exercises`` internals,
  ``course.check`` or ``course.tools`` replaced;
* ``sys.modules``, ``builtins``, IPython's hooks, frames and the garbage
  collector, ``ctypes``: ways to reach or replace the checks from inside;
* code the review cannot read (``exec``, ``eval``, ``compile``, ``__import__``);
* new processes and signals (``subprocess``, ``os.system``, ``fork``, ``kill``);
* the grader's export folder named;
* in an exercise's answer cell, the course package's own functions (the
  reference implementations).

A line in this report is a reason to look, not a verdict.
"""

import ast

from .blueprint import GRADER_CELL

EXPORT_FOLDER_NAME = "grader-export"
ALLOWED_FROM_EXERCISES = {"quiz", "progress", "hints", "check"}
PUBLIC = {"check", "pick", "progress", "quiz", "seed_everything", "settings", "setup", "workdir"}
ESCAPES = {
    "builtins": "builtins",
    "__builtins__": "builtins",
    "get_ipython": "IPython's hooks",
    "input_transformers_post": "IPython's hooks",
    "input_transformers_cleanup": "IPython's hooks",
    "ast_transformers": "IPython's hooks",
    "set_custom_exc": "IPython's hooks",
    "_getframe": "frames",
    "f_back": "frames",
    "f_globals": "frames",
    "f_locals": "frames",
    "get_objects": "the garbage collector",
    "get_referrers": "the garbage collector",
    "ctypes": "ctypes",
    "_REGISTRY": "the exercise registry",
}
OPAQUE = {"exec", "eval", "compile", "__import__"}
# Names under which student code may hold the course or its checking machinery.
MACHINERY = {
    "course",
    "core",
    "registry",
    "limits",
    "shortcuts",
    "probing",
    "judging",
    "plain",
    "rendering",
    "store",
    "quizzes",
    "engine",
    "tools",
}
PROCESSES = {
    "subprocess",
    "system",
    "popen",
    "fork",
    "forkpty",
    "setsid",
    "kill",
    "killpg",
    "spawnv",
    "execv",
}


def _python(source):
    """A cell's code as Python (IPython's magics and shell escapes turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _dotted(node):
    """``a.b.c`` for an attribute chain on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _import_findings(node, answer_cell):
    names = [alias.name for alias in node.names]
    module = node.module if isinstance(node, ast.ImportFrom) else None
    found = []
    for name in names:
        full = f"{module}.{name}" if module else name
        if full.startswith(("course.exercises", "course.tools")):
            if not (module and module.startswith("course.exercises") and name in ALLOWED_FROM_EXERCISES):
                found.append(f"imports {full} (the checking machinery)")
        elif answer_cell and full.startswith("course.") and name not in PUBLIC:
            found.append(f"imports {full} from the course package in an exercise's answer")
        root = full.split(".")[0]
        if root in ESCAPES or root in {"sys", "gc", "inspect"} and module and name in ESCAPES:
            found.append(f"imports {full} ({ESCAPES.get(root) or ESCAPES[name]})")
        if full == "sys.modules":
            found.append("imports sys.modules")
        if root in {"subprocess", "multiprocessing", "signal"}:
            found.append(f"imports {full} (starts processes or sends signals)")
    return found


def cell_findings(source, answer_cell=False):
    """What a teacher should look at in one cell's code (a list of short texts)."""
    try:
        tree = ast.parse(_python(source))
    except (SyntaxError, ValueError, RecursionError):
        return []  # it raised when it ran; nothing else ran from it
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found += _import_findings(node, answer_cell)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                name = _dotted(target) if isinstance(target, ast.Attribute) else None
                if name and name.split(".")[0] in MACHINERY:
                    found.append(f"replaces {name}")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func) or ""
            last = node.func.attr if isinstance(node.func, ast.Attribute) else name
            if last in OPAQUE and (isinstance(node.func, ast.Name) or name.startswith("builtins.")):
                found.append(f"runs code through {last}() (the review cannot read it)")
            if (
                last in {"setattr", "delattr"}
                and node.args
                and (_dotted(node.args[0]) or "").startswith("course")
            ):
                found.append(f"changes {_dotted(node.args[0])} with {last}()")
            if last in {"system", "getoutput"} and "get_ipython" in ast.dump(node.func):
                found.append("runs a shell command (starts processes)")
            elif last in PROCESSES or name.startswith("subprocess."):
                found.append(f"calls {name} (starts processes or sends signals)")
        elif isinstance(node, (ast.Attribute, ast.Name)):
            word = node.attr if isinstance(node, ast.Attribute) else node.id
            if word == "get_ipython" and word not in source:
                continue  # written as a magic or a shell escape, which IPython turns into this call
            name = _dotted(node) or ""
            if word in ESCAPES:
                found.append(f"uses {word} ({ESCAPES[word]})")
            elif name == "sys.modules" or name.endswith(".sys.modules"):
                found.append("uses sys.modules")
            parts = name.split(".")
            if parts[0] == "course" and len(parts) > 1:
                if parts[1] in {"exercises", "tools"}:
                    found.append(f"uses {'.'.join(parts[:3])} (the checking machinery)")
                elif answer_cell and parts[1] not in PUBLIC:
                    found.append(
                        f"uses {'.'.join(parts[:3])} from the course package in an exercise's answer"
                    )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if EXPORT_FOLDER_NAME in node.value:
                found.append("names the grader's files")
    return list(dict.fromkeys(found))


def report(plan, course_sources, answer_numbers):
    """``["cell 12: replaces course.check", ...]`` for the student's cells of a restored plan.

    ``course_sources``: the code of every cell of the course's own copy (skipped);
    ``answer_numbers``: the cell numbers (from 1) that hold an exercise's answer.
    """
    lines = []
    for cell, number in zip(plan.notebook.cells, plan.cell_numbers):
        if number is None or cell.cell_type != "code" or GRADER_CELL in cell.metadata:
            continue
        if cell.source.strip() in course_sources:
            continue
        for finding in cell_findings(cell.source, answer_cell=number in answer_numbers):
            lines.append(f"cell {number}: {finding}")
    return lines
