"""Optimisers: `SGD`, `Adam` and `AdamW` with PyTorch's update rules, acting on `.data` only.

An update builds no graph nodes: it reads `.grad` and writes `.data` of plain floats.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .checks import finite_real
from .core import Value

__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]


def _in_unit(value: object, name: str) -> float:
    f = finite_real(value, name)
    if not 0.0 <= f < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {f!r}")
    return f


def _non_negative(value: object, name: str) -> float:
    f = finite_real(value, name)
    if f < 0.0:
        raise ValueError(f"{name} must be >= 0, got {f!r}")
    return f


def _ieee_div(a: float, b: float) -> float:
    """a / b as IEEE-754 (and PyTorch) define it where Python raises: 0/0 is nan, a/0 is ±inf."""
    if b != 0.0:
        return a / b
    if a == 0.0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


class Optimizer:
    """Holds the parameters; `zero_grad()` resets their `.grad`, `step()` updates `.data`.

    Attributes:
        params: the parameters, in the order given (each once).
        lr: the learning rate; may be changed between steps (e.g. by a schedule).
    """

    __slots__ = ("_lr", "params")

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        if isinstance(params, Value):
            raise TypeError("params must be a list of Values (e.g. model.parameters())")
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimiser got no parameters; pass model.parameters()")
        seen: set[Value] = set()
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"params must be Values, item {i} is {type(p).__name__} {p!r}")
            if p in seen:
                raise ValueError(f"parameter {i} appears twice in params; pass each once")
            seen.add(p)
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate (> 0)."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        f = finite_real(value, "lr")
        if f <= 0.0:
            raise ValueError(f"lr must be > 0, got {f!r}")
        self._lr = f

    def zero_grad(self) -> None:
        """Set `.grad` of every parameter to 0.0 (call before each `backward()`)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter's `.data` from its `.grad`."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with momentum and weight decay as in `torch.optim.SGD`.

    For each parameter w with gradient g, at step t (λ = weight_decay, μ = momentum):

        g ← g + λ·w
        b ← g at t = 1, else μ·b + g        (only when μ > 0; b is the momentum buffer)
        w ← w − lr·b                         (w − lr·g when μ = 0)

    Args:
        params: the parameters to update, e.g. `model.parameters()`.
        lr: learning rate, > 0.
        momentum: μ in [0, 1).
        weight_decay: λ >= 0, adds λ·w to the gradient (the gradient of λ/2·Σw²).
    """

    __slots__ = ("_buffers", "momentum", "weight_decay")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _in_unit(momentum, "momentum")
        self.weight_decay = _non_negative(weight_decay, "weight_decay")
        self._buffers: list[float] | None = None  # made at the first step, as in PyTorch

    def step(self) -> None:
        """One update of every parameter (see the class docstring for the formulas)."""
        lr, mu, wd = self._lr, self.momentum, self.weight_decay
        if mu == 0.0:
            if wd == 0.0:
                for p in self.params:
                    p.data -= lr * p.grad
            else:
                for p in self.params:
                    p.data -= lr * (p.grad + wd * p.data)
            return
        gs = [p.grad + wd * p.data for p in self.params]
        old = self._buffers
        # The first buffer is the gradient itself (PyTorch, without dampening).
        self._buffers = gs if old is None else [mu * b + g for b, g in zip(old, gs)]
        for p, b in zip(self.params, self._buffers):
            p.data -= lr * b


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with PyTorch's update and L2 weight decay (`torch.optim.Adam`).

    For each parameter w with gradient g, at step t = 1, 2, ...:

        g ← g + λ·w                               (λ = weight_decay)
        m ← β₁·m + (1 − β₁)·g                     (m and v start at 0)
        v ← β₂·v + (1 − β₂)·g²
        w ← w − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)

    which is w − lr·m̂/(√v̂ + ε) with the bias-corrected m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ),
    arranged as PyTorch does, so results agree with it up to rounding.

    ε = 0 is allowed, as in PyTorch, and the division then follows IEEE-754 as PyTorch's does
    instead of raising: a parameter whose gradients have all been 0 gets 0/0 = nan, and one
    whose v underflowed to 0 gets an infinite step. Keep ε > 0 (the default 1e-8) to avoid both.

    Args:
        params: the parameters to update, e.g. `model.parameters()`.
        lr: learning rate, > 0.
        betas: (β₁, β₂), each in [0, 1).
        eps: ε >= 0, added to the denominator.
        weight_decay: λ >= 0 (coupled L2, as in `torch.optim.Adam`; see `AdamW` for the
            decoupled kind).
    """

    __slots__ = ("_m", "_v", "beta1", "beta2", "eps", "t", "weight_decay")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.beta1 = _in_unit(betas[0], "betas[0]")
        self.beta2 = _in_unit(betas[1], "betas[1]")
        self.eps = _non_negative(eps, "eps")
        self.weight_decay = _non_negative(weight_decay, "weight_decay")
        self.t = 0  # steps taken
        self._m = [0.0] * len(self.params)
        self._v = [0.0] * len(self.params)

    def step(self) -> None:
        """One update of every parameter (see the class docstring for the formulas)."""
        self._adam_step(self.weight_decay)

    def _adam_step(self, wd: float) -> None:
        """Adam's update with the gradient g + wd·w (wd = 0: the plain gradient)."""
        self.t += 1
        b1, b2, eps = self.beta1, self.beta2, self.eps
        step_size = self._lr / (1.0 - b1**self.t)
        root_correction = math.sqrt(1.0 - b2**self.t)
        m, v, sqrt, c1, c2 = self._m, self._v, math.sqrt, 1.0 - b1, 1.0 - b2
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            mi = m[i] = b1 * m[i] + c1 * g
            vi = v[i] = b2 * v[i] + c2 * g * g
            denom = sqrt(vi) / root_correction + eps
            # denom is 0 only when eps is 0: then IEEE's ±inf or nan, as PyTorch gives.
            p.data -= step_size * (mi / denom if denom else _ieee_div(mi, denom))


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as `torch.optim.AdamW`.

    Each step first shrinks every parameter, then takes Adam's step with the plain gradient:

        w ← w − lr·λ·w                            (λ = weight_decay; computed as w·(1 − lr·λ))
        w ← Adam's update of w with gradient g    (see `Adam`; no λ in m or v)

    so the decay is not rescaled by Adam's 1/√v̂, unlike `Adam(weight_decay=λ)`, whose
    L2 term passes through m and v. The defaults are PyTorch's, including λ = 1e-2.

    Args:
        params: the parameters to update, e.g. `model.parameters()`.
        lr: learning rate, > 0.
        betas: (β₁, β₂), each in [0, 1).
        eps: ε >= 0, added to the denominator (see `Adam` for ε = 0).
        weight_decay: λ >= 0, the fraction lr·λ of each weight removed per step.
    """

    __slots__ = ()

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)

    def step(self) -> None:
        """Decay every parameter, then one Adam update (see the class docstring)."""
        if self.weight_decay:
            shrink = 1.0 - self._lr * self.weight_decay
            for p in self.params:
                p.data *= shrink
        self._adam_step(0.0)
