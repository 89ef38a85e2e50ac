"""The grader's half inside the sandboxed kernel: run a probe, export what it saw.

The grader adds two kinds of cells to a submission. Before the first cell,
:func:`start` notes the checking machinery as it is before any student code
runs. After each answer cell, a restored check calls :func:`export` with the
exercise id, the answer's name and a seed the grader drew for this run only.
:func:`export` runs the exercise's probe with the machinery noted at the start
and writes the plain outcomes (JSON and ``.npy``, never pickle) into the export
folder, with a list of what student code has replaced since the start. The
verdict is not decided here: the grader judges the exported data in its own
process, from cases it draws again from the seed.
"""

import sys
from pathlib import Path

from ...exercises import plain, probing, registry

_start = {}


def _machinery():
    """The objects a check relies on, by a name a teacher can read."""
    registry.load_all()
    found = {
        "course.exercises.probing.probe": probing.probe,
        "course.exercises.registry.draw_cases": registry.draw_cases,
        "course.exercises.registry.lookup": registry.lookup,
        "course.exercises.probing.run": probing.run,
        "course.exercises.plain.dump": plain.dump,
        "course.exercises.plain.normalize": plain.normalize,
    }
    for exercise_id, ex in registry._REGISTRY.items():
        found[f"exercise {exercise_id}"] = ex
        found[f"exercise {exercise_id} probe"] = ex.probe
        found[f"exercise {exercise_id} cases"] = ex.cases
    for name in ("course", "course.exercises", "course.exercises.registry", "course.exercises.probing"):
        found[f"sys.modules[{name!r}]"] = sys.modules.get(name)
    return found


def start(folder):
    """Note the machinery before student code runs; ``folder`` receives the exports."""
    _start.clear()
    _start.update(_machinery())
    _start["folder"] = Path(folder)
    _start["run"], _start["draw"], _start["dump"] = probing.run, registry.draw_cases, plain.dump
    _start["normalize"] = plain.normalize
    _start["registry"] = dict(registry._REGISTRY)


def changed():
    """What student code has replaced since :func:`start` (names, sorted)."""
    now = _machinery()
    return sorted(name for name, thing in _start.items() if name in now and now[name] is not thing)


def export(exercise_id, answer_name, namespace, seed):
    """Probe the answer named ``answer_name`` in ``namespace`` and export the outcomes.

    The outcomes go to ``<folder>/<exercise_id>-<seed>/``; the grader reads no other place.
    """
    ex = _start["registry"][exercise_id]
    if answer_name in namespace:
        outcomes = _start["run"](ex, namespace[answer_name], _start["draw"](ex, seed))
    else:
        outcomes = [{"stub": f"{answer_name} is not defined"}]
    try:
        outcomes = _start["normalize"](outcomes)
    except plain.NotPlain as error:
        outcomes = [{"unreadable": str(error)}]
    report = {"exercise": exercise_id, "outcomes": outcomes, "changed": changed()}
    _start["dump"](report, _start["folder"] / f"{exercise_id}-{seed}")
