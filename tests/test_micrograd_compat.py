"""autograd_lite.micrograd against micrograd 0.1.0: its programs run with the import changed.

The programs in tests/micrograd_programs are written for micrograd; `programs.load` runs them
as they are (micrograd, where installed) or with `micrograd` replaced by
`autograd_lite.micrograd` in the imports, and nothing else changed.
"""

from __future__ import annotations

import importlib.util
import json
import math
import random
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import autograd_lite
from autograd_lite import core, grad, gradcheck, optim
from autograd_lite.micrograd.engine import Value
from autograd_lite.micrograd.nn import MLP, Layer, Module, Neuron

PROGRAMS = Path(__file__).parent / "micrograd_programs"
_spec = importlib.util.spec_from_file_location("micrograd_programs", PROGRAMS / "programs.py")
assert _spec is not None and _spec.loader is not None
programs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(programs)

RTOL = 1e-9


def close(a: float, b: float, rtol: float = RTOL) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-300)


def assert_all_close(got: Sequence[float], want: Sequence[float], what: str) -> None:
    assert len(got) == len(want), what
    for i, (g, w) in enumerate(zip(got, want)):
        assert close(g, w), f"{what}[{i}]: {g!r} != {w!r}"


def nodes(root: Any) -> Iterator[Any]:
    """Every node below `root`, found through `_prev` only (what micrograd code does)."""
    seen: set[Any] = set()
    stack = [root]
    while stack:
        v = stack.pop()
        if v not in seen:
            seen.add(v)
            yield v
            stack.extend(v._prev)


def needs_micrograd() -> Any:
    return pytest.importorskip("micrograd.engine")


# --------------------------------------------------------------------------- Value


def test_value_signature_repr_and_fields() -> None:
    a = Value(2.0, (), "", label="a")
    assert repr(a) == "Value(data=2.0, grad=0.0)"
    assert (a.data, a.grad, a.label, a._op, a._prev) == (2.0, 0.0, "a", "", set())
    assert isinstance(a, autograd_lite.Value)
    b = Value(3)
    assert b.data == 3.0 and type(b.data) is float


def test_value_ops_have_micrograds_names_and_shapes() -> None:
    a, b = Value(2.0), Value(-4.0)
    assert (a + b)._op == "+" and (a + b)._prev == {a, b}
    assert (a * b)._op == "*"
    assert (a**2)._op == "**2" and (a**2)._prev == {a}
    assert (a**-1)._op == "**-1" and (a**0.5)._op == "**0.5"
    assert a.relu()._op == "ReLU" and a.tanh()._op == "tanh" and a.exp()._op == "exp"
    neg = -a  # micrograd's -a is a * -1
    assert neg._op == "*" and sorted(p.data for p in neg._prev) == [-1.0, 2.0]
    sub = a - b  # a + (-b)
    assert sub._op == "+" and a in sub._prev and {p._op for p in sub._prev} == {"", "*"}
    div = a / b  # a * b**-1
    assert div._op == "*" and {p._op for p in div._prev} == {"", "**-1"}
    assert (a + a)._prev == {a}


def test_value_every_node_is_compat_including_constants() -> None:
    x = Value(0.5)
    y = ((1 - x) * 3 + 2 / x - x / 4 + 2**x + x**2 - (-x)).relu() + (5 + x).tanh().exp()
    y = y.sigmoid().log() + y.softplus().sqrt() + abs(x.sin() * x.cos()) + x.leaky_relu()
    found = list(nodes(y))
    assert len(found) > 30
    for v in found:
        assert isinstance(v, Value), v
        assert isinstance(v._prev, set) and isinstance(v._op, str)
    constants = [v for v in found if isinstance(v, core.Constant)]
    assert constants and all(v._prev == set() and v._op == "" for v in constants)


def test_value_all_engine_methods_return_compat_values() -> None:
    x = Value(0.3)
    checked = []
    for name in dir(core.Value):
        attr = getattr(core.Value, name)
        if name.startswith("_") or not callable(attr):
            continue
        ret = getattr(attr, "__annotations__", {}).get("return")
        if ret not in ("Value", core.Value):
            continue
        args = (0.0, 1.0) if name == "clamp" else ()
        out = getattr(x, name)(*args)
        assert type(out) is Value, name
        checked.append(name)
    assert {"exp", "tanh", "relu", "log", "detach"} <= set(checked)


def test_value_gradients_match_hand_derivatives() -> None:
    a, b = Value(3.0), Value(-2.0)
    c = a * b + a / b - b**3 + (a - b).relu()  # ∂/∂a = b + 1/b + 1, ∂/∂b = a - a/b² - 3b² - 1
    c.backward()
    assert close(c.data, -6.0 - 1.5 + 8.0 + 5.0)
    assert close(a.grad, -2.0 - 0.5 + 1.0)
    assert close(b.grad, 3.0 - 0.75 - 12.0 - 1.0)


def test_value_backward_twice_doubles_not_compounds() -> None:
    x = Value(3.0)
    y = (x * x) * 2.0
    y.backward()
    once = x.grad
    y.backward()
    assert once == 12.0 and x.grad == 24.0


def test_value_backward_twice_micrograd_compounds() -> None:
    mg = needs_micrograd()
    x = mg.Value(3.0)
    y = (x * x) * 2.0
    y.backward()
    y.backward()
    assert x.grad == 36.0  # micrograd: more than twice 12, the bug the compat layer avoids


def test_value_backward_step_by_step() -> None:
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + 1
    d.grad = 1.0
    d._backward()  # the lecture's manual chain rule, one node at a time
    c._backward()
    assert (c.grad, a.grad, b.grad) == (1.0, -3.0, 2.0)


def test_value_hand_made_node_without_closure_passes_no_gradient() -> None:
    a, b = Value(2.0), Value(5.0)
    c = Value(7.0, (a, b), "+", label="c")
    assert c._prev == {a, b} and c._op == "+" and c.label == "c"
    c.backward()
    assert (c.grad, a.grad, b.grad) == (1.0, 0.0, 0.0)
    assert c.op == "+ (by hand)" and c.parents == (a, b)  # not the rule '+': refused, not guessed
    with pytest.raises(ValueError, match=r"op '\+ \(by hand\)'"):
        grad(c, [a], create_graph=True)
    leaf = Value(1.0, (), "input")
    assert leaf._op == "input" and leaf._prev == set() and leaf.op == ""


def _sig(self: Any) -> Any:
    """The lecture's way of adding an op to micrograd: a node and a closure."""
    s = 1 / (1 + math.exp(-self.data))
    out = type(self)(s, (self,), "sig")

    def _backward() -> None:
        self.grad += s * (1 - s) * out.grad

    out._backward = _backward
    return out


def test_value_an_op_added_the_micrograd_way_is_an_ordinary_node() -> None:
    x, w = Value(0.4, label="x"), Value(-1.3, label="w")
    y = (_sig(x * w) * 3 + x).tanh()
    y.backward()
    s = 1 / (1 + math.exp(0.52))
    dy = 1 - y.data**2
    assert close(x.grad, dy * (3 * s * (1 - s) * -1.3 + 1))
    assert close(w.grad, dy * 3 * s * (1 - s) * 0.4)
    node = y.parents[0].parents[0].parents[0]
    assert node.op == "sig" and node._op == "sig" and node.local_grads == (s * (1 - s),)
    assert grad(y, [w]) == [w.grad]
    assert sum(r.product for r in autograd_lite.routes(y, x)) == pytest.approx(x.grad)
    assert "sig" in autograd_lite.draw_dot(y).source
    y.backward()  # a second backward adds the same gradients again
    assert close(w.grad, 2 * dy * 3 * s * (1 - s) * 0.4)
    with pytest.raises(ValueError, match="op 'sig'"):
        grad(y, [x], create_graph=True)
    with pytest.raises(ValueError, match="op 'sig'"):
        autograd_lite.compile(y)


def test_value_an_op_added_the_micrograd_way_with_numpy_records_plain_floats() -> None:
    np = pytest.importorskip("numpy")
    x = Value(0.4)
    s = 1 / (1 + np.exp(-0.4))  # a NumPy float64, as a learner's sigmoid may give
    out = Value(s, (x,), "sig")

    def _backward() -> None:
        x.grad += s * (1 - s) * out.grad

    out._backward = _backward
    assert out.local_grads == (float(s * (1 - s)),) and type(out.local_grads[0]) is float
    y = out * 2.0
    y.backward()
    assert type(x.grad) is float and x.grad == 2.0 * float(s * (1 - s))
    assert type(grad(y, [x])[0]) is float


def test_value_an_op_added_the_micrograd_way_must_add_numbers() -> None:
    x = Value(0.4)
    out = Value(2.0, (x,), "twice")

    def _backward() -> None:
        x.grad += out * 2.0  # a Value, not a number: a slip the engine names

    with pytest.raises(TypeError, match="_backward of op 'twice' added Value"):
        out._backward = _backward


def test_value_an_op_added_the_micrograd_way_matches_micrograd() -> None:
    mg = needs_micrograd()
    values = {}
    for cls in (Value, mg.Value):
        a, b = cls(0.7), cls(-0.2)
        out = _sig(a * b + a) * b
        out.backward()
        values[cls] = (out.data, a.grad, b.grad)
    assert_all_close(values[Value], values[mg.Value], "sig")


def test_value_pow_keeps_micrographs_op_text() -> None:
    assert (Value(3.0) ** 2.0)._op == "**2.0" and (Value(3.0) ** 2)._op == "**2"


def test_value_bad_input_errors() -> None:
    with pytest.raises(TypeError, match="str"):
        Value("3")
    with pytest.raises(TypeError, match="child 1 is int"):
        Value(1.0, (Value(1.0), 2))
    with pytest.raises(TypeError, match=r"unsupported operand for '\*': str"):
        Value(1.0) * "x"
    with pytest.raises(TypeError, match="unsupported operand for '-'"):
        Value(1.0) - None  # type: ignore[operator]


def test_value_division_by_zero_follows_ieee() -> None:
    assert (Value(1.0) / 0).data == math.inf  # micrograd: ZeroDivisionError
    assert math.isnan((Value(-1.0) ** 0.5).data)  # micrograd: a complex number


def test_value_works_with_autograd_lite_tools() -> None:
    x, y = Value(0.7, label="x"), Value(-1.3, label="y")
    z = (x * y + x**2).tanh()
    assert close(grad(z, [x])[0], (1 - z.data**2) * (y.data + 2 * x.data))
    assert gradcheck(lambda p, q: (p * q + p**2).tanh(), [Value(0.7), Value(-1.3)])
    (d2,) = grad(grad(x**3, [x], create_graph=True)[0], [x])
    assert close(d2, 6 * 0.7)
    source = autograd_lite.draw_dot(z).source
    assert "x" in source and "tanh" in source
    opt = optim.SGD([x, y], lr=0.1)
    z.backward()
    gx = x.grad
    opt.step()
    assert close(x.data, 0.7 - 0.1 * gx)


# --------------------------------------------------------------------------- nn


def test_nn_reprs_are_micrograds() -> None:
    random.seed(0)
    model = MLP(2, [2, 1])
    assert repr(model) == (
        "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(2)]]"
    )
    assert repr(Neuron(3, nonlin=False)) == "LinearNeuron(3)"
    assert repr(Layer(1, 2)) == "Layer of [ReLUNeuron(1), ReLUNeuron(1)]"


def test_nn_initialisation_draws_from_global_random() -> None:
    random.seed(7)
    model = MLP(3, [4, 2])
    random.seed(7)
    expected = []
    for nin, nout in ((3, 4), (4, 2)):
        for _ in range(nout):
            expected += [random.uniform(-1, 1) for _ in range(nin)] + [0.0]
    assert [p.data for p in model.parameters()] == expected
    assert all(isinstance(p, Value) for p in model.parameters())


def test_nn_neuron_output_is_micrograds_sum() -> None:
    n = Neuron(3, nonlin=False)
    n.b.data = 0.25
    x = [1.5, -2.0, 0.5]
    expected = n.b.data
    for w, xi in zip(n.w, x):
        expected = expected + w.data * xi  # b + w0 x0 + w1 x1 + w2 x2, left to right
    out = n(x)
    assert out.data == expected
    out.backward()
    assert [w.grad for w in n.w] == x and n.b.grad == 1.0
    assert all(isinstance(v, Value) for v in nodes(out))


def test_nn_layer_returns_value_for_one_output() -> None:
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    out = Layer(2, 3)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3


def test_nn_mlp_with_hidden_layer_of_one() -> None:
    model = MLP(2, [1, 2])  # micrograd fails here: a single Value reaches the next layer
    out = model([0.5, 0.5])
    assert isinstance(out, list) and len(out) == 2


def test_nn_bad_inputs() -> None:
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        MLP(2, [3, 1])([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="needs a list of 2"):
        Neuron(2)(1.0)
    with pytest.raises(TypeError, match="unsupported operand"):
        Layer(2, 2)([1.0, "a"])
    with pytest.raises(ValueError, match="nin must be a positive int"):
        Neuron(0)


def test_nn_state_dict_names_are_autograd_lites() -> None:
    random.seed(3)
    model = MLP(2, [3, 1])
    native = autograd_lite.nn.MLP(2, [3, 1], seed=0)
    assert list(model.state_dict()) == list(native.state_dict())
    native.load_state_dict(model.state_dict())
    x = [0.3, -0.8]
    assert close(native(x).data, model(x).data, 1e-15)


def test_nn_zero_grad_and_user_module() -> None:
    class Pair(Module):
        def __init__(self) -> None:
            self.a, self.b = Value(1.0), Value(2.0)

        def parameters(self) -> list[core.Value]:
            return [self.a, self.b]

    m = Pair()
    (m.a * m.b).backward()
    assert (m.a.grad, m.b.grad) == (2.0, 1.0)
    m.zero_grad()
    assert (m.a.grad, m.b.grad) == (0.0, 0.0)
    assert m.state_dict() == {"0": 1.0, "1": 2.0}
    assert Module().parameters() == []


def test_nn_trains_with_fit_and_optimisers() -> None:
    random.seed(2)
    model = MLP(2, [8, 1])
    X, y = autograd_lite.data.make_moons(40, noise=0.1, seed=0)
    labels = [2 * t - 1 for t in y]
    opt = optim.Adam(model.parameters(), lr=0.05)
    history = autograd_lite.fit(
        model, X, labels, loss=autograd_lite.losses.hinge, optimizer=opt, epochs=30, progress=False
    )
    assert history["loss"][-1] < 0.5 * history["loss"][0]


# --------------------------------------------------------------------------- micrograd's programs


def test_program_rewrite_changes_only_imports() -> None:
    for name in ("demo_moons.py", "readme_example.py", "engine_checks.py", "draw_graph.py"):
        before = programs.source(name, "micrograd").splitlines()
        after = programs.source(name, "autograd_lite").splitlines()
        changed = [(a, b) for a, b in zip(before, after) if a != b]
        assert changed and len(before) == len(after)
        assert all(b == a.replace(" micrograd", " autograd_lite.micrograd") for a, b in changed)


def test_readme_example_gives_the_readmes_numbers() -> None:
    g, a, b = programs.load("readme_example.py", "autograd_lite")["run"]()
    assert (f"{g.data:.4f}", f"{a.grad:.4f}", f"{b.grad:.4f}") == (
        "24.7041",
        "138.8338",
        "645.5773",
    )


def test_readme_example_matches_micrograd() -> None:
    needs_micrograd()
    results = {e: programs.load("readme_example.py", e)["run"]() for e in programs.ENGINES}
    (g, a, b), (mg, ma, mb) = results["autograd_lite"], results["micrograd"]
    assert_all_close([g.data, a.grad, b.grad], [mg.data, ma.grad, mb.grad], "readme")


@pytest.mark.parametrize("check", ["sanity", "more_ops"])
def test_engine_checks_match_micrograd(check: str) -> None:
    needs_micrograd()
    got = {}
    for e in programs.ENGINES:
        out, inputs = programs.load("engine_checks.py", e)[check]()
        got[e] = [out.data, *(x.grad for x in inputs)]
    assert_all_close(got["autograd_lite"], got["micrograd"], check)


@pytest.mark.parametrize("test", ["test_sanity_check", "test_more_ops"])
def test_engine_checks_pass_against_torch(test: str) -> None:
    pytest.importorskip("torch")
    programs.load("engine_checks.py", "autograd_lite")[test]()


def _demo_run(engine: str, points: int, steps: int, record: Sequence[int]) -> Any:
    program = programs.load("demo_moons.py", engine)
    X, y = program["make_moons"](points)
    random.seed(1337)
    model = program["MLP"](2, [16, 16, 1])
    initial = [p.data for p in model.parameters()]
    history = program["train"](model, X, y, steps, record)
    return initial, history, [p.data for p in model.parameters()]


def test_demo_matches_micrograd_reference_run() -> None:
    reference = json.loads((PROGRAMS / "demo_reference.json").read_text(encoding="utf-8"))
    record = [int(k) for k in reference["grads"]]
    initial, history, final = _demo_run(
        "autograd_lite", reference["points"], reference["steps"], record
    )
    assert initial == reference["initial_parameters"]  # the same draws from random
    assert_all_close(history["loss"], reference["loss"], "loss")
    assert history["accuracy"] == reference["accuracy"]
    for k in record:
        assert_all_close(history["grads"][k], reference["grads"][str(k)], f"grads at step {k}")
    assert_all_close(final, reference["final_parameters"], "final parameters")
    assert history["loss"][-1] < 0.02 and history["accuracy"][-1] == 1.0


def test_demo_matches_micrograd_live() -> None:
    needs_micrograd()
    runs = {e: _demo_run(e, 12, 2, [0, 1]) for e in programs.ENGINES}
    (i1, h1, f1), (i2, h2, f2) = runs["autograd_lite"], runs["micrograd"]
    assert i1 == i2
    assert_all_close(h1["loss"], h2["loss"], "loss")
    for k in (0, 1):
        assert_all_close(h1["grads"][k], h2["grads"][k], f"grads at step {k}")
    assert_all_close(f1, f2, "final parameters")


_NODE = re.compile(r'^\s*"?([^\s"\[]+)"?\s*\[label="?(.*?)"?\s*(shape=record)?\]$')
_EDGE = re.compile(r'^\s*"?([^\s"]+)"?\s*->\s*"?([^\s"]+)"?$')


def _drawing(source: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The node labels and the edges (as label pairs) of a DOT text: its shape without ids."""
    labels: dict[str, str] = {}
    edges = []
    for line in source.splitlines():
        if m := _NODE.match(line):
            labels[m.group(1)] = m.group(2)
        elif m := _EDGE.match(line):
            edges.append((m.group(1), m.group(2)))
    return sorted(labels.values()), sorted((labels[a], labels[b]) for a, b in edges)


@pytest.mark.parametrize("example", ["neuron", "expression"])
def test_lecture_drawing_code_matches_micrograd(example: str) -> None:
    needs_micrograd()
    drawings = {}
    for e in programs.ENGINES:
        program = programs.load("draw_graph.py", e)
        drawings[e] = _drawing(program["draw_dot"](program[example]()).source)
    node_labels, edges = drawings["autograd_lite"]
    assert len(node_labels) > 8 and len(edges) >= len(node_labels) - 1
    if example == "neuron":
        assert drawings["autograd_lite"] == drawings["micrograd"]
        return

    # micrograd fills in a gradient for the number literals (the 1 in c + 1); here a literal
    # never gets one, so the drawings agree in everything but those grads
    def no_grads(drawing: Any) -> Any:
        strip = lambda t: re.sub(r"grad [-0-9.]+", "grad ?", t)  # noqa: E731
        return sorted(map(strip, drawing[0])), sorted((strip(a), strip(b)) for a, b in drawing[1])

    assert no_grads(drawings["autograd_lite"]) == no_grads(drawings["micrograd"])


def test_lecture_drawing_code_shows_the_neuron() -> None:
    program = programs.load("draw_graph.py", "autograd_lite")
    node_labels, edges = _drawing(program["draw_dot"](program["neuron"]()).source)
    assert node_labels.count("ReLU") == 1 and node_labels.count("*") == 2
    assert "{ data 0.8814 | grad 1.0000 }" in node_labels  # relu(n) = n = 0.8814, the output
    assert ("{ data 2.0000 | grad -3.0000 }", "*") in edges  # x1: ∂o/∂x1 = w1 = -3


def _load_lecture() -> dict[str, Callable[..., Any]]:
    spec = importlib.util.spec_from_file_location("lecture_neuron", PROGRAMS / "lecture_neuron.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def test_lecture_expression_gradients() -> None:
    L, (a, b, c, d, e, f) = _load_lecture()["expression"]()
    assert L.data == -8.0 and L.label == "L"
    assert [v.grad for v in (a, b, c, d, e, f)] == [6.0, -4.0, -2.0, -2.0, -2.0, 4.0]


@pytest.mark.parametrize("through_exp", [False, True])
def test_lecture_neuron_gradients(through_exp: bool) -> None:
    o, (x1, x2, w1, w2) = _load_lecture()["neuron"](through_exp)
    assert close(o.data, math.sqrt(0.5), 1e-12)  # b was chosen so that n = atanh(1/√2)
    # ∂o/∂n = 1 - o² = 1/2, so ∂o/∂x1 = w1/2, ∂o/∂w1 = x1/2, ∂o/∂x2 = w2/2, ∂o/∂w2 = x2/2
    for got, want in zip((x1.grad, w1.grad, x2.grad, w2.grad), (-1.5, 1.0, 0.5, 0.0)):
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)
    assert "o" in autograd_lite.draw_dot(o).source
