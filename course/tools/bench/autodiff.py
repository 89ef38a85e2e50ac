"""``python -m course bench autodiff``: how fast is the course's own autodiff?

1. One training step (forward, loss, backward, SGD update) of the same MLP
   (64 -> 64 -> 10, ReLU) on a batch of 32 digit images, three ways: the course's
   tensor engine, TensorFlow eager with ``tf.GradientTape``, and the same TF step
   compiled with ``tf.function``.
2. Forward + backward of a small MLP built from scalar nodes, with the course's
   scalar engine and with the PyPI package ``micrograd`` (the same code, the same weights).
   ``micrograd`` is a dev package (the ``dev`` extra), not a learner's: without it the
   course's engine is timed alone, and a line says what was skipped and how to get it.

Times are medians over several repeats; ratios > 1 mean the course is faster.
"""

import random
import statistics
import time

import numpy as np

from .. import ArgumentParser, command_line, whole_number

SIZES = (64, 64, 10)
BATCH = 32
LEARNING_RATE = 0.1


def digits_batch(batch=BATCH, seed=0):
    """A batch of flattened digit images (float32) and their labels."""
    from ...data.mnist import load_digits

    (x, y), _ = load_digits()
    rows = np.random.default_rng(seed).choice(len(x), batch, replace=False)
    return x[rows].reshape(batch, -1), y[rows].astype(np.int64)


def course_step(sizes=SIZES, seed=0):
    """A function running one training step with the course engine, and the model's weights."""
    from ...autodiff.nn import MLP, train_step
    from ...autodiff.optim import SGD

    model = MLP(list(sizes), seed=seed)
    optimizer = SGD(model.parameters(), learning_rate=LEARNING_RATE)
    return (lambda x, y: train_step(model, optimizer, x, y)), model


def tensorflow_steps(weights):
    """(eager_step, compiled_step, variables) for the same MLP in plain TensorFlow."""
    import tensorflow as tf

    variables = [tf.Variable(w) for w in weights]

    def step(x, y):
        with tf.GradientTape() as tape:
            h = x
            for i in range(0, len(variables), 2):
                h = h @ variables[i] + variables[i + 1]
                if i + 2 < len(variables):
                    h = tf.nn.relu(h)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, h))
        for v, g in zip(variables, tape.gradient(loss, variables)):
            v.assign_sub(LEARNING_RATE * g)
        return loss

    return step, tf.function(step), variables


def scalar_mlp_loss(layers, images, targets, relu):
    """Sum of squared errors of a scalar MLP; works for any scalar type with + and *.

    ``layers`` is a list of (weights, biases): weights[j] is neuron j's list of input weights.
    """
    loss = 0.0
    for x, target in zip(images, targets):
        h = x
        for depth, (weights, biases) in enumerate(layers):
            h = [sum((w * v for w, v in zip(row, h)), b) for row, b in zip(weights, biases)]
            if depth < len(layers) - 1:
                h = [relu(a) for a in h]
        loss = loss + sum((a - t) * (a - t) for a, t in zip(h, target))
    return loss


def scalar_layers(make, sizes=(64, 16, 10), seed=0):
    """Random layers for :func:`scalar_mlp_loss`, each number wrapped by ``make`` (Node or Value)."""
    rng = random.Random(seed)
    return [
        (
            [[make(rng.uniform(-1, 1) / n_in**0.5) for _ in range(n_in)] for _ in range(n_out)],
            [make(0.0) for _ in range(n_out)],
        )
        for n_in, n_out in zip(sizes[:-1], sizes[1:])
    ]


MICROGRAD_MISSING = (
    "micrograd is not installed (a dev package: pip install micrograd==0.1.0, or the course's dev "
    "extra), so the scalar engine is timed alone and the comparison with micrograd is skipped"
)


def micrograd_value():
    """micrograd's ``Value`` class, or None when micrograd is not installed (a learner's install)."""
    try:
        from micrograd.engine import Value
    except ImportError:
        return None
    return Value


def scalar_runs(batch=4):
    """(course_run, micrograd_run, (our layers, micrograd's)): each run builds the loss and runs backward.

    Without micrograd, ``micrograd_run`` and micrograd's layers are None.
    """
    from ...autodiff.reverse import Node, relu

    images, labels = digits_batch(batch)
    targets = np.eye(10)[labels]
    images, targets = images.astype(float).tolist(), targets.tolist()
    value = micrograd_value()
    ours = scalar_layers(Node)
    theirs = scalar_layers(value) if value is not None else None

    def course_run():
        loss = scalar_mlp_loss(ours, images, targets, relu)
        loss.backward()
        return loss.value

    if theirs is None:
        return course_run, None, (ours, None)

    def micrograd_run():
        for layer in theirs:  # micrograd accumulates .grad: reset, as its training loop does
            for p in [w for row in layer[0] for w in row] + layer[1]:
                p.grad = 0.0
        loss = scalar_mlp_loss(theirs, images, targets, lambda a: a.relu())
        loss.backward()
        return loss.data

    return course_run, micrograd_run, (ours, theirs)


def median_time(function, repeats, number):
    """Median seconds per call over ``repeats`` rounds of ``number`` calls (after one warm-up round)."""
    for _ in range(number):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            function()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


MAX_REPEATS = 1000


def tensor_comparison(repeats):
    """Time one SGD step of the MLP with the course engine, TF eager and tf.function; print the table."""
    from ...runtime.quiet import import_tensorflow

    tf = import_tensorflow()
    x, y = digits_batch()
    ours, model = course_step()
    eager, compiled, _ = tensorflow_steps(model.weights())
    tx, ty = tf.constant(x), tf.constant(y)
    print(f"MLP {' -> '.join(map(str, SIZES))}, batch {BATCH}, one SGD training step (median of {repeats}):")
    times = {
        "course engine": median_time(lambda: ours(x, y), repeats, 200),
        "TF eager GradientTape": median_time(lambda: eager(tx, ty), repeats, 50),
        "TF tf.function": median_time(lambda: compiled(tx, ty), repeats, 200),
    }
    for name, seconds in times.items():
        print(f"  {name:<24} {seconds * 1e6:9.1f} µs")
    print(
        f"  TF eager / course      = {times['TF eager GradientTape'] / times['course engine']:.2f}x  (target >= 1)"
    )
    print(f"  tf.function / course   = {times['TF tf.function'] / times['course engine']:.2f}x")


def scalar_comparison(repeats):
    """Time the scalar MLP with the course's scalar engine and, when installed, micrograd; print the table."""
    course_run, micrograd_run, _ = scalar_runs()
    print("Scalar MLP 64 -> 16 -> 10, 4 images, forward + backward:")
    scalar = {"course scalar engine": median_time(course_run, repeats, 3)}
    if micrograd_run is not None:
        scalar["micrograd"] = median_time(micrograd_run, repeats, 3)
    for name, seconds in scalar.items():
        print(f"  {name:<24} {seconds * 1e3:9.1f} ms")
    if micrograd_run is None:
        print(f"  skipped: {MICROGRAD_MISSING}")
        return
    print(
        f"  micrograd / course     = {scalar['micrograd'] / scalar['course scalar engine']:.2f}x  (target >= 1)"
    )


def cli(argv):
    argv = command_line(argv)
    parser = ArgumentParser(prog="python -m course bench autodiff", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeats",
        type=whole_number(1, MAX_REPEATS),
        default=7,
        help=f"timing rounds per contender, 1 to {MAX_REPEATS} (default 7)",
    )
    args = parser.parse_args(argv)
    tensor_comparison(args.repeats)
    scalar_comparison(args.repeats)
    return 0
