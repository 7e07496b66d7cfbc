"""Toy data sets for classification, in pure Python and deterministic per seed.

Each maker returns `(X, y)`: X a list of [x1, x2] float pairs, y a list of int labels.
Labels are 0/1 for two classes and 0..k-1 for k classes. `losses.hinge` wants ±1 labels:
convert with `[2 * t - 1 for t in y]`. Randomness comes from `random.Random(seed)` only.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Sequence

__all__ = ["MAX_SAMPLES", "make_blobs", "make_circles", "make_moons", "make_spirals", "make_xor"]

Dataset = tuple[list[list[float]], list[int]]

# The most points a maker makes: ten million pairs of floats already take gigabytes, and a
# scalar engine trains on thousands. Larger sizes are refused at once, before any work.
MAX_SAMPLES = 10_000_000


def _count(n: object, name: str = "n", minimum: int = 1, maximum: int = MAX_SAMPLES) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name} must be an int, got {type(n).__name__} {n!r}")
    if n < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {n}")
    if n > maximum:
        why = "data.MAX_SAMPLES" if maximum == MAX_SAMPLES else "one per point at most"
        raise ValueError(f"{name} must be at most {maximum} ({why}), got {n}")
    return n


def _scale(x: object, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number >= 0, got {x!r}")
    if x < 0:
        raise ValueError(f"{name} must be >= 0, got {x!r}")
    return float(x)


def _rng(seed: object) -> random.Random:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} {seed!r}")
    return random.Random(seed)


def _shuffled(X: list[list[float]], y: list[int], rng: random.Random) -> Dataset:
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [y[i] for i in order]


def make_xor() -> Dataset:
    """The four corners of the unit square, labelled by XOR: y = x1 xor x2.

    >>> make_xor()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    return X, [0, 1, 1, 0]


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles (scikit-learn's moons), shuffled.

    The upper moon (cos t, sin t), t in [0, π], is class 0 with n // 2 points; the lower
    moon (1 − cos t, 0.5 − sin t) is class 1 with the rest. Gaussian noise of standard
    deviation `noise` is added to each coordinate.
    """
    _count(n, minimum=2)
    sigma = _scale(noise, "noise")
    rng = _rng(seed)
    n0 = n // 2
    X: list[list[float]] = []
    y: list[int] = []
    for label, count in ((0, n0), (1, n - n0)):
        for i in range(count):
            t = math.pi * i / (count - 1) if count > 1 else 0.0  # evenly spaced, ends included
            if label == 0:
                x1, x2 = math.cos(t), math.sin(t)
            else:
                x1, x2 = 1.0 - math.cos(t), 0.5 - math.sin(t)
            X.append([x1 + rng.gauss(0.0, sigma), x2 + rng.gauss(0.0, sigma)])
            y.append(label)
    return _shuffled(X, y, rng)


def make_circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> Dataset:
    """A circle of radius 1 (class 0, n // 2 points) around one of radius `factor` (class 1).

    Points are evenly spaced in angle, then Gaussian noise of standard deviation `noise` is
    added to each coordinate; the result is shuffled. `factor` must lie in (0, 1).
    """
    _count(n, minimum=2)
    sigma = _scale(noise, "noise")
    f = _scale(factor, "factor")
    if not 0.0 < f < 1.0:
        raise ValueError(f"factor must be between 0 and 1 (exclusive), got {factor!r}")
    rng = _rng(seed)
    n0 = n // 2
    X: list[list[float]] = []
    y: list[int] = []
    for label, count, radius in ((0, n0, 1.0), (1, n - n0, f)):
        for i in range(count):
            t = 2.0 * math.pi * i / count
            x1, x2 = radius * math.cos(t), radius * math.sin(t)
            X.append([x1 + rng.gauss(0.0, sigma), x2 + rng.gauss(0.0, sigma)])
            y.append(label)
    return _shuffled(X, y, rng)


def make_spirals(n: int = 100, classes: int = 2, noise: float = 0.2, seed: int = 0) -> Dataset:
    """`classes` interleaved spiral arms from the origin (CS231n's data set), shuffled.

    Arm k (label k) has about n / classes points at radius r in (0, 1] and angle
    θ = (k + r)·4 + N(0, noise²) radians (4 radians of turn per arm); `noise` is the standard
    deviation of the angle, so it blurs the arms along the spiral.
    """
    _count(n, minimum=2)
    k = _count(classes, "classes", minimum=2)
    if n < k:
        raise ValueError(f"n must be at least classes ({k}), got {n}")
    sigma = _scale(noise, "noise")
    rng = _rng(seed)
    X: list[list[float]] = []
    y: list[int] = []
    for label in range(k):
        count = n // k + (1 if label < n % k else 0)  # spread the remainder over the arms
        for i in range(count):
            r = (i + 1) / count  # in (0, 1]: no two arms share the origin
            theta = 4.0 * (label + r) + rng.gauss(0.0, sigma)
            X.append([r * math.sin(theta), r * math.cos(theta)])
            y.append(label)
    return _shuffled(X, y, rng)


def make_blobs(
    n: int = 100,
    centers: int | Sequence[Sequence[float]] = 3,
    std: float = 1.0,
    seed: int = 0,
    *,
    noise: float | None = None,
) -> Dataset:
    """Gaussian blobs: points drawn around `centers` with standard deviation `std`, shuffled.

    `centers` is either a count k (the centres are then drawn uniformly from the square
    [-10, 10]², as scikit-learn does) or a list of [x1, x2] centres. Label j is centre j;
    the n points are split as evenly as possible. `noise`, when given, replaces `std`, so
    every maker can be called as `make_x(n, noise=..., seed=...)`.
    """
    _count(n)
    sigma = _scale(std if noise is None else noise, "std" if noise is None else "noise")
    rng = _rng(seed)
    if isinstance(centers, int) and not isinstance(centers, bool):
        k = _count(centers, "centers", maximum=n)  # more centres than points: empty classes
        points = [[rng.uniform(-10.0, 10.0), rng.uniform(-10.0, 10.0)] for _ in range(k)]
    elif isinstance(centers, Sequence) and centers:
        if len(centers) > n:
            raise ValueError(f"centers must be at most n ({n}) centres, got {len(centers)}")
        points = []
        for j, c in enumerate(centers):
            if not isinstance(c, Sequence) or len(c) != 2:
                raise ValueError(f"centers[{j}] must be a pair [x1, x2], got {c!r}")
            points.append([_coordinate(v, f"centers[{j}]") for v in c])
    else:
        raise ValueError(f"centers must be a positive int or a list of [x1, x2], got {centers!r}")
    k = len(points)
    X: list[list[float]] = []
    y: list[int] = []
    for label, (c1, c2) in enumerate(points):
        for _ in range(n // k + (1 if label < n % k else 0)):
            X.append([c1 + rng.gauss(0.0, sigma), c2 + rng.gauss(0.0, sigma)])
            y.append(label)
    return _shuffled(X, y, rng)


def _coordinate(v: object, name: str) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
        raise ValueError(f"{name} must hold finite numbers, got {v!r}")
    return float(v)
