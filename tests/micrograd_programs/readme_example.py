"""The expression of micrograd's README, with the numbers the README prints.

Written against micrograd 0.1.0; the tests run it with the import rewritten to
autograd_lite.micrograd and compare the results.
"""

from micrograd.engine import Value


def run():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return g, a, b


if __name__ == "__main__":
    g, a, b = run()
    print(f"{g.data:.4f}")  # the forward pass: 24.7041
    print(f"{a.grad:.4f}")  # dg/da: 138.8338
    print(f"{b.grad:.4f}")  # dg/db: 645.5773
