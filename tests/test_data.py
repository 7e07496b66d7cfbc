"""data: shapes, labels, determinism per seed, geometry, and argument checks."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable

import pytest

from autograd_lite import data

MAKERS: list[Callable[..., tuple[list[list[float]], list[int]]]] = [
    data.make_moons,
    data.make_circles,
    data.make_spirals,
    data.make_blobs,
]


def test_make_xor_is_the_truth_table() -> None:
    X, y = data.make_xor()
    assert X == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert y == [int(a) ^ int(b) for a, b in X]


@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
def test_makers_shapes_and_types(make: Callable[..., tuple[list[list[float]], list[int]]]) -> None:
    X, y = make(37, seed=1)
    assert len(X) == len(y) == 37
    assert all(isinstance(x, list) and len(x) == 2 for x in X)
    assert all(type(v) is float and math.isfinite(v) for x in X for v in x)
    assert all(type(t) is int for t in y)


@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
def test_makers_are_deterministic_per_seed(
    make: Callable[..., tuple[list[list[float]], list[int]]],
) -> None:
    assert make(50, seed=3) == make(50, seed=3)
    assert make(50, seed=3) != make(50, seed=4)


@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
def test_makers_ignore_global_random_state(
    make: Callable[..., tuple[list[list[float]], list[int]]],
) -> None:
    random.seed(1)
    a = make(20, seed=0)
    random.seed(2)
    state = random.getstate()
    assert make(20, seed=0) == a
    assert random.getstate() == state  # the global generator was not used


def test_make_moons_default_labels_and_geometry() -> None:
    X, y = data.make_moons()
    assert len(X) == 100 and Counter(y) == {0: 50, 1: 50}
    clean, labels = data.make_moons(20, noise=0.0, seed=0)
    for (x1, x2), t in zip(clean, labels):
        if t == 0:  # upper moon: the unit circle, x2 >= 0
            assert math.hypot(x1, x2) == pytest.approx(1.0) and x2 >= -1e-12
        else:  # lower moon: centred at (1, 0.5), x2 <= 0.5
            assert math.hypot(x1 - 1.0, x2 - 0.5) == pytest.approx(1.0) and x2 <= 0.5 + 1e-12


@pytest.mark.parametrize("make", [data.make_moons, data.make_circles, data.make_blobs])
def test_makers_noise_is_gaussian_with_the_given_std(
    make: Callable[..., tuple[list[list[float]], list[int]]],
) -> None:
    # The same seed makes the same draws, so noisy − clean is the noise itself.
    clean, y0 = make(2000, noise=0.0, seed=5)
    noisy, y1 = make(2000, noise=0.1, seed=5)
    assert y0 == y1
    diffs = [a - b for p, q in zip(noisy, clean) for a, b in zip(p, q)]
    mean = sum(diffs) / len(diffs)
    std = math.sqrt(sum((d - mean) ** 2 for d in diffs) / len(diffs))
    assert abs(mean) < 0.01
    assert std == pytest.approx(0.1, rel=0.05)


def test_make_circles_radii() -> None:
    X, y = data.make_circles(40, noise=0.0, factor=0.3, seed=0)
    assert Counter(y) == {0: 20, 1: 20}
    for (x1, x2), t in zip(X, y):
        assert math.hypot(x1, x2) == pytest.approx(1.0 if t == 0 else 0.3)


def test_make_spirals_classes_and_radius() -> None:
    X, y = data.make_spirals(90, classes=3, noise=0.0, seed=0)
    assert Counter(y) == {0: 30, 1: 30, 2: 30}
    assert all(0.0 < math.hypot(*x) <= 1.0 + 1e-12 for x in X)
    two = data.make_spirals(101, classes=2, seed=0)[1]
    assert Counter(two) == {0: 51, 1: 50}


def test_make_blobs_counts_and_centres() -> None:
    X, y = data.make_blobs(10, centers=[[5.0, 5.0], [-5.0, 0.0]], std=0.0, seed=0)
    assert Counter(y) == {0: 5, 1: 5}
    for x, t in zip(X, y):
        assert x == ([5.0, 5.0] if t == 0 else [-5.0, 0.0])
    X3, y3 = data.make_blobs(300, centers=3, std=0.5, seed=2)
    assert sorted(set(y3)) == [0, 1, 2]
    for label in range(3):
        pts = [x for x, t in zip(X3, y3) if t == label]
        spread = math.sqrt(sum((x[0] - pts[0][0]) ** 2 for x in pts) / len(pts))
        assert spread < 2.0  # tight around its centre


def test_make_blobs_noise_is_std() -> None:
    assert data.make_blobs(20, 2, noise=0.3, seed=1) == data.make_blobs(20, 2, std=0.3, seed=1)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: data.make_moons(1), ValueError, "n must be at least 2"),
        (lambda: data.make_moons(10.0), TypeError, "n must be an int"),
        (lambda: data.make_moons(10, noise=-0.1), ValueError, "noise must be >= 0"),
        (lambda: data.make_moons(10, noise=math.nan), ValueError, "noise must be a finite"),
        (lambda: data.make_moons(10, seed=1.5), TypeError, "seed must be an int"),
        (lambda: data.make_circles(10, factor=1.0), ValueError, "factor must be between 0 and 1"),
        (lambda: data.make_spirals(10, classes=1), ValueError, "classes must be at least 2"),
        (lambda: data.make_spirals(2, classes=3), ValueError, r"n must be at least classes \(3\)"),
        (lambda: data.make_blobs(10, centers=0), ValueError, "centers must be at least 1"),
        (lambda: data.make_blobs(10, centers=[[1.0]]), ValueError, r"centers\[0\] must be a pair"),
        (lambda: data.make_blobs(10, centers=[]), ValueError, "centers must be a positive int"),
        (lambda: data.make_blobs(10, std=-1.0), ValueError, "std must be >= 0"),
        (lambda: data.make_blobs(10**12), ValueError, r"n must be at most 10000000 \(data\.MAX"),
        (lambda: data.make_blobs(5, centers=10**9), ValueError, "centers must be at most 5"),
        (lambda: data.make_blobs(2, centers=[[0, 0]] * 3), ValueError, r"at most n \(2\)"),
        (lambda: data.make_moons(10**8), ValueError, "n must be at most 10000000"),
        (lambda: data.make_circles(-5), ValueError, "n must be at least 2, got -5"),
        (lambda: data.make_spirals(True), TypeError, "n must be an int, got bool"),
        (lambda: data.make_spirals(100, classes=10**9), ValueError, "classes must be at most"),
        (lambda: data.make_moons("100"), TypeError, "n must be an int, got str"),
    ],
)
def test_makers_validate_arguments(
    call: Callable[[], object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        call()
