"""Compiled programs: the same floats as `backward()` on a freshly built graph, bit for bit."""

from __future__ import annotations

import gc
import math
import random
import re
import struct
import sys
import weakref
from collections.abc import Callable, Sequence

import pytest
from helpers import in_threads
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite.compiler.codegen as codegen
import autograd_lite.compiler.rows as sums
from autograd_lite import Value, functional, losses, nn, no_grad
from autograd_lite.compiler import Program, compile
from autograd_lite.core import RULES, apply, make
from autograd_lite.data import make_moons

INF, NAN = math.inf, math.nan
# Kinks, signed zeros, ±1 (hard_tanh), subnormals, huge numbers, inf and nan.
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 2.0, 5e-324, -1e-310, 1e300, -1e300]
SPECIAL += [INF, -INF, NAN, 1e-8, 700.0, 710.0, -0.75]


def bits(x: float) -> int:
    (b,) = struct.unpack("<q", struct.pack("<d", x))
    return int(b)


def same(a: float, b: float) -> bool:
    """Bit-identical floats; any nan matches any nan (the sign of a nan carries no meaning)."""
    if a != a or b != b:
        return a != a and b != b
    return type(a) is type(b) and bits(a) == bits(b)


Pool = list[Value]
Maker = Callable[[random.Random], Callable[[Pool], Value]]


def _pick(rng: random.Random, k: int = 1) -> list[int]:
    return [rng.randrange(1 << 30) for _ in range(k)]


def _c(rng: random.Random) -> float:
    return rng.choice(SPECIAL)


def _binary(f: Callable[[Value, Value], Value]) -> Maker:
    def make(rng: random.Random) -> Callable[[Pool], Value]:
        i, j = _pick(rng, 2)
        c = _c(rng)
        side = rng.randrange(3)  # Value with Value, with a number on the right, on the left

        def apply(pool: Pool) -> Value:
            a, b = pool[i % len(pool)], pool[j % len(pool)]
            if side == 0:
                return f(a, b)
            return f(a, c) if side == 1 else f(c, a)  # type: ignore[arg-type]

        return apply

    return make


def _unary(f: Callable[[Value], Value]) -> Maker:
    def make(rng: random.Random) -> Callable[[Pool], Value]:
        (i,) = _pick(rng)
        return lambda pool: f(pool[i % len(pool)])

    return make


def _many(f: Callable[[Pool, random.Random], Value]) -> Maker:
    def make(rng: random.Random) -> Callable[[Pool], Value]:
        seed = rng.randrange(1 << 30)
        return lambda pool: f(pool, random.Random(seed))

    return make


def _choose(pool: Pool, rng: random.Random, k: int) -> list[Value | float]:
    # Mostly nodes, sometimes a number; repeats allowed (a node used twice).
    return [_c(rng) if rng.random() < 0.2 else rng.choice(pool) for _ in range(k)]


def _dot(pool: Pool, rng: random.Random) -> Value:
    n = rng.randint(1, 4)
    bias = rng.choice([None, rng.choice(pool), _c(rng)])
    return functional.dot(_choose(pool, rng, n), _choose(pool, rng, n), bias)


def _clamp(rng: random.Random) -> Callable[[Pool], Value]:
    i, j, k = _pick(rng, 3)
    kind = rng.randrange(4)
    lo, hi = sorted([_c(rng), _c(rng)], key=lambda x: (x != x, x))

    def apply(pool: Pool) -> Value:
        x = pool[i % len(pool)]
        if kind == 0:
            return x.clamp(lo, hi)
        if kind == 1:
            return x.clamp(min=lo)
        if kind == 2:
            return x.clamp(max=hi)
        return x.clamp(pool[j % len(pool)], pool[k % len(pool)])  # three parents

    return apply


def _leaky(rng: random.Random) -> Callable[[Pool], Value]:
    (i,) = _pick(rng)
    alpha = rng.choice([0.01, 0.2, -0.5, 0.0])
    return lambda pool: pool[i % len(pool)].leaky_relu(alpha)


def _softplus_threshold(rng: random.Random) -> Callable[[Pool], Value]:
    i, j, k = _pick(rng, 3)
    beta = rng.choice([1.0, 2.0, 0.5, -1.5])
    threshold = rng.choice([20.0, 0.0, -1.0, 2.5, 1.0])
    kind = rng.randrange(3)

    def apply(pool: Pool) -> Value:
        x = pool[i % len(pool)]
        if kind == 0:
            return x.softplus(beta, threshold)
        if kind == 1:
            return x.softplus(-beta)  # no threshold (beta 1 would be the plain rule)
        return x.softplus(pool[j % len(pool)], pool[k % len(pool)])  # settings as nodes

    return apply


# One maker per rule of the table: `test_every_rule_has_a_maker` keeps this complete.
MAKERS: dict[str, Maker] = {
    "+": _binary(lambda a, b: a + b),
    "-": _binary(lambda a, b: a - b),
    "neg": _unary(lambda a: -a),
    "*": _binary(lambda a, b: a * b),
    "/": _binary(lambda a, b: a / b),
    "**": _binary(lambda a, b: a**b),
    "exp": _unary(Value.exp),
    "log": _unary(Value.log),
    "sqrt": _unary(Value.sqrt),
    "tanh": _unary(Value.tanh),
    "sigmoid": _unary(Value.sigmoid),
    "softplus": _unary(Value.softplus),
    "softplus_threshold": _softplus_threshold,
    "relu": _unary(Value.relu),
    "leaky_relu": _leaky,
    "abs": _unary(Value.abs),
    "step": _unary(Value.step),
    "sign": _unary(Value.sign),
    "hard_tanh": _unary(Value.hard_tanh),
    "clamp": _clamp,
    "sin": _unary(Value.sin),
    "cos": _unary(Value.cos),
    "max": _binary(functional.maximum),
    "min": _binary(functional.minimum),
    "sum": _many(lambda pool, rng: functional.sum(_choose(pool, rng, rng.randint(1, 5)))),
    "dot": _many(_dot),
    # micrograd's neuron, b + w₁x₁ + … added from the left: the compatible layer's one node
    "affine": _many(
        lambda pool, rng: apply("affine", _choose(pool, rng, 2 * rng.randint(0, 3) + 1))
    ),
    "logsumexp": _many(
        lambda pool, rng: functional.logsumexp(_choose(pool, rng, rng.randint(1, 4)))
    ),
    # the shift node of log_softmax: output 0 is (x₀ - shift) - logsumexp
    "shift": _many(
        lambda pool, rng: (
            functional.log_softmax(_choose(pool, rng, rng.randint(1, 4)))[0].parents[0].parents[1]
        )
    ),
}

Recipe = list[Callable[[Pool], Value]]


def make_recipe(rng: random.Random, ops: Sequence[str], size: int) -> Recipe:
    steps = [MAKERS[rng.choice(ops)](rng) for _ in range(size)]
    # The root: the last node, or an n-ary node over several (distinct or repeated) nodes.
    root_kind = rng.randrange(3)
    if root_kind == 1:
        steps.append(lambda pool: functional.sum(pool[-4:]))
    elif root_kind == 2:
        steps.append(lambda pool: functional.dot(pool[-3:], [pool[-1], pool[-1], pool[0]]))
    return steps


def build(recipe: Recipe, leaves: list[Value]) -> Value:
    pool: Pool = list(leaves)
    for step in recipe:
        pool.append(step(pool))
    return pool[-1]


def fresh(data: Sequence[float], labels: Sequence[str] = ()) -> list[Value]:
    leaves = [Value(d, label) for d, label in zip(data, [*labels, *[""] * len(data)])]
    for leaf in leaves:
        leaf.grad = -0.0  # so that a gradient -0.0 versus 0.0 shows in the sum
    return leaves


def check_replays(recipe: Recipe, datasets: list[list[float]], labels: Sequence[str] = ()) -> None:
    """Compile at the first data set, replay at every one, compare with backward() afresh."""
    leaves = fresh(datasets[0], labels)
    root = build(recipe, leaves)
    if not root.parents:
        return  # the recipe's root is a leaf: nothing to compile
    program = compile(root)
    for data in datasets:
        for leaf, d in zip(leaves, data):
            leaf.data = d
            leaf.grad = -0.0
        out = program.run()
        expected_leaves = fresh(data)
        expected = build(recipe, expected_leaves)
        expected.backward()
        assert same(out, expected.data), (out, expected.data, program.source)
        for got, want in zip(leaves, expected_leaves):
            assert same(got.grad, want.grad), (got.grad, want.grad, data, program.source)
        assert same(program.run(grad=False), expected.data)


def _datasets(rng: random.Random, n_leaves: int, count: int) -> list[list[float]]:
    def draw() -> float:
        return rng.choice(SPECIAL) if rng.random() < 0.5 else rng.uniform(-3.0, 3.0)

    return [[draw() for _ in range(n_leaves)] for _ in range(count)]


def test_every_rule_has_a_maker() -> None:
    assert set(MAKERS) == set(RULES)
    rng = random.Random(0)
    for op, maker in MAKERS.items():  # and each maker does make that op
        made = {maker(rng)([Value(0.5), Value(-1.5), Value(2.0)]).op for _ in range(10)}
        assert op in made, (op, made)


@pytest.mark.parametrize("op", sorted(RULES))
def test_compile_each_op_matches_backward_bit_for_bit(op: str) -> None:
    rng = random.Random(op)
    for _ in range(6):
        recipe = make_recipe(rng, [op], rng.randint(1, 3))
        check_replays(recipe, _datasets(rng, 3, 12))


# Sums and dots written as additions (Python <= 3.11: sum adds one by one) or as sum calls.
@pytest.mark.parametrize("sequential", [True, False] if sums.SEQUENTIAL_SUM else [False])
def test_compile_random_graphs_over_every_op_match_backward(
    sequential: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sums, "SEQUENTIAL_SUM", sequential)
    rng = random.Random(12)
    ops = sorted(RULES)
    for _ in range(60):
        recipe = make_recipe(rng, ops, rng.randint(2, 12))
        check_replays(recipe, _datasets(rng, 4, 6))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 10))
def test_compile_property_random_dags_replay_like_backward(seed: int, size: int) -> None:
    rng = random.Random(seed)
    recipe = make_recipe(rng, sorted(RULES), size)
    check_replays(recipe, _datasets(rng, 3, 4))


def test_compile_kinks_follow_the_engine() -> None:
    x = Value(0.0)
    recipe: Recipe = [
        lambda p: p[0].relu() + p[0].abs() + p[0].step() + p[0].sign(),
        lambda p: p[-1] + p[0].hard_tanh() + functional.maximum(p[0], p[1]),
        lambda p: p[-1] + functional.minimum(p[0], p[1]) + p[0].clamp(-1.0, 1.0),
        lambda p: p[-1] * p[0] ** 0.0 + p[1] ** p[0],
    ]
    points = [[a, b] for a in (0.0, -0.0, 1.0, -1.0, 0.5, NAN) for b in (0.0, 1.0, -1.0, NAN)]
    check_replays(recipe, points)
    assert x.grad == 0.0


def test_compile_strong_zero_stops_inf_at_a_kink() -> None:
    # relu'(x ≤ 0) is an exact zero: upstream inf gives 0, not nan, as in backward().
    x = Value(-1.0, "x")
    y = x.relu() * INF
    program = compile(y)
    program.run()
    y.backward()
    assert x.grad == 0.0 and not math.isnan(x.grad)
    # A bare zero of an n-ary root (clamp with Value bounds) stays strong through a product.
    points = [[2.0, 0.0, 1.0], [0.5, 0.0, 1.0], [-1.0, 0.0, 1.0], [NAN, 0.0, 1.0]]
    check_replays([lambda p: (p[0] * INF).clamp(p[1], p[2])], points)


def test_compile_signed_zeros_and_the_root_row() -> None:
    # An n-ary root with distinct parents stores its local derivatives bare: -0.0 stays -0.0.
    recipe: Recipe = [lambda p: functional.dot([p[0], p[1], p[2]], [p[3], p[3], -0.0])]
    check_replays(recipe, [[1.0, 2.0, 3.0, -0.0], [-0.0, 0.0, -0.0, 0.0], [1.0, NAN, INF, -0.0]])
    # The same parent twice: the loop from 0.0 instead.
    recipe = [lambda p: functional.sum([p[0], p[1], p[0], p[2]]) * -0.0]
    check_replays(recipe, [[1.0, -2.0, 0.0], [-0.0, -0.0, -0.0]])


def test_compile_reused_nodes_and_constants_on_either_side() -> None:
    recipe: Recipe = [
        lambda p: p[0] * p[0] + p[0],
        lambda p: 2.0 * p[-1] - 3.0 / p[1] + p[1] / 4.0 - (1.0 - p[-1]),
        lambda p: p[-1] + p[-1] + (-p[-1]) ** 2.0,
    ]
    check_replays(recipe, [[3.0, 2.0], [-0.5, 0.0], [1e300, -1e-310], [INF, NAN]])


def test_compile_wide_fan_in_and_fan_out_are_split_into_lines() -> None:
    # One leaf used by 300 nodes: its grad line is a long sum, written in chunks; the sum and
    # the dot of 300 terms are calls of Python's sum.
    recipe: Recipe = [lambda p: functional.sum([p[0] * float(k) for k in range(300)])]
    check_replays(recipe, [[1.5], [-0.0], [NAN]])
    recipe = [lambda p: functional.dot([p[0]] * 40, [p[1] * float(k) for k in range(40)], p[0])]
    check_replays(recipe, [[1.5, 2.0], [-0.0, 1e300], [NAN, 1.0]])


def test_compile_demo_model_step_matches_backward() -> None:
    # micrograd's demo: MLP(2, [16, 16, 1]), hinge + L2, SGD; a few steps, compiled vs dynamic.
    X, y = make_moons(20, 0.1, 3)
    labels = [2 * t - 1 for t in y]

    def objective(model: nn.MLP) -> Value:
        scores = [model(x) for x in X]
        return losses.hinge(scores, labels) + losses.l2(model.parameters(), 2e-4)

    dynamic, compiled = nn.MLP(2, [16, 16, 1], seed=5), nn.MLP(2, [16, 16, 1], seed=5)
    program = compile(objective(compiled))
    assert set(program.inputs) == set(compiled.parameters())
    for _ in range(4):
        loss = objective(dynamic)
        dynamic.zero_grad()
        loss.backward()
        compiled.zero_grad()
        assert same(program.run(), loss.data)
        for p, q in zip(dynamic.parameters(), compiled.parameters()):
            assert same(p.grad, q.grad)
            p.data -= 0.1 * p.grad
            q.data -= 0.1 * q.grad


def test_compile_source_is_named_after_labels() -> None:
    x, w = Value(0.5, "x"), Value(-2.0, "w")
    z = w * x
    z.label = "z"
    y = z.tanh()
    y.label = "y"
    program = compile(y)
    src = program.source
    assert "    z = w * x\n" in src
    assert "    y = tanh(z)\n" in src
    assert "    g_y = 1.0\n" in src
    assert "    g_z = 0.0 + (1.0 - y * y)\n" in src
    assert "    g_w = 0.0 + g_z * x\n" in src
    assert src.index("forward pass") < src.index("backward pass")
    assert program.inputs == (w, x) or program.inputs == (x, w)
    assert repr(program).startswith("Program(nodes=2, inputs=2")


def test_compile_labels_become_unique_identifiers() -> None:
    labels = ["sum", "g_x", "x", "class", "1st", "a b", "ŷ", "", "x", "ZERO", "data", "ﬁ", "fi"]
    recipe: Recipe = [lambda p: functional.sum([v * float(i + 1) for i, v in enumerate(p)])]
    check_replays(recipe, [[float(i) for i in range(len(labels))]], labels)


def test_compile_run_reads_current_data_and_adds_into_grad() -> None:
    x = Value(3.0, "x")
    y = x * x + 1.0
    program = compile(y)
    assert program() == 10.0 and x.grad == 6.0
    assert program.run() == 10.0 and x.grad == 12.0  # added, as backward() does
    x.data = -1.0
    assert program.run(grad=False) == 2.0 and x.grad == 12.0  # forward only
    assert program.wrt == (x,)


def test_compile_wrt_limits_the_gradients() -> None:
    a, b = Value(2.0, "a"), Value(5.0, "b")
    y = a * b + b
    program = compile(y, wrt=[a])
    assert program.run() == 15.0
    assert a.grad == 5.0 and b.grad == 0.0
    assert "g_b" not in program.source
    with pytest.raises(ValueError, match="not an input"):
        compile(y, wrt=[Value(1.0)])


def test_compile_rejects_what_it_cannot_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TypeError, match="needs a Value"):
        compile(3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no_grad"):
        compile(Value(1.0))
    x = Value(1.0)
    with no_grad():
        y = x * 2.0 + 1.0
    with pytest.raises(ValueError, match="no parents"):
        compile(y)
    monkeypatch.setattr(codegen, "MAX_NODES", 10)
    big = functional.sum([x * float(k) for k in range(20)])
    with pytest.raises(ValueError, match="21 op nodes, more than the limit of 10"):
        compile(big)
    monkeypatch.undo()
    odd = make(1.0, "mystery", (x,), (1.0,))
    with pytest.raises(ValueError, match="'mystery'"):
        compile(odd)


def test_compile_constants_are_literals_and_leaves_are_inputs() -> None:
    x = Value(2.0, "x")
    y = (x + -0.0) * INF + NAN * 0.0 + 5e-324
    program = compile(y)
    assert program.inputs == (x,)
    assert "inf" in program.source and "nan" in program.source and "5e-324" in program.source
    check_replays(
        [lambda p: (p[0] + -0.0) * INF + NAN * 0.0 + 5e-324], [[2.0], [-0.0], [0.0], [-INF]]
    )


def test_program_is_exported() -> None:
    import autograd_lite.compiler as compiler

    assert compiler.Program is Program and compiler.compile is compile


def _layer(seed: int) -> Callable[[Pool], Value]:
    """A layer of 8-11 neurons over 8-12 inputs from the pool: runs of consumers of one shape,
    so the grad-table sums of its inputs, weights and biases are written over tuples."""

    def apply(pool: Pool) -> Value:
        rng = random.Random(seed)
        n, width = rng.randint(8, 12), rng.randint(8, 11)
        xs = _choose(pool, rng, n)
        bias = [None, rng.choice(pool), _c(rng)][rng.randrange(3)]
        outs = []
        for _ in range(width):
            z = functional.dot(_choose(pool, rng, n), xs, bias if rng.random() < 0.7 else None)
            outs.append(z.relu() if rng.random() < 0.6 else z * rng.choice(pool))
        return functional.sum(outs) if rng.random() < 0.5 else functional.dot(outs, outs[::-1])

    return apply


@pytest.mark.parametrize("seed", range(24))
def test_compile_wide_layers_sum_over_tuples_like_backward(seed: int) -> None:
    rng = random.Random(seed)
    ops = sorted(RULES)
    recipe: Recipe = [MAKERS[rng.choice(ops)](rng) for _ in range(3)]
    recipe += [_layer(rng.randrange(1 << 30)), MAKERS[rng.choice(ops)](rng)]
    recipe += [_layer(rng.randrange(1 << 30)), _layer(rng.randrange(1 << 30))]
    check_replays(recipe, _datasets(rng, 6, 5))


def test_compile_writes_long_sums_over_shared_tuples() -> None:
    # A layer's weights' sums run over the samples, its inputs' over the neurons: each is one
    # call over tuples, and a tuple used by several sums is built once.
    xs = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-2.0, 0.0, 1.0]] * 4
    ys = [1.0, -1.0, 0.5] * 4

    def objective(model: nn.MLP) -> Value:
        return losses.mse([model(x) for x in xs], ys)

    compiled, dynamic = nn.MLP(3, [9, 9, 1], seed=2), nn.MLP(3, [9, 9, 1], seed=2)
    program = compile(objective(compiled))
    source = program.source
    assert "sum(map(mul, T" in source
    shared = re.findall(r"^    (T\d+) = ", source, re.MULTILINE)
    assert shared and all(len(re.findall(rf"\b{t}\b", source)) >= 3 for t in shared)
    loss = objective(dynamic)
    loss.backward()
    assert same(program.run(), loss.data)
    for p, q in zip(dynamic.parameters(), compiled.parameters()):
        assert same(p.grad, q.grad)


def test_compile_grad_sums_over_tuples_only_where_sum_adds_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Python 3.12's sum compensates the rounding: there the grad table's sums are written out.
    leaves = fresh([1.0, 2.0, -1.0, 0.5])
    source = compile(build([_layer(7)], leaves)).source
    backward = source[source.index("backward pass") :]
    assert ("map(mul" in backward) == sums.SEQUENTIAL_SUM
    monkeypatch.setattr(sums, "RUNS_OVER_TUPLES", sys.maxsize)
    source = compile(build([_layer(7)], fresh([1.0, 2.0, -1.0, 0.5]))).source
    assert "map(mul" not in source[source.index("backward pass") :]
    check_replays([_layer(7), _layer(8)], _datasets(random.Random(3), 4, 4))


def test_compile_relu_row_keeps_0_plus_where_the_grad_may_be_minus_zero() -> None:
    # The root row of an n-ary root with distinct parents is stored bare (it may be -0.0): the
    # relu below it keeps its `0.0 +`; a grad summed from 0.0 does not need it.
    recipe: Recipe = [
        lambda p: functional.dot([p[0].relu(), p[1], p[2]], [p[3], p[4], p[5]]),
    ]
    check_replays(
        recipe,
        [
            [1.0, 2.0, 3.0, -0.0, 1.0, 1.0],
            [-1.0, 0.0, 1.0, -0.0, -0.0, 2.0],
            [NAN, 1.0, 1.0, INF, 0.0, -0.0],
        ],
    )
    x, w = Value(1.0, "x"), Value(-0.0, "w")
    h = x.relu()
    source = compile(h * w + 1.0).source
    assert "0.0 if x <= 0.0 else" in source.replace("(", "").replace(")", "")


def test_a_program_keeps_no_node_of_its_graph_alive() -> None:
    # fit(compile=True) keeps programs: each holds its inputs and text, not the traced graph.
    model = nn.MLP(2, [4, 1], seed=0)
    loss = losses.mse([model([0.5, -1.0]), model([1.0, 2.0])], [1.0, 0.0])
    graph = weakref.ref(loss)
    program = compile(loss)
    program.run(grad=False)  # the forward-only program is written from the kept text
    del loss
    gc.collect()
    assert graph() is None
    assert program.run() > 0.0


def test_compile_labels_named_like_the_programs_globals() -> None:
    # Labels that are the names the program calls (sum, mul, map, ZERO, ...) or would give its
    # tuples and temporaries (T1, t1): nodes are renamed, each global is bound once.
    labels = ["sum", "mul", "map", "T1", "t1", "g_v1", "ZERO", "v1", "data", "inf", "nan", "T2"]
    recipe: Recipe = [
        lambda p: (
            functional.sum([functional.dot(p[12:], p[:12], p[j]).relu() for j in range(9)]).tanh()
            * p[10]
        )
    ]
    data = [0.1 * (i + 1) for i in range(12)] + [-0.2 * (i + 1) for i in range(12)]
    check_replays(recipe, [data, [-x for x in data]], labels)
    program = compile(build(recipe, fresh(data, labels)))
    namespace = program._namespace
    assert len({id(v) for v in namespace.values()}) == len(namespace)
    assert "map(" in program.source


def test_compile_micrograd_style_model_is_bit_exact() -> None:
    # micrograd's neuron adds its bias first (b + w₁x₁ + …); the compiled program follows each
    # node's own order, so with non-zero biases it still gives the model's floats exactly.
    import autograd_lite.micrograd as mg

    random.seed(1)
    model = mg.nn.MLP(3, [8, 8, 1])
    for p in model.parameters():
        p.data += 0.1
    rng = random.Random(2)
    for _ in range(20):
        xs = [Value(rng.uniform(-2, 2)) for _ in range(3)]
        out = model(xs)
        program = compile(out, wrt=model.parameters())
        assert program.run(grad=False) == out.data
        model.zero_grad()
        out.backward()
        want = [p.grad for p in model.parameters()]
        model.zero_grad()
        assert program.run() == out.data
        assert [p.grad for p in model.parameters()] == want


def test_compile_run_in_threads_leaves_the_garbage_collector_alone() -> None:
    x = Value(0.3, label="x")
    program = compile((x * x).tanh() + x.relu() * 2.0)
    states: list[bool] = []

    def work() -> None:
        for _ in range(3000):
            program.run()
            states.append(gc.isenabled())

    in_threads(work, work, work, work)
    assert gc.isenabled() and all(states) and len(states) == 12000
