"""Builds notebooks/01_expressions_and_graphs.ipynb; run from the repository root:

    .venv/bin/python notebooks/build/build_01.py
"""

from _nb import code, md, write

CELLS = [
    md(
        r"""
        # 01 · Expressions and graphs

        Every arithmetic operation on a `Value` records a node in a graph: the result, the operation,
        its inputs, and the *local derivative* of the result with respect to each input. `backward()`
        walks that graph from the output back to the inputs and applies the chain rule. This notebook
        builds small graphs, draws them, and takes the backward pass apart.
        """
    ),
    code(
        r"""
        import math

        from autograd_lite import Value, draw_dot, grad
        from autograd_lite import backward_frames
        from autograd_lite.teaching import node_names
        """
    ),
    md(
        r"""
        ## An expression is a graph

        A single neuron: $y = \tanh(w x + b)$. Leaves get labels so the diagrams can name them;
        intermediate results can be labelled too.
        """
    ),
    code(
        r"""
        def neuron():
            # y = tanh(w·x + b) as a graph, every node labelled; returns x, w, b, z, y.
            x = Value(1.5, label="x")
            w = Value(0.8, label="w")
            b = Value(-0.5, label="b")
            z = w * x + b
            z.label = "z"
            y = z.tanh()
            y.label = "y"
            return x, w, b, z, y


        x, w, b, z, y = neuron()
        print(y)
        print("op:", repr(y.op), "| parents:", y.parents, "| local grads:", y.local_grads)
        names = node_names(y)  # the one name every diagram, route and check gives each node
        print("op:", repr(z.op), "| parents:", [names[p] for p in z.parents], "| local grads:", z.local_grads)
        """
    ),
    md(
        r"""
        `z` was made by `+` from an unlabelled product node and `b`. Every node has one name, used by
        every diagram, route and check (`node_names`): its label, or for an unlabelled node its op
        with a count, so the product is `*₁`, the first unlabelled `*` node. The local derivatives
        are recorded when the node is made: $\partial z/\partial(wx) = 1$, $\partial z/\partial b = 1$ and
        $\partial y/\partial z = 1 - \tanh^2 z$.

        `draw_dot` shows the whole graph. Boxes are values (name, data and grad), circles are
        operations, and the edge from an input $a$ into the operation that makes $c$ reads
        $\partial c/\partial a$ = its local derivative, in the nodes' names: the edge from `w` reads
        `∂(*₁)/∂w = 1.5`, the derivative of the product with respect to $w$, which is $x$. Nothing has
        been differentiated yet, so every grad is 0.
        """
    ),
    code(
        r"""
        x, w, b, z, y = neuron()  # the neuron again: later sections use these names too
        draw_dot(y, legend=True)
        """
    ),
    md(
        r"""
        ## backward()

        `y.backward()` fills in $\partial y/\partial v$ for every node $v$. By the chain rule each one is
        a product of the local derivatives along the way, for example

        $$ \frac{\partial y}{\partial w} = \frac{\partial y}{\partial z}\cdot\frac{\partial z}{\partial (wx)}\cdot\frac{\partial (wx)}{\partial w} = (1 - \tanh^2 z)\cdot 1\cdot x . $$
        """
    ),
    code(
        r"""
        x, w, b, z, y = neuron()  # a fresh graph, every grad 0, so the cell can be run again
        y.backward()
        by_hand = (1 - math.tanh(z.data) ** 2) * 1 * x.data
        print(f"w.grad = {w.grad:.6f}, by hand (1 - tanh²z)·x = {by_hand:.6f}")
        assert math.isclose(w.grad, by_hand)
        draw_dot(y)
        """
    ),
    md(
        r"""
        A gradient is a promise about small changes (the calculus refresher, 001:1-2): for small
        $\Delta x$, $\Delta y \approx f'(x)\,\Delta x$, and with several inputs each partial derivative
        $\partial y/\partial w$ says how $y$ responds to $w$ alone. Nudging $w$ by $h$ should change $y$ by
        about $h \cdot \partial y/\partial w$.
        """
    ),
    code(
        r"""
        x, w, b, z, y = neuron()
        y.backward()
        h = 1e-4
        y_nudged = (Value(w.data + h) * x.data + b.data).tanh()
        print(f"actual change  {y_nudged.data - y.data:.8f}")
        print(f"predicted      {h * w.grad:.8f}")
        """
    ),
    md(
        r"""
        `backward()` *adds* into `.grad`, so calling it twice doubles the gradients. Reset them
        before the next pass (an optimiser's `zero_grad()` does this). The functional form `grad(y, [...])`
        returns the derivatives without touching `.grad` at all.
        """
    ),
    code(
        r"""
        x, w, b, z, y = neuron()
        y.backward()
        print("after one backward():     ", w.grad)
        y.backward()
        print("after a second backward():", w.grad)
        for v in (x, w, b, z, y):
            v.grad = 0.0
        print("grad(y, [x, w, b]) =", grad(y, [x, w, b]), "| w.grad is still", w.grad)
        """
    ),
    md(
        r"""
        ## The chain rule as routes of influence

        The lecture notes state the chain rule three ways, each with a worked example. We build each
        example as a graph and let `routes(output, input)` list every path from the input up to the
        output: each route carries the local derivatives on its edges (`.local_grads`) and their
        product (`.product`). The gradient is the **sum over routes of the product along each route**.

        **Univariate**: $f = f(g(x))$ gives $\dfrac{df}{dx} = \dfrac{df}{dg}\cdot\dfrac{dg}{dx}$. The deck's example:
        $f(g) = 2g^2 - 3g + 1$ with $g(x) = x^3 + 2x$, here at $x = 1$, so $g = 3$,
        $df/dg = 4g - 3 = 9$ and $dg/dx = 3x^2 + 2 = 5$.
        """
    ),
    code(
        r"""
        from autograd_lite import routes
        from autograd_lite.teaching import count_routes

        x = Value(1.0, label="x")
        g = x**3 + 2 * x
        g.label = "g"
        f = 2 * g**2 - 3 * g + 1
        f.label = "f"
        df_dg, dg_dx = 4 * g.data - 3, 3 * x.data**2 + 2
        print(f"g = {g.data:g}, f = {f.data:g}")
        print(f"df/dg · dg/dx = {df_dg:g} · {dg_dx:g} = {df_dg * dg_dx:g};  grad(f, [x]) = {grad(f, [x])}")

        for out, inp in ((f, g), (g, x), (f, x)):
            rs = routes(out, inp)
            print(f"\nroutes({out.label}, {inp.label}): {len(rs)} routes, sum {sum(r.product for r in rs):g}")
            for r in rs:
                print("  ", r)
        """
    ),
    md(
        r"""
        Unlabelled nodes print by their one name, the operation with a count (`**₂`, `*₃`). $g$
        appears twice in $f$ (in $g^2$ and in $3g$) and $x$ twice in $g$, so there are two routes
        from $g$ to $f$ (summing to $df/dg = 9$),
        two from $x$ to $g$ (summing to $dg/dx = 5$), and four from $x$ to $f$: every route below $g$
        paired with every route above it. Multiplying out $(\text{sum})\cdot(\text{sum})$ is the same
        as summing the four products: $9 \cdot 5 = 45$.

        **Distributed** (multivariate): $f = f(g_1(x), \dots, g_n(x))$ gives
        $\dfrac{\partial f}{\partial x} = \sum_i \dfrac{\partial f}{\partial g_i}\cdot\dfrac{\partial g_i}{\partial x}$.
        The deck's example: $f(g_1, g_2) = 2g_1^2 - 3g_1g_2 + 1$, $g_1 = 3x$, $g_2 = x^2 + 2x$. At $x = 1$:
        $g_1 = g_2 = 3$, $\partial f/\partial g_1 = 4g_1 - 3g_2 = 3$, $\partial f/\partial g_2 = -3g_1 = -9$,
        $dg_1/dx = 3$, $dg_2/dx = 2x + 2 = 4$, so $\partial f/\partial x = 3\cdot 3 + (-9)\cdot 4 = -27$.
        """
    ),
    code(
        r"""
        x = Value(1.0, label="x")
        g1 = 3 * x
        g1.label = "g1"
        g2 = x**2 + 2 * x
        g2.label = "g2"
        f = 2 * g1**2 - 3 * g1 * g2 + 1
        f.label = "f"

        rs = routes(f, x)
        for gi in (g1, g2):
            through = [r for r in rs if gi in r.nodes]
            print(f"routes through {gi.label}: {len(through)}, sum {sum(r.product for r in through):g}")
            for r in through:
                print("  ", r)
        print(f"\nall {len(rs)} routes: {sum(r.product for r in rs):g};  grad(f, [x]) = {grad(f, [x])}")
        """
    ),
    md(
        r"""
        The routes through $g_1$ add up to $\partial f/\partial g_1 \cdot dg_1/dx = 3 \cdot 3 = 9$ and those
        through $g_2$ to $(-9)\cdot 4 = -36$: the two terms of the distributed chain rule.

        **The influence diagram**: $x = g(s)$, $y = h(s)$, $z = k(x, y)$ gives
        $\dfrac{\partial z}{\partial s} = \dfrac{\partial z}{\partial x}\dfrac{\partial x}{\partial s} + \dfrac{\partial z}{\partial y}\dfrac{\partial y}{\partial s}$:
        "small perturbations in $s$ cause perturbations in each of $x$ and $y$, each of which
        individually additively perturbs $z$." Take $g(s) = s^2$, $h(s) = \sin s$ and $k(x, y) = x\,y$,
        at $s = 0.5$:
        """
    ),
    code(
        r"""
        s = Value(0.5, label="s")
        x = s**2
        x.label = "x"
        y = s.sin()
        y.label = "y"
        z = x * y
        z.label = "z"

        rs = routes(z, s)
        for r in rs:
            print(r)
        total = sum(r.product for r in rs)
        print(f"sum of the two routes = {total:.6f};  grad(z, [s]) = {grad(z, [s])[0]:.6f}")
        print(f"by hand: y·2s + x·cos s = {y.data * 2 * s.data + x.data * math.cos(s.data):.6f}")

        # Each route is one additive share of the response of z to a small nudge of s.
        h = 1e-4
        s2 = Value(s.data + h)
        z2 = (s2**2) * s2.sin()
        print(f"\nnudge s by {h:g}: z changes by {z2.data - z.data:.4e}")
        for r in rs:
            print(f"  via {r.nodes[1].label}: h × {r.product:.6f} = {h * r.product:.4e}")
        draw_dot(z, highlight=rs)
        """
    ),
    md(
        r"""
        The two routes are drawn on the graph (`draw_dot(..., highlight=routes)`, one colour each):
        each edge carries its local derivative, and each route's product is theirs multiplied
        along it.
        """
    ),
    md(
        r"""
        One more graph, where $x$ reaches $f$ along three routes and the routes share edges:

        $$ p = x y,\qquad q = p + x,\qquad f = q\,p . $$
        """
    ),
    code(
        r"""
        def pqf():
            # p = x·y, q = p + x, f = q·p as a graph, every node labelled; returns x, y, p, q, f.
            x = Value(0.5, label="x")
            y = Value(-1.5, label="y")
            p = x * y
            p.label = "p"
            q = p + x
            q.label = "q"
            f = q * p
            f.label = "f"
            return x, y, p, q, f


        x, y, p, q, f = pqf()
        f.backward()

        rs = routes(f, x)
        for r in rs:
            print(r)
        total = sum(r.product for r in rs)
        print(f"sum of routes = {total:g}, x.grad from backward() = {x.grad:g}")
        assert math.isclose(total, x.grad)
        draw_dot(f, highlight=rs)
        """
    ),
    md(
        r"""
        Listing routes is exponential in general: every reuse can double them. `count_routes` counts
        them without listing them (dynamic programming over the graph), and `routes` refuses to list
        more than `max_routes` (10 000 unless told otherwise). Here each of 60 steps uses the node
        below it twice:
        """
    ),
    code(
        r"""
        t = v = Value(1.0, label="t")
        for _ in range(60):
            v = v + v
        print(f"{count_routes(v, t):,} routes; grad(v, [t]) = {grad(v, [t])[0]:,.0f}")
        try:
            routes(v, t)
        except ValueError as err:
            print("ValueError:", err)
        """
    ),
    md(
        r"""
        Backpropagation gets the same sum in one pass by merging routes at each node: a node's gradient
        is the sum over its *uses*, $\ \bar v = \sum_{u \text{ uses } v} \bar u \cdot \partial u/\partial v$
        (one term per edge, so a node used twice contributes two terms). The simplest case of a
        node used twice is $a + a$: both edges carry derivative 1, so the gradient is 2.
        """
    ),
    code(
        r"""
        a = Value(3.0, label="a")
        s = a + a
        print("parents:", s.parents == (a, a), "| grad:", grad(s, [a]))
        """
    ),
    md(
        r"""
        ## Why the order must be topological

        The rule $\bar v = \sum_u \bar u\, \partial u/\partial v$ only works if every use $u$ of $v$ already has
        its *complete* gradient when $v$ passes its own gradient on. So nodes must be processed from the
        output backwards in reverse **topological order**: each node after everything that uses it.

        A small reverse pass that takes the order as an argument makes this concrete:
        """
    ),
    code(
        r"""
        def reverse_pass(root, order):
            # Push each node's gradient to its parents, visiting nodes in the given order.
            table = {root: 1.0}
            for node in order:
                for parent, local in zip(node.parents, node.local_grads):
                    table[parent] = table.get(parent, 0.0) + table.get(node, 0.0) * local
            return table


        def topological(root):
            # Depth-first search: a node is appended after all of its parents.
            order, seen = [], set()

            def visit(v):
                if v not in seen:
                    seen.add(v)
                    for parent in v.parents:
                        visit(parent)
                    order.append(v)

            visit(root)
            return order


        x, y, p, q, f = pqf()  # the graph above again, so that the cell runs on its own
        f.backward()

        good = list(reversed(topological(f)))
        bad = [f, p, q, x, y]  # p before q: but q uses p, so p's gradient is not complete yet
        print("reverse topological:", [v.label for v in good])
        print("wrong order:        ", [v.label for v in bad])

        right, wrong = reverse_pass(f, good), reverse_pass(f, bad)
        print(f"\n{'node':<5} {'engine':>8} {'right order':>12} {'wrong order':>12}")
        for v in (f, q, p, x, y):
            print(f"{v.label:<5} {v.grad:>8.4f} {right[v]:>12.4f} {wrong[v]:>12.4f}")
        """
    ),
    md(
        r"""
        In the wrong order $p$ passed on its gradient when only $f$'s contribution ($\partial f/\partial p = q$)
        had arrived; $q$'s contribution came too late and never reached $x$ and $y$. The table for $p$
        ends up right, but its inputs got the wrong numbers.

        (The engine's own pass works the same way, with an iterative depth-first search, so
        even a chain of a million nodes does not hit Python's recursion limit.)

        ## The grad table, step by step

        `backward_frames` replays the engine's pass one node at a time. Each frame highlights the node
        whose gradient has just been completed, shows `?` for gradients not known yet, and writes the
        sum it came from in the caption.
        """
    ),
    code(
        r"""
        x, y, p, q, f = pqf()  # the p, q, f graph of the last two sections
        frames = backward_frames(f)
        for k in range(len(frames)):
            print(frames.caption(k))
        """
    ),
    md(
        r"""
        The frames as a player: step through them with the buttons or the slider, or press play.
        It is plain HTML and JavaScript with every frame inside, so it also works in the saved
        notebook, in an exported HTML page and in notebook viewers, without a running kernel.
        `frames.save("frames.html")` writes the same player as a page of its own.
        """
    ),
    code(
        r"""
        frames
        """
    ),
    md(
        r"""
        ## The notes' computational graphs (003:507-593)

        Deck 003 describes a computational graph as a directed graph whose nodes are labelled by a
        variable and an operation, with an edge from $x$ to $y$ when $y$ is computed by an operation
        applied to $x$ among others (003:509-514). Its examples (003:521-529) are $z = x \cdot y$,
        $\hat y = \operatorname{sign}(\vec w \cdot \vec x + b)$ and $H = \max\{0, XW + B\}$ with matrices. The engine works
        on scalars, so a vector or matrix operation becomes one node per entry: here $\vec w \cdot \vec x$
        is one n-ary `dot` node, and $H$ for $2 \times 2$ matrices is four such nodes with a ReLU each.
        The deck's list of operations (003:534-541) maps the same way: scalar operations, dot
        products and sums directly; matrix product, Hadamard ($A * B$, entry by entry) and Kronecker
        products entry by entry; sigmoid, tanh, hard tanh, ReLU and softmax are operations of their
        own (softmax in `functional`). A determinant would be built from its formula.
        """
    ),
    code(
        r"""
        from autograd_lite import functional

        x, y = Value(3.0, label="x"), Value(-2.0, label="y")
        z = x * y
        z.label = "z"

        w = [Value(0.5, label="w1"), Value(-1.0, label="w2")]
        xs = [Value(2.0, label="x1"), Value(0.5, label="x2")]
        b = Value(0.25, label="b")
        y_hat = functional.dot(w, xs, b).sign()
        y_hat.label = "ŷ"
        print(f"z = x·y = {z.data}, ŷ = sign(w·x + b) = {y_hat.data}")

        X = [[Value(1.0), Value(-2.0)], [Value(0.5), Value(3.0)]]
        W = [[Value(0.2), Value(-0.4)], [Value(0.7), Value(0.1)]]
        B = [[Value(0.1), Value(0.1)], [Value(-0.1), Value(-0.1)]]
        H = [[functional.dot(X[i], [W[0][j], W[1][j]], B[i][j]).relu() for j in range(2)] for i in range(2)]
        print("H = max{0, XW + B} =", [[round(h.data, 6) for h in row] for row in H])
        draw_dot(y_hat)
        """
    ),
    md(
        r"""
        Deck 003 labels the nodes $u^{(1)}, \dots, u^{(n)}$, inputs first and the output last, and writes
        $Pa(i)$ for the parents of node $i$ and $\mathbb A^{(i)}$ for their values, so that
        $u^{(i)} = f^{(i)}(\mathbb A^{(i)})$ (003:572-576). In the engine $Pa(i)$ is `.parents`, and the
        numbering is a topological order, such as the one `topological` (above) computes:
        """
    ),
    code(
        r"""
        u = topological(y_hat)
        number = {node: i for i, node in enumerate(u, start=1)}
        names = node_names(y_hat)
        for node in u:
            name = names[node]
            pa = [f"u({number[p]})" for p in node.parents]
            values = [round(p.data, 3) for p in node.parents]
            print(f"u({number[node]}) = {name:<4}  op {node.op or '-':<5} Pa = {pa}  A = {values}")
        """
    ),
    md(
        r"""
        ## The alternatives: symbolic differentiation and finite differences (003:660-666)

        The notes name two other ways to get derivatives: **symbolic** manipulation of formulas
        (term rewriting, whose results can grow large), and **finite differences**, with the
        question "what's the magnitude?". A central difference $\big(f(x + h) - f(x - h)\big)/2h$ has
        two errors that pull in opposite directions: the **truncation** error of the formula, about
        $h^2 |f^{(3)}(x)|/6$, shrinks with $h$; the **rounding** error of the two float evaluations,
        about $\epsilon_{\text{mach}}|f(x)|/h$ with $\epsilon_{\text{mach}} \approx 2.2 \cdot 10^{-16}$, grows as $h$ shrinks.
        The best $h$ is near $\epsilon_{\text{mach}}^{1/3} \approx 6 \cdot 10^{-6}$, and even there the error is about
        $10^{-11}$, where backprop is exact to the last bit or two. For $f(x) = e^x \sin x$ at $x = 1$:
        """
    ),
    code(
        r"""
        import matplotlib.pyplot as plt


        def f_num(t):
            return math.exp(t) * math.sin(t)


        x0 = Value(1.0)
        exact = grad(x0.exp() * x0.sin(), [x0])[0]
        hs = [10.0**-k for k in range(1, 15)]
        errors = [abs((f_num(1.0 + h) - f_num(1.0 - h)) / (2 * h) - exact) for h in hs]
        for h, err in zip(hs, errors):
            if h in (1e-1, 1e-3, 1e-5, 1e-6, 1e-8, 1e-11, 1e-14):
                print(f"h = {h:.0e}: error {err:.1e}")
        fig, ax = plt.subplots(figsize=(4.5, 3))
        ax.loglog(hs, errors, "o-")
        ax.set(xlabel="step h", ylabel="|central difference − backprop|", title="truncation vs rounding")
        plt.show()
        """
    ),
    md(
        r"""
        **Cost.** Finite differences need two forward passes per parameter, $2n$ in all, to get what
        one backward pass (costing about as much as one forward pass: proportional to the edges,
        003:640) gives for all $n$ parameters at once. For a small MLP:
        """
    ),
    code(
        r"""
        import time

        from autograd_lite import nn

        model = nn.MLP(4, [16, 16, 1], activation="tanh", seed=0)
        params = model.parameters()
        point = [0.5, -1.0, 0.25, 2.0]

        t0 = time.perf_counter()
        backprop = grad(model(point), params)
        backprop_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        h, numeric = 1e-6, []
        for param in params:
            param.data += h
            up = model(point).data
            param.data -= 2 * h
            down = model(point).data
            param.data += h
            numeric.append((up - down) / (2 * h))
        fd_s = time.perf_counter() - t0
        worst = max(abs(a - b) for a, b in zip(numeric, backprop))
        print(f"{len(params)} parameters: 1 forward + 1 backward pass {1e3 * backprop_s:.1f} ms, "
              f"{2 * len(params)} forward passes {1e3 * fd_s:.0f} ms ({fd_s / backprop_s:.0f}x)")
        print(f"largest difference between the two: {worst:.1e}")
        """
    ),
]

if __name__ == "__main__":
    write("01_expressions_and_graphs.ipynb", CELLS)
