"""A small NumPy tensor engine: reverse mode on arrays, enough to train an MLP.

A :class:`Tensor` wraps a NumPy array. Operations on tensors that require
gradients record a graph, exactly like the scalar engine in
:mod:`course.autodiff.reverse`, whose traversal (:func:`~course.autodiff.reverse.adjoints`)
this engine reuses. Only the ops differ: their values are arrays, so each
vector-Jacobian product must respect shapes. Broadcasting is the subtle case:
if ``b`` of shape (3,) was broadcast to (32, 3) in ``a + b``, every one of the
32 copies received some adjoint, and ``b``'s adjoint is their sum (:func:`sum_to`).

As in the scalar engine, each ``vjp`` rule is written with operators and methods
that NumPy arrays and Tensors share, so it runs on arrays (fast ``backward``) or
on tensors (gradients as graphs, so second derivatives work: :func:`grad`).
"""

import numpy as np

from ..activations import sigmoid as _stable_sigmoid
from ..runtime.validate import array, boolean, fraction, integer, integers, items, number, received, text
from .reverse import adjoints
from .rules import check_rules, input_count


class Tensor:
    """An array in a computation graph. ``requires_grad=True`` marks a variable to differentiate.

    The Tensor holds its own copy of ``value``: an optimizer that updates it in place
    never writes into the array it was made from.

    Values follow NumPy's float arithmetic (a product too large becomes inf), except
    where a result would be meaningless: ``exp`` that overflows, division by zero, a
    log of a non-positive entry, a fractional power of a negative entry and the
    mean of no entries raise ValueError.

    ``array * tensor`` is a Tensor: NumPy steps aside (``__array_ufunc__ = None``)
    and lets :meth:`__rmul__` record the operation.
    """

    __slots__ = ("value", "op", "inputs", "requires_grad", "grad", "name")
    __array_ufunc__ = None

    def __init__(self, value, requires_grad=False, name=""):
        if isinstance(value, Tensor):
            raise TypeError(
                "a Tensor's value must be an array of numbers, got a Tensor: "
                "pass its array (tensor.value) to make a new one, or use the Tensor itself"
            )
        value = array(value, "a Tensor's value")
        dtype = value.dtype if np.issubdtype(value.dtype, np.floating) else np.float64
        self.value, self.op, self.inputs = value.astype(dtype), None, ()  # astype copies
        self.requires_grad = boolean(requires_grad, "requires_grad")
        self.grad, self.name = None, text(name, "name", allow_empty=True)

    @classmethod
    def _from_op(cls, value, op, inputs, requires_grad=True):
        """A Tensor around ``value``, an array the engine has just made (no copy, no check)."""
        out = cls.__new__(cls)
        out.value, out.op, out.inputs = value, op, inputs
        out.requires_grad, out.grad, out.name = requires_grad, None, ""
        return out

    @classmethod
    def _constant(cls, value):
        """A constant (no gradient) around ``value``, an array the engine has just made."""
        return cls._from_op(value, None, (), requires_grad=False)

    def __repr__(self):
        return f"Tensor(shape={self.shape}, dtype={self.dtype}{', ' + self.op.name if self.op else ''})"

    shape = property(lambda self: self.value.shape)
    ndim = property(lambda self: self.value.ndim)
    size = property(lambda self: self.value.size)
    dtype = property(lambda self: self.value.dtype)
    T = property(lambda self: self.transpose())

    def unit_adjoint(self, as_graph):
        ones = np.ones_like(self.value)
        return Tensor._constant(ones) if boolean(as_graph, "as_graph") else ones

    def backward(self):
        """Set ``.grad`` (a NumPy array) of every tensor that requires grad in this scalar's graph.

        Idempotent: gradients are computed afresh, never accumulated.
        """
        if self.size != 1:
            raise ValueError(
                f"backward() needs a scalar output, got shape {self.shape}; reduce it first, e.g. .sum()"
            )
        for node, adjoint in adjoints(self).items():
            if node.requires_grad:
                node.grad = adjoint

    # Operators -------------------------------------------------------------
    def __add__(self, other):
        return Add()(self, other)

    def __radd__(self, other):
        return Add()(other, self)

    def __sub__(self, other):
        return Sub()(self, other)

    def __rsub__(self, other):
        return Sub()(other, self)

    def __mul__(self, other):
        return Mul()(self, other)

    def __rmul__(self, other):
        return Mul()(other, self)

    def __truediv__(self, other):
        return Div()(self, other)

    def __rtruediv__(self, other):
        return Div()(other, self)

    def __neg__(self):
        return Neg()(self)

    def __pow__(self, exponent):
        return Pow(exponent)(self)

    def __matmul__(self, other):
        return MatMul()(self, other)

    def __rmatmul__(self, other):
        return MatMul()(other, self)

    # Methods shared with NumPy arrays (the vjp rules rely on that) -----------
    def sum(self, axis=None, keepdims=False):
        return Sum(axis, keepdims)(self)

    def mean(self, axis=None, keepdims=False):
        total = self.sum(axis, keepdims)
        if total.size and not self.size:
            raise ValueError(f"the mean of no entries is undefined: the tensor has shape {self.shape}")
        return total * (total.size / self.size)  # divide by the number of entries summed

    def reshape(self, *shape):
        return Reshape(shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape)(self)

    def transpose(self, axes=None):
        return Transpose(axes)(self)

    def exp(self):
        return Exp()(self)

    def log(self):
        return Log()(self)


def as_tensor(x, dtype=None):
    """Tensors pass through; numbers and arrays become constants (of ``dtype`` if given)."""
    if isinstance(x, Tensor):
        return x
    value = array(x, "an operand of a Tensor operation")
    return Tensor(value.astype(dtype) if dtype is not None and value.ndim == 0 else value)


def _like(reference, array):
    """``array`` as the same kind of thing as ``reference``: a constant Tensor or an array."""
    return Tensor._constant(array) if isinstance(reference, Tensor) else array


def _value(x):
    return x.value if isinstance(x, Tensor) else x


def sum_to(x, shape):
    """Sum ``x`` down to ``shape``: the adjoint of broadcasting ``shape`` up to ``x.shape``.

    Leading axes that broadcasting added are summed away; axes where ``shape`` has 1
    are summed with keepdims. Works on arrays and on Tensors.
    """
    x = x if isinstance(x, Tensor) else array(x, "x")
    shape = _sizes(shape, minimum=0)
    if x.shape == shape:
        return x
    added = x.ndim - len(shape)
    if added < 0 or any(n not in (1, m) for n, m in zip(shape, x.shape[added:])):
        raise ValueError(
            f"cannot sum shape {x.shape} down to shape {shape}: {shape} does not broadcast to it"
        )
    axes = tuple(range(added)) + tuple(
        added + i for i, n in enumerate(shape) if n == 1 and x.shape[added + i] != 1
    )
    return x.sum(axis=axes, keepdims=True).reshape(shape)


def broadcast_to(x, shape):
    """np.broadcast_to for arrays, a recorded op for Tensors."""
    op = BroadcastTo(shape)
    return op(x) if isinstance(x, Tensor) else op._compute(array(x, "x"))  # an int array stays ints


def _float_array(value, label):
    """``value`` as a float array (ints and bools become float64); a Tensor is refused."""
    if isinstance(value, Tensor):
        raise TypeError(
            f"{label} must be a NumPy array (compute works on arrays: use tensor.value), got a Tensor"
        )
    if value.__class__ is np.ndarray and value.dtype.kind == "f":
        return value
    value = array(value, label)
    return value if np.issubdtype(value.dtype, np.floating) else value.astype(np.float64)


def _arrays(op, method, values, names):
    """``compute``'s arguments: arrays of real numbers, as float arrays."""
    return [_float_array(v, f"{method}: {name}") for v, name in zip(values, names)]


def _arrays_or_tensors(op, method, values, names):
    """``vjp``'s arguments ``(adjoint, out, *inputs)``: arrays, or Tensors (gradients as graphs).

    They must fit together: the inputs are checked by ``compute``, which also gives the
    shape that the adjoint and ``out`` must have (and sets what the rule needs, such as Sum's axes).
    """
    values = [
        v if isinstance(v, Tensor) else _float_array(v, f"{method}: {n}") for v, n in zip(values, names)
    ]
    if len(values) < 2:
        raise TypeError(f"{method} needs the adjoint, the output and the inputs, got {len(values)} arguments")
    expected = op.compute(*[_value(v) for v in values[2:]]).shape
    for v, name in zip(values[:2], names):
        if _value(v).shape != expected:
            raise ValueError(
                f"{method}: {name} must have the shape of the output for these inputs, {expected}, "
                f"got shape {_value(v).shape}"
            )
    return values


class Op:
    """An array operation: ``compute`` on arrays, and ``vjp`` on arrays or Tensors.

    Every subclass's ``compute`` and ``vjp`` check their arguments first (see
    :func:`course.autodiff.rules.check_rules`); the engine calls the rules as written.
    """

    name = "op"
    _inputs = None  # the names of compute's inputs; None: any number

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        check_rules(cls, {"compute": _arrays, "vjp": _arrays_or_tensors})

    def __call__(self, *inputs):
        dtype = next((x.dtype for x in inputs if isinstance(x, Tensor)), None)
        tensors = tuple(as_tensor(x, dtype) for x in inputs)
        input_count(self, tensors)
        value = self._compute(*[t.value for t in tensors])
        if not any(t.requires_grad for t in tensors):
            return Tensor._constant(value)  # nothing to differentiate: no graph
        return Tensor._from_op(value, self, tensors)

    def _compute(self, *values):
        return self.compute(*values)

    def _vjp(self, adjoint, out, *inputs):
        return self.vjp(adjoint, out, *inputs)

    def compute(self, *values):
        raise NotImplementedError

    def vjp(self, adjoint, out, *inputs):
        raise NotImplementedError


def _broadcast_shape(name, a, b):
    try:
        return np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"{name}: cannot broadcast a.shape {a.shape} with b.shape {b.shape}") from None


class Add(Op):
    name = "add"

    def compute(self, a, b):
        _broadcast_shape(self.name, a, b)
        return a + b

    def vjp(self, g, out, a, b):
        return sum_to(g, a.shape), sum_to(g, b.shape)


class Sub(Op):
    name = "sub"

    def compute(self, a, b):
        _broadcast_shape(self.name, a, b)
        return a - b

    def vjp(self, g, out, a, b):
        return sum_to(g, a.shape), sum_to(-g, b.shape)


class Mul(Op):
    name = "mul"

    def compute(self, a, b):
        _broadcast_shape(self.name, a, b)
        return a * b

    def vjp(self, g, out, a, b):
        return sum_to(g * b, a.shape), sum_to(g * a, b.shape)


class Div(Op):
    name = "div"

    def compute(self, a, b):
        _broadcast_shape(self.name, a, b)
        if np.any(b == 0):
            raise ValueError("div: division by zero (the divisor has an entry equal to 0)")
        return a / b

    def vjp(self, g, out, a, b):  # d(a/b)/db = -a/b^2 = -out/b
        return sum_to(g / b, a.shape), sum_to(-g * out / b, b.shape)


class Neg(Op):
    name = "neg"

    def compute(self, a):
        return -a

    def vjp(self, g, out, a):
        return (-g,)


class Pow(Op):
    """a ** n for a constant number n."""

    def __init__(self, n):
        self.n = number(n, "the exponent (a constant number)")
        self.name = f"pow {self.n:g}"

    def compute(self, a):
        if self.n < 0 and np.any(a == 0):
            raise ValueError(f"pow: 0 ** {self.n:g} divides by zero (an entry is 0)")
        if self.n != int(self.n) and np.any(a < 0):
            raise ValueError(f"pow: a negative entry ** {self.n:g} is not a real number")
        return a**self.n

    def vjp(self, g, out, a):
        return (g * self.n * a ** (self.n - 1),)


class MatMul(Op):
    """a @ b for matrices: (n, k) @ (k, m) -> (n, m)."""

    name = "matmul"

    def compute(self, a, b):
        if a.ndim != 2 or b.ndim != 2:
            raise ValueError(f"matmul takes two matrices (2-D), got a.shape {a.shape} and b.shape {b.shape}")
        if a.shape[1] != b.shape[0]:
            raise ValueError(
                f"matmul: a.shape[1] ({a.shape[1]}) must equal b.shape[0] ({b.shape[0]}) "
                f"(a.shape {a.shape}, b.shape {b.shape})"
            )
        return a @ b

    def vjp(self, g, out, a, b):  # (n,m)@(m,k)->(n,k) ; (k,n)@(n,m)->(k,m)
        return g @ b.T, a.T @ g


def _axes(axis, ndim):
    """``axis`` (None, an int or a tuple) as a tuple of non-negative axes, checked against ndim."""
    axes = tuple(range(ndim)) if axis is None else axis if isinstance(axis, (tuple, list)) else (axis,)
    axes = [integer(a, "axis", minimum=-ndim, maximum=ndim - 1) for a in axes]
    if len(set(a % ndim for a in axes)) != len(axes):
        raise ValueError(f"axis must name each axis at most once, got {tuple(axis)} for {ndim} axes")
    return tuple(sorted(a % ndim for a in axes))


class Sum(Op):
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims, self.name = axis, boolean(keepdims, "keepdims"), "sum"

    def compute(self, a):
        self.axes = _axes(self.axis, a.ndim)
        return a.sum(axis=self.axes, keepdims=self.keepdims)

    def vjp(self, g, out, a):  # every summed entry gets the adjoint of the sum
        kept = tuple(1 if i in self.axes else n for i, n in enumerate(a.shape))
        return (broadcast_to(g.reshape(kept), a.shape),)


def _sizes(values, minimum):
    """A shape or an axis order: a tuple of ints >= ``minimum`` (``-1`` in a reshape means "the rest")."""
    return integers(values, "the shape or axis order", minimum=minimum)


class BroadcastTo(Op):
    def __init__(self, shape):
        self.shape, self.name = _sizes(shape, minimum=0), "broadcast"

    def compute(self, a):
        try:
            return np.broadcast_to(a, self.shape)
        except ValueError:
            raise ValueError(f"cannot broadcast a tensor of shape {a.shape} to shape {self.shape}") from None

    def vjp(self, g, out, a):
        return (sum_to(g, a.shape),)


class Reshape(Op):
    def __init__(self, shape):
        self.shape, self.name = _sizes(shape, minimum=-1), "reshape"

    def compute(self, a):
        try:
            return a.reshape(self.shape)
        except ValueError:
            raise ValueError(
                f"cannot reshape a tensor of shape {a.shape} ({a.size} entries) into shape {self.shape}"
            ) from None

    def vjp(self, g, out, a):
        return (g.reshape(a.shape),)


class Transpose(Op):
    def __init__(self, axes=None):
        self.axes, self.name = None if axes is None else _sizes(axes, minimum=0), "transpose"

    def compute(self, a):
        self.order = tuple(reversed(range(a.ndim))) if self.axes is None else tuple(self.axes)
        if sorted(self.order) != list(range(a.ndim)):
            raise ValueError(
                f"transpose: axes {self.axes} are not a permutation of the {a.ndim} axes of shape {a.shape}"
            )
        return a.transpose(self.order)

    def vjp(self, g, out, a):
        return (g.transpose(tuple(np.argsort(self.order))),)


class Exp(Op):
    name = "exp"

    def compute(self, a):
        limit = np.log(np.finfo(a.dtype).max)  # 709.78 for float64, 88.72 for float32
        if a.size and a.max() > limit:
            raise ValueError(
                f"exp: an entry is {a.max():g}, too large for {a.dtype} (exp needs x <= {limit:.2f})"
            )
        return np.exp(a)

    def vjp(self, g, out, a):
        return (g * out,)


class Log(Op):
    name = "log"

    def compute(self, a):
        if np.any(a <= 0):
            raise ValueError(f"log needs positive entries, got a minimum of {a.min()!r}")
        return np.log(a)

    def vjp(self, g, out, a):
        return (g / a,)


class Relu(Op):
    name = "relu"

    def compute(self, a):
        return np.maximum(a, 0)

    def vjp(self, g, out, a):  # the mask is a constant: relu'' = 0 where it exists
        return (g * _like(a, (_value(a) > 0).astype(_value(a).dtype)),)


class LeakyRelu(Op):
    def __init__(self, alpha=0.2):
        self.alpha, self.name = fraction(alpha, "alpha"), "leaky_relu"

    def compute(self, a):
        return np.where(a > 0, a, self.alpha * a)

    def vjp(self, g, out, a):
        return (g * _like(a, np.where(_value(a) > 0, 1.0, self.alpha).astype(_value(a).dtype)),)


class Sigmoid(Op):
    name = "sigmoid"

    def compute(self, a):
        return _stable_sigmoid(a).astype(a.dtype)

    def vjp(self, g, out, a):
        return (g * out * (1 - out),)


class Tanh(Op):
    name = "tanh"

    def compute(self, a):
        return np.tanh(a)

    def vjp(self, g, out, a):
        return (g * (1 - out * out),)


def exp(x):
    return Exp()(x)


def log(x):
    return Log()(x)


def relu(x):
    return Relu()(x)


def leaky_relu(x, alpha=0.2):
    return LeakyRelu(alpha)(x)


def sigmoid(x):
    return Sigmoid()(x)


def tanh(x):
    return Tanh()(x)


def matmul(a, b):
    return MatMul()(a, b)


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of softmax(logits) against integer labels, computed stably.

    loss_i = logsumexp(z_i) - z_i[label_i], with z = logits - max(logits) per row:
    the shift is a constant (it cancels in the loss and in the gradient), and it
    keeps every exp(z) <= 1, so no overflow however large the logits.
    """
    logits = as_tensor(logits)
    labels = array(labels, "labels", ndim=1)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (batch, classes), got shape {logits.shape}")
    if not np.all(np.isfinite(logits.value)):
        raise ValueError("logits must hold finite numbers, got NaN or infinity (the loss would be NaN)")
    batch, classes = logits.shape
    if batch == 0 or classes == 0:
        raise ValueError(f"logits must hold at least one example and one class, got shape {logits.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers (class numbers), got an array of dtype {labels.dtype}")
    if len(labels) != batch:
        raise ValueError(f"labels must hold one class per example: {batch}, got {len(labels)}")
    if labels.min() < 0 or labels.max() >= classes:
        raise ValueError(
            f"labels must lie in 0..{classes - 1}, got values from {labels.min()} to {labels.max()}"
        )
    z = logits - logits.value.max(axis=1, keepdims=True)
    log_sum_exp = z.exp().sum(axis=1, keepdims=True).log()
    one_hot = np.eye(classes, dtype=logits.dtype)[labels]
    return (log_sum_exp - (z * one_hot).sum(axis=1, keepdims=True)).mean()


def grad(output, inputs):
    """The gradient of a scalar ``output`` with respect to each tensor of ``inputs``, as Tensors
    that are graphs themselves (differentiate them again for second derivatives)."""
    if not isinstance(output, Tensor):
        raise TypeError(f"output must be a Tensor, got {received(output)}")
    if output.size != 1:
        raise ValueError(
            f"grad needs a scalar output, got shape {output.shape}; reduce it first, e.g. .sum()"
        )
    items(inputs, "inputs", Tensor, "a Tensor")
    found = adjoints(output, as_graph=True)
    return [found.get(x, Tensor._constant(np.zeros_like(x.value))) for x in inputs]
