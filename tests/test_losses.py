"""losses: golden values, closed-form gradients, stability, input checks, PyTorch parity."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import pytest

from autograd_lite import Value, functional, gradcheck, losses
from autograd_lite.core import topological_order


def _vs(*xs: float) -> list[Value]:
    return [Value(x) for x in xs]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _softmax(xs: list[float]) -> list[float]:
    m = max(xs)
    es = [math.exp(x - m) for x in xs]
    return [e / sum(es) for e in es]


# ---------------------------------------------------------------------- mse and sse


def test_mse_value_and_gradient() -> None:
    p = _vs(1.0, 2.0, -1.0)
    y = [0.0, 4.0, -1.5]
    loss = losses.mse(p, y)
    assert loss.data == pytest.approx((1.0 + 4.0 + 0.25) / 3, rel=1e-15)
    loss.backward()
    assert [v.grad for v in p] == pytest.approx([2 * 1.0 / 3, 2 * -2.0 / 3, 2 * 0.5 / 3])


def test_mse_single_prediction_and_rows() -> None:
    assert losses.mse(Value(3.0), 1.0).data == 4.0
    rows = [_vs(1.0, 2.0), _vs(3.0, 5.0)]
    # the mean over all four elements, like torch's reduction="mean"
    assert losses.mse(rows, [[0.0, 0.0], [3.0, 3.0]]).data == (1.0 + 4.0 + 0.0 + 4.0) / 4


def test_mse_is_one_dot_node_over_differences() -> None:
    p = _vs(1.0, 2.0)
    loss = losses.mse(p, [0.0, 0.0])
    assert loss.parents[0].op == "dot"
    assert len(loss.parents[0].parents) == 4  # d₁, d₂ as w's and as x's


def test_sse_is_half_the_sum() -> None:
    p = _vs(1.0, 2.0, -1.0)
    y = [0.0, 4.0, -1.5]
    loss = losses.sse(p, y)
    assert loss.data == 0.5 * (1.0 + 4.0 + 0.25)
    loss.backward()
    assert [v.grad for v in p] == [1.0, -2.0, 0.5]  # ŷ − y exactly


# ---------------------------------------------------------------------- binary cross-entropy


def test_binary_cross_entropy_value_and_gradient() -> None:
    p = _vs(0.9, 0.2, 0.6)
    y = [1.0, 0.0, 0.25]
    loss = losses.binary_cross_entropy(p, y)
    expected = -(math.log(0.9) + math.log(0.8) + (0.25 * math.log(0.6) + 0.75 * math.log(0.4))) / 3
    assert loss.data == pytest.approx(expected, rel=1e-14)
    loss.backward()
    # ∂/∂p = (p − y) / (p(1 − p)) / n
    assert [v.grad for v in p] == pytest.approx(
        [(pi.data - yi) / (pi.data * (1 - pi.data)) / 3 for pi, yi in zip(p, y)], rel=1e-12
    )


def test_binary_cross_entropy_edges() -> None:
    assert losses.binary_cross_entropy(Value(1.0), 1.0).data == 0.0  # no 0·log 0 = nan
    assert losses.binary_cross_entropy(Value(0.0), 0.0).data == 0.0
    assert losses.binary_cross_entropy(Value(0.0), 1.0).data == math.inf


def test_binary_cross_entropy_rejects_non_probabilities() -> None:
    with pytest.raises(
        ValueError, match=r"prediction 1 is 2\.5; for raw scores use bce_with_logits"
    ):
        losses.binary_cross_entropy(_vs(0.5, 2.5), [1.0, 0.0])
    with pytest.raises(ValueError, match="targets must lie in"):
        losses.binary_cross_entropy(Value(0.5), -1.0)


def test_bce_with_logits_matches_definition_and_gradient() -> None:
    x = _vs(2.0, -1.0, 0.5, -3.0)
    y = [1.0, 0.0, 0.3, 1.0]
    loss = losses.bce_with_logits(x, y)
    expected = -sum(
        t * math.log(_sigmoid(xi.data)) + (1 - t) * math.log(1 - _sigmoid(xi.data))
        for xi, t in zip(x, y)
    ) / len(y)
    assert loss.data == pytest.approx(expected, rel=1e-14)
    loss.backward()
    assert [v.grad for v in x] == pytest.approx(
        [(_sigmoid(xi.data) - t) / 4 for xi, t in zip(x, y)], rel=1e-12
    )


def test_bce_with_logits_is_stable_for_huge_logits() -> None:
    x = _vs(1000.0, -1000.0, 1000.0, -1000.0)
    y = [1.0, 0.0, 0.0, 1.0]
    loss = losses.bce_with_logits(x, y)
    assert loss.data == pytest.approx((0.0 + 0.0 + 1000.0 + 1000.0) / 4)
    loss.backward()
    assert [v.grad for v in x] == [0.0, 0.0, 0.25, -0.25]  # (σ(x) − y)/n


def test_bce_with_logits_agrees_with_binary_cross_entropy() -> None:
    x = _vs(0.3, -1.2, 2.2)
    y = [1.0, 0.0, 1.0]
    a = losses.bce_with_logits(x, y).data
    b = losses.binary_cross_entropy([v.sigmoid() for v in x], y).data
    assert a == pytest.approx(b, rel=1e-13)


# ---------------------------------------------------------------------- hinge


def test_hinge_value_and_gradient() -> None:
    s = _vs(2.0, 0.5, -0.25, 0.5)
    y = [1, 1, -1, -1]
    loss = losses.hinge(s, y)
    # margins 1 − y·s: −1, 0.5, 0.75, 1.5 → relu: 0, 0.5, 0.75, 1.5
    assert loss.data == (0.0 + 0.5 + 0.75 + 1.5) / 4
    loss.backward()
    assert [v.grad for v in s] == [0.0, -0.25, 0.25, 0.25]  # −y/n where the margin is active


def test_hinge_at_the_kink_has_zero_gradient() -> None:
    s = Value(1.0)
    loss = losses.hinge(s, 1)
    assert loss.data == 0.0
    loss.backward()
    assert s.grad == 0.0  # relu'(0) = 0


def test_hinge_rejects_zero_one_labels_with_hint() -> None:
    with pytest.raises(ValueError, match=r"label 1 is 0.0; convert 0/1 labels with \[2 \* t - 1"):
        losses.hinge(_vs(1.0, 2.0), [1, 0])


# ---------------------------------------------------------------------- cross-entropy and nll


def test_cross_entropy_value_and_gradient_is_softmax_minus_one_hot() -> None:
    x = _vs(1.0, 2.0, 0.5)
    loss = losses.cross_entropy(x, 1)
    data = [v.data for v in x]
    expected = math.log(sum(math.exp(d) for d in data)) - data[1]
    assert loss.data == pytest.approx(expected, rel=1e-15)
    loss.backward()
    sm = _softmax(data)
    assert [v.grad for v in x] == pytest.approx([sm[0], sm[1] - 1.0, sm[2]], rel=1e-12)


def test_cross_entropy_batch_is_the_mean() -> None:
    rows = [_vs(1.0, 2.0, 0.5), _vs(-1.0, 0.0, 3.0)]
    targets = [1, 0]
    loss = losses.cross_entropy(rows, targets)
    singles = [losses.cross_entropy(r, t).data for r, t in zip(rows, targets)]
    assert loss.data == pytest.approx(sum(singles) / 2, rel=1e-15)
    loss.backward()
    for row, t in zip(rows, targets):
        sm = _softmax([v.data for v in row])
        one_hot = [1.0 if k == t else 0.0 for k in range(3)]
        assert [v.grad for v in row] == pytest.approx(
            [(s - o) / 2 for s, o in zip(sm, one_hot)], rel=1e-12
        )


def test_cross_entropy_is_stable_for_huge_logits() -> None:
    x = _vs(1000.0, -1000.0, 0.0)
    loss = losses.cross_entropy(x, 1)
    assert loss.data == 2000.0
    loss.backward()
    assert [v.grad for v in x] == [1.0, -1.0, 0.0]
    y = _vs(1000.0, 1000.0)
    right = losses.cross_entropy(y, 0)
    assert right.data == pytest.approx(math.log(2.0))
    right.backward()
    assert [v.grad for v in y] == [pytest.approx(-0.5), pytest.approx(0.5)]


def test_cross_entropy_rejects_bad_targets() -> None:
    with pytest.raises(ValueError, match=r"target is 3, but there are 3 classes \(0..2\)"):
        losses.cross_entropy(_vs(1.0, 2.0, 3.0), 3)
    with pytest.raises(ValueError, match="target is -1"):
        losses.cross_entropy(_vs(1.0, 2.0), -1)
    with pytest.raises(TypeError, match="class index"):
        losses.cross_entropy(_vs(1.0, 2.0), 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="class index"):
        losses.cross_entropy(_vs(1.0, 2.0), True)
    with pytest.raises(ValueError, match="2 rows but 3 targets"):
        losses.cross_entropy([_vs(1.0, 2.0), _vs(0.0, 1.0)], [0, 1, 1])
    with pytest.raises(ValueError, match="target 1 is 5"):
        losses.cross_entropy([_vs(1.0, 2.0), _vs(0.0, 1.0)], [0, 5])
    with pytest.raises(ValueError, match="has no classes"):
        losses.cross_entropy([], 0)


def test_nll_picks_minus_log_probability() -> None:
    lp = _vs(math.log(0.2), math.log(0.5), math.log(0.3))
    loss = losses.nll(lp, 2)
    assert loss.data == -math.log(0.3)
    loss.backward()
    assert [v.grad for v in lp] == [0.0, 0.0, -1.0]
    rows = [lp, _vs(-0.1, -2.0)]
    batch = losses.nll(rows, [0, 1])
    assert batch.data == pytest.approx((-math.log(0.2) + 2.0) / 2, rel=1e-15)


def test_nll_of_log_softmax_is_cross_entropy() -> None:
    x = _vs(0.3, -2.0, 1.5, 0.0)
    a = losses.nll(functional.log_softmax(x), 2).data
    b = losses.cross_entropy(x, 2).data
    assert a == b


# ---------------------------------------------------------------------- l2


def test_l2_value_and_gradient_is_lambda_w() -> None:
    w = _vs(1.0, -2.0, 0.5)
    loss = losses.l2(w, 0.1)
    assert loss.data == pytest.approx(0.05 * (1.0 + 4.0 + 0.25), rel=1e-15)
    loss.backward()
    assert [v.grad for v in w] == pytest.approx([0.1, -0.2, 0.05], rel=1e-15)


def test_l2_is_one_dot_node() -> None:
    w = _vs(1.0, 2.0, 3.0)
    loss = losses.l2(w, 1e-4)
    dots = [n for n in topological_order(loss) if n.op == "dot"]
    assert len(dots) == 1 and dots[0].parents == (*w, *w)
    assert len(topological_order(loss)) == 3 + 1 + 1 + 1  # w's, dot, constant, product


def test_l2_rejects_bad_lambda_and_params() -> None:
    with pytest.raises(ValueError, match="lam must be finite and >= 0"):
        losses.l2(_vs(1.0), -0.1)
    with pytest.raises(TypeError, match="lam must be a real number"):
        losses.l2(_vs(1.0), "0.1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="params must be Values"):
        losses.l2([1.0], 0.1)  # type: ignore[list-item]
    assert losses.l2([], 0.1).data == 0.0


# ---------------------------------------------------------------------- shared input checks


@pytest.mark.parametrize(
    "loss", [losses.mse, losses.sse, losses.binary_cross_entropy, losses.bce_with_logits]
)
def test_losses_check_lengths_and_types(loss: Callable[..., Value]) -> None:
    with pytest.raises(ValueError, match="2 predictions but 3 targets"):
        loss(_vs(0.5, 0.5), [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="one prediction but a list of 2 targets"):
        loss(Value(0.5), [1.0, 0.0])
    with pytest.raises(ValueError, match="a list of predictions but a single target"):
        loss(_vs(0.5), 1.0)
    with pytest.raises(ValueError, match="sample 0 has 2 outputs but 1 targets"):
        loss([_vs(0.5, 0.5)], [[1.0]])
    with pytest.raises(ValueError, match="sample 1 pairs"):
        loss([Value(0.5), _vs(0.5)], [1.0, 1.0])
    with pytest.raises(ValueError, match="no predictions"):
        loss([], [])
    with pytest.raises(TypeError, match="target 0 is a Value"):
        loss(_vs(0.5), [Value(1.0)])
    with pytest.raises(TypeError, match="prediction 0 must be a Value or a number, got str"):
        loss(["0.5"], [1.0])


def test_losses_return_one_value_and_accept_numbers() -> None:
    assert isinstance(losses.mse([0.5, 1.0], [0.0, 0.0]), Value)
    assert losses.hinge([0.5, -3.0], [1, -1]).data == 0.25


def test_losses_gradcheck_on_random_inputs() -> None:
    rng = random.Random(0)
    xs = [Value(rng.uniform(-2, 2)) for _ in range(4)]
    ys = [rng.choice([0.0, 1.0]) for _ in range(4)]
    labels = [2 * y - 1 for y in ys]
    assert gradcheck(lambda *v: losses.mse(list(v), ys), xs)
    assert gradcheck(lambda *v: losses.sse(list(v), ys), xs)
    assert gradcheck(lambda *v: losses.bce_with_logits(list(v), ys), xs)
    assert gradcheck(lambda *v: losses.hinge(list(v), labels), xs)
    assert gradcheck(lambda *v: losses.cross_entropy(list(v), 2), xs)
    assert gradcheck(lambda *v: losses.l2(list(v), 0.3), xs)
    assert gradcheck(lambda *v: losses.binary_cross_entropy([x.sigmoid() for x in v], ys), xs)


# ---------------------------------------------------------------------- PyTorch parity


def _torch_parity_cases() -> list[tuple[str, list[float], list[float]]]:
    rng = random.Random(3)
    logits = [rng.uniform(-4, 4) for _ in range(6)]
    probs = [rng.uniform(0.05, 0.95) for _ in range(6)]
    soft = [rng.uniform(0, 1) for _ in range(6)]
    return [("logits", logits, soft), ("probs", probs, soft)]


def test_losses_match_torch_in_float64() -> None:
    torch = pytest.importorskip("torch")
    f = torch.nn.functional
    (_, logits, soft), (_, probs, _) = _torch_parity_cases()

    def check(ours: Callable[[list[Value]], Value], theirs: Callable[..., object], xs: list[float]):
        vs = [Value(x) for x in xs]
        loss = ours(vs)
        loss.backward()
        t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
        tl = theirs(t)
        tl.backward()
        assert loss.data == pytest.approx(tl.item(), rel=1e-13, abs=1e-15)
        assert [v.grad for v in vs] == pytest.approx(t.grad.tolist(), rel=1e-12, abs=1e-15)

    target = torch.tensor(soft, dtype=torch.float64)
    check(lambda v: losses.mse(v, soft), lambda t: f.mse_loss(t, target), logits)
    check(
        lambda v: losses.sse(v, soft),
        lambda t: 0.5 * f.mse_loss(t, target, reduction="sum"),
        logits,
    )
    check(
        lambda v: losses.binary_cross_entropy(v, soft),
        lambda t: f.binary_cross_entropy(t, target),
        probs,
    )
    check(
        lambda v: losses.bce_with_logits(v, soft),
        lambda t: f.binary_cross_entropy_with_logits(t, target),
        logits,
    )
    pm = [1.0, -1.0, 1.0, 1.0, -1.0, -1.0]
    pm_t = torch.tensor(pm, dtype=torch.float64)
    check(lambda v: losses.hinge(v, pm), lambda t: torch.relu(1 - pm_t * t).mean(), logits)
    check(lambda v: losses.l2(v, 0.01), lambda t: 0.005 * (t * t).sum(), logits)
    check(
        lambda v: losses.cross_entropy([v[:3], v[3:]], [2, 0]),
        lambda t: f.cross_entropy(t.view(2, 3), torch.tensor([2, 0])),
        logits,
    )
    check(
        lambda v: losses.nll([v[:3], v[3:]], [1, 2]),
        lambda t: f.nll_loss(t.view(2, 3), torch.tensor([1, 2])),
        logits,
    )
    big = [1000.0, -1000.0, 0.0, -1000.0, 1000.0, 999.0]
    check(
        lambda v: losses.cross_entropy([v[:3], v[3:]], [1, 2]),
        lambda t: f.cross_entropy(t.view(2, 3), torch.tensor([1, 2])),
        big,
    )
    check(
        lambda v: losses.bce_with_logits(v, [1.0, 0.0, 0.5, 1.0, 0.0, 1.0]),
        lambda t: f.binary_cross_entropy_with_logits(
            t, torch.tensor([1.0, 0.0, 0.5, 1.0, 0.0, 1.0], dtype=torch.float64)
        ),
        big,
    )
