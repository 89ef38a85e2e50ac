"""The judges of 07_cnn_flowers: what each exercise's answer is compared with."""

import numpy as np

from ...convolution import naive_avg_pool2d, naive_conv2d, naive_max_pool2d
from ..checks.nb07_cnn_flowers import _field_mistakes, _receptive_field_of, _size_mistakes
from . import expect
from .expect import Wrong

POOLINGS = ("MaxPooling2D", "AveragePooling2D")


def _floats(seen, what):
    """An ndarray of floats (an integer array has rounded its values)."""
    got = expect.array(seen, what)
    if got.dtype.kind in "iub":
        raise Wrong(
            f"{what} is an array of {got.dtype}: its values were rounded to whole numbers. "
            "It should hold floats."
        )
    return got


def _cross_correlation(image, kernel):

    return naive_conv2d(image[None, :, :, None], kernel[:, :, None, None])[0, :, :, 0]


def _judge_conv(case, seen):
    image, kernel = case["image"], case["kernel"]
    (rows, cols), (kh, kw) = image.shape, kernel.shape
    what = f"conv2d_single(image of shape {image.shape}, kernel of shape {kernel.shape})"
    got = _floats(seen, what)
    want = _cross_correlation(image, kernel)
    shape = tuple(got.shape)
    if shape == (rows - kh, cols - kw):
        raise Wrong(
            f"{what} has shape {shape}, one row and one column short of {want.shape}: "
            "the last window position in each direction is missing."
        )
    if shape == (rows, cols):
        raise Wrong(
            f"{what} has the image's shape {shape}; without padding the window must stay inside "
            f"the image, which leaves {want.shape} positions."
        )
    if kh != kw and shape == (rows - kw + 1, cols - kh + 1):
        if np.allclose(got, _cross_correlation(image, kernel.T)):
            raise Wrong(
                f"{what} is not right: the kernel's height and width are swapped, so its rows run along "
                "the image's columns. The kernel is used as it is, not turned on its side."
            )
    near = {
        "flipped the kernel (the convolution of mathematics); deep learning's convolution slides "
        "the kernel as it is": _cross_correlation(image, kernel[::-1, ::-1]),
        "averaged each window instead of summing it": want / kernel.size,
    }
    if kh == kw:
        near["turned the kernel on its side (transposed it)"] = _cross_correlation(image, kernel.T)
    if want.shape[0] == want.shape[1]:
        near["swapped rows and columns: the result is transposed"] = want.T
    expect.close(got, want, what, near_misses=near)
    return "conv2d_single equals TensorFlow's convolution on one channel: window times kernel, summed."


def _conv_matrix(shape, kernel, order="C"):
    """The reference: weight kernel[a, b] links output pixel (i, j) to input pixel (i + a, j + b), pixels
    numbered as ravel(order=order) numbers them."""
    (rows, cols), (kh, kw) = shape, kernel.shape
    out_rows, out_cols = rows - kh + 1, cols - kw + 1
    outputs = np.arange(out_rows * out_cols).reshape(out_rows, out_cols, order=order).ravel()
    pixels = np.arange(rows * cols).reshape(rows, cols, order=order)
    matrix = np.zeros((out_rows * out_cols, rows * cols))
    for a in range(kh):
        for b in range(kw):
            matrix[outputs, pixels[a : a + out_rows, b : b + out_cols].ravel()] = kernel[a, b]
    return matrix


def _judge_matrix(case, seen):
    shape, kernel = tuple(case["shape"]), case["kernel"]
    what = f"conv_matrix({shape}, kernel of shape {kernel.shape})"
    got = _floats(seen, what)
    want = _conv_matrix(shape, kernel)
    outputs, pixels = want.shape
    if tuple(got.shape) == (pixels, outputs) and outputs != pixels:
        raise Wrong(
            f"{what} has shape {tuple(got.shape)}, expected {want.shape}: one row per output pixel and one "
            "column per input pixel, so that the matrix times the flattened image gives the flattened output."
        )
    if got.ndim != 2:
        raise Wrong(f"{what} should be a 2-D matrix of shape {want.shape}, got shape {tuple(got.shape)}.")
    expect.close(
        got,
        want,
        what,
        near_misses={
            "flipped the kernel (the convolution of mathematics); deep learning's convolution slides the "
            "kernel as it is": _conv_matrix(shape, kernel[::-1, ::-1]),
            "flattened the images column by column; NumPy's ravel() goes row by row": _conv_matrix(
                shape, kernel, order="F"
            ),
        },
    )
    return (
        "conv_matrix is the convolution as one matrix: mostly zeros, and the same few kernel weights "
        "in every row."
    )


def _judge_kernel(case, seen):
    want, images = case["_kernel"], case["images"]
    what = f"learn_kernel(images of shape {images.shape}, edge maps of shape {case['edges'].shape})"
    got = _floats(seen, what)
    if tuple(got.shape) != (3, 3):
        raise Wrong(
            f"{what} should be the 3×3 kernel, as an ndarray of shape (3, 3); got shape {tuple(got.shape)}."
        )
    scale = float(np.abs(want).max())
    if float(np.abs(got).max()) < 0.1 * scale:
        raise Wrong(
            f"{what} is still close to zero: the kernel hardly moved. Check that each step applies the "
            "gradient to the variable, and that there are enough steps."
        )
    try:
        expect.close(
            got,
            want,
            what,
            near_misses={
                "flipped the kernel: your convolution turns the kernel around, the one that made the edge "
                "maps does not": want[::-1, ::-1],
                "transposed the kernel": want.T,
            },
            rtol=0.0,
            atol=0.05 * scale,
        )
    except Wrong as wrong:
        if "looks like you" in str(wrong):
            raise
        raise Wrong(
            f"{wrong} If the loss still fell at the end, train longer or with a larger learning rate."
        ) from None
    return (
        "learn_kernel recovers the hidden edge detector from examples alone: gradient descent on one kernel."
    )


def _judge_size(case, seen):
    length, size, stride = case["L"], case["f"], case["s"]
    what = f"conv_output_size({length}, {size}, {stride})"
    want = (length - size) // stride + 1
    kind = seen.get("type")
    if kind in expect.NUMBER_TYPES and kind not in expect.INTEGER_TYPES:
        value = seen["value"]
        detail = (
            "a count of positions is a whole number, and a window that would stick out is not counted"
            if isinstance(value, float) and not float(value).is_integer()
            else "a count of positions is a whole number (an int)"
        )
        raise Wrong(f"{what} returned the float {value!r}: {detail}.")
    got = expect.whole_number(seen, what)
    if got == want:
        return "conv_output_size is right, also for strides that do not divide L - f evenly."
    mistakes = _size_mistakes(length, size, stride)
    raise Wrong(f"{what} is {got}, which is not right: {mistakes.get(got, 'count the positions again')}.")


def _block_summary(image, size, summary):
    rows, cols = image.shape[0] // size, image.shape[1] // size
    blocks = image[: rows * size, : cols * size].reshape(rows, size, cols, size)
    return summary(blocks, axis=(1, 3))


def _judge_pool(case, seen):

    image, size = case["image"], case["size"]
    what = f"max_pool(image of shape {image.shape}, {size})"
    got = _floats(seen, what)
    want = naive_max_pool2d(image[None, :, :, None], size)[0, :, :, 0]
    shape, (rows, cols) = tuple(got.shape), image.shape
    if shape == (-(-rows // size), -(-cols // size)) and shape != want.shape:
        raise Wrong(
            f"{what} has shape {shape}, expected {want.shape}: it keeps the blocks that stick out "
            "of the image; leave them out."
        )
    if shape == (rows - size + 1, cols - size + 1) and shape != want.shape:
        raise Wrong(
            f"{what} has shape {shape}, expected {want.shape}: the blocks overlap. They should sit "
            "side by side, so the window moves a whole block at a time."
        )
    expect.close(
        got,
        want,
        what,
        near_misses={
            "took the mean of each block (average pooling), not its maximum": _block_summary(
                image, size, np.mean
            ),
            "took the minimum of each block": _block_summary(image, size, np.min),
            "took one pixel of each block instead of the block's maximum": image[::size, ::size][
                : want.shape[0], : want.shape[1]
            ],
            "swapped rows and columns: the result is transposed": want.T,
        },
    )
    return "max_pool keeps the largest value of each block, like TensorFlow's max pooling."


def _pairs(seen):
    """The list of (kernel, stride) pairs an observation shows; None if it shows something else."""
    if not isinstance(seen, dict) or seen.get("type") != "list" or seen.get("length") != len(seen["items"]):
        return None
    pairs = []
    for item in seen["items"]:
        if item.get("type") != "tuple" or item.get("length") != 2:
            return None
        if not all(part.get("type") == "int" for part in item["items"]):
            return None
        pairs.append(tuple(part["value"] for part in item["items"]))
    return pairs


def _judge_field(case, seen):
    layers = [tuple(pair) for pair in case["layers"]]
    what = f"receptive_field({layers})"
    got = expect.whole_number(seen["result"], what)
    if _pairs(seen.get("list_after")) != layers:
        raise Wrong("receptive_field changed the list of layers it was given; leave it as it is.")
    want = _receptive_field_of(layers)
    if got == want:
        return "receptive_field is right: every stride multiplies the reach of the layers after it."
    if not layers:
        raise Wrong(f"{what} is {got}: with no layers at all, an output pixel is one input pixel.")
    mistakes = _field_mistakes(layers)
    raise Wrong(f"{what} is {got}, which is not right: {mistakes.get(got, 'go through the layers again')}.")


LENET5 = (
    ("the first convolution (6 kernels of 5×5, 'same' padding)", ("Conv2D",), (28, 28, 6), 156),
    ("the first pooling (2×2)", POOLINGS, (14, 14, 6), 0),
    ("the second convolution (16 kernels of 5×5, no padding)", ("Conv2D",), (10, 10, 16), 2416),
    ("the second pooling (2×2)", POOLINGS, (5, 5, 16), 0),
    ("the flattening", ("Flatten", "Reshape"), (400,), 0),
    ("the first dense layer (120 units)", ("Dense",), (120,), 48120),
    ("the second dense layer (84 units)", ("Dense",), (84,), 10164),
    ("the output layer (10 units)", ("Dense",), (10,), 850),
)
LENET5_WEIGHTS = sum(weights for *_, weights in LENET5)  # 61,706


def _shape(shape):
    return "×".join(str(n) for n in shape)


def _read(what, read):
    """``read()``: the judge reading a structure the probe reported; Wrong when it is not as described."""
    try:
        return read()
    except Wrong:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        raise Wrong(f"the check could not read {what}.") from None


def _weights(layer):
    """How many weights a layer owns, counted from the shapes of its weights."""
    return sum(int(np.prod(shape)) for shape in layer["weights"])


def _setting(layer, name, default):
    """A setting of a layer, read from its config (``default`` when the config does not say)."""
    config = layer.get("config")
    return config.get(name, default) if isinstance(config, dict) else default


def _layer(layer):
    """What the judge reads in one layer's description: its kind, output shape, weights and settings."""
    kernel = _setting(layer, "kernel_size", [])
    return {
        "type": layer["type"],
        "shape": layer["shape"],
        "weights": _weights(layer),
        "kernel": [int(n) for n in kernel] if isinstance(kernel, list) else [],
        "bias": bool(_setting(layer, "use_bias", True)),
    }


def _fresh(ids):
    """Whether two calls built two models that share no weight."""
    (first, second), (first_weights, second_weights) = ids["models"], ids["weights"]
    return first != second and not set(first_weights) & set(second_weights)


def _judge_lenet(case, seen):
    batch = case["x"].shape[0]
    if not seen["is_model"]:
        raise Wrong(f"lenet5() should return a keras.Model, got {expect.described(seen['made'])}.")
    if not _read("the models lenet5() built", lambda: _fresh(seen["ids"])):
        raise Wrong(
            "lenet5() returned the same model (or the same weights) twice; each call should build a new one."
        )
    _judge_lenet_layers(seen["layers"])
    out = expect.array(seen["output"], f"lenet5() on a batch of shape {case['x'].shape}", shape=(batch, 10))
    if np.all(out >= 0) and np.allclose(out.sum(axis=1), 1, atol=1e-4):
        raise Wrong(
            "the model's outputs are probabilities (they sum to 1): the exercise asks for 10 scores (logits), "
            "with no softmax at the end; the loss will apply it."
        )
    want = _replay(case["x"], seen["layers"])
    if not np.allclose(out, want, rtol=1e-3, atol=1e-4 * max(1.0, float(np.abs(want).max()))):
        raise Wrong(
            "the model's output is not what its layers compute from their weights and settings: the layers "
            "that the model lists should be the whole computation, in order."
        )
    _judge_activations(seen["layers"])
    return f"lenet5 builds LeNet-5: {LENET5_WEIGHTS:,} weights, from 28×28×1 to 10 scores."


def _judge_lenet_layers(layers):
    """LeNet-5's table, row by row: each layer's kind, output shape and number of weights."""
    shaping = _read("the model's layers", lambda: _shaping_layers([_layer(layer) for layer in layers]))
    for position, (role, kinds, shape, weights) in enumerate(LENET5):
        if position >= len(shaping):
            raise Wrong(
                f"the model stops after {len(shaping)} layers that change the shape; {role} is missing."
            )
        _judge_lenet_layer(role, kinds, shape, weights, shaping[position])
    if len(shaping) > len(LENET5):
        extra = shaping[len(LENET5)]
        raise Wrong(
            f"after the output layer comes a {extra['type']}: LeNet-5 ends with its 10-unit dense layer."
        )


# Pre-activations from -3 to 3, ten per row (a softmax works on rows): what each activation is tried on.
PRE_ACTIVATIONS = np.linspace(-3.0, 3.0, 60).reshape(6, 10)
SHAPE_ONLY = (*POOLINGS, "MaxPool2D", "AvgPool2D", "Flatten", "Reshape")


def _activation_after(layers, position):
    """What the model does to the output of its layer ``position`` (a layer with weights) before the next
    layer with weights, pooling and flattening left out: the layer's own activation, then the activation
    layers after it. Tried on :data:`PRE_ACTIVATIONS`, through the replay's own functions."""
    h = _activation(_setting(layers[position], "activation", None))(PRE_ACTIVATIONS)
    for layer in layers[position + 1 :]:
        if layer["weights"]:
            break
        if layer["type"] not in SHAPE_ONLY:
            h = _step(h, {**layer, "values": []})
    return h


def _judge_activations(layers):
    """Each hidden layer followed by a non-linear activation, the output layer by none: tried on negative
    and positive pre-activations."""
    weighted = [position for position, layer in enumerate(layers) if layer["weights"]]
    roles = [role for role, _, _, weights in LENET5 if weights]
    try:
        after = [_activation_after(layers, position) for position in weighted]
    except _Unknown as unknown:
        raise Wrong(
            f"the check cannot compute {unknown} itself. LeNet-5 needs only convolutions, pooling, "
            "flattening and Dense layers, with the usual activations."
        ) from None
    z = PRE_ACTIVATIONS.ravel()
    for role, h in zip(roles[:-1], after[:-1]):
        h = np.asarray(h, dtype=np.float64).ravel()
        line = np.polyval(np.polyfit(z, h, 1), z)
        if np.allclose(h, line, rtol=0, atol=1e-6 * max(1.0, float(np.abs(h).max()))):
            raise Wrong(
                f"{role} is followed by no activation: without a non-linear function between them, "
                "stacked layers compute no more than one linear layer. Each convolution and each hidden "
                "dense layer needs one."
            )
    last = np.asarray(after[-1], dtype=np.float64)
    if not np.allclose(last, PRE_ACTIVATIONS):
        never = ", so they can never be negative" if last.min() >= 0 else ""
        raise Wrong(
            f"the output layer changes its scores with an activation{never}: LeNet-5's last layer gives the "
            "10 scores as they are (logits), negative ones too; the loss applies the softmax itself."
        )


# ---------------------------------------------------------------------------
# A LeNet-5 computed again from its layers' descriptions (configs and weights), in NumPy
# ---------------------------------------------------------------------------


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


ACTIVATIONS = {
    None: lambda z: z,
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "relu6": lambda z: np.clip(z, 0, 6),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.2 * z),
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "softmax": _softmax,
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
    "selu": lambda z: (
        1.0507009873554805 * np.where(z > 0, z, 1.6732632423543772 * np.expm1(np.minimum(z, 0)))
    ),
    "softplus": lambda z: np.logaddexp(0, z),
    "softsign": lambda z: z / (1 + np.abs(z)),
    "swish": lambda z: z * _sigmoid(z),
    "silu": lambda z: z * _sigmoid(z),
    "exponential": np.exp,
}
UNCHANGED = {
    "Dropout",
    "SpatialDropout2D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ActivityRegularization",
}


class _Unknown(Exception):
    """A layer or a setting that the replay does not know."""


def _activation(name):
    if not isinstance(name, (str, type(None))) or name not in ACTIVATIONS:
        raise _Unknown(f"the activation {name!r}")
    return ACTIVATIONS[name]


def _pair(value):
    return tuple(value) if isinstance(value, list) else (value, value)


def _convolution(h, layer, config, values):

    if config.get("data_format", "channels_last") != "channels_last" or _pair(
        config.get("dilation_rate", 1)
    ) != (
        1,
        1,
    ):
        raise _Unknown("a convolution that is not channels-last or that is dilated")
    if config.get("groups", 1) != 1:
        raise _Unknown("a grouped convolution")
    bias = values[1] if len(values) > 1 else None
    z = naive_conv2d(
        h, values[0], bias, stride=_pair(config.get("strides", 1)), padding=config.get("padding")
    )
    return _activation(config.get("activation"))(z)


def _pooling(h, layer, config, values):

    if config.get("data_format", "channels_last") != "channels_last":
        raise _Unknown("a pooling that is not channels-last")
    pool = naive_max_pool2d if layer["type"] in ("MaxPooling2D", "MaxPool2D") else naive_avg_pool2d
    size = _pair(config.get("pool_size", 2))
    stride = config.get("strides")
    return pool(h, size, size if stride is None else _pair(stride), config.get("padding", "valid"))


def _dense(h, layer, config, values):
    z = h @ values[0] + (values[1] if len(values) > 1 else 0)
    return _activation(config.get("activation"))(z)


def _step(h, layer):
    """One layer of the replay: ``h`` through ``layer`` as its description says."""
    config, kind = layer.get("config"), layer["type"]
    if not isinstance(config, dict):
        raise _Unknown(f"a {kind} layer that gives no config")
    values = [np.asarray(v, dtype=np.float64) for v in layer.get("values", [])]
    if kind == "Conv2D":
        return _convolution(h, layer, config, values)
    if kind in POOLINGS + ("MaxPool2D", "AveragePooling2D", "AvgPool2D"):
        return _pooling(h, layer, config, values)
    if kind == "Dense":
        return _dense(h, layer, config, values)
    if kind in ("Flatten", "Reshape"):
        return h.reshape(len(h), *config.get("target_shape", [-1]))
    if kind == "Activation":
        return _activation(config.get("activation"))(h)
    if kind == "ReLU":
        if (
            config.get("max_value") is not None
            or config.get("threshold", 0)
            or config.get("negative_slope", 0)
        ):
            raise _Unknown("a ReLU layer with settings of its own")
        return np.maximum(h, 0)
    if kind == "Softmax":
        return _softmax(h)
    if kind == "Rescaling":
        return h * config.get("scale", 1.0) + config.get("offset", 0.0)
    if kind in UNCHANGED:
        return h
    raise _Unknown(f"a {kind} layer")


def _replay(x, layers):
    """The model's output for ``x``, computed here from each layer's config and weights."""
    h = np.asarray(x, dtype=np.float64)
    try:
        with np.errstate(over="ignore"):  # exp of a large number: inf, as in the model
            for layer in layers:
                h = _read("the model's layers", lambda h=h, layer=layer: _step(h, layer))
    except _Unknown as unknown:
        raise Wrong(
            f"the check cannot compute {unknown} itself, so it cannot confirm the model's output. LeNet-5 "
            "needs only convolutions, pooling, flattening and Dense layers, with the usual activations."
        ) from None
    return h


def _shaping_layers(layers):
    """The layers that LeNet-5's table lists: those with weights, or that change the shape."""
    shaping, before = [], [28, 28, 1]
    for layer in layers:
        if layer["weights"] or layer["shape"] != before:
            shaping.append(layer)
        before = layer["shape"]
    return shaping


def _judge_lenet_layer(role, kinds, shape, weights, layer):
    got, kind = tuple(layer["shape"]), layer["type"]
    if kind == "Dense" and len(got) > 1:
        raise Wrong(
            f"where LeNet-5 has {role}, the model's Dense layer gives an output of shape {_shape(got)}: a Dense "
            "layer works on the last axis only, so the feature maps must be made one vector first."
        )
    if kind not in kinds:
        if kind in POOLINGS + ("Conv2D", "Dense", "Flatten"):
            raise Wrong(f"where LeNet-5 has {role}, the model has a {kind} (output {_shape(got)}).")
        raise Wrong(
            f"the model has a {kind} layer (output {_shape(got)}) that LeNet-5 does not have; {role} belongs there."
        )
    if got != shape:
        if role.startswith("the first convolution") and got[:2] == (24, 24):
            detail = "without padding a 5×5 window leaves 28 - 5 + 1 = 24 positions; LeNet-5 keeps 28×28 here"
        elif role.startswith("the second convolution") and got[:2] == (14, 14):
            detail = "it pads its input; in LeNet-5 the second convolution has no padding"
        elif got[-1] != shape[-1]:
            detail = f"it has {got[-1]} channels or units where LeNet-5 has {shape[-1]}"
        else:
            detail = "check its window size, stride and padding"
        raise Wrong(f"{role} gives {_shape(got)}, LeNet-5's gives {_shape(shape)}: {detail}.")
    if layer["weights"] != weights:
        detail = (
            "it has no bias"
            if not layer["bias"]
            else f"its kernels are {_shape(layer['kernel'])}"
            if layer["kernel"] and tuple(layer["kernel"]) != (5, 5)
            else "count its weights again"
        )
        raise Wrong(f"{role} has {layer['weights']:,} weights, LeNet-5's has {weights:,}: {detail}.")


# The accuracy lenet must reach on the check's pictures (test pictures, each moved by one pixel or left
# in place, then noised): (real MNIST?, FAST mode?) -> bar. The solution's LeNet-5, trained as
# solutions/07_cnn_flowers.ipynb trains it, reached on these pictures (lowest and mean over 30 draws of
# the pictures, for each of 3 or 4 trainings):
#   real MNIST, full (60,000 pictures, 6 epochs):   lowest 0.970 (mean 0.976-0.982; 0.983-0.987 unmoved)
#   real MNIST, FAST (6,000 pictures, 3 epochs):    lowest 0.874 (mean 0.890-0.916; 0.924-0.940 unmoved)
#   offline digits, full (1,438 pictures, 6 epochs): lowest 0.855 (mean 0.885-0.913; 0.930-0.953 unmoved)
#   offline digits, FAST (1,438 pictures, 3 epochs): lowest 0.747 (mean 0.767-0.844; 0.802-0.880 unmoved)
MNIST_BARS = {(True, False): 0.96, (True, True): 0.85, (False, False): 0.80, (False, True): 0.65}
GUESSING = 0.2  # below this a model has learned next to nothing (one class in ten is 0.1)


def _classes(seen, count, what):
    """The class each picture was given, from the model's raw output (scores, or class ids)."""
    if not isinstance(seen, dict) or seen.get("type") != expect.ARRAY_TYPE or "value" not in seen:
        raise Wrong(f"{what} should be an array of class scores, got {expect.described(seen)}.")
    scores = seen["value"]
    if scores.ndim == 2 and scores.shape[0] == count and scores.shape[1] > 1:
        return np.argmax(scores, axis=1)
    if scores.shape in ((count,), (count, 1)) and scores.dtype.kind in "iu":
        return scores.reshape(count)
    raise Wrong(
        f"{what} has shape {scores.shape}; for {count:,} pictures it should be {count:,} rows of class scores."
    )


def _judge_trained(case, seen):
    labels = case["_labels"]
    if (
        not isinstance(seen.get("model"), dict)
        or "scores" not in seen
        or not isinstance(seen.get("layers"), list)
    ):
        raise Wrong(f"lenet should be a trained keras.Model, got {expect.described(seen.get('model'))}.")
    weights = _read("lenet's layers", lambda: sum(_weights(layer) for layer in seen["layers"]))
    if weights != LENET5_WEIGHTS:
        raise Wrong(
            f"lenet should be the LeNet-5 that your lenet5() builds ({LENET5_WEIGHTS:,} weights); its layers "
            f"hold {weights:,}."
        )
    if not all("shape" in layer for layer in seen["layers"]):
        raise Wrong(
            "lenet should be the LeNet-5 that your lenet5() builds, a chain of layers; the check could not "
            "pass pictures through its layers one after the other."
        )
    _judge_lenet_layers(seen["layers"])
    _judge_activations(seen["layers"])
    what = f"lenet's output for {len(labels):,} test pictures"
    got = float(np.mean(_classes(seen["scores"], len(labels), what) == labels))
    bar = MNIST_BARS[(bool(case["_real"]), bool(case["_fast"]))]
    data = "MNIST" if case["_real"] else "the offline digits"
    pictures = f"{len(labels):,} test pictures of {data}"
    if got >= bar:
        return (
            f"lenet reaches {got:.1%} on {pictures}, each moved by up to a pixel and lightly noised "
            f"(the bar is {bar:.0%})."
        )
    unscaled = float(np.mean(_classes(seen["scores_0_255"], len(labels), what) == labels))
    if unscaled >= bar:
        raise Wrong(
            f"lenet does well on pixels from 0 to 255 ({unscaled:.1%}) but not on pixels scaled "
            "to [0, 1], which the exercise feeds it: train it on the scaled pictures."
        )
    if got < GUESSING:
        raise Wrong(
            f"lenet gets {got:.1%} of the test pictures right, about what guessing gives: it has not learned. "
            "Was it trained (fit) after compiling, on the training pictures and their labels?"
        )
    raise Wrong(
        f"lenet gets {got:.1%} of {pictures} right (each moved by up to a pixel and lightly noised); the bar "
        f"here is {bar:.0%}. Train longer, or check the learning rate and the loss."
    )


def _relu(z):
    return np.maximum(z, 0)


def _conv(x, layer, stride=1, padding="same"):
    """``x`` through a convolution's kernel and bias (a layer of the probe's report), nothing else."""
    values = [np.asarray(v, dtype=np.float64) for v in layer["values"]]
    return naive_conv2d(x, values[0], values[1] if len(values) > 1 else None, stride=stride, padding=padding)


def _kernel_size(layer):
    kernel = _setting(layer, "kernel_size", [])
    return [int(n) for n in kernel] if isinstance(kernel, list) else []


def _near(got, want):
    """Whether ``got`` is ``want``, up to float32 and to BatchNormalization at its start (x / sqrt(1 + eps))."""
    scale = max(1.0, float(np.abs(want).max()))
    return got.shape == want.shape and np.allclose(got, want, rtol=5e-3, atol=5e-3 * scale)


def _judge_residual(case, seen):
    (rows, cols, channels), filters, stride = case["shape"], case["filters"], case["stride"]
    what = (
        f"residual_block(x of shape (batch, {rows}, {cols}, {channels}), filters={filters}, stride={stride})"
    )
    if not seen["is_tensor"]:
        raise Wrong(
            f"{what} should return the block's output, a Keras tensor built from x with the functional API; "
            f"got {expect.described(seen['made'])}."
        )
    want_shape = [-(-rows // stride), -(-cols // stride), filters]
    if seen["shape"] != want_shape:
        raise Wrong(f"{what} gives an output of shape {tuple(seen['shape'])}, expected {tuple(want_shape)}.")
    fits = stride == 1 and channels == filters  # x itself can be added
    convolutions = _read(
        f"the layers of {what}", lambda: [layer for layer in seen["layers"] if layer["type"] == "Conv2D"]
    )
    threes = [layer for layer in convolutions if _kernel_size(layer) == [3, 3]]
    ones = [layer for layer in convolutions if _kernel_size(layer) == [1, 1]]
    if len(threes) + len(ones) < len(convolutions):
        other = next(_kernel_size(layer) for layer in convolutions if layer not in threes + ones)
        raise Wrong(
            f"{what} has a {_shape(other)} convolution: a residual block has two 3×3 convolutions on its main "
            "path, and a 1×1 convolution for the projection when one is needed."
        )
    if len(threes) < 2:
        raise Wrong(f"the main path of {what} should hold two 3×3 convolutions; it has {len(threes)}.")
    if len(threes) > 2 and not fits and not ones:
        raise Wrong(
            f"{what} has three 3×3 convolutions: the projection of x should be a 1×1 convolution, which only "
            "changes the number of channels (and takes the stride), without mixing neighbouring pixels."
        )
    if len(threes) > 2:
        raise Wrong(f"the main path of {what} should hold two 3×3 convolutions; the block has {len(threes)}.")
    if len(ones) > 1:
        raise Wrong(f"{what} has {len(ones)} 1×1 convolutions; the shortcut needs one projection at most.")
    x = np.asarray(case["x"], dtype=np.float64)
    got = expect.array(seen["output"], f"the output of {what}", shape=(len(x), *want_shape))
    silenced = expect.array(seen["silenced"], f"the output of {what}", shape=got.shape)
    _judge_shortcut(what, x, silenced, ones, stride, fits)
    shortcut = x if fits else _conv(x, ones[0], stride, "valid")
    _judge_main_path(what, x, got, threes, shortcut, stride)
    return (
        "residual_block adds its input (or a projection of it) to two convolutions: ResNet's building block."
    )


def _judge_shortcut(what, x, silenced, ones, stride, fits):
    """The block with its 3×3 convolutions set to zero: what is left is ReLU(shortcut)."""
    projected = _conv(x, ones[0], stride, "valid") if ones else None
    if fits and projected is not None and _near(silenced, _relu(projected)):
        raise Wrong(
            f"in {what}, x already has the shape of the main path's output (stride 1, {x.shape[-1]} channels), "
            "so the shortcut should be x itself; this block passes it through a 1×1 convolution first."
        )
    shortcut = x if fits else projected
    if shortcut is None:
        raise Wrong(
            f"in {what}, x does not have the main path's shape: the shortcut needs a projection, a 1×1 "
            "convolution with the block's stride."
        )
    if _near(silenced, _relu(shortcut)):
        return
    if _near(silenced, shortcut):
        raise Wrong(
            f"{what} can give negative numbers: there is no ReLU after the sum. ResNet's block ends with "
            "one: ReLU(main path + shortcut)."
        )
    raise Wrong(
        f"x never reaches the sum in {what}: with its 3×3 convolutions set to zero, the block should "
        f"still give ReLU of its shortcut ({'x itself' if fits else 'the 1×1 projection of x'}), and it does "
        "not. The shortcut must start from x, not from the main path."
    )


def _judge_main_path(what, x, got, threes, shortcut, stride):
    """The block as built: ReLU(conv(ReLU(conv(x, stride))) + shortcut), for either order of its two
    3×3 convolutions (the judge does not read the graph, only what the block computes)."""
    near_misses = {
        "the stride belongs to the first 3×3 convolution; this block puts it on the second": lambda a, b: (
            _relu(_conv(_relu(_conv(x, a)), b, stride) + shortcut)
        ),
        "there is no ReLU between the two 3×3 convolutions": lambda a, b: _relu(
            _conv(_conv(x, a, stride), b) + shortcut
        ),
        "the main path goes through a ReLU before the sum; in ResNet's block the ReLU comes after the "
        "addition": lambda a, b: _relu(_relu(_conv(_relu(_conv(x, a, stride)), b)) + shortcut),
    }
    orders = [pair for pair in (threes, threes[::-1]) if _fits_as_first(pair[0], x)]
    for first, second in orders:
        if _near(got, _relu(_conv(_relu(_conv(x, first, stride)), second) + shortcut)):
            return
    for diagnosis, mistake in near_misses.items():
        for first, second in orders:
            if _near(got, mistake(first, second)):
                raise Wrong(f"{what} is not right: {diagnosis}.")
    raise Wrong(
        f"{what} does not compute ReLU(main path + shortcut) with its own weights: the main path should be a "
        "3×3 convolution with the stride, a ReLU, and a second 3×3 convolution, both with 'same' padding."
    )


def _fits_as_first(layer, x):
    """Whether a convolution's kernel takes as many channels as x has."""
    return np.shape(layer["values"][0])[2] == x.shape[-1]


JUDGES = {
    "07.1": _judge_conv,
    "07.2": _judge_matrix,
    "07.3": _judge_kernel,
    "07.4": _judge_size,
    "07.5": _judge_pool,
    "07.6": _judge_field,
    "07.7": _judge_lenet,
    "07.8": _judge_trained,
    "07.9": _judge_residual,
}
