"""Exercises and quizzes of 07_cnn_flowers.

07.1 to 07.6 ask the learner to write convolution arithmetic and loops themselves: the
course's own versions (``course.convolution``) are disabled while the learner's code runs,
and so are the libraries' versions that are already loaded (TensorFlow, Keras, SciPy);
07.3 learns a kernel by gradient descent, with the closed-form solvers disabled.
07.7 to 07.9 are Keras models the learner designs: LeNet-5 (checked layer by layer on a fresh
build, and by what it computes: the judge computes the output again from the layers' configs and
weights, and tries each activation on negative and positive numbers), that model trained on MNIST
(checked as LeNet-5 again, then by its accuracy on test pictures moved and noised anew for each
check, computed by the judge from the model's predictions) and a residual block (checked by what it
computes: as built, and with its 3×3 convolutions set to zero, which leaves the shortcut alone). The
probes report what the models say of themselves (configs, weights) and what they compute; every
count and verdict is the judge's.
"""

import numpy as np

from ...convolution import naive_conv2d
from ...data import load_mnist
from ...runtime.settings import settings
from ..probing import observe, plain_config, type_name
from ..quizzes import multiple_choice, predict_shape
from ..registry import exercise
from ..shortcuts import Shortcut

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


# ---------------------------------------------------------------------------
# 07.1 Convolution with two loops
# ---------------------------------------------------------------------------


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


exercise(
    id="07.1",
    title="Convolution with two loops",
    produce="a function conv2d_single(image, kernel) that takes two 2-D float arrays and returns, as a "
    "new 2-D float ndarray, their 'valid' convolution with stride 1 (the window always inside the image)",
    cases=_conv_cases,
    probe=_probe_conv,
    hints=(
        "Each output pixel comes from one position of the kernel over the image: how many positions "
        "fit along each axis when the window must stay inside?",
        "Make the output array first, then visit every (row, column) position; at each one the kernel covers "
        "a window of the image as large as itself.",
        "A worked example on other numbers: a 4×5 image and a 2×3 kernel give a 3×3 output, and output pixel "
        "(0, 1) is the sum of image[0:2, 1:4] multiplied element by element by the kernel.",
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
# 07.2 Convolution as a matrix
# ---------------------------------------------------------------------------


def _matrix_cases(rng):
    cases = []
    for _ in range(4):
        rows, cols = (int(n) for n in rng.integers(3, 8, size=2))
        kh, kw = int(rng.integers(1, min(rows, 3) + 1)), int(rng.integers(2, min(cols, 3) + 1))
        cases.append({"shape": [rows, cols], "kernel": rng.normal(size=(kh, kw))})
    cases.append({"shape": [3, 3], "kernel": rng.normal(size=(3, 3))})  # one position: one row
    return cases


def _probe_matrix(answer, case):
    return observe(answer(tuple(case["shape"]), case["kernel"]))


exercise(
    id="07.2",
    title="Convolution as a matrix",
    produce="a function conv_matrix(image_shape, kernel) that takes a pair of ints (rows, cols) and a 2-D float "
    "kernel and returns a 2-D float ndarray M with one row per output pixel and one column per input pixel, "
    "such that M @ image.ravel() equals the 'valid' convolution of the image with the kernel, flattened "
    "with ravel()",
    cases=_matrix_cases,
    probe=_probe_matrix,
    hints=(
        "Row r of M computes output pixel r: it holds the weight that each input pixel gets in that one "
        "output. Which input pixels does that output's window cover?",
        "Find where each pixel lands when an image is flattened: print np.arange(12).reshape(3, 4).ravel() "
        "and look for pixel (1, 2). Start from a matrix of zeros of the right shape.",
        "A worked example on other numbers: for a 3×4 image and a 2×2 kernel, the first row of M holds the "
        "kernel's four weights in columns 0, 1, 4 and 5, and the second row holds them one column further "
        "right; everything else stays zero.",
    ),
    shortcuts=(
        Shortcut("course.convolution:naive_conv2d"),
        Shortcut("course.convolution:feature_map"),
        *LIBRARY_CONVOLUTIONS,
    ),
    forbidden_in_source=(
        "naive_conv2d",
        "feature_map",
        "conv2d_single",
        "conv2d",
        "Conv2D",
        "convolve",
        "convolve2d",
        "correlate",
        "correlate2d",
        "toeplitz",
        "sliding_window_view",
    ),
)


# ---------------------------------------------------------------------------
# 07.3 Learning a kernel
# ---------------------------------------------------------------------------

SOBEL = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])


def _kernel_cases(rng):
    """Images and their edge maps under a hidden kernel, which only the judge sees (``_kernel``)."""

    cases = []
    for _ in range(2):
        kernel = SOBEL * float(rng.choice([-1.0, 1.0])) * float(rng.uniform(0.5, 2.0))
        kernel = np.rot90(kernel, int(rng.integers(4)))
        images = rng.normal(size=(int(rng.integers(4, 7)), 16, 16)).astype(np.float32)
        edges = naive_conv2d(images[..., None], kernel[:, :, None, None])[..., 0]
        cases.append({"images": images, "edges": edges.astype(np.float32), "_kernel": kernel})
    return cases


def _probe_kernel(answer, case):
    return observe(answer(case["images"], case["edges"]))


exercise(
    id="07.3",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="Learning a kernel",
    produce="a function learn_kernel(images, edge_maps) that takes float32 arrays of shape (n, H, W) and "
    "(n, H - 2, W - 2), where each edge map is the 'valid' convolution of its image with one unknown 3×3 "
    "kernel, and returns that kernel as a (3, 3) float ndarray, found by gradient descent with "
    "tf.GradientTape within 20 seconds",
    cases=_kernel_cases,
    probe=_probe_kernel,
    hints=(
        "Start from a kernel of zeros in a tf.Variable, and measure how far its edge maps are from the "
        "given ones with a mean squared error.",
        "tf.nn.conv2d wants a batch with a channel axis and a 4-D kernel: add the missing axes to the "
        "images and to a reshaped view of your variable.",
        "Then take many small steps downhill: the tape gives the loss's gradient with respect to the "
        "variable, and an optimizer applies it. If the kernel hardly moves, take more or larger steps; if "
        "the loss grows, smaller ones. The check wants a NumPy array, not the variable.",
    ),
    shortcuts=(
        Shortcut("numpy:linalg.lstsq"),
        Shortcut("numpy:linalg.solve"),
        Shortcut("numpy:linalg.pinv"),
        Shortcut("numpy:linalg.inv"),
        Shortcut("scipy.linalg:lstsq", only_if_loaded=True),
        Shortcut("scipy.linalg:solve", only_if_loaded=True),
        Shortcut("scipy.linalg:pinv", only_if_loaded=True),
        Shortcut("tensorflow:linalg.lstsq", only_if_loaded=True),
        Shortcut("tensorflow:linalg.solve", only_if_loaded=True),
        Shortcut("tensorflow:linalg.inv", only_if_loaded=True),
        Shortcut("tensorflow:linalg.pinv", only_if_loaded=True),
        Shortcut("keras:Model.fit", only_if_loaded=True),
    ),
    forbidden_in_source=("lstsq", "pinv", "solve", "inv", "LinearRegression", "Ridge", "fit"),
    time_limit=20.0,
)


# ---------------------------------------------------------------------------
# 07.4 Output size of a convolution
# ---------------------------------------------------------------------------


def _size_mistakes(length, size, stride):
    """What the usual mistakes of 07.4 give, each with its diagnosis (the judge names them)."""
    return {
        -(-length // stride): "that is the length for 'same' padding; here nothing is padded",
        length - size + 1: "the stride is ignored: it should move the window s pixels at a time",
        (length - size) // stride: "it is one short: the window's first position (at 0) counts too",
        -(-(length - size) // stride) + 1: "it counts a last window that would stick out of the input: "
        "round down, not up",
        length - size: "it is one short: the window's first position (at 0) counts too",
    }


def _size_cases(rng):
    cases = []
    while not cases:  # the first case tells every mistake apart: each gives its own wrong number
        length, size, stride = int(rng.integers(20, 300)), int(rng.integers(5, 13)), int(rng.integers(2, 5))
        right = (length - size) // stride + 1
        values = [-(-length // stride), length - size + 1, (length - size) // stride]
        values += [-(-(length - size) // stride) + 1, length - size, length // stride]
        if len({right, *values}) == len(values) + 1:
            cases.append({"L": length, "f": size, "s": stride})
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


exercise(
    id="07.4",
    title="Output size of a convolution",
    produce="a function conv_output_size(L, f, s) that takes three ints (input length, kernel size, "
    "stride) and returns, as an int, the output length of a 'valid' convolution",
    cases=_size_cases,
    probe=lambda answer, case: observe(answer(case["L"], case["f"], case["s"])),
    hints=(
        "Count the window's possible start positions: the first is 0, and the window must stay inside.",
        "List the starts on paper for small numbers, with a stride that does not divide evenly the room "
        "the window has to move in: a start whose window would stick out does not count.",
        "A worked example on other numbers: L = 10, f = 4, s = 3. The window can start at 0, 3 and 6; a "
        "start at 9 would need pixels 9 to 12, past the end. That makes 3 positions, an int.",
    ),
    shortcuts=(Shortcut("course.convolution:output_size"),),
    forbidden_in_source=("conv_output_length", "compute_conv_output_shape"),
)


# ---------------------------------------------------------------------------
# 07.5 Max pooling
# ---------------------------------------------------------------------------


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


exercise(
    id="07.5",
    title="Max pooling",
    produce="a function max_pool(image, size) that takes a 2-D float array and an int and returns, as a "
    "new 2-D float ndarray, the maximum of each non-overlapping size×size block (blocks that would stick "
    "out are left out)",
    cases=_pool_cases,
    probe=_probe_pool,
    hints=(
        "How many whole blocks fit along each axis? That is the output's shape.",
        "Visit every block; block (i, j) starts size pixels further than block (i - 1, j) or (i, j - 1).",
        "A worked example on other numbers: a 5×7 image with size 2 gives a 2×3 output; block (1, 2) covers "
        "rows 2–3 and columns 4–5, and row 4 and column 6 are left out.",
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
# 07.6 Receptive field
# ---------------------------------------------------------------------------


def _receptive_field_of(layers, own_stride_first=False, plus=1):
    """The receptive field of ``layers`` (the reference), or what two usual mistakes give."""
    field, jump = plus, 1
    for kernel, stride in layers:
        if own_stride_first:
            jump *= stride
        field += (kernel - 1) * jump
        if not own_stride_first:
            jump *= stride
    return field


def _field_mistakes(layers):
    """What the usual mistakes of 07.6 give, each with its diagnosis (later entries win where two give the
    same number; the first case of every draw tells them all apart)."""
    return {
        _receptive_field_of(layers[::-1]): "it goes through the layers in the wrong order: the first pair of "
        "the list is the layer nearest the input, and its stride spreads out the layers after it",
        1 + sum(k - 1 for k, _ in layers): "the strides are ignored: after a stride, neighbouring "
        "positions are further apart in the input",
        _receptive_field_of(layers, own_stride_first=True): "each layer's own stride is applied to its "
        "kernel; a stride only spreads out the layers that come after it",
        _receptive_field_of(layers, plus=0): "it is one short: one output pixel of a 1×1 network already "
        "sees one input pixel",
        sum(k for k, _ in layers): "adding up the kernel sizes counts the shared pixels twice",
    }


def _field_cases(rng):
    cases = []
    while not cases:  # the first case tells every mistake apart
        layers = [
            [int(k), int(s)] for k, s in zip(rng.choice([2, 3, 5, 7], size=3), rng.choice([1, 2, 3], 3))
        ]
        if len({_receptive_field_of(layers), *_field_mistakes(layers)}) == 1 + 5:
            cases.append({"layers": layers})
    for n in range(6):
        depth = int(rng.integers(2, 7))
        kernels = rng.choice([2, 3, 5, 7] if n < 4 else [1, 2, 3, 5, 7], size=depth)
        strides = rng.choice([1, 1, 2, 3], size=depth)
        if n < 4:  # a stride that spreads out the layers after it
            strides[int(rng.integers(depth - 1))] = int(rng.integers(2, 4))
        cases.append({"layers": [[int(k), int(s)] for k, s in zip(kernels, strides)]})
    return [*cases, {"layers": []}]


def _probe_field(answer, case):
    """What receptive_field returned, and the list it was given as it was afterwards."""
    given = [(k, s) for k, s in case["layers"]]
    got = answer(given)
    return {"result": observe(got), "list_after": observe(given)}


exercise(
    id="07.6",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="Receptive field",
    produce="a function receptive_field(layers) that takes a list of (kernel, stride) pairs of ints and "
    "returns, as an int, how many input pixels along one axis one output pixel sees",
    cases=_field_cases,
    probe=_probe_field,
    hints=(
        "Start from one output pixel, which sees one pixel, and go through the layers in order, from the "
        "input's side.",
        "Keep track of the jump: how many input pixels apart two neighbouring positions of the current "
        "layer are. Which layers does a stride spread out: the ones before it, or the ones after it?",
        "A worked example on other numbers: [(3, 2), (3, 1)]. The first layer sees 3 pixels; after its "
        "stride, neighbouring positions are 2 pixels apart, so the second kernel reaches 2 + 2 = 4 pixels "
        "further: 7 in all.",
    ),
)


# ---------------------------------------------------------------------------
# 07.7 LeNet-5
# ---------------------------------------------------------------------------

# LeNet-5 for 28×28×1 pictures: (role, layer kinds, output shape, weights).
READY_MADE_MODELS = tuple(
    Shortcut(f"course.flower_models:{name}") for name in ("tutorial_model", "compact_model")
)


# A model with more weights than this (LeNet-5 has 61,706) is described without their values.
MOST_WEIGHTS_SENT = 200_000


def _layers_of(model):
    """The model's layers in order, the layers of a nested model included."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _layers_of(layer)
        elif not isinstance(layer, keras.layers.InputLayer):
            yield layer


def _structure(layer):
    """A layer as its own description gives it: its class, its config (plain data) and its weights' shapes."""
    try:
        config = plain_config(layer.get_config())
    except Exception:  # a custom layer that cannot describe itself (NotImplementedError included)
        config = None
    return {
        "type": type(layer).__name__,
        "config": config,
        "weights": [[int(n) for n in w.shape] for w in layer.weights],
    }


def _probe_lenet(answer, case):
    """The output of a fresh model, each layer's structure and output shape, and the ids that tell
    whether two calls built two models."""
    import keras

    model, again = answer(), answer()
    seen = {"made": observe(model), "is_model": isinstance(model, keras.Model)}
    if not seen["is_model"]:
        return seen
    x = case["x"]
    seen["output"] = observe(np.asarray(model(x, training=False)))
    again(x[:1], training=False)
    seen["ids"] = {
        "models": [id(model), id(again)],
        "weights": [[id(w) for w in model.weights], [id(w) for w in again.weights]],
    }
    small = sum(int(np.prod(w.shape)) for w in model.weights) <= MOST_WEIGHTS_SENT
    layers, h = [], x
    for layer in _layers_of(model):
        h = layer(h, training=False)
        layers.append({**_structure(layer), "shape": [int(n) for n in h.shape[1:]]})
        if small:  # the values too, so that the judge can compute the output itself
            layers[-1]["values"] = [np.asarray(w.numpy()) for w in layer.weights]
    seen["layers"] = layers
    return seen


exercise(
    id="07.7",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="LeNet-5",
    produce="a function lenet5() that takes no arguments and returns a new keras.Model that maps a batch of "
    "shape (batch, 28, 28, 1) to 10 scores per picture (logits, no softmax), with the layers of the LeNet-5 "
    "table: outputs 28×28×6, 14×14×6, 10×10×16, 5×5×16, 400, 120, 84, 10, and 61,706 weights in all",
    cases=lambda rng: [{"x": rng.random((int(rng.integers(2, 5)), 28, 28, 1)).astype(np.float32)}],
    probe=_probe_lenet,
    hints=(
        "Follow the table row by row: each row is one Keras layer, and its output shape tells you the "
        "settings (how many kernels or units, whether the size shrinks). After each layer with weights "
        "comes a non-linear activation, except after the last, which gives its scores as they are.",
        "A 5×5 convolution keeps 28×28 only with padding; without padding 14×14 becomes 10×10. Pooling "
        "halves height and width. A Dense layer needs a flat vector.",
        "Count each layer's weights to check yourself: a convolution has kernel height × width × input "
        "channels × kernels, plus one bias per kernel; a Dense layer inputs × units plus units.",
    ),
    shortcuts=READY_MADE_MODELS,
    time_limit=30.0,
)


# ---------------------------------------------------------------------------
# 07.8 Training LeNet-5 on MNIST
# ---------------------------------------------------------------------------

MNIST_CASE_SIZE = 2000  # test pictures per check (the offline digits have 359: all of them)
NOISE = 0.05  # the standard deviation of the noise added to each picture, as a fraction of white (255)
SHIFTS = np.array([[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]])  # (rows, columns): in place, or one pixel away


def _mnist_test_set():
    """MNIST's test pictures and labels (quietly: the loader announces its offline fallback)."""
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        (train, _), (images, labels) = load_mnist()
    return len(train) == 60_000, images, labels


def _moved(images, rng):
    """Each picture moved by one pixel up, down, left or right, or left in place, then lightly noised.

    The solution's LeNet-5 keeps nearly its accuracy on them (the bars in the judge say how much),
    while no picture is any longer one of the test set's: a model that looks its answers up fails.
    """
    pad = 1
    padded = np.pad(images.astype(np.float64), ((0, 0), (pad, pad), (pad, pad)))
    rows, cols = images.shape[1:]
    moved = np.empty(images.shape, np.float64)
    for k, (down, right) in enumerate(SHIFTS[rng.integers(0, len(SHIFTS), size=len(images))]):
        moved[k] = padded[k, pad - down : pad - down + rows, pad - right : pad - right + cols]
    moved += rng.normal(0.0, NOISE * 255, size=moved.shape)
    return np.clip(np.round(moved), 0, 255).astype(np.uint8)


def _trained_cases(rng):
    """Test pictures drawn and moved with ``rng``; for the judge only: their labels, the data set and
    the mode the notebook runs in (FAST trains on fewer pictures; a grader sets it for its sandboxes)."""

    real, images, labels = _mnist_test_set()
    chosen = rng.choice(len(images), size=min(MNIST_CASE_SIZE, len(images)), replace=False)
    return [
        {
            "images": _moved(images[chosen], rng),
            "_labels": labels[chosen].astype(np.int64),
            "_real": real,
            "_fast": settings().fast,
        }
    ]


def _scores(model, pictures):
    """The model's raw output for ``pictures`` (class scores, or class ids), observed."""
    return observe(np.asarray(model.predict(pictures, batch_size=1000, verbose=0)))


def _probe_trained(answer, case):
    """The model's predictions for the case's pictures (scaled to [0, 1], and as 0 to 255) and its
    layers' structure."""
    import keras

    if not isinstance(answer, keras.Model):
        return {"model": observe(answer)}
    pictures = np.asarray(case["images"], dtype=np.float32)[..., None]
    layers, h = [], pictures[:2] / 255
    for layer in _layers_of(answer):
        layers.append(_structure(layer))
        try:  # each layer's output shape, as for 07.7 (a model that is not a chain of layers has none)
            h = layer(h, training=False)
            layers[-1]["shape"] = [int(n) for n in h.shape[1:]]
        except Exception:
            h = None
    return {
        "model": {"type": type_name(answer)},
        "layers": layers,
        "scores": _scores(answer, pictures / 255),
        "scores_0_255": _scores(answer, pictures),
    }


exercise(
    id="07.8",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="Training LeNet-5",
    produce="lenet: a LeNet-5 from your lenet5(), compiled and trained on the MNIST training pictures "
    "(scaled to [0, 1], shape (n, 28, 28, 1)); the check measures its accuracy on test pictures, each moved "
    "by up to one pixel and lightly noised: at least 96% on real MNIST in full mode (85% in FAST mode, 80% "
    "on the offline digits, 65% for both)",
    answer="value",
    cases=_trained_cases,
    probe=_probe_trained,
    hints=(
        "This is notebook 06's workflow: compile with an optimizer, a loss and a metric, then fit on the "
        "training pictures and labels.",
        "The labels are integers and the model gives logits: pick the loss for integer labels that applies the "
        "softmax itself. Adam with its default learning rate works well.",
        "A few epochs with batches of 128 are enough for LeNet-5; watch the accuracy printed for each epoch.",
    ),
    time_limit=60.0,
)


# ---------------------------------------------------------------------------
# 07.9 A residual block
# ---------------------------------------------------------------------------


def _residual_cases(rng):
    """One case for each kind of shortcut: x itself (stride 1, as many channels as filters) and a
    projection (a stride of 2, more channels, or both); ``x``: the pictures the block is run on."""
    cases = []
    for stride, same_channels in ((1, True), (2, False), (1, False), (2, True)):
        channels = int(rng.integers(2, 9))
        filters = channels if same_channels else channels + int(rng.integers(1, 6))
        size = [int(n) for n in rng.integers(5, 12, size=2)]
        x = rng.normal(size=(2, *size, channels)).astype(np.float32)  # negative pixels too
        cases.append({"shape": [*size, channels], "filters": filters, "stride": stride, "x": x})
    return cases


def _probe_residual(answer, case):
    """The block built on an input of the case's shape: its output's shape, its layers (structure and
    weights), what it computes for the case's x, and what it computes for x once every convolution
    larger than 1×1 is set to zero (an experiment: what is left is the shortcut and the ReLU)."""
    import keras

    inputs = keras.Input(tuple(case["shape"]))
    outputs = answer(inputs, case["filters"], case["stride"])
    seen = {"made": observe(outputs), "is_tensor": isinstance(outputs, keras.KerasTensor)}
    if not seen["is_tensor"]:
        return seen
    seen["shape"] = [int(n) for n in outputs.shape[1:]]
    model = keras.Model(inputs, outputs)
    layers = list(_layers_of(model))
    seen["layers"] = [
        {**_structure(layer), "values": [np.asarray(w.numpy()) for w in layer.weights]} for layer in layers
    ]
    seen["output"] = observe(np.asarray(model(case["x"], training=False)))
    for layer in layers:
        if isinstance(layer, keras.layers.Conv2D) and tuple(layer.kernel_size) != (1, 1):
            layer.set_weights([np.zeros(w.shape, dtype=w.dtype) for w in layer.weights])
    seen["silenced"] = observe(np.asarray(model(case["x"], training=False)))
    return seen


exercise(
    id="07.9",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="A residual block",
    produce="a function residual_block(x, filters, stride=1) that takes a Keras tensor x of shape "
    "(batch, H, W, C) and returns, built with the functional API, the output of a residual block: two 3×3 "
    "convolutions with 'same' padding (the first with the stride) added to a shortcut, which is x itself "
    "when the shapes allow it and otherwise a 1×1 convolution of x with the stride; the output has shape "
    "(batch, ceil(H / stride), ceil(W / stride), filters)",
    cases=_residual_cases,
    probe=_probe_residual,
    hints=(
        "In the functional API each layer is called on a tensor and returns a new one, so a tensor can be "
        "used twice: once on the main path and once for the shortcut.",
        "Build the main path first (convolution, activation, convolution), then compare its output's shape "
        "with x's: for a stride of 2 or a new number of channels they differ, and only tensors of the same "
        "shape can be added.",
        "A worked example on other numbers: x of 8×8×16 with filters=32 and stride=2 gives a main path of "
        "4×4×32, so the shortcut must be brought to 4×4×32 too (without mixing neighbouring pixels); with "
        "stride 1 and 16 filters, x fits as it is. The ReLU comes after the sum.",
    ),
    time_limit=30.0,
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
