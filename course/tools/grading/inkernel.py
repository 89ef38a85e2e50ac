"""The grader's half inside the sandboxed kernel: run one probe when asked, and answer at once.

The grader adds one cell to a submission, before the first: :func:`start` notes the checking
machinery as it is before any student code runs. Once every student cell has run, the grader
asks for each exercise in turn with one execute request whose user expression calls
:func:`reply` with the exercise id, the answer's name, the cases (drawn by the grader from a
secret seed: only what a probe may see) and a fresh nonce. The probe runs with the machinery
noted at the start, and the outcomes come back as plain-data text in the reply to that very
request: nothing is written to a file, and nothing a later cell does can change what was read.
The verdict is not decided here: the grader judges in its own process, where the judges are.
"""

import sys

from ...exercises import plain, probing, registry

MAX_REPLY = 24_000_000  # characters of one reply; a larger one is replaced by a note

_start = {}


class Text:
    """A reply as the kernel's ``text/plain`` shows it: the text itself, not a quoted repr of it."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text

    def _repr_pretty_(self, printer, cycle):
        printer.text(self.text)


def _machinery():
    """The objects a probe relies on, by a name a teacher can read."""
    registry.load_all()
    found = {
        "course.exercises.probing.run": probing.run,
        "course.exercises.probing.visible": probing.visible,
        "course.exercises.probing.protect": probing.protect,
        "course.exercises.plain.dumps": plain.dumps,
        "course.exercises.plain.loads": plain.loads,
        "course.exercises.plain.normalize": plain.normalize,
    }
    for exercise_id, ex in registry._REGISTRY.items():
        found[f"exercise {exercise_id}"] = ex
        found[f"exercise {exercise_id} probe"] = ex.probe
    for name in ("course", "course.exercises", "course.exercises.registry", "course.exercises.probing"):
        found[f"sys.modules[{name!r}]"] = sys.modules.get(name)
    return found


def start():
    """Note the machinery before student code runs."""
    _start.clear()
    _start.update(_machinery())
    _start["registry"] = dict(registry._REGISTRY)
    _start["run"], _start["dumps"], _start["loads"] = probing.run, plain.dumps, plain.loads


def changed():
    """What student code has replaced since :func:`start` (names, sorted)."""
    now = _machinery()
    return sorted(name for name, thing in _start.items() if name in now and now[name] is not thing)


def reply(request, namespace):
    """The outcomes of one probe request, as plain-data :class:`Text`: ``{nonce, exercise, outcomes, changed}``.

    ``request`` is the grader's plain-data text ``{exercise, answer, cases, nonce}``;
    ``namespace`` holds the student's names once every cell has run.
    """
    asked = _start["loads"](request)
    ex = _start["registry"][asked["exercise"]]
    name = asked["answer"]
    if name in namespace:
        outcomes = _start["run"](ex, namespace[name], asked["cases"])
    else:
        outcomes = [{"stub": f"{name} is not defined"}]
    report = {"nonce": asked["nonce"], "exercise": ex.id, "changed": changed()}
    try:
        text = _start["dumps"]({**report, "outcomes": outcomes})
    except plain.NotPlain as error:
        text = _start["dumps"]({**report, "outcomes": [{"unreadable": str(error)}]})
    if len(text) > MAX_REPLY:
        text = _start["dumps"]({**report, "outcomes": [{"unreadable": f"more than {MAX_REPLY} characters"}]})
    return Text(text)
