"""Exercises and quizzes of 04_gradient_descent."""

import numpy as np

from .. import judging
from ..framework import exercise
from ..judging import Wrong
from ..probing import Shortcut, observe
from ..quizzes import multiple_choice

ADAM_BETA_1, ADAM_BETA_2, ADAM_EPSILON = 0.9, 0.999, 1e-7
# The exercises ask for the update rules in NumPy: the course's optimizers and the libraries' are off.
LIBRARIES = ("optim", "keras", "tensorflow", "tf", "torch")


def _shape(rng):
    """A random shape: a vector or a small matrix."""
    if rng.random() < 0.4:
        return (int(rng.integers(2, 7)),)
    return (int(rng.integers(2, 5)), int(rng.integers(2, 5)))


def _pair(seen, names, what):
    return judging.items(seen, names, what)


def _swapped(got, options):
    """True when ``got`` (a list of observations) holds ``options`` in another order."""
    try:
        values = [np.asarray(item["value"], dtype=float) for item in got]
    except (KeyError, TypeError, ValueError):
        return False
    return all(v.shape == o.shape and np.allclose(v, o) for v, o in zip(values, options))


# ---------------------------------------------------------------------------
# 04.1 momentum
# ---------------------------------------------------------------------------


def _momentum_cases(rng):
    cases = []
    for _ in range(4):
        shape = _shape(rng)
        cases.append(
            {
                "w": rng.normal(size=shape),
                "g": rng.normal(size=shape),
                "velocity": rng.normal(size=shape),
                "learning_rate": round(float(rng.uniform(0.01, 0.4)), 3),
                "momentum": round(float(rng.uniform(0.5, 0.98)), 3),
            }
        )
    return cases


def _momentum_probe(answer, case):
    return observe(answer(case["w"], case["g"], case["velocity"], case["learning_rate"], case["momentum"]))


def _momentum_reference(case):
    w, g, v, lr, beta = (case[k] for k in ("w", "g", "velocity", "learning_rate", "momentum"))
    new_v = beta * v - lr * g
    return w + new_v, new_v


def _judge_momentum(case, seen):
    w, g, v, lr, beta = (case[k] for k in ("w", "g", "velocity", "learning_rate", "momentum"))
    want_w, want_v = _momentum_reference(case)
    got = _pair(seen, ("new_w", "new_velocity"), "momentum_step")
    if _swapped(got, (want_v, want_w)):
        raise Wrong("momentum_step returns the new velocity first: the pair is (new_w, new_velocity).")
    new_w = judging.array(got[0], "new_w", shape=w.shape)
    new_v = judging.array(got[1], "new_velocity", shape=w.shape)
    call = f"momentum_step(w, g, velocity, learning_rate={lr}, momentum={beta})"
    judging.close(
        new_v,
        want_v,
        f"the new velocity of {call}",
        near_misses={
            "added the gradient step to the velocity instead of subtracting it": beta * v + lr * g,
            "forgot the old velocity (the velocity should keep a fraction of its past)": -lr * g,
            "did not scale the old velocity by the momentum": v - lr * g,
            "forgot the learning rate": beta * v - g,
            "swapped the learning rate and the momentum": lr * v - beta * g,
        },
    )
    judging.close(
        new_w,
        want_w,
        f"the new w of {call}",
        near_misses={
            "moved w with the old velocity instead of the new one": w + v,
            "moved w against the velocity: the velocity already points downhill": w - want_v,
            "took a plain gradient-descent step and ignored the velocity": w - lr * g,
        },
    )
    return "momentum_step is right on every case: the velocity remembers past steps and w follows it."


exercise(
    id="04.1",
    title="A momentum step",
    produce="a function momentum_step(w, g, velocity, learning_rate, momentum) that takes the weights, "
    "their gradient and the velocity (NumPy arrays of one shape) and two floats, and returns the pair "
    "(new_w, new_velocity) as new NumPy arrays of that shape",
    cases=_momentum_cases,
    probe=_momentum_probe,
    judge=_judge_momentum,
    hints=(
        "Picture a ball rolling downhill: its velocity keeps a fraction of what it had (that fraction is "
        "the momentum) and gains a push against the slope.",
        "Update the velocity first, from the old velocity and the gradient step; then move w by the new "
        "velocity.",
        "The gradient step is the learning rate times g, and it points downhill, so it is taken away; "
        "w changes by the whole new velocity.",
    ),
    shortcuts=(Shortcut("course.autodiff.optim:momentum_step"),),
    forbidden_in_source=LIBRARIES,
)


# ---------------------------------------------------------------------------
# 04.2 Adam
# ---------------------------------------------------------------------------


def _adam_cases(rng):
    cases = []
    for t in (1, int(rng.integers(2, 6)), int(rng.integers(10, 200))):
        shape = _shape(rng)
        cases.append(
            {
                "w": rng.normal(size=shape),
                "g": rng.normal(size=shape),
                "m": 0.1 * rng.normal(size=shape),
                "v": rng.uniform(0.001, 0.1, size=shape),
                "t": t,
                "learning_rate": round(float(rng.uniform(0.001, 0.1)), 4),
            }
        )
    return cases


def _adam_probe(answer, case):
    return observe(answer(case["w"], case["g"], case["m"], case["v"], case["t"], case["learning_rate"]))


def _adam_update(w, m, v, t, lr, correct_m=True, correct_v=True):
    m_hat = m / (1 - ADAM_BETA_1**t) if correct_m else m
    v_hat = v / (1 - ADAM_BETA_2**t) if correct_v else v
    return w - lr * m_hat / (np.sqrt(v_hat) + ADAM_EPSILON)


def _judge_adam(case, seen):
    w, g, m, v, t, lr = (case[k] for k in ("w", "g", "m", "v", "t", "learning_rate"))
    b1, b2 = ADAM_BETA_1, ADAM_BETA_2
    want_m = b1 * m + (1 - b1) * g
    want_v = b2 * v + (1 - b2) * g * g
    want_w = _adam_update(w, want_m, want_v, t, lr)
    got = _pair(seen, ("new_w", "new_m", "new_v"), "adam_step")
    if _swapped(got, (want_m, want_v, want_w)) or _swapped(got, (want_w, want_v, want_m)):
        raise Wrong(
            "adam_step returns its three arrays in another order: the triple is (new_w, new_m, new_v)."
        )
    new_w = judging.array(got[0], "new_w", shape=w.shape)
    new_m = judging.array(got[1], "new_m", shape=w.shape)
    new_v = judging.array(got[2], "new_v", shape=w.shape)
    call = f"adam_step(w, g, m, v, t={t}, learning_rate={lr})"
    judging.close(
        new_m,
        want_m,
        f"the new m of {call}",
        near_misses={
            "swapped the two weights of the moving average (the old m should keep 0.9)": (1 - b1) * m
            + b1 * g,
            "forgot the old m": (1 - b1) * g,
            "used the old m unchanged": m,
        },
    )
    judging.close(
        new_v,
        want_v,
        f"the new v of {call}",
        near_misses={
            "averaged the gradient instead of its square": b2 * v + (1 - b2) * g,
            "swapped the two weights of the moving average (the old v should keep 0.999)": (1 - b2) * v
            + b2 * g * g,
            "used beta_1 (0.9) for v, which needs beta_2 (0.999)": b1 * v + (1 - b1) * g * g,
        },
    )
    misses = {
        "forgot the bias correction": _adam_update(w, want_m, want_v, t, lr, False, False),
        "corrected m for its bias but not v": _adam_update(w, want_m, want_v, t, lr, True, False),
        "corrected v for its bias but not m": _adam_update(w, want_m, want_v, t, lr, False, True),
        "used the step count t + 1 in the bias correction (t already counts from 1)": _adam_update(
            w, want_m, want_v, t + 1, lr
        ),
        "used m and v from before this step's update": _adam_update(w, m, v, t, lr),
        "added the step to w instead of subtracting it": 2 * w - want_w,
        "divided by v's square instead of its square root": w
        - lr * (want_m / (1 - b1**t)) / (want_v / (1 - b2**t) + ADAM_EPSILON),
    }
    if t > 1:
        misses["used the step count t - 1 in the bias correction (t already counts from 1)"] = _adam_update(
            w, want_m, want_v, t - 1, lr
        )
    # The step is small next to w: compare the change in w, so that no error hides in w's size.
    judging.close(
        new_w - w,
        want_w - w,
        f"the change in w made by {call}",
        near_misses={why: mistake - w for why, mistake in misses.items()},
        rtol=1e-5,
        atol=1e-12,
    )
    return "adam_step is right at the first step and later ones, bias correction included."


exercise(
    id="04.2",
    title="An Adam step",
    produce="a function adam_step(w, g, m, v, t, learning_rate) that takes the weights, their gradient "
    "and Adam's two moving averages (NumPy arrays of one shape), the step number t (an int, from 1) and "
    "the learning rate, and returns the triple (new_w, new_m, new_v) as new NumPy arrays of that shape",
    cases=_adam_cases,
    probe=_adam_probe,
    judge=_judge_adam,
    hints=(
        "Adam keeps two moving averages: one of the gradient (like momentum) and one of the squared "
        "gradient (like RMSProp). Update both first.",
        "Both averages start at zero, so early on they are too small: divide each by one minus its beta "
        "raised to the power t before using them.",
        "The step divides the corrected average of g by the square root of the corrected average of g², "
        "plus epsilon, scales it by the learning rate, and goes downhill.",
    ),
    shortcuts=(Shortcut("course.autodiff.optim:adam_step"),),
    forbidden_in_source=LIBRARIES,
)


# ---------------------------------------------------------------------------
# Quizzes
# ---------------------------------------------------------------------------

multiple_choice(
    "04.q1",
    "In the explorer, on the 2-D ravine with momentum 0: what happens as you raise the learning rate "
    "from 0.05 to 0.25?",
    options=[
        "it converges faster and faster",
        "it starts zig-zagging across the ravine, then diverges",
        "nothing changes: the learning rate only matters in 1-D",
    ],
    answer="it starts zig-zagging across the ravine, then diverges",
    explanation="Along the steep axis (curvature 10) steps oscillate above 0.1 and diverge above 0.2.",
)

multiple_choice(
    "04.q2",
    "Open the explorer on the 2-D ravine at learning rate 0.02. Compare momentum 0 and momentum 0.9 "
    "after 40 steps. What do you see?",
    options=[
        "with momentum the path gets much closer to the minimum",
        "momentum makes it diverge",
        "both end at the same place",
    ],
    answer="with momentum the path gets much closer to the minimum",
    explanation="Along the flat floor the small steps add up into speed; plain descent crawls.",
)
