"""Every exercise's answer table (tests/answers/): each mistake fails with its diagnosis on every
seed, each correct answer passes on every seed, and every exercise has a table."""

import importlib
import pkgutil
from functools import cache

import pytest

from course.exercises import FAILED, NOT_ATTEMPTED, PASSED, evaluate, known_ids

from . import answers
from .answers import LEAST_CORRECT, LEAST_MISTAKES, Built

# Notebooks whose tables are not written yet (each id is listed by the completeness test below).
PENDING = set()


def tables():
    found = {}
    for module in pkgutil.iter_modules(answers.__path__):
        if not module.name.startswith("nb"):  # mutations.py: the helper the tables use
            continue
        found.update(importlib.import_module(f"{answers.__name__}.{module.name}").TABLES)
    return found


TABLES = tables()


def rows(kind):
    return [
        pytest.param(exercise_id, row, id=f"{exercise_id}-{row.name}")
        for exercise_id, table in sorted(TABLES.items())
        for row in getattr(table, kind)
    ]


@cache
def made(built):
    return built.make()


def answer_of(row):
    return made(row.answer) if isinstance(row.answer, Built) else row.answer


@pytest.mark.parametrize("exercise_id, row", rows("mistakes"))
def test_a_mistake_fails_with_its_diagnosis_on_every_seed(exercise_id, row):
    for seed in range(TABLES[exercise_id].seeds):
        feedback = evaluate(exercise_id, answer_of(row), seed=seed)
        assert feedback.status == FAILED, f"seed {seed}: {feedback}"
        assert row.diagnosed_by(feedback.message), f"seed {seed}: {feedback.message}"


@pytest.mark.parametrize("exercise_id, row", rows("correct"))
def test_a_correct_answer_passes_on_every_seed(exercise_id, row):
    for seed in range(TABLES[exercise_id].seeds):
        feedback = evaluate(exercise_id, answer_of(row), seed=seed)
        assert feedback.status == PASSED, f"seed {seed}: {feedback.message}"


@pytest.mark.parametrize(
    "exercise_id, answer", [(i, a) for i, t in sorted(TABLES.items()) for a in t.not_attempted]
)
def test_a_stub_is_not_attempted(exercise_id, answer):
    assert evaluate(exercise_id, answer, seed=0).status == NOT_ATTEMPTED


def test_every_exercise_has_a_full_table():
    short = []
    for exercise_id in known_ids():
        table = TABLES.get(exercise_id)
        if exercise_id[:2] in PENDING:
            continue
        if table is None:
            short.append(f"{exercise_id}: no table")
        elif len(table.mistakes) < LEAST_MISTAKES or len(table.correct) < LEAST_CORRECT:
            short.append(
                f"{exercise_id}: {len(table.mistakes)} mistakes, {len(table.correct)} correct answers"
            )
        elif len({row.name for row in (*table.mistakes, *table.correct)}) < len(table.mistakes) + len(
            table.correct
        ):
            short.append(f"{exercise_id}: two rows share a name")
    assert short == []
