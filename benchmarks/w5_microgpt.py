"""W5: a microgpt-shaped training step (1-layer GPT on names, Adam) written with plain `+` and `*`
the way Karpathy's microgpt is, on autograd_lite's `Value` and on a minimal slotted `Value`.

The model code is written once and takes the `Value` class as an argument; both engines run
the same steps from the same seed, and their losses must agree to 1e-12.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable
from typing import Any

from common import (
    AL,
    BASELINE,
    Case,
    Sample,
    charged,
    count_nodes,
    fmt,
    per,
    ratio,
    spread,
    target_row,
    with_baselines,
)

TASK = "W5"
MINIMAL = "minimal Value"
ENGINES = (AL, MINIMAL)

N_EMBD = 16
N_HEAD = 4
HEAD_DIM = N_EMBD // N_HEAD
BLOCK_SIZE = 16
CHARS = "abcdefghijklmnopqrstuvwxyz"
BOS = len(CHARS)  # the token that starts and ends every name
VOCAB = len(CHARS) + 1
WARM_UP = 2
LOSS_RTOL = 1e-12


class MinimalValue:
    """microgpt's design: a node stores its children and their local gradients, nothing more."""

    __slots__ = ("_children", "_local_grads", "data", "grad")

    def __init__(self, data: float, children: tuple[Any, ...] = (), local_grads: Any = ()):
        self.data = data
        self.grad = 0.0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other: Any) -> MinimalValue:
        other = other if isinstance(other, MinimalValue) else MinimalValue(other)
        return MinimalValue(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other: Any) -> MinimalValue:
        other = other if isinstance(other, MinimalValue) else MinimalValue(other)
        return MinimalValue(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, k: float) -> MinimalValue:
        return MinimalValue(self.data**k, (self,), (k * self.data ** (k - 1),))

    def log(self) -> MinimalValue:
        return MinimalValue(math.log(self.data), (self,), (1.0 / self.data,))

    def exp(self) -> MinimalValue:
        e = math.exp(self.data)
        return MinimalValue(e, (self,), (e,))

    def relu(self) -> MinimalValue:
        return MinimalValue(max(0.0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self) -> MinimalValue:
        return self * -1.0

    def __radd__(self, other: Any) -> MinimalValue:
        return self + other

    def __sub__(self, other: Any) -> MinimalValue:
        return self + (-other)

    def __rmul__(self, other: Any) -> MinimalValue:
        return self * other

    def __truediv__(self, other: Any) -> MinimalValue:
        return self * other**-1

    def backward(self) -> None:
        # Depth-first topological order without recursion: a node goes back on the stack under
        # a None marker before its children, and is finished when the marker comes off.
        topo: list[MinimalValue] = []
        visited: set[MinimalValue] = set()
        stack: list[Any] = [self]
        while stack:
            v = stack.pop()
            if v is None:
                topo.append(stack.pop())
            elif v not in visited:
                visited.add(v)
                stack += (v, None)
                stack += v._children
        self.grad = 1.0
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad


# =========================================================================== the model


def make_names(count: int = 64, seed: int = 7) -> list[str]:
    """Pronounceable made-up names, 6 to 9 letters, the same for every seed."""
    rng = random.Random(seed)
    names = []
    for _ in range(count):
        name = "".join(rng.choice("bcdfghjklmnprstvz") + rng.choice("aeiouy") for _ in range(2))
        name += "".join(
            rng.choice("bdklmnrst") + rng.choice("aeio") for _ in range(rng.randint(1, 2))
        )
        names.append(name + (rng.choice("nlrsy") if rng.random() < 0.4 else ""))
    return names


def init_params(value: type, seed: int) -> dict[str, list[list[Any]]]:
    rng = random.Random(seed)

    def matrix(nout: int, nin: int) -> list[list[Any]]:
        return [[value(rng.gauss(0.0, 0.08)) for _ in range(nin)] for _ in range(nout)]

    return {
        "wte": matrix(VOCAB, N_EMBD),
        "wpe": matrix(BLOCK_SIZE, N_EMBD),
        "attn_wq": matrix(N_EMBD, N_EMBD),
        "attn_wk": matrix(N_EMBD, N_EMBD),
        "attn_wv": matrix(N_EMBD, N_EMBD),
        "attn_wo": matrix(N_EMBD, N_EMBD),
        "mlp_fc1": matrix(4 * N_EMBD, N_EMBD),
        "mlp_fc2": matrix(N_EMBD, 4 * N_EMBD),
        "lm_head": matrix(VOCAB, N_EMBD),
    }


def linear(x: list[Any], w: list[list[Any]]) -> list[Any]:
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def softmax(logits: list[Any]) -> list[Any]:
    max_val = max(val.data for val in logits)  # a constant: exp never overflows
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x: list[Any]) -> list[Any]:
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def gpt(
    sd: dict[str, list[list[Any]]], token: int, pos: int, keys: list[Any], values: list[Any]
) -> list[Any]:
    """The logits for the next token; `keys` and `values` grow by one position (the KV cache)."""
    x = [t + p for t, p in zip(sd["wte"][token], sd["wpe"][pos])]
    x = rmsnorm(x)
    # attention block
    residual = x
    x = rmsnorm(x)
    q, k, v = linear(x, sd["attn_wq"]), linear(x, sd["attn_wk"]), linear(x, sd["attn_wv"])
    keys.append(k)
    values.append(v)
    attended = []
    for h in range(N_HEAD):
        lo, hi = h * HEAD_DIM, (h + 1) * HEAD_DIM
        q_h = q[lo:hi]
        k_h = [ki[lo:hi] for ki in keys]
        v_h = [vi[lo:hi] for vi in values]
        logits = [
            sum(q_h[j] * k_h[t][j] for j in range(HEAD_DIM)) / HEAD_DIM**0.5
            for t in range(len(k_h))
        ]
        weights = softmax(logits)
        attended += [sum(weights[t] * v_h[t][j] for t in range(len(v_h))) for j in range(HEAD_DIM)]
    x = [a + b for a, b in zip(linear(attended, sd["attn_wo"]), residual)]
    # MLP block
    residual = x
    x = [xi.relu() for xi in linear(rmsnorm(x), sd["mlp_fc1"])]
    x = [a + b for a, b in zip(linear(x, sd["mlp_fc2"]), residual)]
    return linear(x, sd["lm_head"])


def make_trainer(value: type, seed: int = 42) -> Callable[[int], tuple[float, Any]]:
    """`train(step) -> (loss, loss node)`: one Adam step on name number `step`."""
    sd = init_params(value, seed)
    params = [p for matrix in sd.values() for row in matrix for p in row]
    names = make_names()
    lr, beta1, beta2, eps = 0.01, 0.85, 0.99, 1e-8
    m = [0.0] * len(params)
    v = [0.0] * len(params)

    def train(step: int) -> tuple[float, Any]:
        tokens = [BOS, *(CHARS.index(ch) for ch in names[step % len(names)]), BOS]
        n = min(BLOCK_SIZE, len(tokens) - 1)
        keys: list[Any] = []
        values: list[Any] = []
        losses = []
        for pos in range(n):
            probs = softmax(gpt(sd, tokens[pos], pos, keys, values))
            losses.append(-probs[tokens[pos + 1]].log())
        loss = (1 / n) * sum(losses)
        loss.backward()
        for i, p in enumerate(params):
            m[i] = beta1 * m[i] + (1 - beta1) * p.grad
            v[i] = beta2 * v[i] + (1 - beta2) * p.grad**2
            m_hat = m[i] / (1 - beta1 ** (step + 1))
            v_hat = v[i] / (1 - beta2 ** (step + 1))
            p.data -= lr * m_hat / (v_hat**0.5 + eps)
            p.grad = 0.0
        return float(loss.data), loss

    return train


def value_class(engine: str) -> type:
    if engine == AL:
        from autograd_lite import Value

        return Value
    return MinimalValue


# =========================================================================== measuring


def work(spec: dict[str, Any]) -> Sample:
    train = make_trainer(value_class(spec["engine"]))
    losses = []
    loss, root = train(0)
    losses.append(loss)
    nodes = count_nodes(root)
    ops = _count_op_nodes(root)
    for step in range(1, WARM_UP):
        loss, root = train(step)
        losses.append(loss)
    times, collector = [], []
    for step in range(WARM_UP, WARM_UP + spec["n"]):
        # Each step charged for its own garbage only; the last step's graph is freed (as in
        # microgpt's loop, when the new loss replaces it) before the timer starts.
        root = None
        (loss, root), ns, gc_ns = charged(lambda step=step: train(step))
        times.append(ns)
        collector.append(gc_ns)
        losses.append(loss)
    return {
        "step_ns": statistics.fmean(times),  # the steps differ in length: the mean, not median
        "step_ns_all": times,
        "gc_ns": statistics.fmean(collector),
        "nodes_first_step": nodes,
        "op_nodes_first_step": ops,
        "losses": losses,
    }


def _count_op_nodes(root: Any) -> int:
    """Nodes with parents below `root` (for either Value class)."""
    seen = {id(root)}
    stack = [root]
    ops = 0
    while stack:
        node = stack.pop()
        parents = node.parents if hasattr(node, "parents") else node._children
        ops += bool(parents)
        for p in parents:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return ops


def plan(quick: bool, big: bool) -> list[Case]:
    engines = with_baselines(ENGINES, (AL,))
    return [Case(TASK, "step", 3 if quick else 8, engines, 1 if quick else 5)]


def _max_rel_difference(case: Case) -> float | None:
    runs = [s["losses"] for e in ENGINES for s in case.samples.get(e, [])]
    if len(runs) < 2 or not all(case.samples.get(e) for e in ENGINES):
        return None
    first = runs[0]
    return max(abs(a - b) / max(abs(a), 1e-300) for run in runs[1:] for a, b in zip(first, run))


def problems(cases: list[Case]) -> list[str]:
    found = []
    for c in cases:
        diff = _max_rel_difference(c)
        if diff is not None and not diff <= LOSS_RTOL:
            found.append(f"W5: the engines' losses differ by {diff:.3g} (relative) > {LOSS_RTOL}")
    return found


def report(cases: list[Case]) -> tuple[list[str], dict[str, Any]]:
    c = cases[0]
    al, mini = c.median(AL, "step_ns"), c.median(MINIMAL, "step_ns")
    sp = None if al is None or mini is None else mini / al
    diff = _max_rel_difference(c)
    summary: dict[str, Any] = {"W5_speedup_over_minimal": sp, "W5_loss_max_rel_diff": diff}
    lines = [
        "## W5: a microgpt-shaped training step on plain `+` and `*`",
        "",
        f"A 1-layer GPT (n_embd {N_EMBD}, {N_HEAD} heads, block size {BLOCK_SIZE}, RMSNorm, "
        f"ReLU MLP 4×, softmax attention with the max subtracted) on made-up names over "
        f"{VOCAB} tokens, cross-entropy, Adam; written as Karpathy's microgpt is: binary nodes "
        "only (`sum(w * x for w, x in zip(ws, xs))`), no `dot`. The same model code runs on "
        "autograd_lite's `Value` and on a minimal slotted `Value` (microgpt's design: children "
        "and local gradients per node, an iterative topological sort with a visited set), "
        f"one name per step, {c.n} timed steps after {WARM_UP} warm-up steps, same seed. ms per "
        "step is the mean over those steps in a process (each step charged for its own "
        "garbage only), then the median over processes. "
        f"Losses of the two agree to {fmt(diff, 0) if diff is None else f'{diff:.1e}'} "
        f"(relative; required ≤ {LOSS_RTOL:.0e}).",
        "",
        "| engine | ms per step | range over processes | GC ms per step | "
        "nodes (op nodes) in step 1 | speed-up | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    base = c.median(AL + BASELINE, "step_ns")
    if base is not None:
        summary["W5_baseline_speedup_over_minimal"] = None if mini is None else mini / base
    for engine in c.engines:
        t = c.median(engine, "step_ns")
        nodes, ops = c.median(engine, "nodes_first_step"), c.median(engine, "op_nodes_first_step")
        err = c.error(engine)
        target = f"≥ 1.5× {target_row(sp, 1.5)}" if engine == AL else ""
        lines.append(
            f"| {engine} | {fmt(per(t, 1e6), 1) if not err else 'fails: ' + err} | "
            f"{spread(c, engine, 'step_ns', 1e6)} | {fmt(per(c.median(engine, 'gc_ns'), 1e6), 1)}"
            f" | {fmt(nodes)} ({fmt(ops)}) | {ratio(mini, t)} | {target} |"
        )
    lines.append("")
    return lines, summary
