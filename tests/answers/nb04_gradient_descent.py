"""Answer tables of 04_gradient_descent: plausible mistakes and right answers in other styles."""

import numpy as np

from . import Correct, Mistake, Table, mutations


def stub(*args, **kwargs):
    raise NotImplementedError


# --------------------------------------------------------------------------- 04.1 momentum_descent


def momentum_descent(gradient, w, learning_rate, momentum, steps):
    velocity, path = np.zeros_like(w, dtype=float), [np.array(w, dtype=float)]
    for _ in range(steps):
        velocity = momentum * velocity - learning_rate * gradient(path[-1])
        path.append(path[-1] + velocity)
    return np.array(path)


def momentum_in_an_array(gradient, w, learning_rate, momentum, steps):
    path, velocity = np.zeros((steps + 1, len(w))), 0.0
    path[0] = w
    for k in range(steps):
        velocity = momentum * velocity - learning_rate * gradient(path[k])
        path[k + 1] = path[k] + velocity
    return path


def momentum_torch_style(gradient, w, learning_rate, momentum, steps):
    """PyTorch's form: the buffer sums raw gradients, the learning rate scales the move."""
    buffer, current, path = np.zeros(len(w)), w.copy(), [w.copy()]
    for _ in range(steps):
        buffer = momentum * buffer + gradient(current)
        current = current - learning_rate * buffer
        path.append(current)
    return np.stack(path)


def momentum_with(step):
    """The momentum loop with its update ``step(w, g, velocity, lr, beta) -> (w, velocity)`` swapped."""

    def answer(gradient, w, learning_rate, momentum, steps):
        velocity, path = np.zeros_like(w, dtype=float), [np.array(w, dtype=float)]
        for _ in range(steps):
            new_w, velocity = step(path[-1], gradient(path[-1]), velocity, learning_rate, momentum)
            path.append(new_w)
        return np.array(path)

    return answer


def momentum_gradient_at_the_start(gradient, w, learning_rate, momentum, steps):
    g = gradient(w)
    velocity, path = np.zeros_like(w, dtype=float), [np.array(w, dtype=float)]
    for _ in range(steps):
        velocity = momentum * velocity - learning_rate * g
        path.append(path[-1] + velocity)
    return np.array(path)


def momentum_nesterov(gradient, w, learning_rate, momentum, steps):
    """Nesterov's variant: the gradient at a look-ahead point, not at the current w."""
    velocity, path = np.zeros(len(w)), [np.array(w, dtype=float)]
    for _ in range(steps):
        velocity = momentum * velocity - learning_rate * gradient(path[-1] + momentum * velocity)
        path.append(path[-1] + velocity)
    return np.array(path)


def momentum_one_array_appended(gradient, w, learning_rate, momentum, steps):
    """Moves one array in place and appends it every step: every row of the path is that one array."""
    current, velocity = np.array(w, dtype=float), np.zeros(len(w))
    path = [current]
    for _ in range(steps):
        velocity = momentum * velocity - learning_rate * gradient(current)
        current += velocity
        path.append(current)
    return np.array(path)


def momentum_in_place(gradient, w, learning_rate, momentum, steps):
    velocity, path = np.zeros_like(w, dtype=float), [w.copy()]
    for _ in range(steps):
        velocity = momentum * velocity - learning_rate * gradient(w)
        w += velocity
        path.append(w.copy())
    return np.array(path)


# --------------------------------------------------------------------------- 04.2 adam_descent


def adam_path(
    t_start=1, beta_1=0.9, beta_2=0.999, correct=True, reset=False, sign=-1.0, sqrt=True, only_m=False
):
    """Adam's loop, with one piece that can be changed into a mistake."""

    def adam_descent(gradient, w, learning_rate, steps):
        m, v, path = np.zeros_like(w, dtype=float), np.zeros_like(w, dtype=float), [np.array(w, dtype=float)]
        for t in range(t_start, t_start + steps):
            if reset:
                m, v = np.zeros_like(m), np.zeros_like(v)
            g = gradient(path[-1])
            m = beta_1 * m + (1 - beta_1) * g
            v = beta_2 * v + (1 - beta_2) * g * g
            with np.errstate(divide="ignore", invalid="ignore"):
                m_hat = m / (1 - beta_1**t) if correct else m
                v_hat = v / (1 - beta_2**t) if correct and not only_m else v
                scale = np.sqrt(v_hat) if sqrt else v_hat
                path.append(path[-1] + sign * learning_rate * m_hat / (scale + 1e-7))
        return np.array(path)

    return adam_descent


def adam_keras_style(gradient, w, learning_rate, steps):
    """Keras's own form: the bias correction folded into the learning rate, epsilon outside the root."""
    m, v = np.zeros(len(w)), np.zeros(len(w))
    variable, path = np.array(w, dtype=float), [np.array(w, dtype=float)]
    for step in range(1, steps + 1):
        alpha = learning_rate * np.sqrt(1 - 0.999**step) / (1 - 0.9**step)
        g = gradient(variable)
        m += (g - m) * (1 - 0.9)
        v += (g**2 - v) * (1 - 0.999)
        variable = variable - alpha * m / (np.sqrt(v) + 1e-7)
        path.append(variable)
    return np.array(path)


def adam_with_powers_kept(gradient, w, learning_rate, steps, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Keeps beta to the power t as running products; the path in a preallocated array."""
    path = np.empty((steps + 1, len(w)))
    path[0] = w
    m = v = 0.0
    power_1 = power_2 = 1.0
    for t in range(steps):
        g = gradient(path[t])
        power_1, power_2 = power_1 * beta_1, power_2 * beta_2
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * np.square(g)
        path[t + 1] = path[t] - learning_rate * (m / (1 - power_1)) / (np.sqrt(v / (1 - power_2)) + epsilon)
    return path


# --------------------------------------------------------------------------- 04.3 loss_and_grads


def loss_and_grads(params, x, y):
    n = len(x)
    z1 = x @ params["W1"] + params["b1"]
    h = np.maximum(z1, 0.0)
    logits = h @ params["W2"] + params["b2"]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    delta = np.exp(log_p)
    delta[np.arange(n), y] -= 1.0
    delta /= n
    dz1 = (delta @ params["W2"].T) * (z1 > 0)
    grads = {"W1": x.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ delta, "b2": delta.sum(axis=0)}
    return float(-log_p[np.arange(n), y].mean()), grads


def backprop_one_hot(params, x, y):
    """One-hot labels from an identity matrix, a log-sum-exp written out, einsum for the products."""
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    one_hot = np.eye(W2.shape[1])[y]
    pre = x @ W1 + b1
    hidden = np.where(pre > 0, pre, 0.0)
    logits = hidden @ W2 + b2
    top = logits.max(axis=1, keepdims=True)
    log_sum = top + np.log(np.sum(np.exp(logits - top), axis=1, keepdims=True))
    loss = np.mean(np.sum(one_hot * (log_sum - logits), axis=1))
    d_logits = (np.exp(logits - log_sum) - one_hot) / len(x)
    d_pre = np.einsum("nk,hk->nh", d_logits, W2) * (pre > 0)
    return loss, {
        "W2": np.einsum("nh,nk->hk", hidden, d_logits),
        "b2": d_logits.sum(0),
        "W1": np.einsum("nd,nh->dh", x, d_pre),
        "b1": d_pre.sum(0),
    }


def backprop_example_by_example(params, x, y):
    """One example at a time, the gradients summed and divided by n at the end."""
    grads = {name: np.zeros_like(value, dtype=float) for name, value in params.items()}
    total = 0.0
    for xi, yi in zip(x, y):
        z = xi @ params["W1"] + params["b1"]
        h = np.maximum(z, 0.0)
        s = h @ params["W2"] + params["b2"]
        s = s - s.max()
        p = np.exp(s) / np.exp(s).sum()
        total -= s[yi] - np.log(np.exp(s).sum())
        d = p.copy()
        d[yi] -= 1.0
        dz = (params["W2"] @ d) * (z > 0)
        grads["W2"] += np.outer(h, d)
        grads["b2"] += d
        grads["W1"] += np.outer(xi, dz)
        grads["b1"] += dz
    return total / len(x), {name: g / len(x) for name, g in grads.items()}


def _forward(params, x):
    z1 = x @ params["W1"] + params["b1"]
    h = np.maximum(z1, 0.0)
    return z1, h, h @ params["W2"] + params["b2"]


def backprop_naive_softmax(params, x, y):
    n = len(x)
    z1, h, logits = _forward(params, x)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # the mistake: e^800 overflows
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        loss = float(-np.log(p[np.arange(n), y]).mean())
    delta = p.copy()
    delta[np.arange(n), y] -= 1.0
    delta /= n
    dz1 = (delta @ params["W2"].T) * (z1 > 0)
    grads = {"W1": x.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ delta, "b2": delta.sum(axis=0)}
    return loss, grads


def backprop_variant(mean=True, mask=True, one_hot=True, sum_b=True, transpose_w2=False, mask_on_h=False):
    def answer(params, x, y):
        n = len(x)
        loss, _ = loss_and_grads(params, x, y)
        z1, h, logits = _forward(params, x)
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        delta = e / e.sum(axis=1, keepdims=True)
        if one_hot:
            delta[np.arange(n), y] -= 1.0
        delta = delta / n if mean else delta
        dz1 = (delta @ params["W2"].T) * ((z1 > 0) if mask else 1.0)
        w2 = h.T @ delta
        grads = {
            "W1": x.T @ dz1,
            "b1": dz1.sum(axis=0) if sum_b else dz1,
            "W2": w2.T if transpose_w2 else w2,
            "b2": delta.sum(axis=0) if sum_b else delta,
        }
        return loss, grads

    return answer


def backprop_labels_on_the_wrong_axis(params, x, y):
    """Subtracts 1 in the label columns of every row, not in each row's own label."""
    n = len(x)
    loss, _ = loss_and_grads(params, x, y)
    z1, h, logits = _forward(params, x)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    delta = e / e.sum(axis=1, keepdims=True)
    delta[:, y] -= 1.0
    delta /= n
    dz1 = (delta @ params["W2"].T) * (z1 > 0)
    return loss, {"W1": x.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ delta, "b2": delta.sum(axis=0)}


def backprop_mask_from_the_activation(params, x, y):
    """Takes the ReLU's mask from h >= 0, which holds everywhere: nothing is masked."""
    n = len(x)
    loss, _ = loss_and_grads(params, x, y)
    _, h, logits = _forward(params, x)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    delta = e / e.sum(axis=1, keepdims=True)
    delta[np.arange(n), y] -= 1.0
    delta /= n
    dz1 = (delta @ params["W2"].T) * (h >= 0)
    return loss, {"W1": x.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ delta, "b2": delta.sum(axis=0)}


def backprop_summed_loss(params, x, y):
    loss, grads = loss_and_grads(params, x, y)
    return loss * len(x), grads


def backprop_loss_over_every_entry(params, x, y):
    """np.mean over the whole (n, k) array of -one_hot·log p: the loss divided by k as well."""
    _, grads = loss_and_grads(params, x, y)
    _, _, logits = _forward(params, x)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(np.mean(-np.eye(logits.shape[1])[y] * log_p)), grads


# --------------------------------------------------------------------------- 04.4 he_init


def he_init(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def he_standard_normal_scaled(fan_in, fan_out, rng):
    std = (2.0 / fan_in) ** 0.5
    return std * rng.standard_normal((fan_in, fan_out))


def he_drawn_transposed(fan_in, fan_out, rng):
    return rng.normal(scale=np.sqrt(2 / fan_in), size=(fan_out, fan_in)).T.copy()


def he_float32(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out)).astype(np.float32)


def he_fan_out(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / fan_out), size=(fan_in, fan_out))


def he_without_two(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1 / fan_in), size=(fan_in, fan_out))


def he_variance_as_std(fan_in, fan_out, rng):
    return rng.normal(0.0, 2 / fan_in, size=(fan_in, fan_out))


def he_glorot(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, rng):
    limit = np.sqrt(6 / fan_in)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def he_shifted(fan_in, fan_out, rng):
    return he_init(fan_in, fan_out, rng) + 0.5


def he_transposed(fan_in, fan_out, rng):
    return he_init(fan_out, fan_in, rng) * np.sqrt(fan_out / fan_in)


def he_own_generator(fan_in, fan_out, rng):
    """Ignores the rng argument: a generator of its own, seeded, gives the same weights every call."""
    return np.random.default_rng(0).normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def he_global_random(fan_in, fan_out, rng):
    return np.random.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


# --------------------------------------------------------------------------- 04.5 train


def train(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = loss_and_grads(params, x[batch], y[batch])
            params = {name: params[name] - learning_rate * grads[name] for name in params}
            losses.append(loss)
    return params, losses


def train_with_shuffle(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    losses, order = [], np.arange(len(x))
    for _ in range(epochs):
        rng.shuffle(order)
        for batch in np.array_split(order, range(batch_size, len(x), batch_size)):
            loss, grads = loss_and_grads(params, x[batch], y[batch])
            params = {name: value - learning_rate * grads[name] for name, value in params.items()}
            losses.append(loss)
    return params, tuple(losses)


def train_shuffled_copies(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    """Shuffles copies of x and y together with rng.choice, then walks through them with a while loop."""
    losses, current = [], dict(params)
    for _ in range(epochs):
        order = rng.choice(len(x), size=len(x), replace=False)
        xs, ys = x[order], y[order]
        start = 0
        while start < len(xs):
            loss, grads = loss_and_grads(
                current, xs[start : start + batch_size], ys[start : start + batch_size]
            )
            losses.append(loss)
            for name in current:
                current[name] = current[name] - learning_rate * grads[name]
            start += batch_size
    return current, losses


def train_on_copies_in_place(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    """Copies the parameters once, then updates the copies in place; batches from np.array_split."""
    params = {name: value.copy() for name, value in params.items()}
    losses = []
    for _epoch in range(epochs):
        for batch in np.array_split(rng.permutation(len(x)), np.arange(batch_size, len(x), batch_size)):
            loss, grads = loss_and_grads(params, x[batch], y[batch])
            for name, value in params.items():
                value -= learning_rate * grads[name]
            losses.append(loss)
    return params, losses


def train_loop(order_of, batches_of=None, step=lambda w, g, lr: w - lr * g, labels_of=None):
    """A training loop with one piece swapped: the epoch's order, the batches, the update, the labels."""

    def answer(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
        losses = []
        for _ in range(epochs):
            order = order_of(rng, len(x))
            starts = batches_of(len(x), batch_size) if batches_of else range(0, len(x), batch_size)
            for start in starts:
                batch = order[start : start + batch_size]
                labels = y[labels_of(rng, batch)] if labels_of else y[batch]
                loss, grads = loss_and_grads(params, x[batch], labels)
                params = {name: step(params[name], grads[name], learning_rate) for name in params}
                losses.append(loss)
        return params, losses

    return answer


def permutation(rng, n):
    return rng.permutation(n)


def train_full_batch(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    losses = []
    for _ in range(epochs):
        loss, grads = loss_and_grads(params, x, y)
        params = {name: params[name] - learning_rate * grads[name] for name in params}
        losses.append(loss)
    return params, losses


def train_from_the_start_each_step(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    losses, start_params = [], params
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = loss_and_grads(start_params, x[batch], y[batch])
            params = {name: start_params[name] - learning_rate * grads[name] for name in start_params}
            losses.append(loss)
    return params, losses


def train_in_place(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = loss_and_grads(params, x[batch], y[batch])
            for name in params:
                params[name] -= learning_rate * grads[name]
            losses.append(loss)
    return params, losses


def train_without_losses(*args):
    return train(*args)[0]


def train_float32_rows(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    return train(
        params, (x + 1e-3).astype(np.float32), y, loss_and_grads, epochs, batch_size, learning_rate, rng
    )


def train_own_generator(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    """Ignores the rng argument: a seeded generator of its own gives the same orders whatever rng is passed."""
    own, losses = np.random.default_rng(42), []
    for _ in range(epochs):
        order = own.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = loss_and_grads(params, x[batch], y[batch])
            params = {name: params[name] - learning_rate * grads[name] for name in params}
            losses.append(loss)
    return params, losses


def train_one_batch_too_many(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    """n // batch_size + 1 batches: right unless batch_size divides n, when the last batch is empty."""
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for k in range(len(x) // batch_size + 1):
            batch = order[k * batch_size : (k + 1) * batch_size]
            loss, grads = loss_and_grads(params, x[batch], y[batch])
            params = {name: params[name] - learning_rate * grads[name] for name in params}
            losses.append(loss)
    return params, losses


def train_skipping_a_last_batch_of_one(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    """Stops one example early: a last batch of one example is never used."""
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x) - 1, batch_size):
            batch = order[start : start + batch_size]
            loss, grads = loss_and_grads(params, x[batch], y[batch])
            params = {name: params[name] - learning_rate * grads[name] for name in params}
            losses.append(loss)
    return params, losses


def train_losses_per_epoch(params, x, y, loss_and_grads, epochs, batch_size, learning_rate, rng):
    """Keeps one mean loss per epoch instead of each batch's loss."""
    losses = []
    for _ in range(epochs):
        order, epoch_losses = rng.permutation(len(x)), []
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = loss_and_grads(params, x[batch], y[batch])
            params = {name: params[name] - learning_rate * grads[name] for name in params}
            epoch_losses.append(loss)
        losses.append(float(np.mean(epoch_losses)))
    return params, losses


TABLES = {
    "04.1": Table(
        mistakes=(
            Mistake(
                "gradient added to the velocity",
                momentum_with(lambda w, g, v, lr, beta: (w + beta * v + lr * g, beta * v + lr * g)),
                "added the gradient step to the velocity instead of subtracting it",
            ),
            Mistake(
                "velocity not carried",
                momentum_with(lambda w, g, v, lr, beta: (w - lr * g, -lr * g)),
                "the velocity must be carried from one step to the next",
            ),
            Mistake(
                "old velocity not scaled",
                momentum_with(lambda w, g, v, lr, beta: (w + v - lr * g, v - lr * g)),
                "did not scale the old velocity",
            ),
            Mistake(
                "moves with the old velocity",
                momentum_with(lambda w, g, v, lr, beta: (w + v, beta * v - lr * g)),
                "moved w with the old velocity instead of the new one",
            ),
            Mistake(
                "gradient scaled by 1 - momentum",
                momentum_with(
                    lambda w, g, v, lr, beta: (
                        w + beta * v - (1 - beta) * lr * g,
                        beta * v - (1 - beta) * lr * g,
                    )
                ),
                "scaled the gradient step by (1 - momentum)",
            ),
            Mistake(
                "start left out",
                lambda *args: momentum_descent(*args)[1:],
                "should begin with the starting point",
            ),
            Mistake(
                "only the last point",
                lambda *args: momentum_descent(*args)[-1],
                "returned only the last position",
            ),
            Mistake("returns a list", lambda *args: list(momentum_descent(*args)), "should be a NumPy array"),
            Mistake("transposed path", lambda *args: momentum_descent(*args).T, "should have shape"),
            Mistake("gradient only at the start", momentum_gradient_at_the_start, "called gradient 1 times"),
            Mistake("Nesterov's look-ahead gradient", momentum_nesterov, "is off in"),
            Mistake("one array appended every step", momentum_one_array_appended, "the same array"),
            Mistake("moves w in place", momentum_in_place, mutations.IN_PLACE),
            Mistake("raises", lambda *args: 1 / 0, "ZeroDivisionError"),
        ),
        correct=(
            Correct("velocity then position, a list of rows", momentum_descent),
            Correct("a preallocated path", momentum_in_an_array),
            Correct("PyTorch's form: a buffer of gradients", momentum_torch_style),
        ),
        not_attempted=(..., stub),
    ),
    "04.2": Table(
        mistakes=(
            Mistake("no bias correction", adam_path(correct=False), "forgot the bias correction"),
            Mistake("t counted from 2", adam_path(t_start=2), "used the step count t + 1"),
            Mistake("t counted from 0", adam_path(t_start=0), "which is 0 at t = 0"),
            Mistake(
                "averages reset every step", adam_path(reset=True), "running averages kept between steps"
            ),
            Mistake("betas swapped", adam_path(beta_1=0.999, beta_2=0.9), "swapped beta_1 and beta_2"),
            Mistake("step added", adam_path(sign=1.0), "added the step to w instead of subtracting it"),
            Mistake("square root left out", adam_path(sqrt=False), "left out the square root"),
            Mistake("only m corrected", adam_path(only_m=True), "corrected only the average of the gradient"),
        ),
        correct=(
            Correct("textbook form", adam_path()),
            Correct("Keras's form: correction in the step size", adam_keras_style),
            Correct("beta powers kept as running products", adam_with_powers_kept),
        ),
        not_attempted=(..., stub),
    ),
    "04.3": Table(
        mistakes=(
            Mistake("softmax of huge logits", backprop_naive_softmax, "too large for a float"),
            Mistake(
                "gradients not divided by n",
                backprop_variant(mean=False),
                "forgot to divide by the batch size n",
            ),
            Mistake(
                "ReLU's derivative left out", backprop_variant(mask=False), "forgot the ReLU's derivative"
            ),
            Mistake(
                "one-hot not subtracted",
                backprop_variant(one_hot=False),
                "forgot to subtract the one-hot labels",
            ),
            Mistake("biases not summed over the batch", backprop_variant(sum_b=False), "one row per example"),
            Mistake("W2's gradient transposed", backprop_variant(transpose_w2=True), "transposed"),
            Mistake("labels subtracted on the wrong axis", backprop_labels_on_the_wrong_axis, "is off in"),
            Mistake(
                "ReLU mask from h >= 0", backprop_mask_from_the_activation, "forgot the ReLU's derivative"
            ),
            Mistake("loss summed", backprop_summed_loss, "the sum over the batch; it should be the mean"),
            Mistake(
                "loss averaged over every entry",
                backprop_loss_over_every_entry,
                "not the mean softmax cross-entropy",
            ),
            Mistake(
                "returns only the grads",
                lambda params, x, y: loss_and_grads(params, x, y)[1],
                "should return a pair (loss, grads)",
            ),
            Mistake(
                "grads a list",
                lambda params, x, y: (loss_and_grads(params, x, y)[0], [1, 2]),
                "grads should be a dict",
            ),
            Mistake(
                "grads with other keys",
                lambda params, x, y: (loss_and_grads(params, x, y)[0], {"w1": 0}),
                "grads should have exactly the keys",
            ),
        ),
        correct=(
            Correct("matrix products", loss_and_grads),
            Correct("one-hot matrix, log-sum-exp and einsum", backprop_one_hot),
            Correct("example by example", backprop_example_by_example),
        ),
        not_attempted=(..., stub),
    ),
    "04.4": Table(
        mistakes=(
            Mistake("fan-out", he_fan_out, "used the fan-out instead of the fan-in"),
            Mistake("factor 2 left out", he_without_two, "left out the factor 2"),
            Mistake(
                "variance as std", he_variance_as_std, "used the variance 2/fan_in as the standard deviation"
            ),
            Mistake("Glorot's scale", he_glorot, "used Glorot's scale"),
            Mistake(
                "standard normal",
                lambda fan_in, fan_out, rng: rng.normal(size=(fan_in, fan_out)),
                "kept the standard normal's spread",
            ),
            Mistake("uniform", he_uniform, "like a uniform distribution"),
            Mistake("shifted", he_shifted, "the weights should be centred on 0"),
            Mistake("shape swapped", he_transposed, "should have shape"),
            Mistake(
                "returns the standard deviation",
                lambda fan_in, fan_out, rng: np.sqrt(2 / fan_in),
                "should return a NumPy array",
            ),
            Mistake("a generator of its own", he_own_generator, "returns the same weights when called twice"),
            Mistake("NumPy's global generator", he_global_random, "draws from somewhere else than the rng"),
        ),
        correct=(
            Correct("rng.normal with the std", he_init),
            Correct("standard normal times the std", he_standard_normal_scaled),
            Correct("drawn transposed", he_drawn_transposed),
            Correct("float32", he_float32),
        ),
        not_attempted=(..., stub),
    ),
    "04.5": Table(
        mistakes=(
            Mistake(
                "same order every epoch", train_loop(lambda rng, n: np.arange(n)), "same order every epoch"
            ),
            Mistake(
                "last smaller batch dropped",
                train_loop(permutation, lambda n, size: range(0, n - size + 1, size)),
                "smaller batch of each epoch",
            ),
            Mistake(
                "indices drawn with replacement",
                train_loop(lambda rng, n: rng.integers(0, n, n)),
                "some examples were used twice and others never",
            ),
            Mistake(
                "step added",
                train_loop(permutation, step=lambda w, g, lr: w + lr * g),
                "added the gradient step",
            ),
            Mistake(
                "learning rate forgotten",
                train_loop(permutation, step=lambda w, g, lr: w - g),
                "forgot the learning rate",
            ),
            Mistake(
                "labels shuffled apart",
                train_loop(permutation, labels_of=lambda rng, batch: rng.permutation(batch)),
                "x and y must be picked alike",
            ),
            Mistake("whole data set each step", train_full_batch, "at most batch_size"),
            Mistake("every step from the start", train_from_the_start_each_step, "kept only the last step"),
            Mistake("losses not returned", train_without_losses, "should return a pair (params, losses)"),
            Mistake("rows changed", train_float32_rows, "rows that are not rows of x"),
            Mistake("never trains", lambda params, *args: (params, []), "never called loss_and_grads"),
            Mistake("updates params in place", train_in_place, mutations.IN_PLACE),
            Mistake(
                "ignores the rng argument",
                train_loop(lambda rng, n: np.random.permutation(n)),
                "from the rng it is given",
            ),
            Mistake(
                "a generator of its own",
                train_own_generator,
                "from the rng it is given",
            ),
            Mistake("one batch too many", train_one_batch_too_many, "with n > 0"),
            Mistake("a last batch of one skipped", train_skipping_a_last_batch_of_one, "is missing"),
            Mistake("one loss per epoch", train_losses_per_epoch, "the list of the"),
        ),
        correct=(
            Correct("rng.permutation and slices", train),
            Correct("rng.shuffle and np.array_split, a tuple of losses", train_with_shuffle),
            Correct("rng.choice, shuffled copies and a while loop", train_shuffled_copies),
            Correct("copied once, updated in place", train_on_copies_in_place),
        ),
        not_attempted=(..., stub),
    ),
}
