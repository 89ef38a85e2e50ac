"""Exercises and quizzes of 02_tensor_ops: a naive relu, broadcasting by hand, a naive matrix product, a rotation, a network."""

import numpy as np

from ..probing import observe
from ..quizzes import predict_shape
from ..registry import exercise
from ..shortcuts import Shortcut, ShortcutUsed

# ---------------------------------------------------------------------------
# 02.1 naive_relu
# ---------------------------------------------------------------------------


def _relu_cases(rng):
    """Five float matrices, then a column of integers and a matrix with no rows.

    In each float matrix the first entry is positive, and the entries at the end of the first row, at
    the start of the last row and in the last corner are negative: a loop that stops one row or one
    column early leaves a negative entry of its own. The first matrix is wider than tall by 2 or more,
    with a negative entry in the column just past the number of rows.
    """
    cases = []
    for number in range(5):
        rows, columns = (int(n) for n in rng.integers(2, 7, size=2))
        if rows == columns:
            columns += 1
        if number == 0:
            rows = int(rng.integers(2, 5))
            columns = rows + int(rng.integers(2, 4))
        x = rng.normal(size=(rows, columns)).round(3)
        x[0, 0] = abs(x[0, 0]) + 0.1
        for i, j in ((0, -1), (-1, 0), (-1, -1)) + (((0, rows),) if number == 0 else ()):
            x[i, j] = -abs(x[i, j]) - 0.1
        cases.append({"x": x})
    cases.append({"x": rng.integers(-9, 10, size=(int(rng.integers(2, 5)), 1))})
    cases.append({"x": np.zeros((0, int(rng.integers(1, 4))))})
    return cases


exercise(
    id="02.1",
    title="A naive relu",
    produce="a function naive_relu(x) that takes a matrix x (a 2D NumPy array) and returns a new array of "
    "the same shape holding relu of every entry, computed with Python loops over the entries",
    cases=_relu_cases,
    probe=lambda answer, case: observe(answer(case["x"])),
    shortcuts=(
        Shortcut("course.tensor_ops:naive_relu"),
        Shortcut("course.activations:relu"),
        Shortcut("course.autodiff.tensor:relu"),
    ),
    forbidden_in_source=("maximum", "fmax", "clip", "where"),
    hints=(
        "relu keeps a positive number and turns a negative one into 0, one entry at a time.",
        "The check hands you a read-only x: build the result in a new array of the same shape, and visit "
        "every position of it, one loop per axis. How far must each loop run, and what do your loops do "
        "when x has no rows at all?",
        "A worked example on other numbers: relu of the matrix [[-1.5, 2.0, 0.0], [3.0, -0.5, 4.0]] is "
        "[[0, 2.0, 0], [3.0, 0, 4.0]]. Check that your loops reach the last row and the last column.",
    ),
)

# ---------------------------------------------------------------------------
# 02.2 naive_broadcast_add
# ---------------------------------------------------------------------------


# Reads past these are not logged (a right answer reads each input at most once per result element).
MOST_READS_KEPT = 10_000


class ElementReader:
    """A read-only tensor that gives its elements one at a time, and logs every index it is read at.

    It has ``shape`` and ``ndim`` and answers ``x[i, j, ...]`` (one whole number per axis) with a
    float; it cannot be turned into a NumPy array. So NumPy cannot add whole arrays of it, and every
    sum of an answer has to come from its own loop; the log of reads (:meth:`log`) shows whether it did.
    """

    def __init__(self, values):
        if not isinstance(values, np.ndarray) or not np.issubdtype(values.dtype, np.number):
            raise TypeError(f"values must be a NumPy array of numbers, got {type(values).__name__}")
        self._values = values
        self.shape = tuple(int(n) for n in values.shape)
        self.ndim = len(self.shape)
        self._reads = []

    def __getitem__(self, index):
        index = index if isinstance(index, tuple) else (index,)
        if not all(isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)) for i in index):
            raise TypeError(
                f"this tensor gives one element at a time: index it with one whole number per axis, "
                f"such as x[{', '.join(['0'] * self.ndim)}]; got {index!r}"
            )
        if len(index) != self.ndim:
            raise IndexError(
                f"this tensor has shape {self.shape}, so it takes {self.ndim} indices; got {len(index)}: {index}"
            )
        for i, n in zip(index, self.shape):
            if not -n <= i < n:
                raise IndexError(f"index {index} is out of range for shape {self.shape}")
        if len(self._reads) < MOST_READS_KEPT:
            self._reads.append([int(i) % n for i, n in zip(index, self.shape)])
        return float(self._values[index])

    def log(self):
        """Every index read so far (the first ``MOST_READS_KEPT``), one row each: shape (reads, ndim)."""
        return np.array(self._reads, dtype=np.int64).reshape(len(self._reads), self.ndim)

    def __array__(self, *args, **kwargs):
        raise TypeError(
            "this tensor cannot become a NumPy array: read its elements one at a time, x[i, j, ...]"
        )

    def __iter__(self):
        raise TypeError("this tensor cannot be iterated: read its elements one at a time, x[i, j, ...]")

    def __getattr__(self, name):
        if name.startswith("__"):  # what Python and NumPy look up on any object
            raise AttributeError(name)
        raise AttributeError(
            f"this tensor has no .{name}: it has .shape and .ndim, and gives its elements one at a time, x[i, j, ...]"
        )

    def __repr__(self):
        return f"<tensor of shape {self.shape}, read one element at a time>"


def _random_shape(rng, rank, low=1, high=5):
    return tuple(int(n) for n in rng.integers(low, high, size=rank))


def _stretchable(rng, result, rank):
    """A shape of ``rank`` axes that broadcasts to ``result``: its right part, some sizes set to 1."""
    shape = list(result[len(result) - rank :]) if rank else []
    for axis in range(len(shape)):
        if rng.random() < 0.4:
            shape[axis] = 1
    return tuple(shape)


def _broadcast_cases(rng):
    rows, columns = _random_shape(rng, 2, 2, 6)
    cases = [{"x": (rows, columns), "y": (columns,)}]  # a matrix and a vector, as in the text
    a, b, c = _random_shape(rng, 3, 2, 5)
    cases.append({"x": (a, 1, c), "y": (b, 1)})  # both stretched, and y gets an axis
    cases.append({"x": (b,), "y": (a, 1, b)})  # x is the smaller one
    for _ in range(3):
        result = _random_shape(rng, int(rng.integers(2, 5)), 1, 4)
        x = _stretchable(rng, result, int(rng.integers(0, len(result) + 1)))
        y = _stretchable(rng, result, len(result))
        cases.append({"x": x, "y": y} if rng.random() < 0.5 else {"x": y, "y": x})
    cases.append({"x": (rows, columns + 1), "y": (columns,)})  # they do not broadcast
    cases.append({"x": (), "y": (b, c)})  # a scalar
    return [
        {
            "x": np.asarray(rng.normal(size=case["x"]).round(3)),  # a scalar too stays an array
            "y": np.asarray(rng.normal(size=case["y"]).round(3)),
        }
        for case in cases
    ]


def _broadcast_probe(answer, case):
    x, y = ElementReader(case["x"]), ElementReader(case["y"])
    try:
        z = answer(x, y)
    except NotImplementedError:  # a stub
        raise
    except Exception as error:  # noqa: BLE001 - for shapes that do not broadcast, an error is the answer
        return {"raised": type(error).__name__, "message": _message(error)}
    return {"result": observe(z), "reads": [x.log(), y.log()]}


def _message(error):
    try:
        return str(error)[:200]
    except Exception:  # noqa: BLE001 - an exception whose text cannot be read
        return ""


exercise(
    id="02.2",
    revision=2,  # stricter since the first release: earlier passes are re-checked
    title="Broadcasting by hand, for any rank",
    produce="a function naive_broadcast_add(x, y) that adds two tensors of any ranks and shapes that broadcast, "
    "and returns a new NumPy array of floats of the broadcast shape, computed with Python loops one "
    "element at a time; it raises a ValueError when the shapes do not broadcast. During the check x and y "
    "are read-only tensors that have .shape and .ndim and give one element for one whole number per "
    "axis (x[i, j]) and nothing else: NumPy cannot do the broadcasting for you",
    cases=_broadcast_cases,
    probe=_broadcast_probe,
    shortcuts=(
        Shortcut("course.broadcasting:broadcast_shape"),
        Shortcut("course.broadcasting:explain"),
    ),
    forbidden_in_source=("broadcast_shapes", "broadcast_to", "broadcast_arrays"),
    hints=(
        "Work out the result's shape first, with the two steps of the rule: pad the shorter shape with 1s "
        "on the left, then compare the sizes axis by axis.",
        "Then visit every index of the result, whatever its rank (NumPy has a helper that lists every index "
        "of a shape). Each element of the result comes from one element of x and one of y: which numbers of "
        "the result's index belong to an input that has fewer axes, and which position does an axis of "
        "size 1 give?",
        "A worked example on other numbers: x of shape (3, 1) and y of shape (4,) give shape (3, 4), and "
        "element [2, 3] of the result is x[2, 0] + y[3]. A scalar has no axes: it takes the empty index (). "
        "Careful with slicing off the last 0 numbers of a tuple: index[-0:] is the whole tuple, not an "
        "empty one.",
    ),
)

# ---------------------------------------------------------------------------
# 02.3 naive_matrix_dot
# ---------------------------------------------------------------------------

MATRIX_DOT_SHORTCUTS = (
    Shortcut("course.tensor_ops:naive_matrix_dot"),
    Shortcut("course.tensor_ops:naive_matrix_vector_dot"),
    Shortcut("numpy:dot"),
    Shortcut("numpy:matmul"),
    Shortcut("numpy:einsum"),
    Shortcut("numpy:tensordot"),
    Shortcut("numpy:inner"),
    Shortcut("numpy:vdot"),
)
_NUMPY_ORIGINALS = {
    name: getattr(np, name) for name in ("dot", "matmul", "einsum", "tensordot", "inner", "vdot")
}


def _matrix_dot_cases(rng):
    """Six products; the first has three different sizes n, k, m (so a transposed or misshapen result shows),
    the others are drawn at random, plus two fixed shapes and a square one, in a random order."""
    first = tuple(int(n) for n in rng.permutation(np.arange(2, 6))[:3])
    shapes = [tuple(int(n) for n in rng.integers(1, 6, size=3)) for _ in range(2)]
    shapes += [(2, 3, 4), (4, 2, 3)]
    size = int(rng.integers(2, 5))
    shapes.append((size, size, size))
    order = rng.permutation(len(shapes))
    return [
        {"x": rng.normal(size=(n, k)).round(3), "y": rng.normal(size=(k, m)).round(3)}
        for n, k, m in [first, *(shapes[i] for i in order)]
    ]


def _library_answer(answer, shortcuts):
    """The name of the NumPy function ``answer`` is, if it is one of ``shortcuts``, else None.

    A NumPy shortcut is disabled by replacing its module attribute, which does not reach an answer
    that *is* that function (``naive_matrix_dot = np.dot``): the probe asks here.
    """
    for shortcut in shortcuts:
        module, _, name = shortcut.target.partition(":")
        if module == "numpy" and answer is _NUMPY_ORIGINALS.get(name):
            return shortcut.name
    return None


def _matrix_dot_probe(answer, case):
    used = _library_answer(answer, MATRIX_DOT_SHORTCUTS)
    if used:
        raise ShortcutUsed(used)
    return observe(answer(case["x"], case["y"]))


exercise(
    id="02.3",
    title="A naive matrix product",
    produce="a function naive_matrix_dot(x, y) that takes x of shape (n, k) and y of shape (k, m) and returns "
    "their matrix product, an array of shape (n, m), computed with loops and tensor_ops.naive_vector_dot",
    cases=_matrix_dot_cases,
    probe=_matrix_dot_probe,
    shortcuts=MATRIX_DOT_SHORTCUTS,
    forbidden_in_source=("@", "dot", "matmul", "einsum", "tensordot", "inner", "vdot", "multi_dot"),
    hints=(
        "Each entry of the result is one vector dot product, of a vector taken from x with a vector taken "
        "from y.",
        "Entry (i, j) of the product pairs row i of x with column j of y. How many rows and columns does the "
        "result have, then, and how do you slice one column out of a matrix? Start every entry's sum from 0.",
        "A worked example on other numbers: for x = [[1, 2], [3, 4], [5, 6]] and y = [[1, 0, 2], [0, 1, 1]], "
        "entry (2, 0) of the product is 5 * 1 + 6 * 0 = 5 and entry (0, 2) is 1 * 2 + 2 * 1 = 4; the product "
        "has shape (3, 3). Check that every entry of your result gets its value.",
    ),
)

# ---------------------------------------------------------------------------
# 02.4 rotate
# ---------------------------------------------------------------------------


def _rotate_cases(rng):
    """Five clouds; the first has 3 to 6 points and an angle away from the multiples of pi / 4, where
    some wrong matrices happen to give the right points."""
    cases = []
    for count in (int(rng.integers(3, 7)), 2, 1, int(rng.integers(3, 7)), 5):
        theta = round(float(rng.uniform(-2 * np.pi, 2 * np.pi)), 4)
        cases.append({"points": rng.normal(size=(count, 2)).round(3), "theta": theta})
    angle = float(rng.choice([rng.uniform(0.3, 0.6), rng.uniform(0.95, 1.3)]))
    cases[0]["theta"] = round(angle * float(rng.choice([-1, 1])), 4)
    cases[0]["points"][0] += np.sign(cases[0]["points"][0]) + (cases[0]["points"][0] == 0)  # away from (0, 0)
    return cases


exercise(
    id="02.4",
    title="Turn a cloud of points",
    produce="a function rotate(points, theta) that takes points as the rows of an array of shape (n, 2) "
    "and an angle theta in radians (a float), and returns a new array of shape (n, 2) holding every point "
    "turned counter-clockwise by theta around the origin",
    cases=_rotate_cases,
    probe=lambda answer, case: observe(answer(case["points"], case["theta"])),
    hints=(
        "Build the 2 x 2 rotation matrix first: its columns are where the arrows (1, 0) and (0, 1) land.",
        "The rotation matrix turns a point written as a column. Here each point is a row of the array: "
        "write out what turning one row vector means with the same four numbers, then do it for every row "
        "at once.",
        "Check your function on a quarter turn (pi / 2): the point (1, 0) should land on (0, 1), and the "
        "point (0, 1) on (-1, 0). Then try an angle that is not a quarter turn, on more than two points.",
    ),
)

# ---------------------------------------------------------------------------
# 02.5 forward
# ---------------------------------------------------------------------------


def _set_signs(rng, x, layers):
    """Biases that make unit 0 of every layer negative and unit 1 positive for every sample of x.

    So a relu left out, or one too many, always changes the output (layers of one unit stay as drawn).
    """
    inputs = x
    for number, (kernel, bias) in enumerate(layers):
        z = inputs @ kernel
        if kernel.shape[1] >= 2:
            for unit, sign in ((0, -1), (1, 1)):
                reach = float(np.max(np.abs(z[:, unit]))) + float(rng.uniform(0.3, 1.0))
                bias[unit] = round(sign * reach, 3)
        z = z + bias
        inputs = z if number == len(layers) - 1 else np.maximum(z, 0)


def _forward_cases(rng):
    """Five networks; the first has 3 layers and four different sizes, so a transposed kernel cannot fit."""
    cases = []
    for depth in (3, 2, 1, int(rng.integers(2, 5)), 4):
        if depth == 3 and not cases:
            sizes = [int(n) for n in rng.permutation(np.arange(2, 7))[:4]]
        else:
            sizes = [int(n) for n in rng.integers(1, 6, size=depth + 1)]
            sizes[0] = max(sizes[0], 2)
        layers = [
            [rng.normal(size=(n, m)).round(3), rng.normal(size=m).round(3)] for n, m in zip(sizes, sizes[1:])
        ]
        x = rng.normal(size=(int(rng.integers(1, 5)), sizes[0])).round(3)
        x[0, 0] = -abs(x[0, 0]) - 0.1  # an input below 0, where a relu on the inputs shows
        _set_signs(rng, x, layers)
        cases.append({"x": x, "layers": layers})
    return cases


exercise(
    id="02.5",
    title="A network of Dense layers",
    produce="a function forward(x, layers) that takes a batch x of shape (batch, inputs) and a list of "
    "(kernel, bias) pairs, kernel of shape (inputs, units) as Keras stores it and bias of shape (units,), "
    "each layer's units being the next layer's inputs, and returns the network's output, a new array of "
    "shape (batch, units of the last layer): every layer is a Dense layer with relu, except the last, "
    "which has no activation",
    cases=_forward_cases,
    probe=lambda answer, case: observe(answer(case["x"], case["layers"])),
    hints=(
        "A network is a loop over its layers: what one layer returns is what the next one receives.",
        "Keras stores a kernel with one row per input and one column per unit: the shapes tell on which side "
        "of the product the batch goes. The notebook's Dense layer shows in which order the product, the "
        "bias and the activation come; which of them does the last layer leave out?",
        "A worked example on other numbers: for the input [[1, -2]], a hidden layer with kernel [[1, 0], "
        "[0, 1]] and bias [0, 1] gives [[1, -1]] before its relu and [[1, 0]] after it; an output layer with "
        "kernel [[2], [3]] and bias [-3] then gives [[-1]], which stays negative: no relu after the last layer.",
    ),
)

# ---------------------------------------------------------------------------
# Quizzes
# ---------------------------------------------------------------------------

predict_shape(
    "02.q1",
    "a has shape (8, 1, 6) and b has shape (7, 1). What is the shape of a + b? (or type error)",
    shape=(8, 7, 6),
    explanation="Aligned on the right: b becomes (1, 7, 1); then 8 vs 1 -> 8, 1 vs 7 -> 7, 6 vs 1 -> 6.",
)

predict_shape(
    "02.q2",
    "a has shape (5, 4) and b has shape (5,). What is the shape of a + b? (or type error)",
    shape="error",
    explanation="Aligned on the right, the last axes are 4 and 5: neither equal nor 1. To add b to every "
    "column, use b[:, np.newaxis], shape (5, 1).",
)

predict_shape(
    "02.q3",
    "x has shape (10, 4, 3) and W has shape (3, 8). What is the shape of np.dot(x, W)? (or type error)",
    shape=(10, 4, 8),
    explanation="The last axis of x (3) meets the first axis of W (3); both disappear, the rest stay in order.",
)

predict_shape(
    "02.q4",
    "A and B both have shape (3, 4). What is the shape of np.dot(A, B)? (or type error)",
    shape="error",
    explanation="A's last axis (4) must equal B's first axis (3). np.dot(A, B.T) works and has shape (3, 3); "
    "np.dot(A.T, B) has shape (4, 4).",
)

predict_shape(
    "02.q5",
    "A has shape (2, 3) and w has shape (4,). What is the shape of their tensor (outer) product, "
    "np.multiply.outer(A, w)? (or type error)",
    shape=(2, 3, 4),
    explanation="The tensor product multiplies every entry of A with every entry of w and sums nothing: "
    "the axes of A come first, then those of w, so the ranks add, 2 + 1 = 3.",
)
