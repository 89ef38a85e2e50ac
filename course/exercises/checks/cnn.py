"""Exercises and quizzes of 07_cnn_flowers.

07.1 to 07.4 ask the learner to write convolution arithmetic and loops themselves: the
course's own versions (``course.convolution``) are disabled while the learner's code runs,
and so are the libraries' versions that are already loaded (TensorFlow, Keras, SciPy).
07.5 is a Keras value whose layers are compared, setting by setting, with Keras's defaults.
"""

import inspect
import math

import numpy as np

from .. import judging
from ..framework import exercise
from ..judging import Wrong
from ..probing import Shortcut, observe, type_name
from ..quizzes import multiple_choice, predict_shape

# Library versions refused while the learner's code runs, when the session has loaded them.
LIBRARY_CONVOLUTIONS = tuple(
    Shortcut(target, only_if_loaded=True)
    for target in (
        "tensorflow:nn.conv2d",
        "tensorflow:nn.convolution",
        "tensorflow:nn.depthwise_conv2d",
        "keras:ops.conv",
        "keras:ops.depthwise_conv",
        "keras:layers.Conv2D",
        "scipy.signal:correlate2d",
        "scipy.signal:convolve2d",
        "scipy.signal:correlate",
        "scipy.ndimage:correlate",
    )
)
LIBRARY_POOLINGS = tuple(
    Shortcut(target, only_if_loaded=True)
    for target in (
        "tensorflow:nn.max_pool",
        "tensorflow:nn.max_pool2d",
        "tensorflow:nn.pool",
        "keras:ops.max_pool",
        "keras:layers.MaxPooling2D",
    )
)


def _floats(seen, what):
    """An ndarray of floats (an integer array has rounded its values)."""
    got = judging.array(seen, what)
    if got.dtype.kind in "iub":
        raise Wrong(
            f"{what} is an array of {got.dtype}: its values were rounded to whole numbers. "
            "It should hold floats."
        )
    return got


# ---------------------------------------------------------------------------
# 07.1 Convolution with two loops
# ---------------------------------------------------------------------------


def _cross_correlation(image, kernel):
    from ...convolution import naive_conv2d

    return naive_conv2d(image[None, :, :, None], kernel[:, :, None, None])[0, :, :, 0]


def _conv_cases(rng):
    cases = []
    for _ in range(5):
        rows, cols = (int(n) for n in rng.integers(3, 10, size=2))
        kh, kw = int(rng.integers(1, min(rows, 4) + 1)), int(rng.integers(1, min(cols, 4) + 1))
        if kh == kw:  # mostly rectangular kernels, so that a transposed kernel shows
            kw = kw % min(cols, 4) + 1
        cases.append({"image": rng.normal(size=(rows, cols)), "kernel": rng.normal(size=(kh, kw))})
    cases.append({"image": rng.normal(size=(4, 4)), "kernel": rng.normal(size=(4, 4))})  # one position
    return cases


def _probe_conv(answer, case):
    return observe(answer(case["image"], case["kernel"]))


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
    judging.close(got, want, what, near_misses=near)
    return "conv2d_single equals TensorFlow's convolution on one channel: window times kernel, summed."


exercise(
    id="07.1",
    title="Convolution with two loops",
    produce="a function conv2d_single(image, kernel) that takes two 2-D float arrays and returns, as a "
    "new 2-D float ndarray, their 'valid' convolution with stride 1 (the window always inside the image)",
    cases=_conv_cases,
    probe=_probe_conv,
    judge=_judge_conv,
    hints=(
        "Each output pixel comes from one position of the kernel over the image: how many positions "
        "fit along each axis when the window must stay inside?",
        "Make an output array of that shape first, then visit every (row, column) position with two loops.",
        "At each position take the window of the image that the kernel covers (a slice as large as the "
        "kernel), multiply it element by element with the kernel and add everything up.",
    ),
    shortcuts=(
        Shortcut("course.convolution:naive_conv2d"),
        Shortcut("course.convolution:feature_map"),
        *LIBRARY_CONVOLUTIONS,
    ),
    forbidden_in_source=(
        "naive_conv2d",
        "conv2d",
        "Conv2D",
        "convolve",
        "convolve2d",
        "correlate",
        "correlate2d",
        "fftconvolve",
        "oaconvolve",
        "depthwise_conv2d",
    ),
    success="conv2d_single equals TensorFlow's convolution on one channel: window times kernel, summed.",
)


# ---------------------------------------------------------------------------
# 07.2 Output size of a convolution
# ---------------------------------------------------------------------------


def _size_cases(rng):
    cases = []
    for n in range(8):
        length = int(rng.integers(5, 300))
        size = int(rng.integers(1, min(length, 12) + 1))
        stride = int(rng.integers(2, 6)) if n < 6 else 1
        if n < 4 and (length - size) % stride == 0:  # most strides do not divide L - f evenly
            length += 1
        cases.append({"L": length, "f": size, "s": stride})
    length = int(rng.integers(3, 20))
    cases.append({"L": length, "f": length, "s": int(rng.integers(1, 4))})  # one position only
    return cases


def _judge_size(case, seen):
    length, size, stride = case["L"], case["f"], case["s"]
    what = f"conv_output_size({length}, {size}, {stride})"
    want = (length - size) // stride + 1
    kind = seen.get("type")
    if kind in judging.NUMBER_TYPES and kind not in judging.INTEGER_TYPES:
        value = seen["value"]
        detail = (
            "a count of positions is a whole number, and a window that would stick out is not counted"
            if isinstance(value, float) and not float(value).is_integer()
            else "a count of positions is a whole number (an int)"
        )
        raise Wrong(f"{what} returned the float {value!r}: {detail}.")
    got = judging.whole_number(seen, what)
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


exercise(
    id="07.2",
    title="Output size of a convolution",
    produce="a function conv_output_size(L, f, s) that takes three ints (input length, kernel size, "
    "stride) and returns, as an int, the output length of a 'valid' convolution",
    cases=_size_cases,
    probe=lambda answer, case: observe(answer(case["L"], case["f"], case["s"])),
    judge=_judge_size,
    hints=(
        "Count the window's possible start positions: the first is 0, and the window must stay inside.",
        "The last start is at most L - f; from 0 to there, moving s pixels at a time, how many stops are there?",
        "A window that would stick out is not counted, so the division by the stride rounds down; "
        "the result is an int.",
    ),
    shortcuts=(Shortcut("course.convolution:output_size"),),
    forbidden_in_source=("conv_output_length", "compute_conv_output_shape"),
)


# ---------------------------------------------------------------------------
# 07.3 Max pooling
# ---------------------------------------------------------------------------


def _block_summary(image, size, summary):
    rows, cols = image.shape[0] // size, image.shape[1] // size
    blocks = image[: rows * size, : cols * size].reshape(rows, size, cols, size)
    return summary(blocks, axis=(1, 3))


def _pool_cases(rng):
    cases = []
    for n in range(6):
        size = int(rng.integers(2, 5))
        rows, cols = (int(k) for k in rng.integers(size, 4 * size + 1, size=2))
        if n < 3 and rows % size == 0:  # blocks that stick out must be left out
            rows += 1
        cases.append({"image": rng.normal(size=(rows, cols)), "size": size})
    return cases


def _probe_pool(answer, case):
    return observe(answer(case["image"], case["size"]))


def _judge_pool(case, seen):
    from ...convolution import naive_max_pool2d

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
    judging.close(
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


exercise(
    id="07.3",
    title="Max pooling",
    produce="a function max_pool(image, size) that takes a 2-D float array and an int and returns, as a "
    "new 2-D float ndarray, the maximum of each non-overlapping size×size block (blocks that would stick "
    "out are left out)",
    cases=_pool_cases,
    probe=_probe_pool,
    judge=_judge_pool,
    hints=(
        "How many whole blocks fit along each axis? That is the output's shape.",
        "Visit every block with two loops; block (i, j) starts size pixels further than block (i - 1, j) "
        "or (i, j - 1).",
        "Slice the block out of the image and keep its largest value.",
    ),
    shortcuts=(
        Shortcut("course.convolution:naive_max_pool2d"),
        Shortcut("course.convolution:_pool"),
        *LIBRARY_POOLINGS,
    ),
    forbidden_in_source=(
        "naive_max_pool2d",
        "naive_avg_pool2d",
        "_pool",
        "max_pool2d",
        "max_pool_v2",
        "max_pool_with_argmax",
        "MaxPooling2D",
        "MaxPool2D",
        "MaxPool",
        "block_reduce",
    ),
    success="max_pool keeps the largest value of each block, like TensorFlow's max pooling.",
)


# ---------------------------------------------------------------------------
# 07.4 Receptive field
# ---------------------------------------------------------------------------


def _receptive_field(layers, jump_from=0, plus=1):
    field, jump = plus, 1
    for kernel, stride in layers:
        if jump_from:
            jump *= stride
        field += (kernel - 1) * jump
        if not jump_from:
            jump *= stride
    return field


def _field_cases(rng):
    cases = []
    for n in range(6):
        depth = int(rng.integers(2, 7))
        kernels = rng.choice([2, 3, 5, 7] if n < 4 else [1, 2, 3, 5, 7], size=depth)
        strides = rng.choice([1, 1, 2, 3], size=depth)
        if n < 4:  # a stride that spreads out the layers after it
            strides[int(rng.integers(depth - 1))] = int(rng.integers(2, 4))
        cases.append({"layers": [[int(k), int(s)] for k, s in zip(kernels, strides)]})
    return [*cases, {"layers": []}]


def _probe_field(answer, case):
    layers = [(k, s) for k, s in case["layers"]]
    given = list(layers)
    got = answer(given)
    return {"result": observe(got), "changed_list": given != layers}


def _judge_field(case, seen):
    layers = [tuple(pair) for pair in case["layers"]]
    what = f"receptive_field({layers})"
    got = judging.whole_number(seen["result"], what)
    if seen["changed_list"]:
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


exercise(
    id="07.4",
    title="Receptive field",
    produce="a function receptive_field(layers) that takes a list of (kernel, stride) pairs of ints and "
    "returns, as an int, how many input pixels along one axis one output pixel sees",
    cases=_field_cases,
    probe=_probe_field,
    judge=_judge_field,
    hints=(
        "Start from one output pixel, which sees one pixel, and go through the layers in order.",
        "Keep track of the jump: how many input pixels apart two neighbouring positions of the current "
        "layer are. A stride multiplies it for the layers that follow.",
        "A kernel of size f adds f - 1 positions of its layer to the field, each one jump wide.",
    ),
)


# ---------------------------------------------------------------------------
# 07.5 Data augmentation
# ---------------------------------------------------------------------------

AUGMENTATION = (
    ("RandomFlip", "flip", {"mode": "horizontal"}),
    ("RandomRotation", "rotation", {"factor": 0.1}),
    ("RandomZoom", "zoom", {"height_factor": 0.1}),
)
RANGE_SETTINGS = {"factor", "height_factor"}


def _plain_setting(value, depth=0):
    """A layer setting as plain data; anything else as its type name."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)) and depth < 3:
        return [_plain_setting(item, depth + 1) for item in value]
    if isinstance(value, dict) and depth < 3:
        return {str(key): _plain_setting(item, depth + 1) for key, item in value.items()}
    return f"<{type_name(value)}>"


def _probe_augmentation(answer, case):
    import keras

    if not isinstance(answer, keras.Sequential):
        return {"model": observe(answer)}
    layers = []
    for layer in answer.layers:
        auto = getattr(layer, "_auto_config", None)  # the arguments the layer was created with
        layers.append(
            {
                "type": type_name(layer),
                "arguments": _plain_setting(dict(auto.config)) if auto is not None else None,
                "config": _plain_setting(layer.get_config()),
            }
        )
    return {"model": {"type": type_name(answer)}, "name": str(answer.name), "layers": layers}


def _defaults(cls):
    return {
        name: p.default
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if p.default is not inspect.Parameter.empty and p.kind is not p.VAR_KEYWORD
    }


def _same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return (
            isinstance(a, (int, float))
            and isinstance(b, (int, float))
            and not isinstance(a, bool)
            and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
        )
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _judge_range(label, setting, got, want):
    """``got`` must be the number ``want`` or the symmetric range [-want, want]."""
    if _same(got, want) or _same(got, [-want, want]):
        return
    if isinstance(got, (int, float)) and not isinstance(got, bool):
        if _same(got, -want):
            raise Wrong(f"{label}'s {setting} is {got!r}: its sign is wrong.")
        if _same(got, 360 * want) or _same(got, 100 * want):
            raise Wrong(
                f"{label}'s {setting} is {got!r}: it is a fraction (of a full turn, or of the picture), "
                "not degrees or percent."
            )
        if _same(got, 2 * math.pi * want):
            raise Wrong(f"{label}'s {setting} is {got!r}: it is a fraction of a full turn, not radians.")
        raise Wrong(f"{label}'s {setting} is {got!r}, which is not the amount the exercise asks for.")
    if isinstance(got, list) and len(got) == 2 and all(isinstance(x, (int, float)) for x in got):
        low, high = got
        if _same(low, want) and _same(high, -want):
            raise Wrong(
                f"{label}'s {setting} range {got} is upside down: its lower end is above its upper end."
            )
        if not _same(-low, high):
            raise Wrong(
                f"{label}'s {setting} range {got} is not symmetric: it should reach as far one way as the other."
            )
        raise Wrong(f"{label}'s {setting} range {got} is not the amount the exercise asks for.")
    raise Wrong(f"{label}'s {setting} is {got!r}, which is not a number.")


def _judge_augmentation(case, seen):
    import keras

    model = seen["model"]
    if "layers" not in seen or model["type"] != type_name(keras.Sequential()):
        raise Wrong(f"data_augmentation should be a keras.Sequential, got {judging.described(model)}.")
    kinds = [layer["type"].rsplit(".", 1)[-1] for layer in seen["layers"]]
    wanted = [name for name, _, _ in AUGMENTATION]
    if sorted(kinds) == sorted(wanted) and kinds != wanted:
        raise Wrong(f"data_augmentation holds the right layers in another order ({', '.join(kinds)}).")
    if len(kinds) != len(wanted):
        raise Wrong(
            f"data_augmentation holds {len(kinds)} layer(s) ({', '.join(kinds) or 'none'}); "
            f"it should hold {len(wanted)}: a flip, a rotation and a zoom."
        )
    for position, ((name, role, asked), layer) in enumerate(zip(AUGMENTATION, seen["layers"]), start=1):
        cls = getattr(keras.layers, name)
        if layer["type"] != type_name(cls(**asked)):
            raise Wrong(
                f"layer {position} of data_augmentation is a {layer['type'].rsplit('.', 1)[-1]}; "
                f"the {role} should be a keras.layers.{name}."
            )
        _judge_settings(name, cls, asked, layer)
    if seen["name"] == "augmentation":
        raise Wrong(
            "data_augmentation is the model that course.flower_models.augmentation() builds; "
            "this exercise asks you to build it yourself from Keras layers."
        )
    return "data_augmentation flips, turns and zooms while training, and leaves pictures alone otherwise."


def _judge_settings(name, cls, asked, layer):
    if layer["arguments"] is not None:
        want = {**_defaults(cls), **asked}
        got = {key: value for key, value in layer["arguments"].items() if key != "name"}
        _compare_settings(name, asked, got, {key: _plain_setting(value) for key, value in want.items()})
    reference = _plain_setting(cls(**asked).get_config())
    got = {key: value for key, value in layer["config"].items() if key != "name"}
    want = {key: value for key, value in reference.items() if key != "name"}
    if layer["arguments"] is not None:  # the ranges were judged on the arguments as given
        for key in RANGE_SETTINGS & set(want):
            got[key] = want[key]
    _compare_settings(name, asked, got, want)


def _compare_settings(name, asked, got, want):
    for setting, value in asked.items():
        if setting not in got:
            continue
        if setting in RANGE_SETTINGS:
            _judge_range(name, setting, got[setting], value)
        elif not _same(got[setting], value):
            raise Wrong(
                _mode_message(name, got[setting])
                or f"{name}'s {setting} is {got[setting]!r}, which is not asked."
            )
    for setting in sorted(set(got) | set(want)):
        if setting in asked:
            continue
        if setting not in want:
            raise Wrong(
                f"{name} has a setting {setting}={got[setting]!r} that the exercise does not ask for."
            )
        if setting not in got or not _same(got[setting], want[setting]):
            value = got.get(setting, "missing")
            raise Wrong(
                f"{name}'s {setting} is {value!r}; the exercise keeps Keras's default ({want[setting]!r})."
            )


def _mode_message(name, mode):
    if name != "RandomFlip":
        return ""
    if mode == "horizontal_and_vertical":
        return (
            "RandomFlip flips both ways, so flowers would also appear upside down; "
            "the exercise mirrors pictures left to right only."
        )
    if mode == "vertical":
        return "RandomFlip flips pictures upside down; the exercise mirrors them left to right."
    return f"RandomFlip's mode is {mode!r}, which is not a left-to-right mirror."


exercise(
    id="07.5",
    title="Data augmentation",
    produce="data_augmentation: a keras.Sequential of the three random augmentation layers the exercise "
    "describes (a flip, a rotation and a zoom, in that order)",
    answer="value",
    cases=lambda rng: [{}],
    probe=_probe_augmentation,
    judge=_judge_augmentation,
    hints=(
        "keras.layers has one random preprocessing layer for each of the three changes; find them in "
        "the Keras documentation under 'image augmentation layers'.",
        "Read each layer's first argument: the flip takes a mode, the rotation a fraction of a full turn, "
        "the zoom a fraction of the picture's height (a single number means a range from minus to plus it).",
        "Give each layer only the setting the exercise asks for; everything else stays at Keras's default.",
    ),
    time_limit=20.0,
)


# ---------------------------------------------------------------------------
# Quizzes
# ---------------------------------------------------------------------------

predict_shape(
    "07.q1",
    "A batch x of shape (1, 32, 32, 3) is convolved with kernels of shape (5, 5, 3, 8), stride 1, "
    "no padding. What is the output's shape?",
    shape=(1, 28, 28, 8),
    explanation="32 - 5 + 1 = 28 positions per axis, and one channel per kernel.",
)

predict_shape(
    "07.q2",
    "keras.layers.Conv2D(16, 3, strides=2, padding='same') is applied to a batch of shape "
    "(1, 180, 180, 3). What is the output's shape?",
    shape=(1, 90, 90, 16),
    explanation="With 'same' padding the output has ceil(180 / 2) = 90 positions per axis; "
    "16 kernels give 16 channels.",
)

multiple_choice(
    "07.q3",
    "What does a 1×1 convolution with 64 kernels do to a feature map of shape (1, 28, 28, 256)?",
    options=[
        "it keeps 28×28 and mixes the 256 channels into 64",
        "it shrinks 28×28 to 1×1",
        "it blurs each channel with a 1-pixel kernel",
        "it does nothing: a 1×1 kernel is the identity",
    ],
    answer="it keeps 28×28 and mixes the 256 channels into 64",
    explanation="Each output pixel is a weighted sum of the 256 values at the same position: "
    "a Dense layer per pixel.",
)

multiple_choice(
    "07.q4",
    "Which idea let ResNet train networks with more than 100 layers?",
    options=[
        "adding each block's input to its output (a skip connection)",
        "using only 3×3 convolutions",
        "running on two GPUs",
        "replacing max pooling by average pooling",
    ],
    answer="adding each block's input to its output (a skip connection)",
    explanation="The identity path lets the gradient flow straight back through the whole stack.",
)
