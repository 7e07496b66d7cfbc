"""Builds notebooks/04_biases_batches_and_regularisation.ipynb; run from the repository root:

    .venv/bin/python notebooks/build/build_04.py
"""

from _nb import code, md, write

CELLS = [
    md(
        r"""
        # 04 · Biases, batches and regularisation

        The worked example of notebook 02 has no biases, one training example and no penalty on
        the weights. Real training has all three. This notebook adds them one at a time, in the
        notes' notation: a bias's gradient is the unit's $\delta$; a bias is a weight on a constant
        input 1; the cost of a data set is an average, which changes the gradient and the
        learning rate; with $m$ examples at once every vector becomes a matrix; and an L2 penalty
        adds $\lambda W$ to the weights' gradient. It ends with the training loop and its stopping
        rule.
        """
    ),
    code(
        r"""
        import math

        import numpy as np

        from autograd_lite import Value, functional, grad, losses, optim

        np.set_printoptions(precision=6, suppress=True)


        def sigmoid(t):
            return 1.0 / (1.0 + np.exp(-t))
        """
    ),
    md(
        r"""
        ## The 2-2-1 network with biases (001:70-73; 004:440-460)

        Notebook 02's network, with a bias in each unit: $z_C = w_1 x_A + w_3 x_B + b_C$, and so on.
        The notes give no bias values; we take $b_C = 0.1$, $b_D = -0.2$, $b_E = 0.05$. Since
        $\partial z/\partial b = 1$, the chain rule gives at once

        $$ \frac{\partial L}{\partial b} = \frac{\partial L}{\partial z}\cdot\frac{\partial z}{\partial b} = \delta\cdot 1 = \delta, $$

        "for the bias term" in the calculus deck (001:73), $\partial J/\partial b^{(l)}_i = \delta^{(l+1)}_i$ in deck 004
        (004:460), next to $\partial J/\partial W^{(l)}_{ij} = a^{(l)}_j\,\delta^{(l+1)}_i$ (004:454).
        """
    ),
    code(
        r"""
        x_A, x_B, target = 0.23, 0.82, 1.0
        WEIGHTS = {"w1": 0.1, "w2": 0.5, "w3": 0.4, "w4": 0.3, "w5": 0.2, "w6": 0.6}
        BIASES = {"b_C": 0.1, "b_D": -0.2, "b_E": 0.05}


        def build(weights=WEIGHTS, biases=BIASES):
            # The 2-2-1 network with a bias in every unit; returns the loss and its named nodes.
            v = {name: Value(d, label=name) for name, d in
                 (("x_A", x_A), ("x_B", x_B), *weights.items(), *biases.items())}
            v["z_C"] = functional.dot([v["w1"], v["w3"]], [v["x_A"], v["x_B"]], v["b_C"])
            v["z_D"] = functional.dot([v["w2"], v["w4"]], [v["x_A"], v["x_B"]], v["b_D"])
            v["y_C"], v["y_D"] = v["z_C"].sigmoid(), v["z_D"].sigmoid()
            v["z_E"] = functional.dot([v["w5"], v["w6"]], [v["y_C"], v["y_D"]], v["b_E"])
            v["ŷ_E"] = v["z_E"].sigmoid()
            v["L"] = 0.5 * (v["ŷ_E"] - target) ** 2
            for name, node in v.items():
                node.label = name
            return v["L"], v


        loss, net = build()
        names = ["z_C", "z_D", "z_E", "b_C", "b_D", "b_E"]
        g = dict(zip(names, grad(loss, [net[n] for n in names])))
        for unit in "CDE":
            print(f"δ_{unit} = ∂L/∂z_{unit} = {g['z_' + unit]: .8f}    ∂L/∂b_{unit} = {g['b_' + unit]: .8f}")
            assert g["z_" + unit] == g["b_" + unit]
        """
    ),
    md(
        r"""
        Each bias gradient equals its unit's $\delta$, bit for bit. The per-unit rule of deck 004 gives
        every other gradient from the same $\delta$s: $\partial L/\partial w = a_j\,\delta_i$, the input on the
        weight's edge times the $\delta$ of the unit it feeds.
        """
    ),
    code(
        r"""
        edges = {"w1": ("x_A", "z_C"), "w2": ("x_A", "z_D"), "w3": ("x_B", "z_C"),
                 "w4": ("x_B", "z_D"), "w5": ("y_C", "z_E"), "w6": ("y_D", "z_E")}
        engine = dict(zip(WEIGHTS, grad(loss, [net[n] for n in WEIGHTS])))
        print(f"{'':4} {'a_j':>5} {'δ_i':>5} {'a_j·δ_i':>12} {'engine':>12}")
        for name, (a_j, z_i) in edges.items():
            rule = net[a_j].data * g[z_i]
            print(f"{name:4} {a_j:>5} {z_i:>5} {rule:>12.8f} {engine[name]:>12.8f}")
            assert math.isclose(rule, engine[name], rel_tol=1e-12)
        """
    ),
    md(
        r"""
        ## A bias is a weight on a constant input 1 (001:15, 001:23)

        The calculus deck handles biases by "assuming the bias is a weight and extending the output
        of every layer by a constant 1". Below, each layer's input gets an extra entry, a leaf
        holding $1$, and the bias becomes an ordinary weight on it. The gradients are the same
        numbers: the weight on the constant 1 gets $\delta \cdot 1$.
        """
    ),
    code(
        r"""
        def build_with_ones(weights=WEIGHTS, biases=BIASES):
            # The same network; each bias is a weight on an extra input that is always 1.
            v = {name: Value(d, label=name) for name, d in
                 (("x_A", x_A), ("x_B", x_B), *weights.items(), *biases.items())}
            one_in, one_hidden = Value(1.0, label="1"), Value(1.0, label="1")
            z_C = functional.dot([v["w1"], v["w3"], v["b_C"]], [v["x_A"], v["x_B"], one_in])
            z_D = functional.dot([v["w2"], v["w4"], v["b_D"]], [v["x_A"], v["x_B"], one_in])
            z_E = functional.dot([v["w5"], v["w6"], v["b_E"]], [z_C.sigmoid(), z_D.sigmoid(), one_hidden])
            return 0.5 * (z_E.sigmoid() - target) ** 2, v


        loss_ones, net_ones = build_with_ones()
        params = [*WEIGHTS, *BIASES]
        with_bias = grad(loss, [net[n] for n in params])
        with_ones = grad(loss_ones, [net_ones[n] for n in params])
        for name, a, b in zip(params, with_bias, with_ones):
            print(f"{name:4} with biases {a: .12f}   with inputs 1 {b: .12f}")
        assert loss.data == loss_ones.data and with_bias == with_ones
        """
    ),
    md(
        r"""
        ## Averaging over the data set (000:81-86; 002:13-15; 003:44)

        The cost of a data set of $R$ examples is the **average** of the examples' costs, and so is its
        gradient (Hung-yi Lee, 002:13-15, whose $C^r = \|f(x^r;\theta) - \hat y^r\|$ writes the **target** as
        $\hat y^r$; in notes 003 and 004 and in these notebooks $\hat y$ is the prediction):

        $$ C(\theta) = \frac1R \sum_{r=1}^R C^r(\theta), \qquad \nabla C(\theta) = \frac1R\sum_{r=1}^R \nabla C^r(\theta). $$

        The course notes ask about such factors ($\tfrac1T$, $\tfrac1N$, $\tfrac1m$: "is this really used?",
        000:81-86). It is: `losses.mse`, `losses.cross_entropy` and the others here, like PyTorch's,
        return the mean over the examples. Deck 003 writes the **sum** instead, $L_{cum}(S) = \sum_i L(p_W(x_i), y_i)$
        (003:44). The two differ by the factor $R$ and nothing else. Four examples for the 2-2-1
        network (the first is the notes' own):
        """
    ),
    code(
        r"""
        S = [((0.23, 0.82), 1.0), ((0.9, 0.1), 0.0), ((0.4, 0.4), 1.0), ((0.1, 0.7), 0.0)]


        def predict(weights, biases, xs):
            # ŷ_E for one input, as a Value (weights and biases are dicts of Values).
            w, b = weights, biases
            y_C = functional.dot([w["w1"], w["w3"]], xs, b["b_C"]).sigmoid()
            y_D = functional.dot([w["w2"], w["w4"]], xs, b["b_D"]).sigmoid()
            return functional.dot([w["w5"], w["w6"]], [y_C, y_D], b["b_E"]).sigmoid()


        w = {n: Value(t, label=n) for n, t in WEIGHTS.items()}
        b = {n: Value(t, label=n) for n, t in BIASES.items()}
        theta = [*w.values(), *b.values()]
        per_example = [grad(0.5 * (predict(w, b, xs) - t) ** 2, theta) for xs, t in S]
        mean_of_grads = np.mean(per_example, axis=0)

        C_mean = functional.mean([0.5 * (predict(w, b, xs) - t) ** 2 for xs, t in S])
        L_cum = functional.sum([0.5 * (predict(w, b, xs) - t) ** 2 for xs, t in S])
        grad_mean, grad_cum = np.array(grad(C_mean, theta)), np.array(grad(L_cum, theta))
        print("(1/R) Σ ∇C^r:", mean_of_grads)
        print("∇C, C = mean:", grad_mean)
        print("∇L_cum (sum):", grad_cum, f"= R · ∇C with R = {len(S)}")
        assert np.allclose(mean_of_grads, grad_mean) and np.allclose(grad_cum, len(S) * grad_mean)
        """
    ),
    md(
        r"""
        **Sum or mean: what it does to the learning rate.** The update $w \leftarrow w - \eta\,\nabla\text{Err}$
        (000:88) on the sum is the update on the mean with $R$ times the learning rate. So a learning
        rate tuned for the mean must be divided by $R$ for the sum, and a summed loss needs a new
        learning rate whenever the batch size changes; the mean does not. One step each way:
        """
    ),
    code(
        r"""
        eta = 0.7
        step_mean = [p.data - eta * gm for p, gm in zip(theta, grad_mean)]
        step_sum = [p.data - (eta / len(S)) * gc for p, gc in zip(theta, grad_cum)]
        step_sum_same_eta = [p.data - eta * gc for p, gc in zip(theta, grad_cum)]
        print("mean, η   :", np.round(step_mean, 6))
        print("sum,  η/R :", np.round(step_sum, 6))
        print("sum,  η   :", np.round(step_sum_same_eta, 6), " (a step R times as long)")
        assert np.allclose(step_mean, step_sum)
        """
    ),
    md(
        r"""
        ## m examples at once: the batch form and its shapes (004:520-634)

        With $m$ examples side by side, every column vector of notebook 03 becomes a matrix with one
        column per example: $X$ is $s_1 \times m$, each $a^{(l)}$ is $s_l \times m$ and each $\delta^{(l+1)}$ is
        $s_{l+1}\times m$. The gradients of the **mean** cost are then (004:533)

        $$ \nabla_{W^{(l)}} J = \frac1m\,\delta^{(l+1)} (a^{(l)})^{\mathsf T} = \frac1m \sum_{k=1}^m \delta^{(l+1)}_{:,k}\,(a^{(l)}_{:,k})^{\mathsf T},
        \qquad \nabla_{b^{(l)}} J = \delta^{(l+1)}.\text{col\_avg}(), $$

        where `col_avg` averages the $m$ columns (`np.mean(axis=1)`, 004:632). The product
        $(s_{l+1}\times m)(m \times s_l)$ adds up the $m$ outer products, so the sum over examples is
        inside the matrix product. Written with numpy for a 3-4-2 sigmoid network, $m = 5$, and checked
        against the engine's gradient of $J = \frac1m\sum_k \tfrac12\|a^{(3)}_{:,k} - y_{:,k}\|^2$:
        """
    ),
    code(
        r"""
        rng = np.random.default_rng(1)
        s, m = [3, 4, 2], 5
        W = [rng.normal(0, 0.8, (s[l + 1], s[l])) for l in range(2)]   # W^(1), W^(2)
        bias = [rng.normal(0, 0.3, (s[l + 1], 1)) for l in range(2)]   # b^(1), b^(2), as columns
        X = rng.normal(0, 1, (s[0], m))                                # one example per column
        Y = rng.uniform(0, 1, (s[2], m))

        a, z = [X], []                                  # forward: a^(1) = X
        for Wl, bl in zip(W, bias):
            z.append(Wl @ a[-1] + bl)                   # bl (s × 1) is added to every column
            a.append(sigmoid(z[-1]))
        delta = (a[-1] - Y) * a[-1] * (1 - a[-1])       # δ^(3): s_3 × m
        batch_grads = [None, None]
        for l in (1, 0):
            batch_grads[l] = (delta @ a[l].T / m, delta.mean(axis=1, keepdims=True))
            if l > 0:
                delta = (W[l].T @ delta) * a[l] * (1 - a[l])    # δ^(2): s_2 × m

        print(f"{'':<22} {'l = 1':>8} {'l = 2':>8}")
        for name, shapes in [("a^(l)", [a[0].shape, a[1].shape]),
                             ("δ^(l+1)", [(s[1], m), (s[2], m)]),
                             ("δ^(l+1) (a^(l))ᵀ / m", [g[0].shape for g in batch_grads]),
                             ("δ^(l+1).col_avg()", [g[1].shape for g in batch_grads])]:
            print(f"{name:<22} {str(shapes[0]):>8} {str(shapes[1]):>8}")
        """
    ),
    code(
        r"""
        Wv = [[[Value(float(t)) for t in row] for row in Wl] for Wl in W]
        bv = [[Value(float(t)) for t in bl[:, 0]] for bl in bias]
        costs = []
        for k in range(m):
            out = [Value(float(t)) for t in X[:, k]]
            for Wl, bl in zip(Wv, bv):
                out = [functional.dot(row, out, c).sigmoid() for row, c in zip(Wl, bl)]
            costs.append(0.5 * functional.sum([(o - t) ** 2 for o, t in zip(out, Y[:, k])]))
        J = functional.mean(costs)
        for l in range(2):
            gW = np.array(grad(J, [w for row in Wv[l] for w in row])).reshape(W[l].shape)
            gb = np.array(grad(J, bv[l])).reshape(-1, 1)
            assert np.allclose(gW, batch_grads[l][0]) and np.allclose(gb, batch_grads[l][1])
        print("∇W^(1) =\n", batch_grads[0][0])
        print("the batch formulas agree with the engine for both layers' weights and biases")
        """
    ),
    md(
        r"""
        ## L2 regularisation: the gradient gains λW (004:354-384)

        Deck 004 adds a penalty on the size of the weights to either loss (004:358-362), and over $m$
        examples (004:376):

        $$ J(W, b) = \frac1m\sum_{k=1}^m J(W, b, x^{(k)}, y^{(k)}) + \frac\lambda2 \sum_l \sum_i\sum_j \big(W^{(l)}_{ij}\big)^2, $$

        so each weight's gradient gains $\lambda W^{(l)}_{ij}$ and **the biases' gradients do not change**
        (004:382-384): the notes penalise the weights only. Slides 004:602-647 write the same factor
        as $\alpha$. `losses.l2(params, lam)` is $\tfrac\lambda2\sum w^2$ over the parameters you pass it:
        """
    ),
    code(
        r"""
        lam = 0.1
        w = {n: Value(t, label=n) for n, t in WEIGHTS.items()}
        b = {n: Value(t, label=n) for n, t in BIASES.items()}
        theta = [*w.values(), *b.values()]
        data_term = functional.mean([0.5 * (predict(w, b, xs) - t) ** 2 for xs, t in S])
        plain = grad(data_term, theta)
        notes_J = data_term + losses.l2(list(w.values()), lam)   # weights only, as the notes
        all_J = data_term + losses.l2(theta, lam)                # every parameter
        print(f"{'':5} {'∇ data':>10} {'+ λW (weights)':>15} {'+ λθ (all)':>11}")
        for p, g0, g1, g2 in zip(theta, plain, grad(notes_J, theta), grad(all_J, theta)):
            print(f"{p.label:5} {g0:>10.6f} {g1:>15.6f} {g2:>11.6f}")
            is_weight = p.label.startswith("w")
            assert math.isclose(g1, g0 + (lam * p.data if is_weight else 0.0), rel_tol=1e-12, abs_tol=1e-15)
            assert math.isclose(g2, g0 + lam * p.data, rel_tol=1e-12, abs_tol=1e-15)
        """
    ),
    md(
        r"""
        `optim.SGD(params, lr, weight_decay=λ)` adds $\lambda\,p$ to the gradient of every parameter it is
        given before stepping. Given all parameters, it is the "all" column; to follow the notes,
        give the weights and the biases separate optimisers and decay only the weights. Both
        agree with a plain step on the penalised loss:
        """
    ),
    code(
        r"""
        def one_step(penalty_on, decay):
            # One SGD step (lr 0.5) from fresh parameters; returns the new values in order.
            w = {n: Value(t) for n, t in WEIGHTS.items()}
            b = {n: Value(t) for n, t in BIASES.items()}
            J = functional.mean([0.5 * (predict(w, b, xs) - t) ** 2 for xs, t in S])
            if penalty_on == "weights":
                J = J + losses.l2(list(w.values()), lam)
            elif penalty_on == "all":
                J = J + losses.l2([*w.values(), *b.values()], lam)
            J.backward()
            if decay == "weights":
                opts = [optim.SGD(w.values(), lr=0.5, weight_decay=lam), optim.SGD(b.values(), lr=0.5)]
            else:
                opts = [optim.SGD([*w.values(), *b.values()], lr=0.5, weight_decay=lam if decay else 0.0)]
            for opt in opts:
                opt.step()
            return np.array([p.data for p in (*w.values(), *b.values())])


        notes_way = one_step("weights", None), one_step(None, "weights")
        all_way = one_step("all", None), one_step(None, "all")
        print("penalty on weights only: l2 term", notes_way[0], "\n                         weight_decay", notes_way[1])
        print("penalty on everything:   l2 term", all_way[0], "\n                         weight_decay", all_way[1])
        assert np.allclose(*notes_way) and np.allclose(*all_way)
        """
    ),
    md(
        r"""
        The last three entries are the biases: decayed in the second pair, left alone in the first.
        (`fit(..., l2=λ)` penalises every parameter, as micrograd's demo does; notebook 07 uses it.)

        ## The training loop and its stopping rule (003:13-65; 000:90)

        Deck 003 sets the scene with a data set $S = \{(\vec x_i, y_i)\}$, the weights of all layers as
        one 3-dimensional tensor $W_{ijk}$ (layer, then a matrix per layer; here a list of matrices),
        and a vector $\vec\Phi$ of activation functions, one per layer, which together make the prediction
        function $p_W$. Its training loop (003:50-63) takes one example at a time, computes
        $\hat y_i = p_W(\vec x_i)$, the loss and its gradient, and steps
        $W_{\text{new}} = W - \varepsilon\,\nabla_W L(\hat y_i, y_i)$, **until $W_{\text{new}} = W$**.

        That test almost never comes true in floating point: a step leaves a weight exactly
        unchanged only when it is smaller than half the spacing of floats near that weight, and
        here the sigmoid output approaches its target 1 only in the limit, so the gradient never
        reaches zero. A practical loop stops when the steps (or the loss) get small enough:
        """
    ),
    code(
        r"""
        Phi = [lambda z: z.sigmoid(), lambda z: z.sigmoid()]            # Φ_i: the activation of layer i
        W_tensor = [[[0.1, 0.4], [0.5, 0.3]], [[0.2, 0.6]]]             # W_ijk: layer i, unit j, input k


        def p_W(W, xs):
            # The prediction function defined by W and Φ (no biases, as in deck 003).
            a = [Value(t) for t in xs]
            for layer, phi in zip(W, Phi):
                a = [phi(functional.dot(row, a)) for row in layer]
            return a[0]


        S_notes = [((0.23, 0.82), 1.0)]                                   # the notes' one example
        W_now = [[[Value(t) for t in row] for row in layer] for layer in W_tensor]
        flat = [w for layer in W_now for row in layer for w in row]
        epsilon, tolerance = 0.7, 1e-4
        for epoch in range(1, 5001):
            largest_step, unchanged = 0.0, True
            for xs, y in S_notes:                             # one example at a time
                L = 0.5 * (p_W(W_now, xs) - y) ** 2
                for w_, g_ in zip(flat, grad(L, flat)):
                    new = w_.data - epsilon * g_
                    unchanged &= new == w_.data
                    largest_step = max(largest_step, abs(new - w_.data))
                    w_.data = new
            if epoch in (1, 10, 100, 1000) or largest_step < tolerance:
                print(f"epoch {epoch:>4}: loss {L.data:.2e}, largest step {largest_step:.2e}, W_new = W: {unchanged}")
            if largest_step < tolerance:
                break
        assert not unchanged and largest_step < tolerance
        """
    ),
    md(
        r"""
        On the notes' one example the steps shrink as $\hat y$ creeps towards 1, but $W_{\text{new}} = W$
        never holds; the loop ends on the tolerance. With several examples taken one at a time the
        steps need not even shrink: each example pulls the weights its own way. Notebook 07 trains
        with `fit`, which runs a fixed number of epochs.
        """
    ),
]

if __name__ == "__main__":
    write("04_biases_batches_and_regularisation.ipynb", CELLS)
