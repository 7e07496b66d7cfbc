"""optim: SGD, Adam and AdamW steps against hand-computed updates and PyTorch; argument checks."""

from __future__ import annotations

import math
from typing import Any

import pytest

from autograd_lite import Value, losses, optim
from autograd_lite.nn import MLP
from autograd_lite.optim import SGD, Adam, AdamW


def _param(data: float, grad: float) -> Value:
    p = Value(data)
    p.grad = grad
    return p


def test_sgd_plain_steps() -> None:
    p = _param(1.0, 0.5)
    opt = SGD([p], lr=0.1)
    opt.step()
    assert p.data == 1.0 - 0.1 * 0.5
    p.grad = -2.0
    opt.step()
    assert p.data == 1.0 - 0.1 * 0.5 + 0.1 * 2.0


def test_sgd_momentum_over_three_steps() -> None:
    # b₁ = g₁; b₂ = μb₁ + g₂; b₃ = μb₂ + g₃; w ← w − lr·b
    p = _param(1.0, 1.0)
    opt = SGD([p], lr=0.5, momentum=0.9)
    opt.step()
    assert p.data == 1.0 - 0.5 * 1.0  # 0.5
    p.grad = 2.0
    opt.step()
    b2 = 0.9 * 1.0 + 2.0  # 2.9
    assert p.data == pytest.approx(0.5 - 0.5 * b2)  # −0.95
    p.grad = -1.0
    opt.step()
    b3 = 0.9 * b2 - 1.0  # 1.61
    assert p.data == pytest.approx(0.5 - 0.5 * b2 - 0.5 * b3)  # −1.755


def test_sgd_weight_decay_adds_lambda_w() -> None:
    p = _param(2.0, 0.5)
    SGD([p], lr=0.1, weight_decay=0.25).step()
    assert p.data == pytest.approx(2.0 - 0.1 * (0.5 + 0.25 * 2.0))  # 1.9


def test_sgd_weight_decay_with_momentum() -> None:
    p = _param(2.0, 0.0)
    opt = SGD([p], lr=0.1, momentum=0.5, weight_decay=1.0)
    opt.step()  # g = 0 + 2 = 2, b = 2, w = 2 − 0.2 = 1.8
    assert p.data == pytest.approx(1.8)
    opt.step()  # g = 1.8, b = 1 + 1.8 = 2.8, w = 1.8 − 0.28 = 1.52
    assert p.data == pytest.approx(1.52)


def test_sgd_weight_decay_equals_l2_loss_gradient() -> None:
    a, b = _param(1.5, 0.0), _param(1.5, 0.0)
    losses.l2([b], 0.3).backward()  # b.grad = 0.3·1.5
    SGD([a], lr=0.1, weight_decay=0.3).step()
    SGD([b], lr=0.1).step()
    assert a.data == pytest.approx(b.data, rel=1e-15)


def test_adam_steps_with_bias_correction() -> None:
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    p = _param(1.0, 0.5)
    opt = Adam([p], lr=lr, betas=(b1, b2), eps=eps)
    opt.step()
    # t = 1: m̂ = g and v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr·sign(g)
    assert p.data == pytest.approx(1.0 - lr * 0.5 / (0.5 + eps), rel=1e-14)
    w, m, v = p.data, (1 - b1) * 0.5, (1 - b2) * 0.25
    grads = [-1.0, 0.25]
    for t, g in enumerate(grads, start=2):
        p.grad = g
        opt.step()
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        w -= lr * m_hat / (math.sqrt(v_hat) + eps)
        assert p.data == pytest.approx(w, rel=1e-13)
    assert opt.t == 3


def test_adam_weight_decay_is_coupled_l2() -> None:
    p = _param(2.0, 0.0)
    Adam([p], lr=0.01, weight_decay=0.5).step()
    # g = 0 + 0.5·2 = 1 > 0, so the first step moves by about lr
    assert p.data == pytest.approx(2.0 - 0.01, rel=1e-7)


def test_optimizers_zero_grad_and_build_no_nodes() -> None:
    model = MLP(2, [3, 1], seed=0)
    for opt in (SGD(model.parameters(), 0.1, momentum=0.9), Adam(model.parameters())):
        model([1.0, 2.0]).backward()
        before = [(p.parents, p.op) for p in model.parameters()]
        opt.step()
        assert [(p.parents, p.op) for p in model.parameters()] == before
        assert all(type(p.data) is float for p in model.parameters())
        opt.zero_grad()
        assert all(p.grad == 0.0 for p in model.parameters())


def test_optimizers_reduce_a_loss() -> None:
    for make in (lambda ps: SGD(ps, 0.1, momentum=0.5), lambda ps: Adam(ps, lr=0.05)):
        w = [Value(3.0), Value(-2.0)]
        opt = make(w)
        for _ in range(300):
            opt.zero_grad()
            loss = losses.sse(w, [1.0, 1.0])
            loss.backward()
            opt.step()
        assert [x.data for x in w] == [pytest.approx(1.0, abs=1e-2)] * 2


def test_optimizers_lr_can_change_between_steps() -> None:
    p = _param(1.0, 1.0)
    opt = SGD([p], lr=0.1)
    opt.lr = 0.5
    opt.step()
    assert p.data == 0.5
    with pytest.raises(ValueError, match="lr must be > 0"):
        opt.lr = 0.0


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda ps: SGD(ps, lr=0.0), ValueError, "lr must be > 0, got 0.0"),
        (lambda ps: SGD(ps, lr=-1.0), ValueError, "lr must be > 0"),
        (lambda ps: SGD(ps, lr=math.nan), ValueError, "lr must be finite"),
        (lambda ps: SGD(ps, lr="0.1"), TypeError, "lr must be a real number, got str"),
        (lambda ps: SGD(ps, lr=0.1, momentum=1.0), ValueError, r"momentum must be in \[0, 1\)"),
        (lambda ps: SGD(ps, lr=0.1, momentum=-0.5), ValueError, "momentum must be in"),
        (lambda ps: SGD(ps, lr=0.1, weight_decay=-1), ValueError, "weight_decay must be >= 0"),
        (lambda ps: Adam(ps, lr=0.0), ValueError, "lr must be > 0"),
        (lambda ps: Adam(ps, betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be in \[0, 1\)"),
        (lambda ps: Adam(ps, betas=(-0.1, 0.9)), ValueError, r"betas\[0\] must be in"),
        (lambda ps: Adam(ps, betas=0.9), TypeError, "betas must be a pair"),
        (lambda ps: Adam(ps, eps=-1e-8), ValueError, "eps must be >= 0"),
        (lambda ps: Adam(ps, weight_decay=-0.1), ValueError, "weight_decay must be >= 0"),
        (lambda ps: SGD([], lr=0.1), ValueError, "got no parameters"),
        (lambda ps: SGD([1.0], lr=0.1), TypeError, "item 0 is float"),
        (lambda ps: SGD(ps[0], lr=0.1), TypeError, "must be a list of Values"),
        (lambda ps: SGD([ps[0], ps[0]], lr=0.1), ValueError, "parameter 1 appears twice"),
    ],
)
def test_optimizers_validate_arguments(make: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        make([Value(1.0)])  # type: ignore[operator]


def test_optimizers_match_torch_over_several_steps() -> None:
    torch = pytest.importorskip("torch")
    start = [0.5, -1.5, 2.0]
    grads = [[0.1, -0.2, 0.3], [-0.5, 0.4, 0.0], [0.2, 0.2, -0.7], [1.0, -1.0, 0.5]]
    configs = [
        (lambda ps: SGD(ps, 0.1), lambda ps: torch.optim.SGD(ps, lr=0.1)),
        (
            lambda ps: SGD(ps, 0.1, momentum=0.9, weight_decay=0.01),
            lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
        ),
        (
            lambda ps: Adam(ps, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1),
            lambda ps: torch.optim.Adam(ps, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1),
        ),
    ]
    for ours, theirs in configs:
        ps = [Value(x) for x in start]
        t = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt, topt = ours(ps), theirs([t])
        for g in grads:
            for p, gi in zip(ps, g):
                p.grad = gi
            t.grad = torch.tensor(g, dtype=torch.float64)
            opt.step()
            topt.step()
            assert [p.data for p in ps] == pytest.approx(t.tolist(), rel=1e-13, abs=1e-15)


def test_adamw_first_step_by_hand() -> None:
    p = _param(2.0, 0.5)
    AdamW([p], lr=0.1, weight_decay=0.01).step()
    # Decay first: 2·(1 − 0.1·0.01) = 1.998; then Adam's first step lr·g/(|g| + ε).
    assert p.data == pytest.approx(1.998 - 0.1 * 0.5 / (0.5 + 1e-8), rel=1e-15)
    q = _param(2.0, 0.0)  # no gradient at all: only the decay moves it
    AdamW([q], lr=0.1, weight_decay=0.5).step()
    assert q.data == 2.0 * (1 - 0.1 * 0.5)


def test_adamw_decay_is_decoupled_from_the_gradient_scale() -> None:
    # Adam's L2 goes through m/√v: with g = 0 the decay alone moves w by about lr.
    # AdamW's decay is lr·λ·w whatever the gradients are.
    coupled, decoupled = _param(2.0, 0.0), _param(2.0, 0.0)
    Adam([coupled], lr=0.01, weight_decay=0.5).step()
    AdamW([decoupled], lr=0.01, weight_decay=0.5).step()
    assert coupled.data == pytest.approx(2.0 - 0.01, rel=1e-7)
    assert decoupled.data == 2.0 * (1 - 0.01 * 0.5)


def test_adamw_defaults_are_pytorchs_and_it_is_exported() -> None:
    opt = AdamW([Value(1.0)])
    assert (opt.lr, opt.beta1, opt.beta2, opt.eps, opt.weight_decay) == (
        1e-3,
        0.9,
        0.999,
        1e-8,
        1e-2,
    )
    assert "AdamW" in optim.__all__ and isinstance(opt, Adam)
    with pytest.raises(ValueError, match="weight_decay must be >= 0"):
        AdamW([Value(1.0)], weight_decay=-1e-2)


def test_adam_eps_zero_never_raises_and_follows_ieee() -> None:
    for make in (Adam, AdamW):
        still, tiny, moving = _param(1.0, 0.0), _param(1.0, 1e-200), _param(1.0, 0.5)
        make([still, tiny, moving], lr=0.1, eps=0.0, weight_decay=0.0).step()
        assert math.isnan(still.data)  # 0/0, as PyTorch
        assert tiny.data == -math.inf  # g² underflows to 0: m/0 = +inf, as PyTorch
        assert moving.data == pytest.approx(0.9, rel=1e-15)


def test_adamw_matches_torch_step_for_step() -> None:
    torch = pytest.importorskip("torch")
    start = [0.5, -1.5, 2.0, 0.0]
    grads = [[0.1, -0.2, 0.3, 0.0], [-0.5, 0.4, 0.0, 0.0], [0.2, 0.2, -0.7, 1e-3]] * 4
    configs: list[dict[str, Any]] = [
        {},
        {"lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.1},
        {"lr": 0.2, "eps": 1e-3, "weight_decay": 0.0},
        {"lr": 1e-2, "weight_decay": 3.0},
    ]
    for kwargs in configs:
        ps = [Value(x) for x in start]
        t = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt, topt = AdamW(ps, **kwargs), torch.optim.AdamW([t], **kwargs)
        for step, g in enumerate(grads):
            if step == 6:  # a schedule changing lr between steps
                opt.lr = topt.param_groups[0]["lr"] = opt.lr / 2
            for p, gi in zip(ps, g):
                p.grad = gi
            t.grad = torch.tensor(g, dtype=torch.float64)
            opt.step()
            topt.step()
            assert [p.data for p in ps] == pytest.approx(t.tolist(), rel=1e-12, abs=1e-300)


def test_adam_eps_zero_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    for ours, theirs in ((Adam, torch.optim.Adam), (AdamW, torch.optim.AdamW)):
        ps = [_param(1.0, 0.0), _param(1.0, 1e-200), _param(1.0, 0.5)]
        t = torch.tensor([1.0, 1.0, 1.0], dtype=torch.float64, requires_grad=True)
        t.grad = torch.tensor([0.0, 1e-200, 0.5], dtype=torch.float64)
        ours(ps, lr=0.1, eps=0.0).step()
        theirs([t], lr=0.1, eps=0.0).step()
        expected = t.tolist()
        assert math.isnan(ps[0].data) and math.isnan(expected[0])
        assert [p.data for p in ps[1:]] == pytest.approx(expected[1:], rel=1e-15)
