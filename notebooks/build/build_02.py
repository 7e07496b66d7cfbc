"""Builds notebooks/02_backprop_by_hand.ipynb; run from the repository root:

    .venv/bin/python notebooks/build/build_02.py
"""

from _nb import code, md, write

CELLS = [
    md(
        r"""
        # 02 · Backprop by hand, checked by the engine

        This notebook works the course notes' example "Backward computation of gradient" with the
        slides' own numbers, so you can put it beside the slides: a 2-2-1 sigmoid network, its forward
        pass, its backward pass by hand, Goodfellow et al.'s grad table, one step of gradient descent,
        and a checker that finds the wrong step in a backward pass done by hand (the slides' own
        hidden-layer step has one). Then the same in vector form, the slip caught by `gradcheck`,
        derivatives at kinks, and softmax with cross-entropy.
        """
    ),
    code(
        r"""
        import math

        import graphviz

        from autograd_lite import (
            GradcheckError, Value, backward_frames, check_by_hand, draw_dot, functional, grad, gradcheck,
        )
        from autograd_lite.engine import grad_table, topological_order


        def sigmoid(t):
            return 1.0 / (1.0 + math.exp(-t))


        def compare(rows, tol=1e-12):
            # Print (name, by hand, engine) rows as a table and assert that they agree.
            print(f"{'quantity':<10} {'by hand':>15} {'engine':>15} {'|difference|':>13}")
            for name, hand, engine in rows:
                print(f"{name:<10} {hand:>15.10f} {engine:>15.10f} {abs(hand - engine):>13.1e}")
                assert math.isclose(hand, engine, rel_tol=tol, abs_tol=tol), name
            print(f"all {len(rows)} numbers agree to within {tol:g}")
        """
    ),
    md(
        r"""
        ## The network

        Inputs $A$ and $B$, hidden units $C$ and $D$, output unit $E$, every unit a sigmoid and
        **no biases**. In the lectures' notation each unit computes $z = \sum w\,y_{\text{prev}}$ and then
        $y = \sigma(z)$, with $\sigma(z) = 1/(1 + e^{-z})$; the loss is $L = \tfrac12(\hat y_E - y)^2$.

        | | |
        |---|---|
        | inputs | $x_A = 0.23$, $x_B = 0.82$, target $y = 1$ |
        | weights | $w_1 = 0.1$ (A→C), $w_2 = 0.5$ (A→D), $w_3 = 0.4$ (B→C), $w_4 = 0.3$ (B→D), $w_5 = 0.2$ (C→E), $w_6 = 0.6$ (D→E) |
        | learning rate | $\varepsilon = 0.7$ |
        """
    ),
    code(
        r"""
        x_A, x_B, target = 0.23, 0.82, 1.0
        w1, w2, w3, w4, w5, w6 = 0.1, 0.5, 0.4, 0.3, 0.2, 0.6
        eps = 0.7

        EDGES = {"w1": ("A", "C"), "w2": ("A", "D"), "w3": ("B", "C"),
                 "w4": ("B", "D"), "w5": ("C", "E"), "w6": ("D", "E")}


        def network(node_text, edge_text, title):
            # The slides' picture of the 2-2-1 network: text inside each unit and on each weight.
            dot = graphviz.Digraph(
                graph_attr={"rankdir": "LR", "label": title, "labelloc": "t", "fontsize": "13",
                            "nodesep": "0.4", "ranksep": "1.3", "fontname": "Helvetica",
                            "size": "8.5,5"},  # inches: scaled down to fit a notebook cell
                node_attr={"shape": "circle", "fontsize": "10", "width": "1.15", "fixedsize": "true",
                           "fontname": "Helvetica", "style": "filled", "fillcolor": "#eef2ff"},
                edge_attr={"fontsize": "10", "fontname": "Helvetica"},
            )
            for rank in ("AB", "CD", "E"):
                with dot.subgraph() as same:
                    same.attr(rank="same")
                    for unit in rank:
                        same.node(unit, f"{unit}\n{node_text[unit]}")
            for name, (a, b) in EDGES.items():
                dot.edge(a, b, label=f"{name}: {edge_text[name]}")
            return dot


        network({"A": "x_A = 0.23", "B": "x_B = 0.82", "C": "sigmoid", "D": "sigmoid", "E": "sigmoid"},
                {name: str(value) for name, value in zip(EDGES, (w1, w2, w3, w4, w5, w6))},
                "the 2-2-1 network: inputs, units and weights")
        """
    ),
    md(
        r"""
        ## Forward pass by hand

        Present the input and compute every $z$ and $y$, layer by layer. The right-hand column is
        what the slide prints. The slide rounds each number before using it in the next one, so its
        last digit can differ from ours by one.
        """
    ),
    code(
        r"""
        z_C = w1 * x_A + w3 * x_B
        z_D = w2 * x_A + w4 * x_B
        y_C, y_D = sigmoid(z_C), sigmoid(z_D)
        z_E = w5 * y_C + w6 * y_D
        y_E = sigmoid(z_E)
        L = 0.5 * (y_E - target) ** 2

        rows = [
            ("z_C = w1·x_A + w3·x_B", f"{w1}·{x_A} + {w3}·{x_B}", z_C, "0.351"),
            ("z_D = w2·x_A + w4·x_B", f"{w2}·{x_A} + {w4}·{x_B}", z_D, "0.361"),
            ("y_C = σ(z_C)", f"σ({z_C:.4f})", y_C, "0.5868"),
            ("y_D = σ(z_D)", f"σ({z_D:.4f})", y_D, "0.5892"),
            ("z_E = w5·y_C + w6·y_D", f"{w5}·{y_C:.4f} + {w6}·{y_D:.4f}", z_E, "0.4708"),
            ("ŷ_E = σ(z_E)", f"σ({z_E:.4f})", y_E, "0.6155"),
            ("L = ½(ŷ_E − y)²", f"½({y_E:.4f} − {target:g})²", L, "-"),
        ]
        print(f"{'':<22} {'with the numbers':<26} {'here':>8} {'slide':>8}")
        for formula, numbers, value, slide in rows:
            print(f"{formula:<22} {numbers:<26} {value:>8.4f} {slide:>8}")
        """
    ),
    md(
        r"""
        The same network in the engine. `functional.dot` makes each $z$ one node whose parents are the
        weights and the inputs, so the edge from $w_1$ into $z_C$ carries exactly
        $\partial z_C/\partial w_1 = x_A$. Every node gets the slides' name.
        """
    ),
    code(
        r"""
        def build():
            # The 2-2-1 network as a graph; returns the loss and its named nodes.
            v = {name: Value(d, label=name) for name, d in
                 (("x_A", x_A), ("x_B", x_B), ("w1", w1), ("w2", w2), ("w3", w3),
                  ("w4", w4), ("w5", w5), ("w6", w6))}
            v["z_C"] = functional.dot([v["w1"], v["w3"]], [v["x_A"], v["x_B"]])
            v["z_D"] = functional.dot([v["w2"], v["w4"]], [v["x_A"], v["x_B"]])
            v["y_C"], v["y_D"] = v["z_C"].sigmoid(), v["z_D"].sigmoid()
            v["z_E"] = functional.dot([v["w5"], v["w6"]], [v["y_C"], v["y_D"]])
            v["ŷ_E"] = v["z_E"].sigmoid()
            v["L"] = 0.5 * (v["ŷ_E"] - target) ** 2
            for name, node in v.items():
                node.label = name
            return v["L"], v


        loss, net = build()
        compare([("z_C", z_C, net["z_C"].data), ("z_D", z_D, net["z_D"].data),
                 ("y_C", y_C, net["y_C"].data), ("y_D", y_D, net["y_D"].data),
                 ("z_E", z_E, net["z_E"].data), ("ŷ_E", y_E, net["ŷ_E"].data), ("L", L, loss.data)])
        """
    ),
    md(
        r"""
        The network with its forward values, first as the slides draw it, then as the engine's graph,
        drawn top to bottom so that it fits the page (boxes are values, circles operations, edge
        numbers local derivatives; no gradients yet):
        """
    ),
    code(
        r"""
        network({"A": "x_A = 0.23", "B": "x_B = 0.82",
                 "C": f"z = {z_C:.4f}\ny = {y_C:.4f}", "D": f"z = {z_D:.4f}\ny = {y_D:.4f}",
                 "E": f"z = {z_E:.4f}\nŷ = {y_E:.4f}"},
                {name: str(value) for name, value in zip(EDGES, (w1, w2, w3, w4, w5, w6))},
                f"forward pass: L = {L:.4f}")
        """
    ),
    code(
        r"""
        draw_dot(loss, rankdir="TB")
        """
    ),
    md(
        r"""
        ## Backward pass by hand

        Go back through the network, using the forward pass's values. Hung-yi Lee's split writes each
        weight's gradient as two factors, $\dfrac{\partial L}{\partial w} = \dfrac{\partial z}{\partial w}\cdot\dfrac{\partial L}{\partial z}$:
        the first is the input on that edge (from the forward pass), the second is the unit's error
        signal $\delta = \partial L/\partial z$ (from the backward pass). With
        $\sigma'(z) = \sigma(z)(1 - \sigma(z)) = (1 - y)\,y$:

        * output unit: $\dfrac{\partial L}{\partial \hat y_E} = \hat y_E - y$, $\ \dfrac{\partial \hat y_E}{\partial z_E} = (1 - \hat y_E)\,\hat y_E$, $\ \delta_E = \dfrac{\partial L}{\partial \hat y_E}\cdot\dfrac{\partial \hat y_E}{\partial z_E}$;
          the output weights: $\partial L/\partial w_5 = \delta_E\, y_C$, $\ \partial L/\partial w_6 = \delta_E\, y_D$;
        * hidden units: $\delta_C = \delta_E\, w_5\,(1 - y_C)\,y_C$, $\ \delta_D = \delta_E\, w_6\,(1 - y_D)\,y_D$
          (the reversed network multiplies by $\sigma'(z)$ at each unit);
          the hidden weights: $\partial L/\partial w_1 = \delta_C\, x_A$, $\partial L/\partial w_3 = \delta_C\, x_B$,
          $\partial L/\partial w_2 = \delta_D\, x_A$, $\partial L/\partial w_4 = \delta_D\, x_B$.
        """
    ),
    code(
        r"""
        dL_dyE = y_E - target
        dyE_dzE = (1 - y_E) * y_E
        delta_E = dL_dyE * dyE_dzE
        print(f"∂L/∂ŷ_E   = ŷ_E − y          = {dL_dyE:.4f}   (slide: −0.3845, from its rounded ŷ_E = 0.6155)")
        print(f"∂ŷ_E/∂z_E = (1 − ŷ_E)·ŷ_E    = {dyE_dzE:.4f}   (slide: 0.2365, from its rounded ŷ_E)")
        print(f"δ_E       = ∂L/∂ŷ_E·∂ŷ_E/∂z_E = {delta_E:.5f}")

        delta_C = delta_E * w5 * (1 - y_C) * y_C
        delta_D = delta_E * w6 * (1 - y_D) * y_D
        print(f"\nδ_C = δ_E·w5·(1 − y_C)·y_C = {delta_E:.5f}·{w5}·{(1 - y_C) * y_C:.4f} = {delta_C:.6f}")
        print(f"δ_D = δ_E·w6·(1 − y_D)·y_D = {delta_E:.5f}·{w6}·{(1 - y_D) * y_D:.4f} = {delta_D:.6f}")

        hand = {
            "w1": delta_C * x_A, "w2": delta_D * x_A, "w3": delta_C * x_B,
            "w4": delta_D * x_B, "w5": delta_E * y_C, "w6": delta_E * y_D,
        }
        print()
        for name, g in hand.items():
            print(f"∂L/∂{name} = {g: .6f}")
        print(f"\nthe hidden-layer factor (1 − y_C)·y_C·x_A = (1 − {y_C:.4f})·{y_C:.4f}·{x_A} = "
              f"{(1 - y_C) * y_C * x_A:.4f}")
        """
    ),
    md(
        r"""
        ## Goodfellow's grad table

        Algorithm 6.2 of Goodfellow et al. does the same for any graph: run the forward pass, set
        $\text{grad\_table}[u_n] = 1$ for the output, then for $j = n-1$ down to $1$
        $$\text{grad\_table}[u_j] = \sum_{i\,:\,j \in Pa(u_i)} \text{grad\_table}[u_i]\cdot\frac{\partial u_i}{\partial u_j},$$
        a sum over the *consumers* $u_i$ of $u_j$. Each edge is used once, so the cost is proportional
        to the number of edges: it is dynamic programming. Written out for our graph (unlabelled
        nodes are the loss's own operations):
        """
    ),
    code(
        r"""
        order = topological_order(loss)  # every node after its parents
        consumers = {u: [] for u in order}
        for u in order:
            for i, parent in enumerate(u.parents):
                consumers[parent].append((u, i))

        table = {}
        for u in reversed(order):
            if u is loss:
                table[u] = 1.0
                print(f"grad_table[L] = 1")
                continue
            terms = [(table[c], c.local_grads[i], c) for c, i in consumers[u]]
            table[u] = sum(g * d for g, d, _ in terms)
            if u.label and u.label not in ("x_A", "x_B"):
                sums = " + ".join(f"grad_table[{c.label or c.op}]·{d:.4f}" for _, d, c in terms)
                print(f"grad_table[{u.label}] = {sums} = {table[u]:.6f}")

        engine = grad_table(loss)
        compare([(name, hand[name], table[net[name]]) for name in hand]
                + [(name, engine[net[name]], table[net[name]]) for name in ("z_E", "z_C", "z_D")]
                + [("δ_E", delta_E, table[net["z_E"]]), ("δ_C", delta_C, table[net["z_C"]]),
                   ("δ_D", delta_D, table[net["z_D"]])])
        """
    ),
    md(
        r"""
        `engine.grad_table(loss)` is this algorithm (`grad()` and `backward()` are built on it). The
        network with its gradients: $\delta = \partial L/\partial z$ in each unit, $\partial L/\partial w$ on each weight.
        """
    ),
    code(
        r"""
        loss.backward()
        network({"A": "x_A = 0.23", "B": "x_B = 0.82",
                 "C": f"δ_C =\n{net['z_C'].grad:.6f}", "D": f"δ_D =\n{net['z_D'].grad:.6f}",
                 "E": f"δ_E =\n{net['z_E'].grad:.5f}"},
                {name: f"{net[name].grad:.6f}" for name in EDGES},
                "backward pass: δ = ∂L/∂z in each unit, ∂L/∂w on each weight")
        """
    ),
    code(
        r"""
        draw_dot(loss, rankdir="TB")
        """
    ),
    md(
        r"""
        `backward_frames` replays the grad table one node at a time: each frame highlights the node
        whose gradient has just been completed, shows `?` for gradients not known yet, and writes the
        sum it came from.
        """
    ),
    code(
        r"""
        backward_frames(loss, rankdir="TB")
        """
    ),
    md(
        r"""
        ## Checking a backward pass done by hand: the slide's slip

        The hidden-layer slide evaluates the factor $\partial y_C/\partial z_C \cdot \partial z_C/\partial w_1 = (1 - y_C)\,y_C\cdot x_A$
        as $(1 - 0.351)\cdot 0.351\cdot 0.23 = 0.0524$: it puts $z_C = 0.351$ where $y_C = 0.5868$
        belongs. The right value is $(1 - 0.5868)\cdot 0.5868\cdot 0.23 \approx 0.0558$. The same slip
        gives 0.1868, 0.0531 and 0.1892 for $w_3$, $w_2$ and $w_4$.
        """
    ),
    code(
        r"""
        print(f"slide:  (1 − z_C)·z_C·x_A = (1 − {z_C:.3f})·{z_C:.3f}·{x_A} = {(1 - z_C) * z_C * x_A:.4f}")
        print(f"right:  (1 − y_C)·y_C·x_A = (1 − {y_C:.4f})·{y_C:.4f}·{x_A} = {(1 - y_C) * y_C * x_A:.4f}")
        for name, z, x in (("w3", z_C, x_B), ("w2", z_D, x_A), ("w4", z_D, x_B)):
            print(f"same slip for {name}: (1 − z)·z·x = {(1 - z) * z * x:.4f}")
        """
    ),
    md(
        r"""
        `check_by_hand(loss, claimed)` takes the gradients a person wrote down, $\partial L/\partial v$ for
        some nodes $v$ (named by their labels), and visits the nodes in the order of the backward pass.
        At each claimed node it computes what the person's **own** numbers above it imply,
        $\sum_{\text{consumers } c} \partial L/\partial c \cdot \partial c/\partial v$ (their claim for $c$ where
        they made one), and reports the **first wrong step**: the first claim that disagrees. Numbers
        computed correctly from an earlier mistake are not blamed, so one slip is reported once,
        where it happened.

        Here is the slide's backward pass, every step written down as the slide computes it:
        """
    ),
    code(
        r"""
        d_yC, d_yD = delta_E * w5, delta_E * w6  # ∂L/∂y_C, ∂L/∂y_D: right
        slide_sigma_C, slide_sigma_D = (1 - z_C) * z_C, (1 - z_D) * z_D  # the slip: z for y
        slide = {
            "L": 1.0,
            "ŷ_E": dL_dyE,
            "z_E": delta_E,
            "w5": delta_E * y_C,
            "w6": delta_E * y_D,
            "y_C": d_yC,
            "y_D": d_yD,
            "z_C": d_yC * slide_sigma_C,
            "z_D": d_yD * slide_sigma_D,
            "w1": d_yC * slide_sigma_C * x_A,  # = ∂L/∂y_C × 0.0524
            "w3": d_yC * slide_sigma_C * x_B,
            "w2": d_yD * slide_sigma_D * x_A,
            "w4": d_yD * slide_sigma_D * x_B,
        }
        report = check_by_hand(loss, slide)
        print(report)
        print()
        print(report.table())
        assert report.first_wrong is net["z_C"]
        """
    ),
    md(
        r"""
        The checker names $\partial L/\partial z_C$: the step $\partial L/\partial z_C = \partial L/\partial y_C\cdot\partial y_C/\partial z_C$,
        where $\sigma'(z_C)$ was evaluated with $z_C$ in place of $y_C$. That is exactly the slide's slip.
        $\partial L/\partial w_1$ and $\partial L/\partial w_3$ are *consistent* with the wrong $\partial L/\partial z_C$ (each
        is it times the input on its edge), so they are not blamed; they are wrong only because of
        the step above them. The same slip, made independently for unit $D$, is listed too.

        The slide's own printed numbers are rounded to four digits, so checking them needs a looser
        tolerance; the checker still names the same step:
        """
    ),
    code(
        r"""
        printed = {"ŷ_E": -0.3845, "z_E": -0.3845 * 0.2365}
        printed["y_C"] = printed["z_E"] * 0.2
        printed["z_C"] = printed["y_C"] * (1 - 0.351) * 0.351
        printed["w1"] = printed["y_C"] * 0.0524
        report = check_by_hand(loss, printed, rtol=2e-3)
        print(report.table())
        assert report.first_wrong is net["z_C"]
        """
    ),
    md(
        r"""
        A student who writes down only the weights' gradients is told at $w_1$, with the right
        $\partial L/\partial z_C$ from the engine (nothing above $w_1$ was claimed):
        """
    ),
    code(
        r"""
        only_weights = {name: slide[name] for name in ("w5", "w6", "w1", "w3", "w2", "w4")}
        report = check_by_hand(loss, only_weights)
        print(report)
        assert report.first_wrong is net["w1"]

        fixed = dict(slide, z_C=delta_C, z_D=delta_D, **hand)
        print()
        print(check_by_hand(loss, fixed))
        """
    ),
    md(
        r"""
        ## One SGD step

        Gradient descent moves every weight against its gradient, $w \leftarrow w - \varepsilon\,\partial L/\partial w$,
        here with the slides' learning rate $\varepsilon = 0.7$ and the right gradients.
        """
    ),
    code(
        r"""
        slide_new = {"w1": 0.1007, "w2": 0.5021, "w3": 0.4025, "w4": 0.3076, "w5": 0.2374, "w6": 0.6375}
        old = dict(zip(EDGES, (w1, w2, w3, w4, w5, w6)))
        print(f"{'':<4} {'w':>5} {'∂L/∂w':>10} {'w − ε·∂L/∂w':>13} {'slide':>8}")
        for name in EDGES:
            new = old[name] - eps * hand[name]
            print(f"{name:<4} {old[name]:>5} {hand[name]:>10.6f} {new:>13.4f} {slide_new[name]:>8}")
            assert round(new, 4) == slide_new[name]

        # The engine's way: update .data in place (what an optimiser does), then a new forward pass.
        for name in EDGES:
            net[name].data -= eps * net[name].grad
        (w1, w2, w3, w4, w5, w6) = (net[name].data for name in EDGES)
        loss_after, _ = build()
        print(f"\nloss before the step {L:.6f}, after {loss_after.data:.6f}")
        assert loss_after.data < L
        w1, w2, w3, w4, w5, w6 = old.values()  # back to the slides' weights for what follows
        """
    ),
    md(
        r"""
        ## Vector form with plain lists

        The lectures' matrix form of the same computation, for any layer sizes (no biases here):
        $z_k = W_k\,y_{k-1}$, $y_k = \sigma(z_k)$ with $y_0 = x$, and backwards

        $$
        \delta^{\text{out}} = (y^{\text{out}} - y)\odot\sigma'(z^{\text{out}}),\qquad
        \delta_k = \sigma'(z_k)\odot (W_{k+1})^\top \delta_{k+1},\qquad
        \frac{\partial L}{\partial W_k} = \delta_k\, (y_{k-1})^\top .
        $$
        """
    ),
    code(
        r"""
        def matvec(M, v):
            return [sum(m * t for m, t in zip(row, v)) for row in M]


        def hadamard(u, v):
            return [s * t for s, t in zip(u, v)]


        def transpose(M):
            return [list(col) for col in zip(*M)]


        def outer(u, v):
            return [[s * t for t in v] for s in u]


        def backprop(Ws, x, y):
            # Forward pass, keeping every z and y; then the delta rule from the top layer down.
            zs, ys = [], [x]
            for W in Ws:
                zs.append(matvec(W, ys[-1]))
                ys.append([sigmoid(t) for t in zs[-1]])
            dsigma = lambda k: [sigmoid(t) * (1 - sigmoid(t)) for t in zs[k]]
            delta = hadamard([a - t for a, t in zip(ys[-1], y)], dsigma(-1))
            grads = [None] * len(Ws)
            for k in reversed(range(len(Ws))):
                grads[k] = outer(delta, ys[k])
                if k > 0:
                    delta = hadamard(dsigma(k - 1), matvec(transpose(Ws[k]), delta))
            return grads


        W_hidden = [[w1, w3],   # into C: from A, from B
                    [w2, w4]]   # into D
        W_out = [[w5, w6]]      # into E: from C, from D
        g_hidden, g_out = backprop([W_hidden, W_out], [x_A, x_B], [target])
        vector = {"w1": g_hidden[0][0], "w3": g_hidden[0][1], "w2": g_hidden[1][0],
                  "w4": g_hidden[1][1], "w5": g_out[0][0], "w6": g_out[0][1]}
        loss, net = build()
        engine = dict(zip(EDGES, grad(loss, [net[name] for name in EDGES])))
        compare([(name, vector[name], engine[name]) for name in EDGES])
        """
    ),
    md(
        r"""
        `grad(loss, params)` is the functional form of `backward()`: it returns the derivatives as a list
        and leaves every `.grad` untouched.

        ## The slip as code, caught by `gradcheck`

        The slide's slip is easy to make in code too: the formula $\sigma'(z) = (1 - y)\,y$ is right, but
        $z$ is passed where $y$ belongs. To test a hand-written local derivative we need a node whose
        **value** is $\sigma(z)$ but whose **local derivative** is whatever number our rule gives.
        Public operations can build one:

        $$ \text{node} = \sigma(z) + s\,\big(z - \operatorname{detach}(z)\big). $$

        The bracket is exactly $0$, so the value is $\sigma(z)$; its derivative with respect to $z$ is $1$,
        so the engine sees the local derivative $s$. `gradcheck` then compares the engine's gradients,
        built from our rule, with central finite differences of the value
        $\big(f(\theta+\varepsilon) - f(\theta-\varepsilon)\big)/2\varepsilon$, which know nothing about the rule.
        """
    ),
    code(
        r"""
        def sigmoid_node(z, rule):
            # σ(z) as a node whose local derivative ∂y/∂z is rule(z, y), computed by hand.
            y = sigmoid(z.data)
            return Value(y) + rule(z.data, y) * (z - z.detach())


        def right_rule(z, y):
            return (1 - y) * y


        def slide_rule(z, y):
            return (1 - z) * z  # the slip: z where y belongs


        def loss_with_rules(hidden_rule, output_rule):
            # The 2-2-1 loss as a function of w1..w6, with hand-made sigmoid nodes.
            def f(v1, v2, v3, v4, v5, v6):
                h_C = sigmoid_node(v1 * x_A + v3 * x_B, hidden_rule)
                h_D = sigmoid_node(v2 * x_A + v4 * x_B, hidden_rule)
                out = sigmoid_node(v5 * h_C + v6 * h_D, output_rule)
                return 0.5 * (out - target) ** 2
            return f


        def weights():
            return [Value(v, label=name) for name, v in zip(EDGES, (w1, w2, w3, w4, w5, w6))]


        print("right rule everywhere:", gradcheck(loss_with_rules(right_rule, right_rule), weights()))
        try:
            gradcheck(loss_with_rules(slide_rule, right_rule), weights())
        except GradcheckError as err:
            print(err)
        """
    ),
    md(
        r"""
        The table lists exactly the four hidden weights; the output weights pass, because their
        gradients $\delta_E\,y_C$ and $\delta_E\,y_D$ never use the hidden $\sigma'$. `gradcheck` tells
        *which parameters* are wrong; `check_by_hand` tells *which step* of a hand computation is.
        """
    ),
    md(
        r"""
        ## Subgradients: derivatives at kinks

        ReLU, $|x|$ and $\max(a, b)$ have a corner where the derivative is not defined. Any slope between
        the left and the right one is a valid *subgradient*; libraries pick one and write it down. Here
        (as in PyTorch): $\mathrm{relu}'(0) = 0$, $|x|'$ at $0$ is $0$, and at a tie $\max$ gives each input
        half of the gradient.

        The step function has no corner but a jump; its derivative is 0 wherever it exists, and
        autograd_lite uses 0 everywhere. **A convention that differs from the slides:** here
        `step(0) = 0` (1 only for $z > 0$), while the feed-forward deck's unit step is 1 for $z \ge 0$,
        so 1 at $0$.
        """
    ),
    code(
        r"""
        zero = Value(0.0)
        a, b = Value(1.5), Value(1.5)
        print("relu'(0)                =", grad(zero.relu(), [zero])[0])
        print("abs'(0)                 =", grad(zero.abs(), [zero])[0])
        print("max(a, b) at a tie      =", grad(functional.maximum(a, b), [a, b]))
        c = Value(2.0)
        print("max(a, c) with c larger =", grad(functional.maximum(a, c), [a, c]))
        print("step(0)                 =", zero.step().data, " (the deck's unit step: 1 at 0)")
        print("step'(0)                =", grad(zero.step(), [zero])[0])

        eps = 1e-6
        left = (0.0 - Value(-eps).relu().data) / eps
        right = (Value(eps).relu().data - 0.0) / eps
        print(f"\nrelu at 0: slope from the left {left}, from the right {right}; "
              f"any number in [{left}, {right}] is a subgradient")
        """
    ),
    md(
        r"""
        A kink is also the one place where `gradcheck` is not to be trusted: the central difference
        straddles the corner and averages the two slopes.
        """
    ),
    code(
        r"""
        try:
            gradcheck(lambda t: t.relu(), [Value(0.0)])
        except GradcheckError as err:
            print(err)
        print("\naway from the kink:", gradcheck(lambda t: t.relu(), [Value(0.3)]))
        """
    ),
    md(
        r"""
        ## Softmax: a vector activation

        Sigmoid acts on each number separately, so its Jacobian is diagonal. Softmax
        $y_i = e^{z_i} / \sum_j e^{z_j}$ is a *vector activation*: every output depends on every input,
        so influence sums over all of them, $\partial Div/\partial z_i = \sum_j \partial Div/\partial y_j\cdot\partial y_j/\partial z_i$,
        with (the lectures' formula)

        $$ \frac{\partial y_i}{\partial z_k} = y_i\,(\delta_{ik} - y_k), $$

        where $\delta_{ik}$ is $1$ when $i = k$ and $0$ otherwise: $y_i - y_i^2$ on the diagonal, $-y_i y_k$
        off it. `functional.jacobian` builds the matrix one row (one `grad` call) per output.
        """
    ),
    code(
        r"""
        def show(matrix, title):
            print(title)
            for row in matrix:
                print("  [" + "  ".join(f"{v: .6f}" for v in row) + " ]")


        zs = [Value(2.0, label="z1"), Value(1.0, label="z2"), Value(0.1, label="z3")]
        ys = functional.softmax(zs)
        y = [t.data for t in ys]
        print("softmax =", [round(t, 6) for t in y], f" sum = {sum(y):.12f}")

        J = functional.jacobian(ys, zs)
        J_hand = [[y[i] * ((i == k) - y[k]) for k in range(3)] for i in range(3)]
        show(J, "\nJacobian from the engine:")
        show(J_hand, "\ny_i (δ_ik − y_k) by hand:")
        for i in range(3):
            for k in range(3):
                assert math.isclose(J[i][k], J_hand[i][k], abs_tol=1e-12)
                assert math.isclose(J[i][k], J[k][i], abs_tol=1e-12)  # symmetric
            assert abs(sum(J[i])) < 1e-12  # shifting all inputs by the same amount changes nothing
        show(functional.jacobian([t.sigmoid() for t in zs], zs), "\nfor contrast, elementwise sigmoid:")
        """
    ),
    md(
        r"""
        The rows sum to zero: adding the same constant to every input leaves softmax unchanged.

        ## Softmax + cross-entropy: the gradient is $p - \text{one-hot}$

        The lectures write this as $\delta^{\text{out}} = a - y$ for a softmax output $a$ and a one-hot
        target $y$ with the negative log-likelihood loss.

        For logits $z$, probabilities $p = \operatorname{softmax}(z)$ and the correct class $t$, the loss is
        $L = -\log p_t$. Chaining the Jacobian above with $\partial L/\partial p_i = -[i = t]/p_t$ gives

        $$ \frac{\partial L}{\partial z_k} = -\frac{1}{p_t}\,p_t(\delta_{tk} - p_k) = p_k - [k = t]. $$

        The engine computes $\log p_t$ with `log_softmax` (stable for large logits).
        """
    ),
    code(
        r"""
        logits = [Value(2.0), Value(1.0), Value(0.1)]
        target = 1
        loss = -functional.log_softmax(logits)[target]
        g = grad(loss, logits)
        p = [t.data for t in functional.softmax(logits)]
        one_hot = [1.0 if k == target else 0.0 for k in range(3)]
        print(f"L = -log p_{target} = {loss.data:.6f}")
        compare([(f"∂L/∂z{k + 1}", p[k] - one_hot[k], g[k]) for k in range(3)])
        """
    ),
    md(
        r"""
        The gradient is the prediction minus the target: large when the model is confidently wrong,
        zero when $p$ is exactly the one-hot vector. This simple form is why softmax and cross-entropy
        are nearly always used together.
        """
    ),
]

if __name__ == "__main__":
    write("02_backprop_by_hand.ipynb", CELLS)
