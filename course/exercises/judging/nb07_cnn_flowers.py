"""The judges of 07_cnn_flowers: what each exercise's answer is compared with."""

import numpy as np

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
    from ...convolution import naive_conv2d

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
    want, images = case["kernel"], case["images"]
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


def _judge_field(case, seen):
    layers = [tuple(pair) for pair in case["layers"]]
    what = f"receptive_field({layers})"
    got = expect.whole_number(seen["result"], what)
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


def _judge_lenet(case, seen):
    batch = case["x"].shape[0]
    if not seen["is_model"]:
        raise Wrong(f"lenet5() should return a keras.Model, got {expect.described(seen['made'])}.")
    if not seen["fresh"]:
        raise Wrong(
            "lenet5() returned the same model (or the same weights) twice; each call should build a new one."
        )
    shaping = _shaping_layers(seen["layers"])
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
    return f"lenet5 builds LeNet-5: {LENET5_WEIGHTS:,} weights, from 28×28×1 to 10 scores."


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


MNIST_BARS = {(True, False): 0.98, (True, True): 0.85, (False, False): 0.90, (False, True): 0.70}


def _judge_trained(case, seen):
    if "accuracy" not in seen:
        raise Wrong(f"lenet should be a trained keras.Model, got {expect.described(seen['model'])}.")
    bar = MNIST_BARS[(seen["real"], seen["fast"])]
    data = "MNIST" if seen["real"] else "the offline digits"
    got = seen["accuracy"]
    if got >= bar:
        return f"lenet reaches {got:.1%} on the {seen['count']:,} test pictures of {data} (the bar is {bar:.0%})."
    if seen["accuracy_0_255"] >= bar:
        raise Wrong(
            f"lenet does well on pixels from 0 to 255 ({seen['accuracy_0_255']:.1%}) but not on pixels scaled "
            "to [0, 1], which the exercise feeds it: train it on the scaled pictures."
        )
    if got < 0.2:
        raise Wrong(
            f"lenet gets {got:.1%} of the test pictures right, about what guessing gives: it has not learned. "
            "Was it trained (fit) after compiling, on the training pictures and their labels?"
        )
    raise Wrong(
        f"lenet gets {got:.1%} of the {seen['count']:,} test pictures of {data} right; the bar here is {bar:.0%}. "
        "Train longer, or check the learning rate and the loss."
    )


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
    if not seen["adds"]:
        raise Wrong(
            f"{what} has no Add layer: a residual block adds the shortcut to the main path "
            "(Concatenate would stack them side by side instead)."
        )
    shortcut = [
        kind for kinds in seen["adds"] for kind in kinds if kind == "input" or kind.endswith("(input)")
    ]
    if not shortcut:
        raise Wrong(
            f"in {what} no Add receives x itself or a projection of x (one layer applied to x): the shortcut "
            "must skip the main path."
        )
    if (stride != 1 or channels != filters) and "input" in shortcut:
        raise Wrong(f"{what} adds x itself, but its shape differs from the main path's: project it first.")
    if sum(kernel == [3, 3] for kernel in seen["convolutions"]) < 2:
        raise Wrong(
            f"the main path of {what} should hold two 3×3 convolutions; its convolutions are {seen['convolutions']}."
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
