"""Builds notebooks/02_backprop_by_hand.ipynb; run from the repository root:

    .venv/bin/python notebooks/build/build_02.py
"""

from _nb import code, md, write

CELLS = [
    md(
        r"""
        # 02 · Backprop by hand, checked by the engine

        The "Training NN" notes (003) work one example through by hand: a 2-2-1 sigmoid network,
        its forward pass, its gradient by the chain rule and a Jacobian, and one step of gradient
        descent. This notebook redoes every number of it with the engine beside the notes, shows
        how the notes print their numbers, and lets `check_by_hand` find the three places where the
        notes' arithmetic slips.

        Notation: as in notes 003 and 004, $\hat y$ is the network's **prediction** and $y$ the
        target. Hung-yi Lee's deck (002) uses $\hat y$ for the *target*; keep that in mind when you
        read it beside this notebook.
        """
    ),
    code(
        r"""
        import math

        import graphviz

        from autograd_lite import (
            GradcheckError, Value, backward_frames, check_by_hand, draw_dot, functional, grad, gradcheck,
        )
        from autograd_lite.teaching import node_names


        def sigmoid(t):
            return 1.0 / (1.0 + math.exp(-t))


        def truncate(t, digits=4):
            # Cut after `digits` decimals, as the notes do with their forward values.
            return math.floor(t * 10**digits + 1e-9) / 10**digits


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
        ## The network (003:76-99)

        Inputs $A$ and $B$, hidden units $C$ and $D$, output unit $E$, every unit a sigmoid and
        **no biases**. Each unit computes $z = \vec w_n \cdot \vec i_n$ and then $y = \sigma(z)$ with
        $\sigma(z) = 1/(1 + e^{-z})$; the loss is half the squared error, $L = \tfrac12(\hat y_E - y)^2$.

        | | |
        |---|---|
        | data | $x_A = 0.23$, $x_B = 0.82$, target $y = 1$ |
        | weights | $w_1 = 0.1$ (A→C), $w_2 = 0.5$ (A→D), $w_3 = 0.4$ (B→C), $w_4 = 0.3$ (B→D), $w_5 = 0.2$ (C→E), $w_6 = 0.6$ (D→E) |
        | learning rate | $\varepsilon = 0.7$ |
        """
    ),
    code(
        r"""
        x_A, x_B, target = 0.23, 0.82, 1.0
        w1, w2, w3, w4, w5, w6 = 0.1, 0.5, 0.4, 0.3, 0.2, 0.6
        WEIGHTS = {"w1": w1, "w2": w2, "w3": w3, "w4": w4, "w5": w5, "w6": w6}
        lr = 0.7  # the notes' ε

        EDGES = {"w1": ("A", "C"), "w2": ("A", "D"), "w3": ("B", "C"),
                 "w4": ("B", "D"), "w5": ("C", "E"), "w6": ("D", "E")}


        def network(node_text, edge_text, title):
            # The notes' picture of the 2-2-1 network: text inside each unit and on each weight.
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
                {name: str(value) for name, value in WEIGHTS.items()},
                "the 2-2-1 network: inputs, units and weights")
        """
    ),
    md(
        r"""
        **A slip in the labels.** Some of the notes' slides write $\vec w_C = (w_1, w_2) = (0.1, 0.5)$ and
        $\vec w_D = (w_3, w_4) = (0.4, 0.3)$ (003:99, 115, 162), others $\vec w_C = (w_1, w_3) = (0.1, 0.4)$ and
        $\vec w_D = (w_2, w_4) = (0.5, 0.3)$ (003:141, 214). Only the second gives the printed $z_C = 0.351$,
        and it is the one the gradient slides use ($y_C$ depends on $w_1$ and $w_3$, 003:354), so it is
        the one used here.
        """
    ),
    code(
        r"""
        print(f"w_C = (w1, w2) = (0.1, 0.5): z_C = 0.1·x_A + 0.5·x_B = {0.1 * x_A + 0.5 * x_B:.3f}")
        print(f"w_C = (w1, w3) = (0.1, 0.4): z_C = 0.1·x_A + 0.4·x_B = {0.1 * x_A + 0.4 * x_B:.3f}   (printed: 0.351)")
        """
    ),
    md(
        r"""
        ## Forward pass by hand (003:120-223)

        *Forward pass: present the input, compute the affine combinations $z$ and the activations $y$*
        (000:7), layer by layer, keeping every value for the backward pass (001:50).

        **How the notes print their numbers.** Each forward value is **truncated** to four decimals
        and the next one is computed from the truncated value: $\sigma(0.351) = 0.586860 \to 0.5868$,
        then $z_E = 0.2 \cdot 0.5868 + 0.6 \cdot 0.5892 = 0.47088 \to 0.4708$, then
        $\sigma(0.4708) = 0.615573 \to 0.6155$. Rounding would give 0.5869, 0.5893, 0.4709 and 0.6156
        instead. The table computes the chain exactly, the notes' way, and shows what they print:
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

        # The notes' chain: every value truncated, and the next computed from the truncated one.
        notes_y_C, notes_y_D = truncate(sigmoid(z_C)), truncate(sigmoid(z_D))
        notes_z_E = truncate(w5 * notes_y_C + w6 * notes_y_D)
        notes_y_E = truncate(sigmoid(notes_z_E))
        notes_L = round(0.5 * (notes_y_E - target) ** 2, 4)

        rows = [
            ("z_C = w1·x_A + w3·x_B", z_C, z_C, 0.351),
            ("z_D = w2·x_A + w4·x_B", z_D, z_D, 0.361),
            ("y_C = σ(z_C)", y_C, notes_y_C, 0.5868),
            ("y_D = σ(z_D)", y_D, notes_y_D, 0.5892),
            ("z_E = w5·y_C + w6·y_D", z_E, notes_z_E, 0.4708),
            ("ŷ_E = σ(z_E)", y_E, notes_y_E, 0.6155),
            ("L = ½(ŷ_E − y)²", L, notes_L, 0.0739),
        ]
        print(f"{'':<22} {'exact':>9} {'notes way':>10} {'printed':>8}")
        for formula, exact, chain, printed in rows:
            print(f"{formula:<22} {exact:>9.6f} {chain:>10.4f} {printed:>8}")
            assert math.isclose(chain, printed), formula
        """
    ),
    md(
        r"""
        The notes' way reproduces every printed digit. The exact values differ from them in the
        fourth decimal ($\hat y_E = 0.615607$, not $0.6155$); all gradients below are computed from
        the exact values unless a cell says otherwise.

        The same network in the engine. `functional.dot` makes $z_C$ and $z_D$ one node each, whose
        parents are the weights and the inputs, so the edge from $w_1$ into $z_C$ carries
        $\partial z_C/\partial w_1 = x_A$. For $z_E$ we follow the notes (003:299): $z_E = g_1 + g_2$ with
        $g_1 = w_5 y_C$ and $g_2 = w_6 y_D$. Every node gets the notes' name. Drawn, the graph separates
        each weighted sum from its activation, as the calculus deck's picture does (001:9).
        """
    ),
    code(
        r"""
        def build(weights=WEIGHTS):
            # The 2-2-1 network as a graph; returns the loss and its named nodes.
            v = {name: Value(d) for name, d in (("x_A", x_A), ("x_B", x_B), *weights.items())}
            v["z_C"] = functional.dot([v["w1"], v["w3"]], [v["x_A"], v["x_B"]])
            v["z_D"] = functional.dot([v["w2"], v["w4"]], [v["x_A"], v["x_B"]])
            v["y_C"], v["y_D"] = v["z_C"].sigmoid(), v["z_D"].sigmoid()
            v["g1"], v["g2"] = v["w5"] * v["y_C"], v["w6"] * v["y_D"]
            v["z_E"] = v["g1"] + v["g2"]
            v["ŷ_E"] = v["z_E"].sigmoid()
            v["ŷ_E − y"] = v["ŷ_E"] - target
            v["L"] = 0.5 * v["ŷ_E − y"] ** 2
            for name, node in v.items():
                node.label = name
            return v["L"], v


        loss, net = build()
        compare([("z_C", z_C, net["z_C"].data), ("z_D", z_D, net["z_D"].data),
                 ("y_C", y_C, net["y_C"].data), ("y_D", y_D, net["y_D"].data),
                 ("z_E", z_E, net["z_E"].data), ("ŷ_E", y_E, net["ŷ_E"].data), ("L", L, loss.data)])
        draw_dot(loss, rankdir="TB")
        """
    ),
    md(
        r"""
        ## Backward pass by hand (003:238-280)

        *Backward pass: go back through the network, using the forward pass's values to compute
        derivatives* (000:8). The notes apply the chain rule from the top:

        $$\nabla_{\vec w} L = \frac{\partial L}{\partial \hat y_E}\cdot\frac{\partial \hat y_E}{\partial z_E}\cdot\nabla_{\vec w}\, z_E,
        \qquad \frac{\partial L}{\partial \hat y_E} = \hat y_E - y,\qquad \frac{\partial \hat y_E}{\partial z_E} = (1 - \hat y_E)\,\hat y_E .$$

        Their product is the output unit's error signal $\delta_E = \partial L/\partial z_E$ (002:98).
        """
    ),
    code(
        r"""
        dL_dyE = y_E - target
        dyE_dzE = (1 - y_E) * y_E
        delta_E = dL_dyE * dyE_dzE
        print(f"exact:       ∂L/∂ŷ_E = {dL_dyE:.6f}   ∂ŷ_E/∂z_E = {dyE_dzE:.6f}   δ_E = {delta_E:.6f}")

        notes_dL = notes_y_E - target
        product = (1 - notes_y_E) * notes_y_E
        print(f"notes' ŷ_E:  ∂L/∂ŷ_E = {notes_dL:.4f}    (1 − ŷ_E)·ŷ_E = 0.6155 · 0.3845 = {product:.6f}")
        print(f"             rounded {round(product, 4)}, truncated {truncate(product)}; the notes print 0.2365")
        """
    ),
    md(
        r"""
        **A slip in the notes (003:431).** $\partial L/\partial \hat y_E = -1 + 0.6155 = -0.3845$ follows
        from their truncated $\hat y_E$. But $(1 - \hat y_E)\,\hat y_E = 0.6155 \cdot 0.3845 = 0.23666$,
        and the notes print **0.2365**: that is neither the product rounded (0.2367) nor truncated
        (0.2366), so it is a slip in the multiplication, not an effect of printing. The notes go on
        with $-0.3845 \times 0.2365 = -0.09093$, printed $-0.0909$. The true value of this factor,
        from the exact $\hat y_E$, is $0.236635$.

        ## The notes' Jacobian route (003:299-410)

        The notes do not compute $\nabla_{\vec w} z_E$ unit by unit. They write $z_E = g_1(\vec w) + g_2(\vec w)$
        with $g_1 = w_5 y_C$, $g_2 = w_6 y_D$, and use the chain rule for a function of a vector function:

        $$\nabla_{\vec w}\, z_E = (\mathbb J_{\vec w}\, \vec g)^{\mathsf T}\, \nabla_{\vec g}\, z_E,
        \qquad \nabla_{\vec g}(g_1 + g_2) = \begin{pmatrix}1\\1\end{pmatrix}.$$

        $\mathbb J_{\vec w}\,\vec g$ (the notes write it $\mathbb J_{\vec w} z_E$) is $2 \times 6$, one row per $g$ and one
        column per weight. $g_1$ depends only
        on $w_1, w_3, w_5$ and $g_2$ only on $w_2, w_4, w_6$, so half its entries are zero:

        $$\mathbb J_{\vec w}\,\vec g = \begin{pmatrix}
        w_5 \frac{\partial y_C}{\partial z_C} x_A & 0 & w_5 \frac{\partial y_C}{\partial z_C} x_B & 0 & y_C & 0\\
        0 & w_6 \frac{\partial y_D}{\partial z_D} x_A & 0 & w_6 \frac{\partial y_D}{\partial z_D} x_B & 0 & y_D
        \end{pmatrix}.$$

        `functional.jacobian(outputs, inputs)` gives the same matrix from the graph, one row (one
        backward pass) per output:
        """
    ),
    code(
        r"""
        def show(matrix, title, columns=tuple(WEIGHTS)):
            print(title)
            print("      " + "".join(f"{c:>10}" for c in columns))
            for name, row in matrix:
                print(f"{name:<6}" + "".join(f"{v:>10.6f}" if v else f"{'0':>10}" for v in row))


        ws = [net[name] for name in WEIGHTS]
        J = functional.jacobian([net["g1"], net["g2"]], ws)
        s_C, s_D = (1 - y_C) * y_C, (1 - y_D) * y_D
        J_hand = [[w5 * s_C * x_A, 0.0, w5 * s_C * x_B, 0.0, y_C, 0.0],
                  [0.0, w6 * s_D * x_A, 0.0, w6 * s_D * x_B, 0.0, y_D]]
        show(zip(("g1", "g2"), J), "J_w g from the engine:")
        show(zip(("g1", "g2"), J_hand), "\nby hand:")
        for row, row_hand in zip(J, J_hand):
            for entry, entry_hand in zip(row, row_hand):
                assert math.isclose(entry, entry_hand, abs_tol=1e-15)
        """
    ),
    md(
        r"""
        The zeros are exact: no route leads from $w_2$ to $g_1$, so the engine's row for $g_1$ has
        nothing to add there. Multiplying out, $\nabla_{\vec w} L = \delta_E\,(\mathbb J_{\vec w}\vec g)^{\mathsf T}(1, 1)^{\mathsf T}$:
        each gradient is $\delta_E$ times a column sum of $\mathbb J$. This is what `backward()` computes
        (here through `grad`, its functional form), without ever forming the matrix:
        """
    ),
    code(
        r"""
        grad_z_E = [J[0][k] * 1 + J[1][k] * 1 for k in range(6)]  # (J_w g)ᵀ ∇_g z_E
        route = [delta_E * t for t in grad_z_E]
        loss, net = build()
        engine = grad(loss, [net[name] for name in WEIGHTS])
        compare([(f"∂L/∂{name}", r, e) for name, r, e in zip(WEIGHTS, route, engine)])
        """
    ),
    md(
        r"""
        ## The hidden-layer factors and the notes' first slip (003:449-456)

        For the hidden weights the notes need $\dfrac{\partial y_C}{\partial z_C}\cdot\dfrac{\partial z_C}{\partial w_1} = (1 - y_C)\,y_C\cdot x_A$,
        and evaluate it as $(1 - 0.351)\cdot 0.351\cdot 0.23 = 0.0524$: they put $z_C = 0.351$ where
        $y_C = 0.5868$ belongs. The same slip gives 0.1868, 0.0531 and 0.1892 for $w_3$, $w_2$, $w_4$.
        These backward factors are **rounded**, not truncated: $0.052394 \to 0.0524$.
        """
    ),
    code(
        r"""
        factors = [("w1", "C", z_C, y_C, x_A, 0.0524), ("w3", "C", z_C, y_C, x_B, 0.1868),
                   ("w2", "D", z_D, y_D, x_A, 0.0531), ("w4", "D", z_D, y_D, x_B, 0.1892)]
        print(f"{'':4} {'(1 − z)·z·x (slip)':>20} {'rounded':>8} {'printed':>8} {'(1 − y)·y·x (right)':>20}")
        for name, unit, z, yv, x, printed in factors:
            slip = (1 - z) * z * x
            print(f"{name:4} {slip:>20.6f} {round(slip, 4):>8} {printed:>8} {(1 - yv) * yv * x:>20.6f}")
            assert round(slip, 4) == printed
        """
    ),
    md(
        r"""
        ## The notes' gradient vector and their second slip (003:475-477)

        The notes then fill in the Jacobian with their numbers, $w_5 = 0.2$ and $w_6 = 0.6$ times the
        factors above, and multiply by $-0.0909$:

        $$\nabla_{\vec w} L = -0.0909 \times (0.01048,\ 0.03186,\ 0.03736,\ 0.11551,\ 0.5868,\ 0.5892)^{\mathsf T}
        = (-0.000952632,\ -0.00289062,\ -0.00339602,\ -0.010499,\ -0.0533401,\ -0.0535583)^{\mathsf T}.$$

        Derived from their own numbers, the fourth entry is $0.6 \times 0.1892 = 0.11352$, not $0.1155$:
        a **second slip**, so their $\partial L/\partial w_4 = -0.010499$ should be $-0.010319$ even by their
        (slipped) numbers.
        """
    ),
    code(
        r"""
        notes_factor = {"w1": 0.0524, "w3": 0.1868, "w2": 0.0531, "w4": 0.1892}
        notes_column = {"w1": 0.01048, "w2": 0.03186, "w3": 0.03736, "w4": 0.11551, "w5": 0.5868, "w6": 0.5892}
        notes_grad = {"w1": -0.000952632, "w2": -0.00289062, "w3": -0.00339602, "w4": -0.010499,
                      "w5": -0.0533401, "w6": -0.0535583}
        derived = {name: (w5 if name in ("w1", "w3") else w6) * notes_factor[name] for name in notes_factor}
        derived |= {"w5": 0.5868, "w6": 0.5892}
        print(f"{'':4} {'derived':>9} {'printed':>9} {'−0.0909 × printed':>18} {'notes':>12} {'true ∂L/∂w':>11}")
        for k, name in enumerate(WEIGHTS):
            again = -0.0909 * notes_column[name]
            mark = {"w4": "  <- 0.6 × 0.1892 = 0.11352", "w2": "  <- −0.0909 × 0.0318"}.get(name, "")
            print(f"{name:4} {derived[name]:>9.5f} {notes_column[name]:>9.5f} {again:>18.9f} "
                  f"{notes_grad[name]:>12.9f} {engine[k]:>11.6f}{mark}")
            assert math.isclose(again, notes_grad[name], rel_tol=1e-4 if name != "w2" else 3e-3)
        print(f"\nw4 by the notes' own numbers: −0.0909 × 0.6 × 0.1892 = {-0.0909 * w6 * 0.1892:.6f}")
        """
    ),
    md(
        r"""
        Multiplying $-0.0909$ by the printed column gives the printed gradient, so the vector was
        computed from the column as printed (its $w_2$ entry from $0.0318$, the column's $0.03186$ cut
        to four decimals: a 0.2 % difference, within the printing); only the column's $w_4$ entry
        does not follow from the factors. Against the true gradient (last column) the hidden weights are off by 5 to 6 % (the
        first slip) and $w_4$ by 3 % (both slips, partly cancelling).

        ## Checking a backward pass done by hand: `check_by_hand`

        `check_by_hand(loss, claimed)` takes the gradients a person wrote down, $\partial L/\partial v$ for
        some nodes $v$ (named by their labels), and visits the nodes in the order of the backward
        pass. At each claimed node it computes what the person's **own** numbers above it imply,
        $\sum_{\text{consumers } c} \partial L/\partial c \cdot \partial c/\partial v$, and compares. A number
        computed correctly from an earlier mistake is a right step, so each slip is reported once,
        where it happened. `report.first_wrong` is the first wrong step; `report.wrong` lists every
        wrong step in backward-pass order.

        Here is the notes' backward pass with their printed numbers. Their route gives
        $\partial L/\partial g_1 = \partial L/\partial g_2 = -0.0909$ (since $\nabla_{\vec g} z_E = (1, 1)$),
        $\partial L/\partial y_C = -0.0909 \cdot w_5$ (the $w_5$ in the Jacobian), and then
        $\partial L/\partial z_C = \partial L/\partial y_C \cdot (1 - 0.351)\cdot 0.351$. Their numbers carry four digits,
        so the check uses a relative tolerance of $2\cdot 10^{-3}$:
        """
    ),
    code(
        r"""
        notes_claims = {"ŷ_E": -0.3845, "z_E": -0.0909, "g1": -0.0909, "g2": -0.0909,
                        "y_C": -0.0909 * 0.2, "y_D": -0.0909 * 0.6}
        notes_claims["z_C"] = notes_claims["y_C"] * (1 - 0.351) * 0.351  # σ′ taken at z_C
        notes_claims["z_D"] = notes_claims["y_D"] * (1 - 0.361) * 0.361
        notes_claims |= notes_grad  # the printed gradient vector
        loss, net = build()
        report = check_by_hand(loss, notes_claims, rtol=2e-3)
        print(report)
        assert report.first_wrong is net["z_C"]
        """
    ),
    md(
        r"""
        The checker names $\partial L/\partial z_C$ first: the step $\partial L/\partial z_C = \partial L/\partial y_C\cdot\partial y_C/\partial z_C$,
        where $\sigma'(z_C)$ was evaluated with $z_C$ in place of $y_C$. That is the notes' first slip.
        $\partial L/\partial w_1$ and $\partial L/\partial w_3$ are *consistent* with the wrong
        $\partial L/\partial z_C$ (each is it times the input on its edge), so they are not blamed. The
        list of all wrong steps also holds the same slip made again for unit $D$, and
        $\partial L/\partial w_4$: the second slip, $0.1155$ for $0.6 \times 0.1892$.
        """
    ),
    code(
        r"""
        print(len(report.wrong), "wrong steps, in backward-pass order")
        assert len(report.wrong) == 3
        assert all(name in str(report) for name in ("z_C", "z_D", "w4"))
        """
    ),
    md(
        r"""
        The third slip, $0.2365$ for $0.6155\cdot 0.3845$, is smaller than the four-digit tolerance
        above. Checked on its own, at the notes' own $\hat y_E = 0.6155$ and the checker's default
        tolerance ($10^{-6}$), it is named too: an output unit with $z_E = \ln(0.6155/0.3845)$, so
        that $\sigma(z_E) = 0.6155$ exactly.
        """
    ),
    code(
        r"""
        z_out = Value(math.log(0.6155 / 0.3845), label="z_E")
        y_out = z_out.sigmoid()
        y_out.label = "ŷ_E"
        L_out = 0.5 * (y_out - target) ** 2
        L_out.label = "L"
        print(f"ŷ_E = {y_out.data:.10f}")
        slipped = check_by_hand(L_out, {"ŷ_E": -0.3845, "z_E": -0.3845 * 0.2365})
        print(slipped)
        assert slipped.first_wrong is z_out
        print()
        print(check_by_hand(L_out, {"ŷ_E": -0.3845, "z_E": -0.3845 * 0.6155 * 0.3845}))
        """
    ),
    md(
        r"""
        ## Goodfellow's grad table (Algorithm 6.2, 003:638-662)

        Algorithm 6.2 does the backward pass for any graph: run the forward pass, set
        $\text{grad\_table}[u_n] = 1$ for the output, then for $j = n-1$ down to $1$
        $$\text{grad\_table}[u_j] = \sum_{i\,:\,j \in Pa(u_i)} \text{grad\_table}[u_i]\cdot\frac{\partial u_i}{\partial u_j},$$
        a sum over the *consumers* $u_i$ of $u_j$. The order $u_1, \dots, u_n$ is a topological order
        (every node after its parents), and walking it backwards gives the notes' order
        $y^{(N)} \to z^{(N)} \to w^{(N)} \to y^{(N-1)} \to \dots$ (001:43-65). Each edge is used once, so the
        cost is proportional to the number of edges: a dynamic programme, where the naive chain rule
        per weight would redo the shared products. Written out for our graph with only public pieces:
        `.parents`, and `.edges`, each parent with its local derivative (`None` for an *absent* edge,
        which adds no term: here the edges into the number literals $\tfrac12$, $2$ and $y = 1$). Every
        node is printed by its one name (`node_names`: its label, or its op with a count, such as `**₁`
        for the unlabelled square), and every row a sum refers to is printed too:
        """
    ),
    code(
        r"""
        def topological(root):
            # u_1, ..., u_n: every node after its parents (iterative depth-first search).
            order, seen, stack = [], set(), [(root, False)]
            while stack:
                node, done = stack.pop()
                if done:
                    order.append(node)
                elif node not in seen:
                    seen.add(node)
                    stack.append((node, True))
                    stack.extend((p, False) for p in reversed(node.parents))
            return order


        loss, net = build()
        order = topological(loss)
        names = node_names(loss)  # the name each diagram and check gives a node
        consumers = {u: [] for u in order}
        for u in order:
            for parent, local in u.edges:  # local = ∂u/∂parent, None for an absent edge
                if local is not None:
                    consumers[parent].append((u, local))

        table = {loss: 1.0}
        print(f"grad_table[{names[loss]}] = 1")
        for u in reversed(order):
            if u is loss or not consumers[u]:
                continue  # a number literal: no term reaches it, so it has no row
            assert all(c in table for c, _ in consumers[u])  # every row used is already printed
            table[u] = sum(table[c] * d for c, d in consumers[u])
            factors = [f"({d:.4f})" if d < 0 else f"{d:.4f}" for _, d in consumers[u]]
            sums = " + ".join(f"grad_table[{names[c]}]·{f}" for (c, _), f in zip(consumers[u], factors))
            print(f"grad_table[{names[u]}] = {sums} = {table[u]:.6f}")
        edges = sum(len(u.parents) for u in order)
        print(f"\n{len(order)} nodes, {len(table)} rows (number literals have none), {edges} edges")
        compare([(name, table[net[name]], e) for name, e in zip(WEIGHTS, engine)])
        """
    ),
    md(
        r"""
        `backward()` is this algorithm; it writes the table into each node's `.grad`. The network with
        its gradients: $\delta = \partial L/\partial z$ in each unit, $\partial L/\partial w$ on each weight. The
        backward pass runs like the network reversed, each unit multiplying by its $\sigma'(z)$ (002:204).
        """
    ),
    code(
        r"""
        loss, net = build()  # a fresh graph, so that running this cell again gives the same picture
        loss.backward()
        network({"A": "x_A = 0.23", "B": "x_B = 0.82",
                 "C": f"δ_C =\n{net['z_C'].grad:.6f}", "D": f"δ_D =\n{net['z_D'].grad:.6f}",
                 "E": f"δ_E =\n{net['z_E'].grad:.5f}"},
                {name: f"{net[name].grad:.6f}" for name in EDGES},
                "backward pass: δ = ∂L/∂z in each unit, ∂L/∂w on each weight")
        """
    ),
    md(
        r"""
        `backward_frames` replays the grad table one node at a time, in the order of the notes'
        "continue our way backwards in the order shown" (001:56): each frame highlights the node whose
        gradient has just been completed, shows `?` for gradients not known yet, and writes the sum
        it came from.
        """
    ),
    code(
        r"""
        backward_frames(loss, rankdir="TB")
        """
    ),
    md(
        r"""
        ## One SGD step (003:491-497)

        Gradient descent moves every weight against its gradient, $w \leftarrow w - \varepsilon\,\partial L/\partial w$
        (000:88), here with $\varepsilon = 0.7$. The notes' step uses their own (slipped) gradient vector;
        with the true gradients four of the six new weights come out differently in the fourth
        decimal. The step is **rounded** to four decimals ($0.100667 \to 0.1007$, $0.637491 \to 0.6375$).
        """
    ),
    code(
        r"""
        notes_step = {"w1": 0.1007, "w2": 0.5020, "w3": 0.4024, "w4": 0.3073, "w5": 0.2373, "w6": 0.6375}
        true_grad = dict(zip(WEIGHTS, engine))
        print(f"{'':4} {'w':>4} {'notes print':>12} {'from notes ∇':>13} {'from true ∇':>12}")
        new_weights = {}
        for name, w in WEIGHTS.items():
            from_notes = w - lr * notes_grad[name]
            new_weights[name] = w - lr * true_grad[name]
            print(f"{name:4} {w:>4} {notes_step[name]:>12.4f} {from_notes:>13.4f} {new_weights[name]:>12.4f}")
            assert round(from_notes, 4) == notes_step[name]
        assert [round(new_weights[n], 4) for n in WEIGHTS] == [0.1007, 0.5021, 0.4025, 0.3076, 0.2374, 0.6375]
        """
    ),
    md(
        r"""
        In the engine a step changes each weight's `.data` in place (what an optimiser does) and the
        next forward pass uses the new numbers. Here a fresh graph is built at the new weights, so
        the cell can be run again:
        """
    ),
    code(
        r"""
        loss_after, _ = build(new_weights)
        print(f"loss before the step {L:.6f}, after {loss_after.data:.6f}")
        assert loss_after.data < L
        """
    ),
    md(
        r"""
        ## The slip as code, caught by `gradcheck`

        The first slip is easy to make in code too: the formula $\sigma'(z) = (1 - y)\,y$ is right, but
        $z$ is passed where $y$ belongs. To test a hand-written local derivative we need a node whose
        **value** is $\sigma(z)$ but whose **local derivative** is whatever number our rule gives.
        Public operations can build one:

        $$ \text{node} = \sigma(z) + s\,\big(z - \operatorname{detach}(z)\big). $$

        The bracket is exactly $0$, so the value is $\sigma(z)$; its derivative with respect to $z$ is $1$,
        so the engine sees the local derivative $s$. `gradcheck` then compares the engine's gradients,
        built from our rule, with central finite differences of the value, which know nothing about
        the rule.
        """
    ),
    code(
        r"""
        def sigmoid_node(z, rule):
            # σ(z) as a node whose local derivative ∂y/∂z is rule(z, y), computed by hand.
            out = sigmoid(z.data)
            return Value(out) + rule(z.data, out) * (z - z.detach())


        def right_rule(z, out):
            return (1 - out) * out


        def notes_rule(z, out):
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
            return [Value(v, label=name) for name, v in WEIGHTS.items()]


        print("right rule everywhere:", gradcheck(loss_with_rules(right_rule, right_rule), weights()))
        try:
            gradcheck(loss_with_rules(notes_rule, right_rule), weights())
        except GradcheckError as err:
            print(err)
        """
    ),
    md(
        r"""
        The table lists exactly the four hidden weights; the output weights pass, because their
        gradients $\delta_E\,y_C$ and $\delta_E\,y_D$ never use the hidden $\sigma'$. `gradcheck` tells
        *which parameters* are wrong; `check_by_hand` tells *which step* of a hand computation is.

        **Next:** notebook 03 writes the same computation with vectors, Jacobians and their shapes;
        notebook 04 adds biases, mini-batches and regularisation.
        """
    ),
]

if __name__ == "__main__":
    write("02_backprop_by_hand.ipynb", CELLS)
