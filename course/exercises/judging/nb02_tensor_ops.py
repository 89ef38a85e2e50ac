"""The judges of 02_tensor_ops: what each exercise's answer is compared with."""

import numpy as np

from . import expect
from .expect import Wrong


def _without_last(x, axis, relu=True):
    """relu of x (or x itself) with the last row (axis 0) or column (axis 1) left as it was: 0 for a product."""
    z = np.maximum(x, 0) if relu else x.copy()
    index = (slice(None), -1) if axis else (-1, slice(None))
    if x.shape[axis]:
        z[index] = x[index] if relu else 0
    return z


def _columns_as_far_as_rows(x):
    """relu on the columns whose number is below the number of rows; the others as they were."""
    z = x.astype(float)
    z[:, : x.shape[0]] = np.maximum(x[:, : x.shape[0]], 0)
    return z


def _judge_relu(case, seen):
    x = case["x"]
    what = f"naive_relu(x of shape {x.shape})"
    got = expect.array(seen, what)
    if got.dtype.kind in "iub" and np.any(np.trunc(x) != x):
        raise Wrong(
            f"{what} holds integers ({got.dtype}), so the entries lost their fractional part: x holds floats."
        )
    if got.shape == x.shape and np.any(x > 0) and np.allclose(got, 0):
        raise Wrong(f"{what} is all zeros: the positive entries of x should stay as they are.")
    negative = x < 0
    if got.shape == x.shape and np.any(negative) and np.all(got[~negative] == x[~negative]):
        slopes = got[negative] / x[negative]
        if np.all(slopes > 0) and np.all(slopes < 1) and np.ptp(slopes) < 1e-9:
            raise Wrong(
                f"{what} kept a small slope for the negative entries (a leaky relu); relu turns every "
                "negative entry into 0."
            )
    mistakes = {
        "took the absolute value; negative entries should become 0": np.abs(x),
        "kept the negative entries and zeroed the positive ones": np.minimum(x, 0),
        "returned x unchanged": x,
        "stopped the loop over rows one row early": _without_last(x, 0),
        "stopped the loop over columns one column early": _without_last(x, 1),
        "let the loop over columns run as far as the number of rows": _columns_as_far_as_rows(x),
    }
    expect.close(got, np.maximum(x, 0), what, near_misses=mistakes)
    return "naive_relu is right for every matrix tried, and leaves its input alone."


def _broadcasts(case):
    try:
        np.broadcast_shapes(case["x"].shape, case["y"].shape)
    except ValueError:
        return False
    return True


def _left_aligned(x, y):
    """x + y with the shapes lined up on the left (size-1 axes added on the right), or None."""
    ndim = max(x.ndim, y.ndim)
    try:
        return x.reshape(x.shape + (1,) * (ndim - x.ndim)) + y.reshape(y.shape + (1,) * (ndim - y.ndim))
    except ValueError:
        return None


def _judge_broadcast_add(case, seen):
    x, y = case["x"], case["y"]
    what = f"naive_broadcast_add(x of shape {x.shape}, y of shape {y.shape})"
    if not _broadcasts(case):
        if "raised" not in seen:
            raise Wrong(
                f"{what} returned {expect.described(seen['result'])}, but these shapes do not broadcast "
                "(line them up on the right and compare): it should raise a ValueError."
            )
        if seen["raised"] != "ValueError":
            raise Wrong(
                f"{what} raised {seen['raised']} ({seen['message']}); shapes that do not broadcast should "
                "raise a ValueError that says so."
            )
        return "naive_broadcast_add follows NumPy's rule on every rank, stretches both sides, and refuses shapes that clash."
    want = x + y
    if "raised" in seen:
        if seen["raised"] == "ValueError":
            raise Wrong(
                f"{what} raised ValueError ({seen['message']}), but these shapes broadcast: line them up on "
                "the right; a size 1, or a missing axis on the left, stretches to any size."
            )
        raise Wrong(f"{what} raised {seen['raised']}: {seen['message']}")
    got = expect.array(seen["result"], what)
    if got.shape != want.shape:
        for name, shape in (("x", x.shape), ("y", y.shape)):
            if got.shape == shape and shape != want.shape:
                raise Wrong(
                    f"{what} has shape {got.shape}, the shape of {name}; the result takes the larger size on "
                    "every axis of the two shapes lined up on the right."
                )
    left = _left_aligned(x, y)
    mistakes = {}
    if left is not None:
        mistakes["lined the shapes up on the left; they line up on the right"] = left
    if got.dtype.kind in "iub" and np.any(np.trunc(want) != want):
        raise Wrong(f"{what} holds integers ({got.dtype}), so the sums lost their fractional part.")
    expect.close(got, want, what, near_misses=mistakes)
    logs = seen.get("reads") if isinstance(seen.get("reads"), list) else [None, None]
    reads_x, reads_y = (_reads(log, tensor.ndim) for log, tensor in zip(logs + [None, None], (x, y)))
    if min(reads_x, reads_y) < want.size:
        raise Wrong(
            f"{what} made {want.size} sums, yet read x {reads_x} times and y {reads_y} times: "
            "the sums did not come from your loops one element at a time."
        )
    return "naive_broadcast_add is right."


def _reads(log, ndim):
    """How many times a tensor was read: the rows of its log of indices (0 for a log that is not one)."""
    if not isinstance(log, np.ndarray) or log.ndim != 2 or log.shape[1] != ndim:
        return 0
    return len(log)


def _judge_matrix_dot(case, seen):
    x, y = case["x"], case["y"]
    what = f"naive_matrix_dot(x of shape {x.shape}, y of shape {y.shape})"
    got = expect.array(seen, what)
    want = x @ y
    if got.dtype.kind in "iub" and np.any(np.trunc(want) != want):
        raise Wrong(
            f"{what} is an array of {got.dtype}: stored in integers, the entries lose their fractional part. "
            "The result should hold floats."
        )
    mistakes = {}
    if x.shape == y.shape == (x.shape[0], x.shape[0]):
        mistakes["multiplied in the other order (y times x)"] = y @ x
        mistakes["multiplied element by element instead of taking dot products"] = x * y
    mistakes["left every entry at 0"] = np.zeros_like(want)
    mistakes["stopped the loop over rows one row early"] = _without_last(want, 0, relu=False)
    mistakes["stopped the loop over columns one column early"] = _without_last(want, 1, relu=False)
    mistakes["kept adding to the same total for every entry; start each entry's sum from 0"] = (
        want.ravel().cumsum().reshape(want.shape)
    )
    expect.close(got, want, what, near_misses=mistakes)
    return "naive_matrix_dot is right on square and non-square matrices."


def _rotation(theta):
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])


def _turned_one_by_one(points, c, s):
    """The mistake of updating x first and then computing y from the new x."""
    x = c * points[:, 0] - s * points[:, 1]
    return np.stack([x, s * x + c * points[:, 1]], axis=1)


def _judge_rotate(case, seen):
    points, theta = case["points"], case["theta"]
    what = f"rotate(points of shape {points.shape}, {theta:.4g})"
    got = expect.array(seen, what)
    R = _rotation(theta)
    c, s = np.cos(theta), np.sin(theta)
    near = {
        "turned the points clockwise; the turn should be counter-clockwise": points @ R,
        "read theta as degrees; it is in radians": points @ _rotation(np.radians(theta)).T,
        "swapped cos and sin": points @ np.array([[s, -c], [c, s]]).T,
        "lost a minus sign: that matrix stretches the points instead of only turning them": points
        @ np.array([[c, s], [s, c]]),
        "returned the turned points as columns; each row of the result should be one point": (R @ points.T),
        "used the new x to compute y; both new coordinates come from the old point": _turned_one_by_one(
            points, c, s
        ),
        "turned the points around their centre; the turn is around the origin (0, 0)": (
            points - points.mean(axis=0)
        )
        @ R.T
        + points.mean(axis=0),
    }
    want = points @ R.T
    if (
        got.shape == want.shape
        and not np.allclose(got, want, atol=1e-9)
        and not any(
            np.allclose(got, mistake, atol=1e-9) for mistake in near.values() if mistake.shape == got.shape
        )
    ):
        angle = np.arctan2(np.sum(points[:, 0] * got[:, 1] - points[:, 1] * got[:, 0]), np.sum(points * got))
        if np.allclose(got, points @ _rotation(angle).T, atol=1e-9):
            raise Wrong(
                f"{what} turns the points by another angle than theta: the angle should come from theta."
            )
    expect.close(got, want, what, near_misses=near, atol=1e-9)
    return "rotate turns every point counter-clockwise by theta and keeps its distance from the origin."


def _relu(z):
    return np.maximum(z, 0)


def _network(
    x, layers, relu_last=False, relu_hidden=True, bias=True, relu_before_bias=False, hidden_relus=None
):
    """The output of a network, or of a mistake: ``hidden_relus`` layers get a relu (all hidden ones when None)."""
    for number, (kernel, b) in enumerate(layers):
        last = number == len(layers) - 1
        z = x @ kernel
        activate = relu_last if last else relu_hidden and (hidden_relus is None or number < hidden_relus)
        if relu_before_bias and activate:
            x = _relu(z) + (b if bias else 0)
        else:
            z = z + b if bias else z
            x = _relu(z) if activate else z
    return x


def _judge_forward(case, seen):
    x, layers = case["x"], [(np.asarray(k), np.asarray(b)) for k, b in case["layers"]]
    shapes = " -> ".join(str(k.shape) for k, _ in layers)
    what = f"forward(x of shape {x.shape}, {len(layers)} layers with kernels {shapes})"
    got = expect.array(seen, what)
    mistakes = {
        "applied relu after the last layer too; the output layer gives raw scores": _network(
            x, layers, relu_last=True
        ),
        "left out the relu between the layers: the layers then collapse into one affine map": _network(
            x, layers, relu_hidden=False
        ),
        "skipped the relu of the layer before the last one too": _network(
            x, layers, hidden_relus=len(layers) - 2
        )
        if len(layers) > 2
        else None,
        "applied relu to the inputs too; the inputs go into the first layer as they are": _network(
            _relu(x), layers
        ),
        "forgot the biases": _network(x, layers, bias=False),
        "added the bias after the relu": _network(x, layers, relu_before_bias=True),
        "stopped after the first layer": _network(x, layers[:1], relu_last=len(layers) > 1),
        "stopped after the first layer, without its relu": _network(x, layers[:1]),
        "applied only the last layer to x": _network(x, layers[-1:])
        if x.shape[1] == layers[-1][0].shape[0]
        else None,
    }
    mistakes = {why: z for why, z in mistakes.items() if z is not None}
    want = _network(x, layers)
    if got.shape == want.shape[::-1] and got.shape != want.shape:
        raise Wrong(
            f"{what} has shape {got.shape}: one row per sample of the batch, one column per unit of the last layer."
        )
    expect.close(got, want, what, near_misses=mistakes)
    return "forward runs a whole network of Dense layers on a batch, for any number of layers."


JUDGES = {
    "02.1": _judge_relu,
    "02.2": _judge_broadcast_add,
    "02.3": _judge_matrix_dot,
    "02.4": _judge_rotate,
    "02.5": _judge_forward,
}
