"""Every gradient a user receives is a plain `float` (a `Value` under `create_graph`).

Not a float subclass, not an int, not an internal marker: `type(g) is float`, for every rule of
the table through its public forms at ordinary and edge points (so absent edges and nodes that
receive no term occur), and for every place a gradient reaches the user: `.grad` after
`backward()`, `grad()`, `grad(create_graph=True)`'s `.data`, compiled programs, `jacobian`,
routes, `check_by_hand`'s report, a model's parameters after `fit` and the optimisers' state.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Iterable
from typing import Any

import pytest
from helpers import EDGES, FEW, VARIANTS, RuleForm, around, build, forms_of

import autograd_lite
from autograd_lite import Value, check_by_hand, functional, grad, losses, nn, optim, routes
from autograd_lite.core import graph, topological_order
from autograd_lite.core.rules import RULES
from autograd_lite.micrograd.engine import Value as MicrogradValue

# The engine's internal markers: none of them may ever reach a user. (The module of `grad`,
# which the package's `grad` function hides as an attribute.)
_grad_module = importlib.import_module("autograd_lite.core.grad")
SENTINELS = (graph.NO_TERM, graph.LITERAL, graph.MANY, _grad_module._ONE)


def assert_plain(x: object, what: str) -> None:
    """`x` is a plain float, and none of the engine's markers."""
    assert not any(x is s for s in SENTINELS), f"{what}: an internal marker {x!r}"
    assert type(x) is float, f"{what}: {type(x).__name__} {x!r}, not a plain float"


def assert_all_plain(xs: Iterable[object], what: str) -> None:
    for i, x in enumerate(xs):
        assert_plain(x, f"{what}[{i}]")


def sample_points(form: RuleForm, count: int = 60) -> list[tuple[float, ...]]:
    """The form's points of one input; else those made of `FEW` only, at most `count` of
    them (seeded): every kind of edge, in a few seconds for every rule."""
    points = [p for p in form.points if len(p) == 1 or all(x in FEW or x != x for x in p)]
    if len(points) > count:
        points = random.Random(form.name).sample(points, count)
    return points


def check_every_path(root: Value, leaves: list[Value], where: str) -> None:
    """Every number a user can read off this graph, each a plain float."""
    nodes = topological_order(root)
    for k, node in enumerate(nodes):
        assert_plain(node.data, f"{where}: node {k} ({node.op}) .data")
        assert_all_plain(node.local_grads, f"{where}: node {k} ({node.op}) .local_grads")
        for _, d in node.edges:
            assert d is None or type(d) is float, f"{where}: an edge's derivative {d!r}"

    grads = grad(root, leaves)
    assert_all_plain(grads, f"{where}: grad()")
    for v in leaves:
        v.grad = 0.0
    root.backward()
    assert_all_plain([v.grad for v in leaves], f"{where}: leaf .grad after backward()")
    assert_all_plain([v.grad for v in nodes], f"{where}: node .grad after backward()")

    firsts = grad(root, leaves, create_graph=True)
    for i, g in enumerate(firsts):
        assert isinstance(g, Value), f"{where}: create_graph gave {type(g).__name__}"
        assert_plain(g.data, f"{where}: grad(create_graph=True)[{i}].data")
    assert_all_plain(grad(firsts[0], leaves), f"{where}: a second derivative")

    program = autograd_lite.compile(root)
    for v in leaves:
        v.grad = 0.0
    assert_plain(program.run(), f"{where}: Program.run()")
    assert_all_plain([v.grad for v in leaves], f"{where}: leaf .grad after Program.run()")
    assert_plain(program.run(grad=False), f"{where}: Program.run(grad=False)")

    for row in functional.jacobian([root, root], leaves):
        assert_all_plain(row, f"{where}: jacobian row")

    in_graph = [v for v in leaves if v in set(nodes)]
    for v in in_graph:
        for r in routes(root, v):
            assert_all_plain(r.local_grads, f"{where}: a route's local_grads")
            assert_plain(r.product, f"{where}: a route's product")

    for claims in (dict(zip(leaves, grads)), {v: g + 1.0 for v, g in zip(leaves, grads)}):
        report = check_by_hand(root, {v: g for v, g in claims.items() if v in in_graph})
        for step in report.steps:
            assert_all_plain([step.claimed, step.implied, step.correct], f"{where}: a step")
            for t in step.terms:
                numbers = [t.upstream, t.upstream_correct, t.local, t.value]
                assert_all_plain(numbers, f"{where}: a term of a step")
        if report.first is not None:
            numbers = [report.claimed, report.expected, report.correct]
            assert_all_plain(numbers, f"{where}: the report's numbers")


def test_float_types_every_rule_has_public_forms() -> None:
    for rule in RULES:
        assert forms_of(rule)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_float_types_every_rule_at_edges_gives_plain_floats(rule: str) -> None:
    for form in forms_of(rule):
        for xs in sample_points(form):
            for variant in VARIANTS:
                out, leaves = build(form, xs)
                root, leaves = around(out, leaves, variant)
                check_every_path(root, leaves, f"{form.name} at {xs} ({variant})")


def test_float_types_a_leaf_that_receives_no_term_has_grad_zero_as_a_float() -> None:
    for make in (
        lambda x: x.relu(),  # relu at x < 0: the edge is absent
        lambda x: x.step(),  # step: never an edge
        lambda x: functional.maximum(x, 5.0),  # the unused side
        lambda x: x.clamp(0.0, 1.0),  # outside the range
        lambda x: x**0,  # x**0 is the constant 1
        lambda x: (x * 2.0).relu() * x.sign(),  # nothing reaches x by either route
    ):
        x, unused = Value(-1.0), Value(3.0)
        y = make(x)
        assert grad(y, [x, unused]) == [0.0, 0.0]
        assert_all_plain(grad(y, [x, unused]), "grad() of a leaf without a term")
        y.backward()
        assert_all_plain([x.grad, unused.grad], ".grad of a leaf without a term")
        firsts = grad(y, [x, unused], create_graph=True)
        assert_all_plain([g.data for g in firsts], "create_graph of a leaf without a term")
        program = autograd_lite.compile(y)
        x.grad = 0.0
        program.run()
        assert_plain(x.grad, "Program.run() .grad of a leaf without a term")


def test_float_types_backward_seeds_of_other_number_types_give_floats() -> None:
    np = pytest.importorskip("numpy")
    for seed in (2, True, np.float64(0.5), np.int64(3), np.float32(1.5), -0.0):
        x = Value(3.0)
        y = x * x
        y.backward(seed)
        assert_all_plain([x.grad, y.grad], f"backward({seed!r})")


def test_float_types_values_made_from_other_number_types_give_floats() -> None:
    np = pytest.importorskip("numpy")
    for number in (2, True, np.float64(0.5), np.int64(3), np.float32(1.5), 10**400):
        x = Value(number)
        y = functional.maximum(x * number, 1) + 2**x
        assert_plain(y.data, f"data from {number!r}")
        assert_all_plain(grad(y, [x]), f"grad at {number!r}")
        assert_all_plain(y.local_grads, f"local_grads at {number!r}")


def test_float_types_micrograd_values_and_a_hand_made_op_give_floats() -> None:
    np = pytest.importorskip("numpy")
    x = MicrogradValue(2)  # micrograd keeps ints; this door stores floats

    def sig(v: MicrogradValue) -> MicrogradValue:
        s = 1 / (1 + np.exp(-v.data))  # a learner's op in micrograd's way, with NumPy
        out = MicrogradValue(s, (v,), "sig")

        def _backward() -> None:
            v.grad += s * (1 - s) * out.grad

        out._backward = _backward
        return out

    y = sig(x * 3 + 1) ** 2
    assert_plain(y.data, "micrograd .data")
    assert_all_plain(y.local_grads, "micrograd local_grads")
    for node in topological_order(y):
        assert_plain(node.data, f"micrograd node {node._op} .data")
        assert_all_plain(node.local_grads, f"micrograd node {node._op} local_grads")
    y.backward()
    assert_plain(x.grad, "micrograd .grad")
    assert_all_plain(grad(y, [x]), "grad() through a hand-made op")


def _trained(optimizer: str, compile: bool) -> tuple[nn.MLP, Any]:
    X, labels = autograd_lite.data.make_moons(16, noise=0.1, seed=1)
    y = [2 * t - 1 for t in labels]  # hinge wants ±1
    model = nn.MLP(2, [4, 1], seed=0)
    params = model.parameters()
    opt = {
        "sgd": lambda: optim.SGD(params, lr=0.1),
        "momentum": lambda: optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-3),
        "adam": lambda: optim.Adam(params, lr=0.01, weight_decay=1e-3),
        "adamw": lambda: optim.AdamW(params, lr=0.01),
    }[optimizer]()
    autograd_lite.fit(
        model, X, y, loss=losses.hinge, optimizer=opt, epochs=2, batch_size=8,
        progress=False, compile=compile,
    )  # fmt: skip
    return model, opt


@pytest.mark.parametrize("compile", [False, True])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "adamw"])
def test_float_types_parameters_and_optimiser_state_after_fit(
    optimizer: str, compile: bool
) -> None:
    model, opt = _trained(optimizer, compile)
    for name, p in model.named_parameters():
        assert_plain(p.grad, f"{name}.grad after fit")
        assert_plain(p.data, f"{name}.data after fit")
    assert_all_plain(model.state_dict().values(), "state_dict()")
    state = {
        "_buffers": getattr(opt, "_buffers", None) or [],
        "_m": getattr(opt, "_m", []),
        "_v": getattr(opt, "_v", []),
    }
    for key, values in state.items():
        assert_all_plain(values, f"{optimizer} {key}")
    if optimizer == "momentum":
        assert state["_buffers"], "momentum keeps a buffer per parameter"
    if optimizer.startswith("adam"):
        assert state["_m"] and state["_v"]


def test_float_types_fit_history_is_floats() -> None:
    X, y = autograd_lite.data.make_xor()
    model = nn.MLP(2, [4, 1], seed=0)
    history = autograd_lite.fit(
        model, X, y, loss=losses.mse, optimizer=optim.SGD(model.parameters(), lr=0.1),
        epochs=2, progress=False,
    )  # fmt: skip
    assert_all_plain(history.loss, "history.loss")
    assert_all_plain(history.accuracy, "history.accuracy")


@pytest.mark.parametrize("x0", EDGES)
def test_float_types_grad_of_a_leaf_itself_and_of_a_constant(x0: float) -> None:
    x = Value(x0)
    assert_all_plain(grad(x, [x]), "∂x/∂x")
    (one,) = grad(x, [x], create_graph=True)
    assert_plain(one.data, "∂x/∂x under create_graph")
    assert_all_plain(grad(one, [x]), "∂(∂x/∂x)/∂x")
    literal = (x * 3.0).parents[1]  # the number 3 as a node
    assert_all_plain(grad(literal, [x, literal]), "grad of a number literal")
