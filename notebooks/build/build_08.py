"""Builds notebooks/08_beyond_first_order.ipynb; run from the repository root:

    .venv/bin/python notebooks/build/build_08.py
"""

from _nb import code, md, write

CELLS = [
    md(
        r"""
        # 08 · Beyond first order

        `grad(output, inputs)` returns numbers. With `create_graph=True` it returns `Value`s instead: the
        derivative is itself built as a graph, so it can be differentiated again. This notebook uses
        that for second (and higher) derivatives, a Hessian, and Newton's method.
        """
    ),
    code(
        r"""
        import math

        import matplotlib.pyplot as plt

        from autograd_lite import GradcheckError, Value, grad, gradcheck
        """
    ),
    md(
        r"""
        ## Derivatives of derivatives

        Take $f(x) = x^3 - 2x$. By hand: $f' = 3x^2 - 2$, $f'' = 6x$, $f''' = 6$, $f'''' = 0$.
        Each `grad(..., create_graph=True)` call produces the next derivative as a `Value`.
        """
    ),
    code(
        r"""
        x = Value(1.5, label="x")
        f = x**3 - 2 * x

        derivatives = [f]
        for _ in range(4):
            (d,) = grad(derivatives[-1], [x], create_graph=True)
            derivatives.append(d)

        t = x.data
        by_hand = [t**3 - 2 * t, 3 * t**2 - 2, 6 * t, 6.0, 0.0]
        print(f"{'order':>5} {'engine':>10} {'by hand':>10}")
        for k, (d, h) in enumerate(zip(derivatives, by_hand)):
            print(f"{k:>5} {d.data:>10.4f} {h:>10.4f}")
            assert math.isclose(d.data, h, abs_tol=1e-12)
        print(f"\nf' is itself a node of a graph: {derivatives[1]!r}, made by op {derivatives[1].op!r}")
        """
    ),
    md(
        r"""
        The same works through any op whose derivative rule the engine knows. For the sigmoid,
        $\sigma' = \sigma(1-\sigma)$ and $\sigma'' = \sigma(1-\sigma)(1-2\sigma)$. Below the engine's
        curves are drawn as lines and the hand formulas as dots.
        """
    ),
    code(
        r"""
        grid = [-6 + 12 * i / 120 for i in range(121)]
        curves = {"σ": [], "σ'": [], "σ''": []}
        for t in grid:
            z = Value(t)
            s = z.sigmoid()
            (ds,) = grad(s, [z], create_graph=True)
            (dds,) = grad(ds, [z])
            curves["σ"].append(s.data)
            curves["σ'"].append(ds.data)
            curves["σ''"].append(dds)

        sig = [1 / (1 + math.exp(-t)) for t in grid]
        hand = {"σ": sig, "σ'": [s * (1 - s) for s in sig], "σ''": [s * (1 - s) * (1 - 2 * s) for s in sig]}
        for name in curves:
            assert all(math.isclose(a, b, abs_tol=1e-12) for a, b in zip(curves[name], hand[name]))

        fig, ax = plt.subplots(figsize=(6, 3))
        for name, color in zip(curves, ["C0", "C1", "C2"]):
            ax.plot(grid, curves[name], color=color, label=name + " (engine)")
            ax.plot(grid[::10], hand[name][::10], "o", color=color, ms=4)
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_xlabel("z")
        ax.legend(fontsize=8)
        ax.set_title("sigmoid and its first two derivatives (dots: hand formulas)", fontsize=10)
        plt.show()
        """
    ),
    md(
        r"""
        ## A Hessian

        For a function of several variables the second derivatives form the Hessian matrix
        $H_{ij} = \partial^2 f / \partial x_i \partial x_j$. One `grad` call with `create_graph=True` gives
        the gradient as `Value`s; differentiating each of its entries gives one row of $H$. So an
        $n$-variable Hessian costs $n + 1$ reverse passes.

        Take $f(x, y, z) = x^2 y + y \sin z + e^{xz}$. By hand:

        $$
        H = \begin{pmatrix}
        2y + z^2 e^{xz} & 2x & (1 + xz)\,e^{xz} \\
        2x & 0 & \cos z \\
        (1 + xz)\,e^{xz} & \cos z & -y \sin z + x^2 e^{xz}
        \end{pmatrix}
        $$
        """
    ),
    code(
        r"""
        def f3(x, y, z):
            return x**2 * y + y * z.sin() + (x * z).exp()


        def hessian(fn, point):
            # Rows of second derivatives: grad of each entry of the (differentiable) gradient.
            xs = [Value(v) for v in point]
            first = grad(fn(*xs), xs, create_graph=True)
            return [grad(g, xs) for g in first]


        def hessian_by_hand(x, y, z):
            e = math.exp(x * z)
            return [
                [2 * y + z**2 * e, 2 * x, (1 + x * z) * e],
                [2 * x, 0.0, math.cos(z)],
                [(1 + x * z) * e, math.cos(z), -y * math.sin(z) + x**2 * e],
            ]


        def show(matrix, title):
            print(title)
            for row in matrix:
                print("  [" + "  ".join(f"{v: 10.6f}" for v in row) + " ]")


        point = (0.5, -1.0, 0.8)
        H = hessian(f3, point)
        H_hand = hessian_by_hand(*point)
        show(H, "engine:")
        show(H_hand, "by hand:")
        for i in range(3):
            for j in range(3):
                assert math.isclose(H[i][j], H_hand[i][j], abs_tol=1e-12)
                assert math.isclose(H[i][j], H[j][i], abs_tol=1e-12)
        print("equal to the hand formula and symmetric: H[i][j] == H[j][i]")
        """
    ),
    md(
        r"""
        The symmetry is not built in: row $i$ comes from differentiating $\partial f/\partial x_i$, row $j$
        from a different graph. They agree because mixed partial derivatives of a smooth function
        commute (Schwarz's theorem).

        `gradcheck(..., order=2)` checks all nine second derivatives against central differences of
        the first derivatives:
        """
    ),
    code(
        r"""
        print(gradcheck(f3, [Value(v) for v in point], order=2))
        """
    ),
    md(
        r"""
        ## Why rules must be differentiable themselves

        In notebook 02 we built a node with a hand-written local derivative: a *number* $s$ attached to
        the node. Its first derivative is right, but the engine cannot differentiate a plain number, so
        the second derivative comes out as $0$. First-order `gradcheck` passes; second-order catches it.
        The engine's own rules are written with differentiable operations for exactly this reason.
        """
    ),
    code(
        r"""
        def sigmoid_node(z):
            # σ(z) with its local derivative supplied as a plain number.
            a = 1 / (1 + math.exp(-z.data))
            return Value(a) + a * (1 - a) * (z - z.detach())


        z = Value(0.7)
        print("order 1:", gradcheck(sigmoid_node, [z]))
        try:
            gradcheck(sigmoid_node, [z], order=2)
        except GradcheckError as err:
            print("order 2:", err)
        print("the engine's sigmoid, order 2:", gradcheck(lambda t: t.sigmoid(), [z], order=2))
        """
    ),
    md(
        r"""
        ## Newton's method versus gradient descent

        To minimise $f(x) = e^x - 2x$ (minimum at $x^* = \ln 2$, where $f'(x^*) = e^{x^*} - 2 = 0$):

        * gradient descent steps against the slope with a fixed rate: $x \leftarrow x - \eta\, f'(x)$;
        * Newton's method fits a parabola using the curvature and jumps to its bottom:
          $x \leftarrow x - f'(x) / f''(x)$.

        Both derivatives come from the engine.
        """
    ),
    code(
        r"""
        def f1(x):
            return x.exp() - 2 * x


        def derivatives_at(t):
            # f'(t) and f''(t) from the engine.
            x = Value(t)
            (d1,) = grad(f1(x), [x], create_graph=True)
            (d2,) = grad(d1, [x])
            return d1.data, d2


        x_star = math.log(2)
        print("gradcheck order 2 at x = 3:", gradcheck(f1, [Value(3.0)], order=2))

        lr, steps = 0.1, 40
        gd, newton = [3.0], [3.0]
        for _ in range(steps):
            d1, _ = derivatives_at(gd[-1])
            gd.append(gd[-1] - lr * d1)
            d1, d2 = derivatives_at(newton[-1])
            newton.append(newton[-1] - d1 / d2)

        print(f"\n{'step':>4} {'x (gradient descent)':>21} {'error':>9} {'x (Newton)':>19} {'error':>9}")
        for k in range(9):
            print(f"{k:>4} {gd[k]:>21.15f} {abs(gd[k] - x_star):>9.1e}"
                  f" {newton[k]:>19.15f} {abs(newton[k] - x_star):>9.1e}")
        print(f"after {steps} steps gradient descent is still {abs(gd[-1] - x_star):.1e} away")
        """
    ),
    md(
        r"""
        Newton's error roughly *squares* every step once it is close (the number of correct digits
        doubles): $e_{k+1} \approx \frac{f'''(x^*)}{2 f''(x^*)}\, e_k^2 = \tfrac12 e_k^2$ here. Gradient descent
        only shrinks the error by a constant factor, $|1 - \eta f''(x^*)| = 0.8$ per step.
        """
    ),
    code(
        r"""
        errors_gd = [abs(t - x_star) for t in gd]
        errors_newton = [abs(t - x_star) for t in newton]
        for k in range(3, 6):
            print(f"step {k}: e_(k+1) / e_k² = {errors_newton[k + 1] / errors_newton[k] ** 2:.3f}")

        fig, ax = plt.subplots(figsize=(6, 3))
        ax.semilogy(errors_gd, "o-", ms=3, label="gradient descent (η = 0.1)")
        shown = [(k, e) for k, e in enumerate(errors_newton) if e > 0]
        ax.semilogy([k for k, _ in shown], [e for _, e in shown], "s-", ms=4, label="Newton")
        ax.set_xlabel("step")
        ax.set_ylabel("|x − x*|")
        ax.set_title("distance to the minimum of eˣ − 2x", fontsize=10)
        ax.legend(fontsize=8)
        plt.show()
        """
    ),
    md(
        r"""
        Newton's curve flattens at about $10^{-16}$: that is the spacing of floating-point numbers near
        $\ln 2$, as close as any method can get.

        Newton's method is not a free lunch. It looks for a point where $f' = 0$, and it happily finds a
        maximum when the curvature is negative. On $g(x) = x^4 - 3x^2 + x$, starting at $x = 0.1$
        where $g'' < 0$:
        """
    ),
    code(
        r"""
        def g(x):
            return x**4 - 3 * x**2 + x


        t = 0.1
        print(f"{'step':>4} {'x':>10} {'g(x)':>10} {'g′′(x)':>10}")
        for k in range(5):
            x = Value(t)
            (d1,) = grad(g(x), [x], create_graph=True)
            (d2,) = grad(d1, [x])
            print(f"{k:>4} {t:>10.6f} {g(x).data:>10.6f} {d2:>10.4f}")
            t = t - d1.data / d2
        print("Newton converged to a local maximum (g'' < 0): the loss went up, not down.")
        """
    ),
    md(
        r"""
        Practical second-order methods therefore check the curvature, damp the step, or fall back
        to gradient descent. In many dimensions the Hessian is also too large to build, which is why
        neural networks are usually trained with first-order methods.
        """
    ),
]

if __name__ == "__main__":
    write("08_beyond_first_order.ipynb", CELLS)
