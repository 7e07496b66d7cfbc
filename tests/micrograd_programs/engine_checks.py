"""Checks in the style of micrograd's test_engine.py: build an expression with Value, build
the same one with PyTorch tensors, and compare the output and the input gradients.

Written against micrograd 0.1.0; the tests run it as it is and with the import rewritten.
"""

from micrograd.engine import Value


def sanity():
    x = Value(-3.0)
    z = 3 * x - 2 + x * x
    q = z.relu() + z * x
    h = (z * -z).relu() + (x * x).relu()
    y = h + q * x + q
    y.backward()
    return y, [x]


def sanity_torch(torch):
    x = torch.tensor([-3.0], dtype=torch.float64, requires_grad=True)
    z = 3 * x - 2 + x * x
    q = z.relu() + z * x
    h = (z * -z).relu() + (x * x).relu()
    y = h + q * x + q
    y.backward()
    return y, [x]


def more_ops():
    a = Value(-2.0)
    b = Value(3.0)
    c = a - b
    d = a * b + b**2
    c += c * 2 + 1
    c += 2 - c + (-a)
    d += d / 3 + (a - b).relu()
    d += 2 * d + (b - a).relu()
    e = c * d - d
    f = e**2
    g = f / 4.0
    g += 5.0 / f
    g += (a * a + 1) ** 0.5 - 1 / b
    g.backward()
    return g, [a, b]


def more_ops_torch(torch):
    a = torch.tensor([-2.0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([3.0], dtype=torch.float64, requires_grad=True)
    c = a - b
    d = a * b + b**2
    c = c + c * 2 + 1
    c = c + 2 - c + (-a)
    d = d + d / 3 + (a - b).relu()
    d = d + 2 * d + (b - a).relu()
    e = c * d - d
    f = e**2
    g = f / 4.0
    g = g + 5.0 / f
    g = g + (a * a + 1) ** 0.5 - 1 / b
    g.backward()
    return g, [a, b]


def test_sanity_check():
    import torch

    y, xs = sanity()
    yt, xts = sanity_torch(torch)
    assert abs(y.data - yt.item()) <= 1e-12 * abs(yt.item())
    for x, xt in zip(xs, xts):
        assert abs(x.grad - xt.grad.item()) <= 1e-12 * abs(xt.grad.item())


def test_more_ops():
    import torch

    g, xs = more_ops()
    gt, xts = more_ops_torch(torch)
    assert abs(g.data - gt.item()) <= 1e-12 * abs(gt.item())
    for x, xt in zip(xs, xts):
        assert abs(x.grad - xt.grad.item()) <= 1e-12 * abs(xt.grad.item())
