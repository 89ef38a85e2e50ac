"""``python -m course bench flowers``: the course's compact CNN against TensorFlow's tutorial CNN.

Both models train in one run on the same photos with the tutorial's split
(``validation_split=0.2, seed=123``), one after the other, so both see the same machine load.
Printed for each: validation accuracy after the last epoch, training wall-clock time and the
CPU time the process used (CPU time is fairer than wall time on a shared machine), and the
accuracy difference and time ratios compact / tutorial. With several seeds (``--seed 0 1 2``) both models train once per
seed, and a last line gives each figure's mean and range: on a few hundred validation photos
one run's accuracy is a noisy number.

    python -m course bench flowers --data path/to/flower_photos
    python -m course bench flowers --data path/to/flower_photos --seed 0 1 2
    python -m course bench flowers --generated            # the generated offline set
"""

import time

from ...data.generated_flowers import MAX_PER_CLASS
from ...flower_models import (
    COMPACT_EPOCHS,
    COMPACT_LEARNING_RATE,
    COMPACT_SIZE,
    COMPACT_WEIGHT_DECAY,
    MAX_SIDE,
    MIN_SIDE,
    TUTORIAL_EPOCHS,
    TUTORIAL_SIZE,
    compact_model,
    compile_for_flowers,
    tutorial_model,
)
from .. import ArgumentParser, command_line, fail, folder_problem, whole_number

PROG = "python -m course bench flowers"
MAX_EPOCHS = 1000


def train_and_time(
    model, folder, image_size, epochs, learning_rate=1e-3, schedule=False, weight_decay=None, seed=123
):
    """Fit ``model`` on ``folder``; return (final validation accuracy, wall seconds, CPU seconds)."""
    from ...data.flowers import load_flowers

    train, validation, _ = load_flowers(folder, image_size=image_size, seed=seed)
    decay_steps = epochs * len(train) if schedule else None
    compile_for_flowers(model, learning_rate, decay_steps, weight_decay)
    wall, cpu = time.perf_counter(), time.process_time()
    history = model.fit(
        train, validation_data=validation, epochs=epochs, verbose=0, shuffle=False
    )  # the dataset shuffles itself
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return history.history["val_accuracy"][-1], wall, cpu


def parse(argv):
    parser = ArgumentParser(
        prog=PROG,
        description="Train the tutorial CNN and the compact CNN on the same flower photos; compare.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--data", help="a folder of flower photos in class folders (default: the course's loader)"
    )
    source.add_argument("--generated", action="store_true", help="use the generated offline flower set")
    parser.add_argument(
        "--per-class",
        type=whole_number(1, MAX_PER_CLASS),
        default=150,
        help=f"generated images per class, 1 to {MAX_PER_CLASS} (with --generated)",
    )
    epochs = whole_number(1, MAX_EPOCHS)
    parser.add_argument("--tutorial-epochs", type=epochs, default=TUTORIAL_EPOCHS, help="1 or more")
    parser.add_argument("--compact-epochs", type=epochs, default=COMPACT_EPOCHS, help="1 or more")
    parser.add_argument(
        "--compact-size",
        type=whole_number(MIN_SIDE, MAX_SIDE),
        default=COMPACT_SIZE[0],
        help=f"side of the compact model's pictures, {MIN_SIDE} to {MAX_SIDE} pixels",
    )
    parser.add_argument(
        "--seed",
        type=whole_number(0, 2**31 - 1),
        nargs="+",
        default=[0],
        help="seeds for weights and augmentation, one run each",
    )
    return parser.parse_args(argv)


def _compare(folder, args, seed):
    """Train the tutorial and the compact model with ``seed``; print and return their figures.

    Returns ``(tutorial accuracy, compact accuracy, CPU time ratio compact / tutorial)``.
    """
    from ...runtime.session import seed_everything

    rows = []
    for name, build, size, epochs, training in [
        ("tutorial", tutorial_model, TUTORIAL_SIZE, args.tutorial_epochs, {}),
        (
            "compact",
            compact_model,
            (args.compact_size,) * 2,
            args.compact_epochs,
            {"learning_rate": COMPACT_LEARNING_RATE, "schedule": True, "weight_decay": COMPACT_WEIGHT_DECAY},
        ),
    ]:
        seed_everything(seed)
        model = build(image_size=size)
        accuracy, wall, cpu = train_and_time(model, folder, size, epochs, **training)
        rows.append((accuracy, wall, cpu))
        print(
            f"{name:>8}: {size[0]}x{size[1]} px, {epochs} epochs, {model.count_params():,} weights, seed {seed} | "
            f"val accuracy {accuracy:.3f} | training {wall:.0f} s wall, {cpu:.0f} s CPU",
            flush=True,
        )
    (acc_t, wall_t, cpu_t), (acc_c, wall_c, cpu_c) = rows
    print(
        f"compact / tutorial: accuracy {acc_c - acc_t:+.3f}, "
        f"wall time {wall_c / wall_t:.2f}x, CPU time {cpu_c / cpu_t:.2f}x",
        flush=True,
    )
    return acc_t, acc_c, cpu_c / cpu_t


def _spread(values):
    """``mean (min-max)`` of a few numbers, for the summary line."""
    return f"{sum(values) / len(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def cli(argv):
    argv = command_line(argv)
    args = parse(argv)
    problem = folder_problem(args.data, "--data") if args.data is not None else None
    if problem:
        return fail(PROG, f"{problem}: pass a folder of flower photos in class folders")
    from ...data import flowers
    from ...runtime.quiet import import_tensorflow

    try:
        if args.generated:
            folder = flowers.generated_flower_folder(per_class=args.per_class, size=128)
        else:
            folder = args.data or flowers.flower_photos_folder()
        import_tensorflow()
        print(f"flower photos: {folder}")
        runs = [_compare(folder, args, seed) for seed in args.seed]
    except (
        ValueError,
        OSError,
    ) as error:  # pictures that cannot be read, a work folder that cannot be written
        return fail(PROG, error)
    if len(runs) > 1:
        tutorial, compact, ratio = ([run[k] for run in runs] for k in range(3))
        print(
            f"mean (range) over seeds {', '.join(map(str, args.seed))}: tutorial accuracy {_spread(tutorial)}, "
            f"compact accuracy {_spread(compact)}, CPU time ratio {_spread(ratio)}"
        )
    return 0
