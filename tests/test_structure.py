"""The package's structure: imports go one way, so each module can be read (and changed) on its own.

The import graph is read from the source (every ``import``, at module level or inside a
function): it must have no circle anywhere in ``course``, and inside ``course.exercises``
each module may import only the modules of the layers below its own (:data:`LAYERS`).
"""

import ast

from .helpers import ROOT

PACKAGE = ROOT / "course"
# course.exercises from the bottom up: a module imports only from earlier layers.
LAYERS = [
    {"core", "plain"},
    {"registry"},
    {"limits", "shortcuts", "sources"},
    {"probing"},
    {"judging.expect"},
    {"judging"},
    {"rendering"},
    {"store"},
    {"quizzes"},
    {"engine"},
    {"__init__"},
]
# Each notebook's modules sit between quizzes and engine (the judging package and the registry
# import them by name, with importlib, on a look-up): its judges may use its exercises' helpers.
NOTEBOOK_LAYERS = {"checks.nb": 8.25, "judging.nb": 8.5}


def module_of(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports(path):
    """The ``course`` modules that the file at ``path`` imports (absolute names, resolved)."""
    name = module_of(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names}
    return {f for f in found if f == "course" or f.startswith("course.")}


def graph():
    files = {module_of(p): p for p in PACKAGE.rglob("*.py")}
    edges = {}
    for name, path in files.items():
        edges[name] = {t for t in imports(path) if t in files and t != name}
    return edges


def circles(edges):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_circle_anywhere_in_the_package():
    edges = graph()
    # A package imports its own modules' names through __init__: count only the modules' own imports.
    for name in edges:
        edges[name] = {t for t in edges[name] if not name.startswith(t + ".")}
    assert circles(edges) == []


def layer_of(short):
    for start, number in NOTEBOOK_LAYERS.items():
        if short.startswith(start):
            return number
    for number, layer in enumerate(LAYERS):
        if short in layer:
            return number
    raise AssertionError(f"course.exercises.{short} is in no layer of tests/test_structure.py")


def test_the_exercise_engine_imports_only_down():
    prefix = "course.exercises"
    wrong = []
    for name, targets in graph().items():
        if not name.startswith(prefix + "."):
            continue
        short = name[len(prefix) + 1 :]
        for target in targets:
            if target.startswith(prefix + ".") and not short.startswith(target[len(prefix) + 1 :] + "."):
                other = target[len(prefix) + 1 :]
                if layer_of(other) >= layer_of(short):
                    wrong.append(f"{short} imports {other}")
    assert wrong == []


def test_the_graph_reader_sees_circles():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []
