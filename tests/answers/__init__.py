"""The answer tables: for every exercise, plausible mistakes and correct answers in other styles.

Each notebook has one module here, ``nbNN_name.py`` (as in ``course/exercises/checks/``), whose
``TABLES`` maps each exercise id to a :class:`Table`. ``tests/test_answer_tables.py`` runs every
row: each :class:`Mistake` must fail on every seed with a message that contains its diagnosis,
and each :class:`Correct` answer must pass on every seed. A check is proven by the mistakes it
catches: an exercise is not done without its table.
"""

from dataclasses import dataclass, field

SEEDS = 20  # seeds each row runs on: 0, 1, ..., 19
TRAINING_SEEDS = 3  # for exercises whose answers train a Keras model (the suite's budget)
LEAST_MISTAKES, LEAST_CORRECT = 6, 3


@dataclass(frozen=True)
class Built:
    """An answer made by calling ``make()`` once (a trained model, say), when the row first runs."""

    make: object


@dataclass(frozen=True)
class Mistake:
    """A wrong answer, named for the mistake a learner makes; ``diagnosis``: a phrase its message holds.

    A tuple of phrases where the right diagnosis depends on the case (an answer written down for
    one input is the wrong shape for some cases and the wrong numbers for others): the message
    holds one of them."""

    name: str
    answer: object
    diagnosis: str | tuple

    def diagnosed_by(self, message):
        phrases = self.diagnosis if isinstance(self.diagnosis, tuple) else (self.diagnosis,)
        return any(phrase in message for phrase in phrases)


@dataclass(frozen=True)
class Correct:
    """A right answer, named for its style (another loop order, vectorised, a library's own form, ...)."""

    name: str
    answer: object


@dataclass(frozen=True)
class Table:
    mistakes: tuple
    correct: tuple
    seeds: int = SEEDS
    not_attempted: tuple = field(default=())  # stubs: each must be "not attempted" on seed 0
