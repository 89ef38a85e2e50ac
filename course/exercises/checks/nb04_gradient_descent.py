"""Exercises and quizzes of 04_gradient_descent: descent with momentum and with Adam, backpropagation by hand,
He initialisation, a training loop."""

import numpy as np

from ..probing import observe
from ..quizzes import multiple_choice
from ..registry import exercise
from ..shortcuts import Shortcut

# The exercises ask for the update rules in NumPy: the course's optimizers and the libraries' are off.
LIBRARIES = ("optim", "keras", "tensorflow", "tf", "torch")


# ---------------------------------------------------------------------------
# 04.1 momentum_descent and 04.2 adam_descent: optimizer loops
# ---------------------------------------------------------------------------


def _bowl_case(rng, learning_rates):
    """A random quadratic bowl L(w) = ½ wᵀAw - bᵀw in 1 to 3 dimensions, a start and a learning rate."""
    d = int(rng.integers(1, 4))
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    a = q @ np.diag(rng.uniform(0.5, 4.0, size=d)) @ q.T
    return {
        "A": (a + a.T) / 2,
        "b": rng.normal(size=d),
        "w": rng.normal(size=d) * 2,
        "learning_rate": round(float(rng.uniform(*learning_rates)), 3),
        "steps": int(rng.integers(5, 25)),
    }


def _momentum_cases(rng):
    cases = [_bowl_case(rng, (0.02, 0.2)) for _ in range(4)]
    for case in cases:
        case["momentum"] = round(float(rng.uniform(0.5, 0.9)), 3)
    return cases


def _adam_cases(rng):
    return [_bowl_case(rng, (0.02, 0.3)) for _ in range(4)]


MOST_CALLS_SEEN = 1000  # the points of more calls than this are not kept (every case takes at most 24 steps)


def _descent_probe(answer, case, *settings):
    """The path, and every point gradient was called at (the judge counts them)."""
    a, b = case["A"], case["b"]
    points = []

    def gradient(w):
        w = np.asarray(w, dtype=float)
        if len(points) < MOST_CALLS_SEEN:
            points.append(np.array(w, copy=True))
        return a @ w - b

    path = answer(gradient, case["w"], case["learning_rate"], *settings, case["steps"])
    return {"path": observe(path), "calls": _stacked(points)}


def _stacked(points):
    """The points, one row each, as one array; a list of observations when their shapes differ."""
    if points and len({point.shape for point in points}) == 1:
        return np.stack(points)
    return [observe(point) for point in points]


exercise(
    id="04.1",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="Descent with momentum",
    produce="a function momentum_descent(gradient, w, learning_rate, momentum, steps) that starts at the "
    "NumPy array w with zero velocity, takes steps momentum steps, calling gradient(w) once per step at the "
    "current weights, and returns the path: a new NumPy array of shape (steps + 1, len(w)), the start first",
    cases=_momentum_cases,
    probe=lambda answer, case: _descent_probe(answer, case, case["momentum"]),
    hints=(
        "Picture a ball rolling downhill: its velocity keeps a fraction of what it had (that fraction is "
        "the momentum) and gains a push against the slope at every step.",
        "Two things live from one step to the next: the position and the velocity. Ask in which order "
        "they change within a step; a path that equals plain gradient descent means the velocity is not "
        "carried over.",
        "A worked example in 1-D: L(w) is w², so the gradient is 2w; momentum 0.5, learning rate 0.1, start "
        "at 1. Step 1: velocity 0 - 0.1·2 gives -0.2, so w becomes 0.8. Step 2: velocity 0.5·(-0.2) - 0.1·1.6 "
        "gives -0.26, so w becomes 0.54. The path is [1, 0.8, 0.54].",
    ),
    shortcuts=(
        Shortcut("course.autodiff.optim:momentum_step"),
        Shortcut("course.descent:gradient_descent"),
    ),
    forbidden_in_source=LIBRARIES,
)


exercise(
    id="04.2",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="Descent with Adam",
    produce="a function adam_descent(gradient, w, learning_rate, steps) that starts at the NumPy array w "
    "with both of Adam's running averages at zero, takes steps Adam steps (beta_1 0.9, beta_2 0.999, epsilon "
    "1e-7), calling gradient(w) once per step at the current weights, and returns the path: a new NumPy array "
    "of shape (steps + 1, len(w)), the start first",
    cases=_adam_cases,
    probe=_descent_probe,
    hints=(
        "Adam keeps two running averages between the steps: one of the gradient (like momentum) and one "
        "of the squared gradient (like RMSProp). The notebook's section on Adam shows how the step uses them.",
        "Both averages start at zero, so in the first steps they are too small: look at the bias correction "
        "and at which step number it uses (the first step is step 1). If your path moves too slowly at the "
        "start, or ends as NaN, look there.",
        "A worked example of the correction, with beta 0.5 and the gradients 4 then 2: after step 1 the "
        "average is 2, and dividing by 1 - 0.5 (which is 0.5) gives back 4; after step 2 it is 2, and "
        "dividing by 1 - 0.25 gives about 2.67. Both averages are corrected this way, each with its own beta.",
    ),
    shortcuts=(Shortcut("course.autodiff.optim:adam_step"),),
    forbidden_in_source=LIBRARIES,
)

# ---------------------------------------------------------------------------
# 04.3 loss_and_grads: backpropagation by hand
# ---------------------------------------------------------------------------

PARAMETER_NAMES = ("W1", "b1", "W2", "b2")
# Whatever differentiates for the learner: off while a backward pass written by hand is probed.
BACKPROP_SHORTCUTS = (
    Shortcut("course.descent:mlp_loss_and_grads"),
    Shortcut("course.autodiff.tensor:Tensor", "course.autodiff.tensor.Tensor"),
    Shortcut("course.autodiff.reverse:Node", "course.autodiff.reverse.Node"),
    Shortcut("course.autodiff.numerical:numerical_gradient"),
    Shortcut("course.autodiff.numerical:central_difference"),
    Shortcut("tensorflow:GradientTape", "tf.GradientTape", only_if_loaded=True),
)
FRAMEWORKS = ("tf", "tensorflow", "keras", "torch", "jax", "GradientTape")


def _mlp_case(rng, n, d, h, k, scale=0.5):
    return {
        "params": {
            "W1": (scale * rng.normal(size=(d, h))).round(4),
            "b1": (0.1 * rng.normal(size=h)).round(4),
            "W2": (scale * rng.normal(size=(h, k))).round(4),
            "b2": (0.1 * rng.normal(size=k)).round(4),
        },
        "x": rng.normal(size=(n, d)).round(4),
        "y": rng.integers(0, k, size=n),
    }


def _backprop_cases(rng):
    """Distinct sizes (a transposed gradient shows in its shape), random ones, and one with huge logits."""
    cases = [_mlp_case(rng, 6, 4, 5, 3)]
    cases += [_mlp_case(rng, *(int(s) for s in rng.integers(2, 8, size=4))) for _ in range(3)]
    huge = _mlp_case(rng, 5, 3, 4, 3)
    huge["params"]["b2"] = np.array([800.0, -5.0, 0.0])  # e^800 is too large for a float
    cases.append(huge)
    return cases


def _backprop_probe(answer, case):
    result = answer(case["params"], case["x"], case["y"])
    seen = {"result": observe(result), "loss": None, "grads": None, "keys": None}
    if isinstance(result, (tuple, list)) and len(result) == 2:
        seen["loss"] = observe(result[0])
        if isinstance(result[1], dict):
            seen["keys"] = sorted(str(key) for key in result[1])
            seen["grads"] = {name: observe(result[1].get(name)) for name in PARAMETER_NAMES}
    return seen


exercise(
    id="04.3",
    title="Backpropagation by hand",
    produce="a function loss_and_grads(params, x, y) that takes a dict params of NumPy arrays W1 (d, h), "
    "b1 (h,), W2 (h, k), b2 (k,), a batch x of shape (n, d) and integer labels y of shape (n,), and "
    "returns the pair (loss, grads): the mean softmax cross-entropy of the ReLU MLP as a float, and a new "
    "dict with the same keys holding the gradient of the loss for each parameter, in its shape",
    cases=_backprop_cases,
    probe=_backprop_probe,
    shortcuts=BACKPROP_SHORTCUTS,
    forbidden_in_source=FRAMEWORKS,
    hints=(
        "Write the forward pass keeping every intermediate array (pre-activation, hidden activation, "
        "logits): the backward pass needs them, in reverse order.",
        "Let the shapes lead: each gradient has the shape of its parameter, and a layer h W + b is a matrix "
        "product like the one of exercise 03.6, plus a bias that every example shares. Check the ReLU too: "
        "what does it let through on the way back? And is the loss a sum or a mean over the batch?",
        "A worked example at the logits, for one example with the logits [2, 0] and the label 0: the "
        "softmax is about [0.88, 0.12], and the loss's gradient for the logits is about [-0.12, 0.12]. For "
        "a batch of n examples, every row of that gradient is also divided by n.",
    ),
)

# ---------------------------------------------------------------------------
# 04.4 he_init
# ---------------------------------------------------------------------------

INIT_SHORTCUTS = (
    Shortcut("course.descent:he_normal"),
    Shortcut("course.descent:glorot_normal"),
    Shortcut("keras:initializers.HeNormal", "keras.initializers.HeNormal", only_if_loaded=True),
)


def _init_cases(rng):
    """Four layers of random sizes: tall, wide, very tall, square.

    The proportions keep every mistake apart from the others: in the tall layer (fan-out at most a
    tenth of the fan-in) Glorot's scale is within 5% of He's, so the first diagnosis is the
    wide layer's, where the fan-in is a quarter to 30% of the fan-out and Glorot's scale stands
    more than 10% from the fan-out's.
    """
    wide, square = int(rng.integers(200, 261)), int(rng.integers(100, 161))
    sizes = [
        (int(rng.integers(300, 361)), int(rng.integers(24, 31))),
        (round(wide * float(rng.uniform(0.25, 0.3))), wide),
        (int(rng.integers(900, 1101)), int(rng.integers(6, 11))),
        (square, square),
    ]
    return [{"fan_in": a, "fan_out": b, "seed": int(rng.integers(0, 2**31))} for a, b in sizes]


def _init_probe(answer, case):
    """The raw draws: two calls on one generator, and a third on a new generator with the same seed."""
    fan_in, fan_out, seed = case["fan_in"], case["fan_out"], case["seed"]
    rng = np.random.default_rng(seed)
    first, again = answer(fan_in, fan_out, rng), answer(fan_in, fan_out, rng)
    replay = answer(fan_in, fan_out, np.random.default_rng(seed))
    return {"first": observe(first), "again": observe(again), "replay": observe(replay)}


exercise(
    id="04.4",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="He initialisation",
    produce="a function he_init(fan_in, fan_out, rng) that takes two ints and a NumPy random Generator and "
    "returns a new float array of shape (fan_in, fan_out) drawn from the rng: normal, mean 0, with the "
    "standard deviation of He initialisation",
    cases=_init_cases,
    probe=_init_probe,
    shortcuts=INIT_SHORTCUTS,
    forbidden_in_source=FRAMEWORKS,
    hints=(
        "He initialisation keeps the variance of a ReLU layer's output equal to that of its input.",
        "Each output sums fan_in products, and the ReLU sets about half of them to 0: the variance of the "
        "weights must make up for both.",
        "The Generator has a method that draws normal numbers for a given mean, standard deviation (the "
        "square root of the variance) and shape.",
    ),
)

# ---------------------------------------------------------------------------
# 04.5 train: the training loop
# ---------------------------------------------------------------------------


def _train_cases(rng):
    """Three small problems whose last batch is full, of one example, and of several.

    A loop that makes one batch too many (an empty one when batch_size divides n) or stops an example
    early (losing a last batch of one) fails on every seed, whatever the sizes drawn.
    """
    cases = []
    for remainder, epochs in ((0, 2), (1, 3), (int(rng.integers(2, 4)), 2)):
        batch_size = int(rng.integers(4, 8))
        n = batch_size * int(rng.integers(3, 5)) + remainder
        case = _mlp_case(rng, n, 4, 6, 3, scale=0.3)
        case["x"][np.arange(n), case["y"]] += 2.0  # learnable: the label shows in the inputs
        case.update(batch_size=batch_size, epochs=epochs, learning_rate=0.5, seed=int(rng.integers(0, 2**31)))
        cases.append(case)
    return cases


def _train_run(answer, case, seed, copies=True):
    """Run train once with a Generator seeded ``seed``, on copies of the case's arrays or on the arrays
    themselves (so that a change in place shows): (what it returned, every batch it passed to loss_and_grads)."""
    from ...descent import mlp_loss_and_grads  # course.descent imports matplotlib: only when 04 runs

    calls = []

    def loss_and_grads(params, x_batch, y_batch):
        calls.append({"x": np.array(x_batch, dtype=np.float64), "y": observe(np.asarray(y_batch))})
        return mlp_loss_and_grads(params, x_batch, y_batch)

    params, x, y = case["params"], case["x"], case["y"]
    if copies:
        params, x, y = {name: np.array(value) for name, value in params.items()}, np.array(x), np.array(y)
    rng = np.random.default_rng(seed)
    result = answer(
        params, x, y, loss_and_grads, case["epochs"], case["batch_size"], case["learning_rate"], rng
    )
    return result, calls


def _train_probe(answer, case):
    """What train returned, every batch it passed to loss_and_grads, and the batches of two more runs
    (on copies): with a Generator of the same seed, then of another seed. The order must follow the rng."""
    result, calls = _train_run(answer, case, case["seed"], copies=False)
    seen = {"result": observe(result), "calls": calls, "params": None, "losses": None}
    if isinstance(result, (tuple, list)) and len(result) == 2:
        if isinstance(result[0], dict):
            seen["params"] = {name: observe(result[0].get(name)) for name in PARAMETER_NAMES}
        seen["losses"] = observe(result[1])
    seen["same_seed_calls"] = [call["x"] for call in _train_run(answer, case, case["seed"])[1]]
    seen["other_seed_calls"] = [call["x"] for call in _train_run(answer, case, case["seed"] + 1)[1]]
    return seen


exercise(
    id="04.5",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="Your own training loop",
    produce="a function train(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng) that "
    "trains the MLP with mini-batch SGD, calling loss_and_grads(params, x_batch, y_batch) once per batch "
    "(each epoch in a new random order from rng, the last batch smaller when needed), and returns the "
    "pair (trained params, a new dict; the list of the batch losses)",
    cases=_train_cases,
    probe=_train_probe,
    shortcuts=(
        Shortcut("course.descent:train_mlp"),
        Shortcut("course.descent:fit_linear"),
        Shortcut("course.autodiff.nn:train_step"),
    ),
    forbidden_in_source=FRAMEWORKS,
    hints=(
        "Two loops: one over the epochs, and inside it one over the batches of a fresh random order of "
        "the example indices.",
        "Draw the order with the rng you are given, so that the same seed gives the same training. Then "
        "count the batches: try 10 examples in batches of 5, and 11 in batches of 5 (the last batch is "
        "smaller, even of one example).",
        "A worked example for one parameter, w 1.0, its gradient 0.4 and the learning rate 0.5: after the "
        "step w is 0.8. Every parameter takes such a step after every batch, and the next batch starts from "
        "the new values; the input dict stays as it was.",
    ),
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
