"""The judges of 06_keras: what each exercise's answer is compared with."""

import numpy as np

from . import expect
from .expect import Wrong

ACTIVATIONS = {
    None: lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
}


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


def _log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _judge_log_softmax(case, seen):
    z = case["logits"]
    what = f"log_softmax of logits of shape {z.shape} (between {z.min():.0f} and {z.max():.0f})"
    value = seen.get("value") if isinstance(seen, dict) else None
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and not np.all(np.isfinite(value)):
        raise Wrong(
            f"{what} contains NaN or infinity: somewhere an exp overflowed to inf or underflowed to 0 "
            "(whose log is -inf). The result itself is an ordinary number for these logits."
        )
    got = expect.array(seen, what, shape=z.shape)
    if got.dtype.kind != "f":
        raise Wrong(f"{what} is an array of {got.dtype}: it should hold floats.")
    want = _log_softmax(z)
    with np.errstate(all="ignore"):
        along_batch = z - z.max(axis=0, keepdims=True)
        along_batch = along_batch - np.log(np.exp(along_batch).sum(axis=0, keepdims=True))
        expect.close(
            got,
            want,
            what,
            near_misses={
                "normalised along the batch axis instead of along each row of class scores": along_batch,
                "returned the softmax probabilities, not their logarithm": np.exp(want),
                "took away the maximum but did not add it back (log-sum-exp of z is max(z) + the "
                "log-sum-exp of z - max(z))": want + z.max(axis=-1, keepdims=True),
                "forgot the log-sum-exp term: only the maximum was taken away": z
                - z.max(axis=-1, keepdims=True),
                "added up the exponentials of the whole batch instead of those of each row": z
                - z.max(axis=-1, keepdims=True)
                - np.log(np.exp(z - z.max(axis=-1, keepdims=True)).sum()),
            },
            rtol=1e-6,
            atol=1e-6,
        )
    rows = np.exp(got).sum(axis=-1)
    if not np.allclose(rows, 1.0, atol=1e-6):
        raise Wrong(f"the exponentials of each row of {what} should add up to 1.")
    return "log_softmax stays finite for logits near 1000 and near -1000, and matches the exact values row by row."


def _judge_my_dense(case, seen):
    units, activation, x = case["units"], case["activation"], case["x"].astype(np.float64)
    made = f"MyDense({units})" if activation is None else f"MyDense({units}, {activation!r})"
    if not seen["is_layer"]:
        raise Wrong(f"{made} should be a Keras layer, got {expect.described(seen['made'])}.")
    shapes_seen = (seen.get("weights_before_call"), seen.get("weights_after_second_call", []))
    if not all(isinstance(shapes, list) for shapes in shapes_seen):
        raise Wrong(f"the check could not read the weights of {made}.")
    if seen["weights_before_call"]:
        raise Wrong(
            f"{made} owns {len(seen['weights_before_call'])} weights before its first call: the number of input "
            "features is not known yet, so the weights belong to the step that runs on the first call."
        )
    shapes = {"kernel": (x.shape[1], units), "bias": (units,)}
    found = [tuple(np.shape(item.get("value"))) for item in seen["trainable"]]
    if len(found) != 2 or sorted(found, key=len) != [shapes["bias"], shapes["kernel"]]:
        raise Wrong(
            f"after its first call on inputs with {x.shape[1]} features, {made} should own two trainable "
            f"weights, a kernel of shape {shapes['kernel']} and a bias of shape {shapes['bias']}; "
            f"it owns {len(found)} of shapes {found}."
        )
    initial = {
        name: next(
            np.asarray(item["value"]) for item in seen["trainable"] if tuple(np.shape(item["value"])) == shape
        )
        for name, shape in shapes.items()
    }
    if np.any(initial["bias"] != 0):
        raise Wrong(f"the bias of {made} should start at zero.")
    limit = np.sqrt(6 / (x.shape[1] + units)) * (1 + 1e-6)  # float32 rounding at the edge
    if np.all(initial["kernel"] == initial["kernel"].flat[0]) or np.any(np.abs(initial["kernel"]) > limit):
        raise Wrong(
            f"the kernel of {made} should start with random values from the Glorot uniform initializer."
        )
    act = ACTIVATIONS[activation]
    what = f"{made} on a batch of shape {x.shape}"
    first = expect.array(seen["first"]["values"], what, shape=(x.shape[0], units))
    kernel, bias = initial["kernel"].astype(np.float64), initial["bias"].astype(np.float64)
    expect.close(
        first,
        act(x @ kernel + bias),
        what,
        near_misses={"forgot the activation": x @ kernel + bias} if activation else {},
        rtol=1e-4,
        atol=1e-5,
    )
    if len(seen["weights_after_second_call"]) != 2:
        raise Wrong(
            f"{made} owns {len(seen['weights_after_second_call'])} weights after a second call: the weights "
            "should be made once, not on every call."
        )
    kernel, bias = case["kernel"].astype(np.float64), case["bias"].astype(np.float64)
    what = f"{made} on a batch of shape {x.shape}, with a non-zero bias"
    second = expect.array(seen["second"]["values"], what, shape=(x.shape[0], units))
    misses = {
        "forgot the bias": act(x @ kernel),
        "applied the activation before adding the bias": act(x @ kernel) + bias,
    }
    if activation:
        misses["forgot the activation"] = x @ kernel + bias
    expect.close(second, act(x @ kernel + bias), what, near_misses=misses, rtol=1e-4, atol=1e-5)
    if case["wide"]:
        _glorot_uniform(seen.get("wide"), *case["wide"])
    return "MyDense makes its weights on the first call and computes what a Dense layer computes."


def _glorot_uniform(weights, n_in, units):
    """The kernel of a MyDense(units) built for n_in features should look drawn from U(-L, L), L the
    Glorot limit: with thousands of values, the largest is within 2% of L, none beyond it, and the
    mean size is L / 2 (another law, or another limit, misses one of the three by far)."""
    made = f"MyDense({units}) built for {n_in} input features"
    if not isinstance(weights, list):
        raise Wrong(f"the check could not read the weights of {made}.")
    kernels = [
        w.get("value") for w in weights if isinstance(w, dict) and tuple(w.get("shape", ())) == (n_in, units)
    ]
    if len(kernels) != 1 or not isinstance(kernels[0], np.ndarray):
        raise Wrong(f"{made} should own one kernel of shape ({n_in}, {units}).")
    size = np.abs(kernels[0].astype(np.float64))
    limit = np.sqrt(6 / (n_in + units))
    if size.max() > limit * (1 + 1e-6) or size.max() < 0.98 * limit or abs(size.mean() / limit - 0.5) > 0.03:
        raise Wrong(
            f"the kernel of {made} does not look drawn by the Glorot uniform initializer: its values "
            f"should spread evenly between -{limit:.3f} and {limit:.3f}, but here the largest size is "
            f"{size.max():.3f} and the mean size {size.mean():.3f}. Which initializer does the exercise name?"
        )


def _judge_mlp(case, seen):
    hidden, classes, x = case["hidden_units"], case["num_classes"], case["x"].astype(np.float64)
    made = f"MnistMLP({hidden}, {classes})"
    if seen["sequential"]:
        raise Wrong(
            "MnistMLP subclasses keras.Sequential: the exercise asks for a keras.Model subclass "
            "whose own call says how the data flows."
        )
    if not seen["is_model"]:
        raise Wrong(
            f"{made} should be a keras.Model (an instance of your subclass), got "
            f"{expect.described(seen['made'])}."
        )
    what = f"{made} on a batch of shape {x.shape}"
    expect.array(seen["first"]["values"], what, shape=(x.shape[0], classes))
    want_shapes = [list(w.shape) for w in case["weights"]]
    if sorted(seen["shapes"]) != sorted(want_shapes):
        raise Wrong(
            f"on inputs with {x.shape[1]} features, {made} should have a kernel {tuple(want_shapes[0])} and a "
            f"bias {tuple(want_shapes[1])} in the hidden layer, then a kernel {tuple(want_shapes[2])} and a "
            f"bias {tuple(want_shapes[3])}; its weights have shapes {[tuple(s) for s in seen['shapes']]}."
        )
    w0, b0, w1, b1 = (w.astype(np.float64) for w in case["weights"])
    hidden_out = np.maximum(x @ w0 + b0, 0)
    got = expect.array(seen["second"]["values"], f"{what} (with other weights)", shape=(x.shape[0], classes))
    expect.close(
        got,
        _softmax(hidden_out @ w1 + b1),
        f"{what} (with other weights)",
        near_misses={
            "forgot the softmax: the outputs are not probabilities that sum to 1": hidden_out @ w1 + b1,
            "forgot the ReLU of the hidden layer": _softmax((x @ w0 + b0) @ w1 + b1),
            "put the ReLU on the output instead of the softmax": np.maximum(hidden_out @ w1 + b1, 0),
            "used a sigmoid in the hidden layer: mnist_model's hidden layer ends with a ReLU": _softmax(
                (1 / (1 + np.exp(-(x @ w0 + b0)))) @ w1 + b1
            ),
        },
        rtol=1e-4,
        atol=1e-6,
    )
    want_default = sorted([[x.shape[1], 512], [512], [512, 10], [10]])
    default_shapes = seen.get("default_shapes")
    if not isinstance(default_shapes, list):
        raise Wrong("the check could not read the weights of MnistMLP().")
    default_shapes = sorted(default_shapes)
    if default_shapes != want_default:
        raise Wrong(
            "MnistMLP() with no arguments should have 512 hidden units and 10 classes; its weights have "
            f"shapes {[tuple(s) for s in default_shapes]}."
        )
    return "MnistMLP computes the same function as the Sequential MNIST model."


def _judge_pair(case, seen):
    n, units = case["n_features"], case["units"]
    made = f"pair_model({n}, {units})"
    if not seen["is_model"]:
        raise Wrong(f"{made} should return a keras.Model, got {expect.described(seen['made'])}.")
    if not seen["functional"]:
        raise Wrong(
            f"{made} is a keras.Model, but not one built with the functional API: connect keras.Input "
            "tensors through layers and make the model from its inputs and outputs."
        )
    if seen["inputs"] != [[None, n], [None, n]]:
        raise Wrong(
            f"{made} should have two inputs of shape (None, {n}); its inputs have shapes {seen['inputs']}."
        )
    if seen["outputs"] != [[None, 1]]:
        raise Wrong(
            f"{made} should have one output of shape (None, 1); its outputs have shapes {seen['outputs']}."
        )
    encoders = sum(shape == [n, units] for shape in seen["shapes"])
    if encoders > 1:
        raise Wrong(
            f"{made} has {encoders} kernels of shape ({n}, {units}): each input got its own encoder. "
            "Both inputs should go through one and the same layer, so that its weights are shared."
        )
    want = sorted([[n, units], [units], [2 * units, 1], [1]])
    if sorted(seen["shapes"]) != want:
        raise Wrong(
            f"{made} should own an encoder kernel ({n}, {units}) and bias ({units},), and an output kernel "
            f"({2 * units}, 1) and bias (1,); its weights have shapes {[tuple(s) for s in seen['shapes']]}."
        )
    layers = seen.get("layers")
    if not isinstance(layers, list) or not all(isinstance(layer, dict) for layer in layers):
        raise Wrong(f"the check could not read the layers of {made}.")
    encoder = next((layer for layer in layers if layer.get("shapes", [])[:1] == [[n, units]]), None)
    if encoder is None or not isinstance(encoder.get("calls"), list) or len(encoder["calls"]) != 2:
        raise Wrong(f"the encoder of {made} should be called twice, once on each input.")
    w, b, v, c = (array.astype(np.float64) for array in case["weights"])
    left, right = case["left"].astype(np.float64), case["right"].astype(np.float64)

    def sigmoid(t):
        return 1 / (1 + np.exp(-t))

    def code(x):
        return np.maximum(x @ w + b, 0)

    joined = np.concatenate([code(left), code(right)], axis=1)
    what = f"{made} on a pair of batches of shape {left.shape}"
    got = expect.array(seen["out"]["values"], what, shape=(len(left), 1))
    expect.close(
        got,
        sigmoid(joined @ v + c),
        what,
        near_misses={
            "called the encoder on the left input twice: the right input never reaches the output": sigmoid(
                np.concatenate([code(left), code(left)], axis=1) @ v + c
            ),
            "put a softmax on the single output unit: a softmax over one number is always 1": np.ones(
                (len(left), 1)
            ),
            "joined the two codes in the other order (the right input's code should come second)": sigmoid(
                np.concatenate([code(right), code(left)], axis=1) @ v + c
            ),
            "forgot the ReLU of the shared encoder": sigmoid(
                np.concatenate([left @ w + b, right @ w + b], axis=1) @ v + c
            ),
            "forgot the sigmoid of the output": joined @ v + c,
        },
        rtol=1e-4,
        atol=1e-5,
    )
    return (
        f"{made} sends both inputs through one shared encoder and scores the pair: Sequential cannot do that."
    )


def _stopping(values, patience, min_delta, mode, ties=False, late=0, previous=False, keep_count=False):
    """Keras's rule, or one of its plausible mistakes: (best epoch, stop epoch or None), from 1.

    ``late``: stops that many epochs late (-1: early); ``previous``: compares each value with the one
    before instead of the best; ``keep_count``: counts the epochs without improvement in all, never
    starting again at 0.
    """
    sign = 1 if mode == "min" else -1
    best, best_epoch, wait, last = np.inf, 0, 0, np.inf
    for epoch, value in enumerate(values):
        score = sign * value
        reference = last if previous else best
        last = score
        improved = score + min_delta < reference or (ties and score + min_delta <= reference)
        wait += 0 if keep_count and improved else 1
        if improved:
            best, best_epoch = score, epoch
            wait = wait if keep_count else 0
        elif wait >= patience + late and epoch > 0:
            return best_epoch + 1, epoch + 1
    return best_epoch + 1, None


def _wrong_way(values, patience, min_delta, mode):
    """The rule with min_delta added on the wrong side: a value within min_delta of the best counts."""
    sign = 1 if mode == "min" else -1
    return _stopping([sign * v for v in values], patience, -min_delta, "min")


def _best_of_all(values, mode):
    """The epoch (from 1) of the best value of the whole list."""
    return int(np.argmin(values) if mode == "min" else np.argmax(values)) + 1


def _epoch(seen, what):
    if seen.get("type") == "NoneType":
        return None
    return expect.whole_number(seen, what)


def _judge_stop(case, seen):
    values, patience, min_delta, mode = case["values"], case["patience"], case["min_delta"], case["mode"]
    call = f"when_to_stop({len(values)} values, patience={patience}, min_delta={min_delta}, mode={mode!r})"
    best_seen, stop_seen = expect.items(seen, ("best_epoch", "stop_epoch"), call)
    got = (
        expect.whole_number(best_seen, f"the best epoch of {call}"),
        _epoch(stop_seen, f"the stop epoch of {call}"),
    )
    want = _stopping(values, patience, min_delta, mode)
    if got == want:
        return "when_to_stop applies the rule of keras.callbacks.EarlyStopping, in both directions."
    other = "max" if mode == "min" else "min"
    misses = {
        "counted the epochs from 0; Keras's log counts them from 1": tuple(
            None if e is None else e - 1 for e in want
        ),
        f"treated mode={mode!r} like mode={other!r}": _stopping(values, patience, min_delta, other),
        "ignored min_delta: a smaller gain than min_delta is no improvement": _stopping(
            values, patience, 0.0, mode
        ),
        "counted a value equal to the best (after min_delta) as an improvement; only a strictly better one "
        "counts": _stopping(values, patience, min_delta, mode, ties=True),
        f"stopped one epoch late: training stops as soon as {patience} epochs in a row bring no improvement": (
            _stopping(values, patience, min_delta, mode, late=1)
        ),
        f"stopped one epoch early: training stops once {patience} epochs in a row bring no improvement, "
        "not before": _stopping(values, patience, min_delta, mode, late=-1),
        "took min_delta the wrong way: a value must beat the best by more than min_delta, so a value a "
        "little worse than the best is no improvement": _wrong_way(values, patience, min_delta, mode),
        "compared each value with the epoch before it; an improvement must beat the best value so far": (
            _stopping(values, patience, min_delta, mode, previous=True)
        ),
        "kept counting after an improvement: the count of epochs without improvement starts again at 0 "
        "after each one": _stopping(values, patience, min_delta, mode, keep_count=True),
        "returned the last epoch when training runs to the end: then the stop epoch is None": (
            want[0],
            len(values) if want[1] is None else want[1],
        ),
        "took the best epoch of the whole list: only the epochs before the stop count": (
            _best_of_all(values, mode),
            want[1],
        ),
    }
    for diagnosis, mistake in misses.items():
        if mistake != want and got == mistake:
            raise Wrong(f"{call} returned {got}: it looks like you {diagnosis}.")
    wrong = [name for name, g, w in zip(("the best epoch", "the stop epoch"), got, want) if g != w]
    verb = "are not the ones" if len(wrong) == 2 else "is not the one"
    raise Wrong(
        f"{call} returned {got}: {' and '.join(wrong)} {verb} EarlyStopping gives for the values {values}. "
        "Work through them by hand, epoch by epoch."
    )


JUDGES = {
    "06.1": _judge_log_softmax,
    "06.2": _judge_my_dense,
    "06.3": _judge_mlp,
    "06.4": _judge_pair,
    "06.5": _judge_stop,
}
