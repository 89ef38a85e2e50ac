"""Checkers for 04_gradient_descent."""

import numpy as np

from ..framework import call, exercise, expect_close, expect_tuple


@exercise(
    "04.1",
    "A momentum step",
    expects="a function momentum_step(w, g, velocity, learning_rate, momentum) returning (new_w, new_velocity)",
    hint="velocity = momentum * velocity - learning_rate * g; then w = w + velocity.",
)
def _momentum(answer):
    from ...autodiff.optim import momentum_step

    rng = np.random.default_rng(4)
    w, g, v = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    got = call(answer, w.copy(), g, v.copy(), 0.1, 0.9, what="momentum_step(w, g, velocity, 0.1, 0.9)")
    got = expect_tuple(got, ("new_w", "new_velocity"), "momentum_step")
    want_w, want_v = momentum_step(w, g, v, 0.1, 0.9)
    expect_close(got[1], want_v, what="the new velocity")
    expect_close(got[0], want_w, what="the new w")
    return "momentum_step matches the rule v <- βv - lr·g, w <- w + v."


@exercise(
    "04.2",
    "An Adam step",
    expects="a function adam_step(w, g, m, v, t, learning_rate) returning (new_w, new_m, new_v)",
    hint="m and v are moving averages of g and g²; divide them by (1 - β^t) before the update.",
)
def _adam(answer):
    from ...autodiff.optim import adam_step

    rng = np.random.default_rng(5)
    w, g = rng.normal(size=4), rng.normal(size=4)
    m, v = 0.1 * rng.normal(size=4), rng.uniform(0, 0.1, size=4)
    for t in (1, 10):
        got = call(answer, w.copy(), g, m.copy(), v.copy(), t, 0.01, what=f"adam_step(..., t={t}, 0.01)")
        got = expect_tuple(got, ("new_w", "new_m", "new_v"), "adam_step")
        want = adam_step(w, g, m, v, t, 0.01)
        for name, mine, ref in zip(
            ("new m", "new v", "new w"), (got[1], got[2], got[0]), (want[1], want[2], want[0])
        ):
            expect_close(mine, ref, what=f"the {name} (t={t})", rtol=1e-4)
    return "adam_step agrees with the reference at t=1 and t=10 (bias correction included)."
