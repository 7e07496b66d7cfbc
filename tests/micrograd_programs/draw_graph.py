"""Drawing a graph the way the lecture notebook does: walk `_prev` from the output, draw a
record per Value and a small node per `_op`.

Written against micrograd 0.1.0 (no labels there); the tests run it as it is and with the
import rewritten, and compare the drawings.
"""

from graphviz import Digraph
from micrograd.engine import Value


def trace(root):
    """Every node below `root` and every (input, output) edge, found through `_prev`."""
    nodes, edges = set(), set()

    def visit(v):
        if v in nodes:
            return
        nodes.add(v)
        for child in v._prev:
            edges.add((child, v))
            visit(child)

    visit(root)
    return nodes, edges


def draw_dot(root):
    dot = Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label=f"{{ data {n.data:.4f} | grad {n.grad:.4f} }}", shape="record")
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for child, parent in edges:
        dot.edge(str(id(child)), str(id(parent)) + parent._op)
    return dot


def neuron():
    """A two-input relu neuron, backpropagated."""
    x1, x2 = Value(2.0), Value(0.0)
    w1, w2 = Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    o = n.relu()
    o.backward()
    return o


def expression():
    """Every op micrograd has: + - * / ** relu, numbers on either side."""
    a, b = Value(1.5), Value(-2.0)
    c = (a * b + 1) ** 2 - a / b
    d = (2 - c).relu() + 3 / (a + 4) - b**3
    d.backward()
    return d


if __name__ == "__main__":
    print(draw_dot(neuron()).source)
