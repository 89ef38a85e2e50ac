"""The tamper report: what in a student's cells a teacher should look at before giving marks.

Only the cells a student wrote or changed are read (a cell whose code is one of
the course notebook's own cells is skipped). Their code is parsed, IPython's
``%``/``!`` syntax included, and each line says what a cell did and why it
matters. Names are followed through the cell's own imports and assignments
(``import course.exercises.probing as p; p.run = f`` is ``course.exercises.probing.run``
replaced) and through the names the course notebook binds (``tensor_ops``). Listed:

* the checking machinery reached, however spelled: ``course.exercises`` or
  ``course.tools`` imported or used (``quiz``, ``progress``, ``hints``, ``check``
  are public), ``importlib.import_module`` or ``__import__`` with a built name or a
  course module, ``getattr`` with a built name (but on ``self``) or on the
  course, modules loaded from files (``importlib.util``, ``runpy``,
  ``importlib.reload``);
* ways around Python's rules: ``sys.modules``, ``builtins``, IPython's hooks,
  frames (``sys._getframe``, ``inspect.currentframe``, ``f_back``, ``tb_frame``,
  ...), the garbage collector, trace and import hooks, ``ctypes``, the exercise
  registry;
* the installed course's files: ``course.__file__``/``__path__``, ``pkgutil``,
  ``importlib.resources``, ``os.walk``/``glob``/``rglob`` on a path into the
  installed packages;
* code the review cannot read (``exec``, ``eval``, ``compile``), or too deeply
  nested to read;
* signals and timers (``signal.signal``, ``alarm``, ``setitimer``,
  ``pthread_sigmask``, ``faulthandler``, ``threading.Timer``);
* code that runs beside the checks: threads (``threading.Thread``, ``_thread``,
  ``concurrent.futures`` executors), asyncio tasks and callbacks;
* new processes and signals sent (``subprocess``, ``os.system``, ``fork``,
  ``exec*``, ``spawn*``, ``multiprocessing``, ``pty``, ``kill``, shell escapes and
  shell magics); in an exercise's answer, ``sys.exit``/``os._exit``/``SystemExit``;
* writes outside the working folder: ``open(..., "w")``, ``Path.write_text`` and
  the like, ``shutil`` and ``os`` file changes, on an absolute path, a path with
  ``..`` or a path into the installed packages (``__file__``, ``sys.prefix``,
  ``site``);
* rebinding: an attribute of the course (``course.check = ...``,
  ``setattr(course..., ...)``, ``del``), a builtin, a module in ``sys.modules``,
  any function's ``__code__``;
* in an exercise's answer cell, the course package's own functions (the
  reference implementations).

A line in this report is a reason to look, not a verdict.
"""

import ast
from dataclasses import dataclass
from pathlib import PurePosixPath

from .blueprint import GRADER_CELL

ALLOWED_FROM_EXERCISES = {"quiz", "progress", "hints", "check"}
PUBLIC = {"check", "pick", "progress", "quiz", "seed_everything", "settings", "setup", "workdir"}
COURSE_REASON = "rebinds part of the course package, which the checks rely on"
DEEP = "holds code nested too deeply for the review to read (look at it by hand)"

# A dotted name (or one part of it) that reaches past Python's usual rules: its kind.
ESCAPES = {
    "builtins": "builtins",
    "__builtins__": "builtins",
    "get_ipython": "IPython's hooks",
    "input_transformers_post": "IPython's hooks",
    "input_transformers_cleanup": "IPython's hooks",
    "ast_transformers": "IPython's hooks",
    "set_custom_exc": "IPython's hooks",
    "_getframe": "frames",
    "currentframe": "frames",
    "getouterframes": "frames",
    "inspect.stack": "frames",
    "inspect.trace": "frames",
    "f_back": "frames",
    "f_globals": "frames",
    "f_locals": "frames",
    "tb_frame": "frames",
    "gi_frame": "frames",
    "cr_frame": "frames",
    "get_objects": "the garbage collector",
    "get_referrers": "the garbage collector",
    "get_referents": "the garbage collector",
    "settrace": "trace hooks",
    "setprofile": "trace hooks",
    "meta_path": "import hooks",
    "path_hooks": "import hooks",
    "sys.modules": "every loaded module",
    "pkgutil": "the installed packages' files",
    "importlib.resources": "the installed packages' files",
    "ctypes": "ctypes",
    "_REGISTRY": "the exercise registry",
}
# Why each kind matters.
REASONS = {
    "builtins": "replacing one changes it for every piece of code, the checks included",
    "IPython's hooks": "they can change how every later cell runs, the checks included",
    "frames": "walking the call stack reaches the checking machinery's variables",
    "the garbage collector": "it hands out any live object, the checking machinery's included",
    "trace hooks": "they see and can change every function call, the checks' included",
    "import hooks": "they can swap a module as it is imported",
    "every loaded module": "the checking machinery can be reached or swapped there",
    "the installed packages' files": "a way to find and read the course's checks",
    "ctypes": "it writes memory directly, past Python's rules",
    "the exercise registry": "where the checks are kept",
}


def _words(text, prefix=""):
    """``{"os.walk", "os.listdir"}`` from ``"walk listdir", "os."``: the tables below, written short."""
    return {prefix + word for word in text.split()}


OPAQUE = _words("exec eval compile") | _words("exec eval compile", "builtins.")
IMPORTERS = {"importlib.import_module", "__import__", "builtins.__import__"}
LOADERS = _words(
    "reload util.spec_from_file_location util.module_from_spec machinery.SourceFileLoader", "importlib."
)
LOADERS |= _words("run_path run_module", "runpy.")
ATTRIBUTE_SETTERS = _words("setattr delattr __setattr__ __delattr__")
CODE_ATTRIBUTES = _words("__code__ __defaults__ __kwdefaults__")
# Names under which student code may hold the course or its checking machinery, from another cell.
EXERCISE_MODULES = _words(
    "core registry limits shortcuts probing judging plain rendering store quizzes engine"
)
MACHINERY = {"course": "course", "tools": "course.tools"} | {
    m: f"course.exercises.{m}" for m in EXERCISE_MODULES
}
SIGNALS = _words(
    "signal alarm setitimer pthread_sigmask pthread_kill siginterrupt set_wakeup_fd raise_signal", "signal."
)
SIGNALS |= {"threading.Timer"}
THREADS = {"threading.Thread", "_thread.start_new_thread", "_thread.start_new"}
THREADS |= _words("ThreadPoolExecutor ProcessPoolExecutor", "concurrent.futures.")
ASYNCIO = _words("create_task ensure_future get_event_loop get_running_loop new_event_loop", "asyncio.")
ASYNCIO |= _words("run_coroutine_threadsafe to_thread", "asyncio.")
LOOP_METHODS = _words("create_task call_soon call_soon_threadsafe call_later call_at run_in_executor")
PROCESSES = _words("subprocess system popen fork forkpty setsid kill killpg spawnv execv")
PROCESS_MODULES = _words("subprocess multiprocessing pty _posixsubprocess")
SHELL_MAGICS = _words("bash sh script system sx perl ruby python python2 python3 pypy")
EXITS = _words("sys.exit os._exit os.abort exit quit builtins.exit builtins.quit")
EXIT_EXCEPTIONS = _words("SystemExit KeyboardInterrupt") | _words("SystemExit KeyboardInterrupt", "builtins.")
OPENERS = _words("open io.open builtins.open")
FILE_CHANGERS = _words(
    "remove unlink rename renames replace rmdir removedirs mkdir makedirs symlink link", "os."
)
FILE_CHANGERS |= _words("truncate chmod", "os.") | _words(
    "copy copy2 copyfile copytree move rmtree", "shutil."
)
PATH_WRITERS = _words("write_text write_bytes touch mkdir unlink rmdir rename symlink_to hardlink_to")
WALKERS = _words("os.walk os.fwalk os.listdir os.scandir glob.glob glob.iglob")
PATH_WALKERS = _words("rglob glob iterdir walk")
# Calls and attributes a path goes through and keeps its start: ``Path("/etc") / "x"`` starts at "/etc".
PATH_BUILDERS = _words("Path PurePath PosixPath join abspath expanduser normpath realpath dirname fspath str")
PATH_METHODS = _words("joinpath with_name with_suffix resolve absolute expanduser parent parents")
# Where the installed packages, the course among them, lie on disk.
LOCATION_ATTRIBUTES = _words("__file__ __path__ __spec__ __loader__")
INSTALL_PLACES = _words("prefix exec_prefix base_prefix base_exec_prefix path executable", "sys.")
INSTALL_PLACES |= _words("site sysconfig pkgutil importlib.resources")
INSTALLED = "a path into the installed packages"
ABSOLUTE = "an absolute path"
PARENT = "a path above the working folder (..)"


@dataclass
class Cell:
    """One cell's code as the review reads it."""

    source: str
    answer: bool  # the cell holds an exercise's answer
    aliases: dict  # what the cell's own names stand for: {"p": "course.exercises.probing", "x": None}
    known: dict  # the same, over the names other cells may hold parts of the course under
    places: dict  # names holding a path outside the working folder: {"root": INSTALLED}
    inner: set  # ids of the nodes that only start a longer dotted name (``course`` in ``course.check``)

    def name(self, node):
        """The dotted name ``node`` stands for in this cell, else None."""
        return _qualified(node, self.aliases)


def _python(source):
    """A cell's code as Python (IPython's magics and shell escapes turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _parse(source):
    """A cell's syntax tree, or None when it does not parse (then it raised when it ran)."""
    try:
        return ast.parse(_python(source))
    except (SyntaxError, ValueError, RecursionError):
        return None


def _constant(node):
    """The text of a string constant, else None."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _last(name):
    return name.rsplit(".", 1)[-1] if name else None


def _cut(text):
    """``text`` cut short for a one-line report."""
    return text if len(text) <= 60 else text[:57] + "..."


def _shown(node):
    """A node's code as written, cut short."""
    return _cut(ast.unparse(node))


def _qualified(node, aliases):
    """The dotted name an expression stands for (``p.run`` -> ``course.exercises.probing.run``), else None.

    Follows ``aliases``, ``import_module("x")``, ``__import__("x")``, ``getattr(o, "x")`` and ``sys.modules["x"]``.
    """
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        base = _qualified(node.value, aliases)
        return base and f"{base}.{node.attr}"
    if isinstance(node, ast.Subscript) and _qualified(node.value, aliases) == "sys.modules":
        return _constant(node.slice)
    if isinstance(node, ast.Call) and node.args:
        function, first = _qualified(node.func, aliases), _constant(node.args[0])
        if function in IMPORTERS:
            return first
        if function == "getattr" and len(node.args) > 1 and _constant(node.args[1]):
            base = _qualified(node.args[0], aliases)
            return base and f"{base}.{_constant(node.args[1])}"
    return None


def _import_names(node):
    """The full dotted names an import line imports: ``from a.b import c`` imports ``a.b.c``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return [f"{node.module}.{alias.name}" for alias in node.names] if node.module and not node.level else []


def _bound(node):
    """``{bound name: what it stands for}`` of an import line: ``import a.b`` binds ``a``, ``import a.b as c`` binds ``c``."""
    if isinstance(node, ast.ImportFrom):
        names = [alias.asname or alias.name for alias in node.names]
        return {name: full for name, full in zip(names, _import_names(node)) if name != "*"}
    return {
        alias.asname or alias.name.split(".")[0]: alias.name if alias.asname else alias.name.split(".")[0]
        for alias in node.names
    }


def _aliases(tree):
    """What each name the cell binds stands for: ``{"p": "course.exercises.probing", "f": None}``."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            aliases.update(_bound(node))
        elif isinstance(node, ast.Assign):
            value = _qualified(node.value, aliases)
            aliases.update({t.id: value for t in node.targets if isinstance(t, ast.Name)})
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            aliases[node.name] = None
    return aliases


def _inner(tree):
    """The nodes that only start a longer dotted name, by id (``course`` in ``course.check``)."""
    return {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}


def _read(tree, source, answer_cell, bound_elsewhere):
    aliases = _aliases(tree)
    known = {**MACHINERY, **bound_elsewhere, **aliases}
    cell = Cell(source, answer_cell, aliases, known, {}, _inner(tree))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and (where := _where(node.value, cell)):
            cell.places.update({t.id: where for t in node.targets if isinstance(t, ast.Name)})
    return cell


# ---------------------------------------------------------------------------
# Where a path leads
# ---------------------------------------------------------------------------


def _into_packages(node, cell):
    """Whether a path expression is built from where the installed packages lie (``course.__file__``, ``sys.prefix``)."""
    for part in ast.walk(node):
        name = cell.name(part) if isinstance(part, (ast.Name, ast.Attribute)) else None
        if isinstance(part, ast.Attribute) and part.attr in LOCATION_ATTRIBUTES:
            return True
        if name and any(name == place or name.startswith(place + ".") for place in INSTALL_PLACES):
            return True
        if any(folder in (_constant(part) or "") for folder in ("site-packages", "dist-packages")):
            return True
        if isinstance(part, ast.Name) and cell.places.get(part.id) == INSTALLED:
            return True
    return False


def _path_start(node, cell):
    """The part a path expression starts from: ``"/etc"`` in ``Path("/etc") / name`` or ``f"/etc/{name}"``."""
    while True:
        if isinstance(node, ast.BinOp):
            node = node.left
        elif isinstance(node, ast.JoinedStr) and node.values:
            node = node.values[0]
        elif isinstance(node, ast.FormattedValue):
            node = node.value
        elif isinstance(node, ast.Attribute) and node.attr in PATH_METHODS:
            node = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in PATH_METHODS
        ):
            node = node.func.value
        elif isinstance(node, ast.Call) and node.args and _last(cell.name(node.func)) in PATH_BUILDERS:
            node = node.args[0]
        else:
            return node


def _climbs(node):
    """Whether a path expression holds a ``..`` step."""
    return any(".." in PurePosixPath(_constant(part) or "").parts for part in ast.walk(node))


def _where(node, cell):
    """Where a path expression leads when that is outside the working folder, else None."""
    if _into_packages(node, cell):
        return INSTALLED
    start = _path_start(node, cell)
    if isinstance(start, ast.Name) and start.id in cell.places:
        return cell.places[start.id]
    home = isinstance(start, ast.Call) and (cell.name(start.func) or "").endswith("Path.home")
    if home or (_constant(start) or "").startswith(("/", "~")):
        return ABSOLUTE
    return PARENT if _climbs(node) else None


# ---------------------------------------------------------------------------
# What a name reaches
# ---------------------------------------------------------------------------


def _course_reason(name, answer_cell):
    """Why reaching the dotted ``name`` matters: the checking machinery, or in an answer the course's own code."""
    parts = name.split(".")
    if parts[0] != "course" or len(parts) < 2:
        return None
    if parts[1] in {"exercises", "tools"}:
        public = parts[1] == "exercises" and len(parts) > 2 and parts[2] in ALLOWED_FROM_EXERCISES
        return None if public else "(the checking machinery)"
    if answer_cell and parts[1] not in PUBLIC:
        return "from the course package in an exercise's answer (it may hand in the course's own code)"
    return None


def _escape(name):
    """The ESCAPES entry a dotted name reaches (``sys.modules`` in ``os.sys.modules``), else None."""
    dotted = f".{name}."
    return next((key for key in ESCAPES if f".{key}." in dotted), None)


def _escape_line(how, key):
    return f"{how} {key} ({ESCAPES[key]}): {REASONS[ESCAPES[key]]}"


# ---------------------------------------------------------------------------
# Finders: one node and its cell in, the lines for a teacher out
# ---------------------------------------------------------------------------


def _imports(node, cell):
    """An import of the checking machinery, of an escape, of a process module, or of the course in an answer."""
    found = []
    for full in _import_names(node):
        reason = _course_reason(full, cell.answer)
        if reason:
            found.append(f"imports {_cut(full)} {reason}")
        if key := _escape(full):
            found.append(_escape_line("imports", key))
        if full.split(".")[0] in PROCESS_MODULES | {"signal"}:
            found.append(f"imports {_cut(full)} (starts processes or sends signals)")
    return found


def _course_uses(node, cell):
    """``course.exercises...`` read, however the cell spelled it; in an answer, the course's own code."""
    if id(node) in cell.inner:
        return []
    short = ".".join((cell.name(node) or "").split(".")[:3])
    reason = _course_reason(short, cell.answer)
    return [f"uses {_cut(short)} {reason}"] if reason else []


def _escape_uses(node, cell):
    """A name that reaches past Python's rules: ``sys.modules``, ``builtins``, frames, the garbage collector, ..."""
    word = node.attr if isinstance(node, ast.Attribute) else node.id
    if word == "get_ipython" and word not in cell.source:
        return []  # written as a magic or a shell escape, which IPython turns into this call
    key = _escape(cell.name(node) or word)
    return [_escape_line("uses", key)] if key else []


def _course_location(node, cell):
    """``course.__file__``, ``__path__``, ...: where the course's code lies on disk."""
    name = cell.name(node) or ""
    if node.attr in LOCATION_ATTRIBUTES and name.split(".")[0] == "course":
        return [f"reads {_cut(name)} (where the course's code, its checks included, lies on disk)"]
    return []


def _rebinding(node, cell):
    """An assignment to (or ``del`` of) a part of the course, a builtin, a module in ``sys.modules``, a ``__code__``."""
    if not isinstance(node.ctx, (ast.Store, ast.Del)):
        return []
    verb = "deletes" if isinstance(node.ctx, ast.Del) else "replaces"
    shown = _shown(node)
    name = _qualified(node.value if isinstance(node, ast.Subscript) else node, cell.known) or ""
    root = name.split(".")[0]
    if isinstance(node, ast.Attribute) and node.attr in CODE_ATTRIBUTES:
        return [f"{verb} {shown} (swaps a function's code while it keeps its name)"]
    if name == "sys.modules" or name.endswith(".sys.modules"):
        return [f"{verb} a module in sys.modules (every later import of it gets the replacement)"]
    if root in {"builtins", "__builtins__"}:
        return [f"{verb} {shown} (builtins): {REASONS['builtins']}"]
    if root == "course":
        also = "" if shown.startswith(name) else f"{_cut(name)}: "
        return [f"{verb} {shown} ({also}{COURSE_REASON})"]
    return []


def _attribute_setters(node, cell):
    """``setattr``/``delattr`` on the course or a builtin, or to swap a ``__code__``."""
    function = _last(cell.name(node.func)) or ""
    if function not in ATTRIBUTE_SETTERS or not node.args:
        return []
    target = node.args[0]
    name = _qualified(target, cell.known) or ""
    attribute = _constant(node.args[1]) if len(node.args) > 1 else None
    if attribute in CODE_ATTRIBUTES:
        return [f"replaces {_shown(target)}.{attribute} with {function}() (swaps a function's code)"]
    root, shown = name.split(".")[0], _shown(target) + (f".{attribute}" if attribute else "")
    if root == "course":
        return [f"changes {shown} with {function}() ({COURSE_REASON})"]
    if root in {"builtins", "__builtins__"}:
        return [f"changes {shown} with {function}() (builtins): {REASONS['builtins']}"]
    return []


def _opaque_code(node, cell):
    name = cell.name(node.func)
    return [f"runs code through {_last(name)}() (the review cannot read it)"] if name in OPAQUE else []


def _dynamic_imports(node, cell):
    """``importlib.import_module``/``__import__`` with a built name, or naming the checking machinery."""
    function = cell.name(node.func)
    if function not in IMPORTERS or not node.args:
        return []
    module = _constant(node.args[0])
    if module is None:
        course = any((_constant(part) or "").startswith("course") for part in ast.walk(node.args[0]))
        what = "course internals" if course else "a module"
        return [
            f"imports {what} through {function} with a built name "
            "(the review cannot tell which: a way to reach the checking machinery)"
        ]
    reason = _course_reason(module, cell.answer)
    return [f"imports {_cut(module)} through {function} {reason}"] if reason else []


def _built_attributes(node, cell):
    """``getattr(x, <built name>)`` (not on ``self``), or ``getattr`` on the course."""
    if cell.name(node.func) != "getattr" or len(node.args) < 2:
        return []
    target = node.args[0]
    if _constant(node.args[1]) is None and not (
        isinstance(target, ast.Name) and target.id in {"self", "cls"}
    ):
        return [
            "reads an attribute through getattr() with a built name "
            "(the review cannot tell which: a way to reach the checking machinery)"
        ]
    name = cell.name(node) or ""
    if name.split(".")[0] == "course":
        reason = (
            _course_reason(name, cell.answer) or "(a spelling that hides which part of the course it reaches)"
        )
        return [f"reads {_cut(name)} through getattr() {reason}"]
    return []


def _loaders(node, cell):
    name = cell.name(node.func)
    return [f"loads code with {name} (an import the review cannot follow)"] if name in LOADERS else []


def _signals(node, cell):
    """Signal handlers, alarms, interval timers, blocked signals, ``faulthandler``, ``threading.Timer``."""
    name = cell.name(node.func) or ""
    if name in SIGNALS or name.startswith("faulthandler."):
        return [f"calls {_cut(name)} (a signal or timer: it can interrupt the checks or fire during them)"]
    return []


def _threads(node, cell):
    """Threads and executors started: the student's code running beside the checks."""
    name = cell.name(node.func)
    if name in THREADS:
        return [f"starts {name} (the student's code keeps running beside the checks)"]
    return []


def _thread_classes(node, cell):
    """A class built on ``threading.Thread`` or ``multiprocessing.Process``."""
    bases = [cell.name(base) or "" for base in node.bases]
    runners = [b for b in bases if b in THREADS or b.split(".")[0] in PROCESS_MODULES]
    return [
        f"defines a subclass of {_cut(b)} (the student's code can run beside the checks)" for b in runners
    ]


def _asyncio_work(node, cell):
    """Tasks, loops and callbacks that run on after the cell that started them."""
    name = cell.name(node.func) or ""
    method = node.func.attr if isinstance(node.func, ast.Attribute) else None
    if name in ASYNCIO or method in LOOP_METHODS:
        return [
            f"schedules work with {_cut(name or method)} (an asyncio task or callback that can run during the checks)"
        ]
    return []


def _processes(node, cell):
    """New processes and signals sent: ``subprocess``, ``os.system``, ``fork``, ``exec*``, ``spawn*``, ``kill``, ..."""
    if _ipython_method(node):
        return []  # a shell escape or a magic: see _shell
    name = cell.name(node.func) or _last(ast.unparse(node.func))
    last, root = _last(name), name.split(".")[0]
    spawns = root in {"os", "posix"} and last.startswith(("exec", "spawn", "posix_spawn"))
    if last in PROCESSES or root in PROCESS_MODULES or spawns:
        return [f"calls {_cut(name)} (starts processes or sends signals)"]
    return []


def _ipython_method(node):
    """``"system"`` for ``get_ipython().system(...)`` (what ``!ls`` becomes), else None."""
    if isinstance(node.func, ast.Attribute) and "get_ipython" in ast.dump(node.func.value):
        return node.func.attr
    return None


def _shell(node, cell):
    """``!command``, ``%system``, ``%%bash`` and the like, which IPython turns into ``get_ipython()`` calls."""
    method = _ipython_method(node) or ""
    magic = _constant(node.args[0]) if node.args else None
    if method in {"system", "getoutput"} or (method.startswith("run_") and magic in SHELL_MAGICS):
        return ["runs a shell command (starts processes)"]
    return []


def _exits(node, cell):
    """``sys.exit``, ``os._exit``, ``exit()`` in an exercise's answer."""
    name = cell.name(node.func)
    if cell.answer and name in EXITS:
        return [f"calls {name} in an exercise's answer (ends the run before the checks that follow)"]
    return []


def _exit_raises(node, cell):
    """``raise SystemExit`` in an exercise's answer."""
    raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    name = cell.name(raised) if raised is not None else None
    if cell.answer and name in EXIT_EXCEPTIONS:
        return [f"raises {name} in an exercise's answer (ends the run before the checks that follow)"]
    return []


def _opens_for_writing(node, position):
    """Whether an ``open`` call's mode (its argument at ``position``, or ``mode=``) writes; an unknown mode does."""
    modes = [k.value for k in node.keywords if k.arg == "mode"] + node.args[position : position + 1]
    if not modes:
        return False
    mode = _constant(modes[0])
    return mode is None or bool(set(mode) & set("wax+"))


def _outside_writes(node, cell):
    """Writes to an absolute path, a path with ``..`` or a path into the installed packages."""
    name = cell.name(node.func)
    method = node.func.attr if isinstance(node.func, ast.Attribute) else None
    if name in OPENERS and node.args and _opens_for_writing(node, 1):
        where, how = _where(node.args[0], cell), "open(..., 'w')"
    elif name in FILE_CHANGERS:
        where, how = next(filter(None, (_where(arg, cell) for arg in node.args)), None), f"{name}()"
    elif name not in OPENERS and (
        method in PATH_WRITERS or (method == "open" and _opens_for_writing(node, 0))
    ):
        where, how = _where(node.func.value, cell), f".{method}()"
    else:
        return []
    if not where:
        return []
    return [
        f"writes outside the working folder, to {where}, with {how} "
        "(it can change the installed course, its checks or the grader's files)"
    ]


def _package_walks(node, cell):
    """``os.walk``, ``glob``, ``Path.rglob`` ... on a path into the installed packages."""
    name = cell.name(node.func)
    method = node.func.attr if isinstance(node.func, ast.Attribute) else None
    if name in WALKERS and node.args:
        path, how = node.args[0], name
    elif name not in WALKERS and method in PATH_WALKERS:
        path, how = node.func.value, f".{method}()"
    else:
        return []
    if _where(path, cell) != INSTALLED:
        return []
    return [f"lists the installed packages' files with {how} (a way to find and read the course's checks)"]


CALL_FINDERS = [
    _attribute_setters,
    _opaque_code,
    _dynamic_imports,
    _built_attributes,
    _loaders,
    _signals,
    _threads,
    _asyncio_work,
    _processes,
    _shell,
    _exits,
    _outside_writes,
    _package_walks,
]
FINDERS = {
    ast.Import: [_imports],
    ast.ImportFrom: [_imports],
    ast.Attribute: [_course_uses, _escape_uses, _course_location, _rebinding],
    ast.Name: [_course_uses, _escape_uses],
    ast.Subscript: [_rebinding],
    ast.Call: CALL_FINDERS,
    ast.ClassDef: [_thread_classes],
    ast.Raise: [_exit_raises],
}


def cell_findings(source, answer_cell=False, bound_elsewhere=None):
    """What a teacher should look at in one cell's code (a list of short texts).

    ``bound_elsewhere``: names the course notebook's own cells bind to parts of the course
    (see :func:`course_bindings`), followed when the cell rebinds them.
    """
    tree = _parse(source)
    if tree is None:
        return []  # it raised when it ran; nothing else ran from it
    try:
        cell = _read(tree, source, answer_cell, bound_elsewhere or {})
        found = [
            line
            for node in ast.walk(tree)
            for find in FINDERS.get(type(node), ())
            for line in find(node, cell)
        ]
    except RecursionError:
        return [DEEP]
    return list(dict.fromkeys(found))


def course_bindings(course_sources):
    """``{"tensor_ops": "course.tensor_ops", ...}``: what the course notebook's cells bind to parts of the course."""
    names = {}
    for tree in filter(None, map(_parse, course_sources)):
        names.update({k: v for k, v in _aliases(tree).items() if v and v.split(".")[0] == "course"})
    return names


def report(plan, course_sources, answer_numbers):
    """``["cell 12: replaces course.check (...)", ...]`` for the student's cells of a restored plan.

    ``course_sources``: the code of every cell of the course's own copy (skipped);
    ``answer_numbers``: the cell numbers (from 1) that hold an exercise's answer.
    """
    names = course_bindings(course_sources)
    lines = []
    for cell, number in zip(plan.notebook.cells, plan.cell_numbers):
        if number is None or cell.cell_type != "code" or GRADER_CELL in cell.metadata:
            continue
        if cell.source.strip() in course_sources:
            continue
        for finding in cell_findings(cell.source, number in answer_numbers, names):
            lines.append(f"cell {number}: {finding}")
    return lines
