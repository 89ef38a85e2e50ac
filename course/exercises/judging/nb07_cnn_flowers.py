"""The judges of 07_cnn_flowers: what each exercise's answer is compared with."""

import numpy as np

from ...convolution import naive_avg_pool2d, naive_conv2d, naive_max_pool2d
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
    """The reference: column p of the matrix is the convolution of the image that is 1 at pixel p."""
    rows, cols = shape
    columns = []
    for pixel in range(rows * cols):
        basis = np.zeros(rows * cols)
        basis[pixel] = 1.0
        columns.append(_cross_correlation(basis.reshape(shape, order=order), kernel).ravel(order=order))
    return np.stack(columns, axis=1)


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
    mistakes = {  # later entries win where two mistakes give the same number
        -(-length // stride): "that is the length for 'same' padding; here nothing is padded",
        length - size + 1: "the stride is ignored: it should move the window s pixels at a time",
        (length - size) // stride: "it is one short: the window's first position (at 0) counts too",
        -(-(length - size) // stride) + 1: "it counts a last window that would stick out of the input: "
        "round down, not up",
        length - size: "it is one short: the window's first position (at 0) counts too",
    }
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


def _receptive_field(layers, jump_from=0, plus=1):
    field, jump = plus, 1
    for kernel, stride in layers:
        if jump_from:
            jump *= stride
        field += (kernel - 1) * jump
        if not jump_from:
            jump *= stride
    return field


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
    want = _receptive_field(layers)
    if got == want:
        return "receptive_field is right: every stride multiplies the reach of the layers after it."
    if not layers:
        raise Wrong(f"{what} is {got}: with no layers at all, an output pixel is one input pixel.")
    mistakes = {
        1 + sum(k - 1 for k, _ in layers): "the strides are ignored: after a stride, neighbouring "
        "positions are further apart in the input",
        _receptive_field(layers, jump_from=1): "each layer's own stride is applied to its kernel; a stride "
        "only spreads out the layers that come after it",
        _receptive_field(layers, plus=0): "it is one short: one output pixel of a 1×1 network already sees "
        "one input pixel",
        sum(k for k, _ in layers): "adding up the kernel sizes counts the shared pixels twice",
    }
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
    shaping = _read(
        "the model's layers", lambda: _shaping_layers([_layer(layer) for layer in seen["layers"]])
    )
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
    return f"lenet5 builds LeNet-5: {LENET5_WEIGHTS:,} weights, from 28×28×1 to 10 scores."


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


def _adds(graph):
    """For each call of an Add layer, where each of its inputs comes from: "input" (x itself),
    "Kind(input)" (a layer applied to x alone) or the kind of the layer that made it."""
    layers = {layer["name"]: layer for layer in graph["layers"]}
    x = graph["input"]

    def source(name):
        if name == x:
            return "input"
        producer = layers.get(name)
        if producer is None:
            return ""
        calls = producer["calls"][:1]
        return producer["type"] + ("(input)" if calls == [[x]] else "")

    return [
        [source(name) for name in call]
        for layer in graph["layers"]
        if layer["type"] == "Add"
        for call in layer["calls"]
    ]


def _convolutions(graph):
    """The kernel size of each Conv2D of the graph, read from its config."""
    return [
        [int(n) for n in _setting(layer, "kernel_size", [])]
        for layer in graph["layers"]
        if layer["type"] == "Conv2D"
    ]


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
    want = [-(-rows // stride), -(-cols // stride), filters]
    if seen["shape"] != want:
        raise Wrong(f"{what} gives an output of shape {tuple(seen['shape'])}, expected {tuple(want)}.")
    adds, convolutions = _read(
        f"the graph of {what}", lambda: (_adds(seen["graph"]), _convolutions(seen["graph"]))
    )
    if not adds:
        raise Wrong(
            f"{what} has no Add layer: a residual block adds the shortcut to the main path "
            "(Concatenate would stack them side by side instead)."
        )
    shortcut = [kind for kinds in adds for kind in kinds if kind == "input" or kind.endswith("(input)")]
    if not shortcut:
        raise Wrong(
            f"in {what} no Add receives x itself or a projection of x (one layer applied to x): the shortcut "
            "must skip the main path."
        )
    if (stride != 1 or channels != filters) and "input" in shortcut:
        raise Wrong(f"{what} adds x itself, but its shape differs from the main path's: project it first.")
    if sum(kernel == [3, 3] for kernel in convolutions) < 2:
        raise Wrong(
            f"the main path of {what} should hold two 3×3 convolutions; its convolutions are {convolutions}."
        )
    return (
        "residual_block adds its input (or a projection of it) to two convolutions: ResNet's building block."
    )


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
