"""Early stopping: the rule ``keras.callbacks.EarlyStopping`` applies, replayed on a list of losses.

:func:`early_stopping_epochs` finds where training with a given ``patience`` stops,
:func:`early_stopping_plot` draws it and :func:`early_stopping_explorer` puts a
patience slider over the drawing, so the rule can be explored without training anything.
Nothing here imports Keras.
"""

import numpy as np

from .runtime.validate import array, choice, integer, number


def _losses(val_losses):
    """``val_losses`` as a float array: one finite loss per epoch, at least one epoch."""
    losses = array(val_losses, "val_losses", finite=True).astype(float)
    if losses.ndim != 1 or len(losses) == 0:
        raise ValueError(
            f"val_losses must be a non-empty list of numbers, one per epoch, got an array of shape {losses.shape}"
        )
    return losses


def early_stopping_epochs(val_losses, patience, min_delta=0.0, mode="min"):
    """Where ``EarlyStopping(patience=..., min_delta=..., mode=...)`` stops.

    ``val_losses`` are the monitored values, one per epoch: a loss (``mode="min"``)
    or a quantity that should rise, such as an accuracy (``mode="max"``).
    Returns ``(best_epoch, stop_epoch)``, both counted from 1 like Keras's log;
    ``stop_epoch`` is ``None`` when training would run to the end. An epoch is an
    improvement when its value beats the best so far by more than ``min_delta``;
    training stops once ``patience`` epochs in a row bring no improvement.
    With ``restore_best_weights=True`` the model ends with the weights of ``best_epoch``.
    """
    losses = _losses(val_losses)
    patience = integer(patience, "patience", minimum=0)
    min_delta = number(min_delta, "min_delta", minimum=0)
    sign = {"min": 1.0, "max": -1.0}[choice(mode, "mode", ("min", "max"))]
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(sign * losses):
        wait += 1
        if loss + min_delta < best:
            best, best_epoch, wait = loss, epoch, 0
        elif wait >= patience and epoch > 0:
            return best_epoch + 1, epoch + 1
    return best_epoch + 1, None


def early_stopping_plot(val_losses, patience, min_delta=0.0):
    """The validation loss with the epoch EarlyStopping keeps and the epoch it stops at.

    The rule is :func:`early_stopping_epochs` (the one Keras applies).
    """
    from .plots import subplots

    val_losses = _losses(val_losses)
    best, stop = early_stopping_epochs(val_losses, patience, min_delta)
    epochs = np.arange(1, len(val_losses) + 1)
    fig, ax = subplots(figsize=(6, 3.4))
    ax.plot(epochs, val_losses, "o-", color="tab:orange", label="validation loss")
    ax.axvline(best, color="tab:green", linestyle="--", label=f"best epoch {best} (weights kept)")
    if stop is not None:
        ax.axvspan(
            stop + 0.5, len(val_losses) + 0.5, color="grey", alpha=0.2, label=f"stopped after epoch {stop}"
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel("val_loss")
    ax.set_title(f"EarlyStopping(patience={patience})" + ("" if stop else ": never stops"))
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def early_stopping_explorer(val_losses):
    """A patience slider over :func:`early_stopping_plot` for these losses (an Explorer)."""
    import ipywidgets as widgets

    from .explorer import Explorer

    val_losses = _losses(val_losses)  # checked once, before any widget exists
    return Explorer(
        lambda patience: early_stopping_plot(val_losses, patience),
        patience=widgets.IntSlider(value=2, min=0, max=max(1, len(val_losses) - 1)),
    )
