"""Builds notebooks/06_what_networks_can_represent.ipynb; run from the repository root:

    .venv/bin/python notebooks/build/build_06.py
"""

from _nb import code, md, write

CELLS = [
    md(
        r"""
        # 06 · What neurons and networks can represent

        Backprop tells a network how to change; it does not say what the network *can* become.
        This notebook follows the feed-forward deck (004) on that question: a neuron and its
        activations, why a logistic neuron decides like a perceptron, why no single neuron can
        compute XOR while one hidden layer can, the universal approximation theorem in one
        dimension, how many parameters a network has, and why a good representation of the input
        matters. It ends with the deck's exercise on the forward steps of a network with several
        outputs.
        """
    ),
    code(
        r"""
        import math
        import random

        import matplotlib.pyplot as plt
        import numpy as np

        from autograd_lite import Value, data, draw_dot, fit, functional, grad, losses, nn, no_grad, optim
        """
    ),
    md(
        r"""
        ## A neuron: a weighted sum and an activation (004:18-43)

        "The output of the neuron is a linear combination of inputs from other neurons, rescaled by
        the synaptic weights", usually passed through a monotonic activation function (004:22-26):
        $y = f(\mathbf w^{\mathsf T}\mathbf x + b)$. The deck's activations, with the derivatives the backward pass
        multiplies by:
        """
    ),
    code(
        r"""
        x = [Value(0.5, label="x1"), Value(-1.0, label="x2"), Value(2.0, label="x3")]
        neuron = nn.Neuron(3, activation="sigmoid", seed=0)
        out = neuron(x)
        out.label = "y"
        draw_dot(out)
        """
    ),
    code(
        r"""
        ACTIVATIONS = {
            "unit step": lambda v: v.step(),
            "logistic σ": lambda v: v.sigmoid(),
            "tanh": lambda v: v.tanh(),
            "ReLU max(0, z)": lambda v: v.relu(),
            "|z|": lambda v: v.abs(),
            "leaky ReLU, α = 0.1": lambda v: v.leaky_relu(0.1),
            "softplus ln(1 + eᶻ)": lambda v: v.softplus(),
        }
        zs = np.linspace(-5, 5, 201)
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
        for name, f in ACTIVATIONS.items():
            values, slopes = [], []
            for t in zs:
                v = Value(float(t))
                out = f(v)
                values.append(out.data)
                slopes.append(grad(out, [v])[0])
            left.plot(zs, values, label=name, lw=1.2)
            right.plot(zs, slopes, label=name, lw=1.2)
        left.set(title="f(z)", ylim=(-1.2, 3), xlabel="z")
        right.set(title="f′(z) from the engine", ylim=(-1.2, 1.2), xlabel="z")
        left.legend(fontsize=7)
        plt.tight_layout()
        plt.show()
        """
    ),
    md(
        r"""
        The deck's unit step is 1 for $z \ge 0$ (004:30); the engine's `step` is 0 at exactly $z = 0$
        (notebook 05), which a plot cannot show. $|z|$, maxout and leaky ReLU are the deck's
        generalisations of ReLU (004:309-317), softplus its smooth version (004:333).

        **Saturation (004:320-327).** Far from 0, the slopes of σ and tanh are nearly 0: "they kill
        gradients", because the backward pass multiplies by them. ReLU keeps slope 1 for every
        $z > 0$, but has slope 0 for $z < 0$, where a unit can "die" (notebook 07 shows it and the
        deck's remedy, biases initialised to 0.1):
        """
    ),
    code(
        r"""
        for z in (0.0, 2.0, 5.0, 10.0):
            slopes = []
            for f in (ACTIVATIONS["logistic σ"], ACTIVATIONS["tanh"], ACTIVATIONS["ReLU max(0, z)"]):
                v = Value(z)
                slopes.append(grad(f(v), [v])[0])
            print(f"z = {z:>4}:  σ′ = {slopes[0]:.2e}   tanh′ = {slopes[1]:.2e}   relu′ = {slopes[2]:.0f}")
        """
    ),
    md(
        r"""
        ## The logistic neuron decides like a perceptron (004:47-53)

        At inference, a logistic neuron with equal misclassification costs predicts class 1 when
        $\sigma(\mathbf w^{\mathsf T}\mathbf x) > \tfrac12$. The deck says "prove it": this is the perceptron's rule
        $\hat t(\mathbf x) = 1$ if $\mathbf w^{\mathsf T}\mathbf x > 0$.

        *Proof.* σ is strictly increasing and $\sigma(0) = \tfrac12$, so $\sigma(a) > \tfrac12 \iff a > 0$. $\square$

        The two rules on 10 000 random neurons and inputs:
        """
    ),
    code(
        r"""
        rng = np.random.default_rng(0)
        agree = 0
        for _ in range(10_000):
            w, xv = rng.normal(size=3), rng.normal(size=3)
            a = float(w @ xv)
            logistic = Value(a).sigmoid().data > 0.5
            perceptron = a > 0
            agree += logistic == perceptron
        print(f"the same decision in {agree} of 10000 cases")
        assert agree == 10_000
        """
    ),
    md(
        r"""
        (Near $a = 0$ the float σ rounds to exactly $\tfrac12$ only for $|a| < 10^{-16}$ or so; random
        inputs never land there.)

        ## XOR: one neuron cannot, one hidden layer can (004:55-58)

        XOR's four points: $(0,0) \to 0$, $(0,1) \to 1$, $(1,0) \to 1$, $(1,1) \to 0$. A perceptron, and a
        logistic, ReLU or tanh neuron alike, classifies by the sign of $w_1x_1 + w_2x_2 + b$: a line.
        **No line gets all four right:** class 1 needs $w_2 + b > 0$ and $w_1 + b > 0$, whose sum is
        $w_1 + w_2 + 2b > 0$; class 0 needs $b \le 0$ and $w_1 + w_2 + b \le 0$, whose sum is
        $w_1 + w_2 + 2b \le 0$. Three of the four is possible. A search over many lines confirms it:
        """
    ),
    code(
        r"""
        X_xor, t_xor = data.make_xor()
        best, count = 0, 0
        grid = np.linspace(-2, 2, 41)
        for w1 in grid:
            for w2 in grid:
                for b in grid:
                    right = sum((w1 * p + w2 * q + b > 0) == bool(t) for (p, q), t in zip(X_xor, t_xor))
                    best = max(best, right)
                    count += 1
        print(f"{count} lines tried; the most XOR points any of them classifies correctly: {best} of 4")
        assert best == 3
        """
    ),
    md(
        r"""
        So whatever the loss, training a single neuron can at best reach 3 of 4. What it does reach
        depends on the loss: with squared error or cross-entropy, the best compromise for a symmetric
        problem like XOR sits near the middle, where the neuron is unsure of every point. (The
        trainings in this notebook pass `compile=True` to `fit`: the same numbers as without it,
        faster; notebook 07 checks that, notebook 10 shows how.)
        """
    ),
    code(
        r"""
        def train_single(activation, loss, epochs=150):
            # One neuron (MLP(2, [1]) with the given output activation) trained on XOR.
            model = nn.MLP(2, [1], output_activation=activation, seed=1)
            fit(model, X_xor, t_xor, loss=loss, optimizer=optim.Adam(model.parameters(), lr=0.1),
                epochs=epochs, progress=False, compile=True)
            with no_grad():
                return [model(p).data for p in X_xor]


        for name, act, loss, cut in (("sigmoid + squared error", "sigmoid", losses.mse, 0.5),
                                     ("sigmoid + cross-entropy", "sigmoid", losses.binary_cross_entropy, 0.5),
                                     ("tanh + squared error", "tanh", losses.mse, 0.5)):
            outs = train_single(act, loss)
            right = sum((o > cut) == bool(t) for o, t in zip(outs, t_xor))
            print(f"{name:<24} outputs {np.round(outs, 3)}  correct {right}/4")
            assert right <= 3
        """
    ),
    md(
        r"""
        All four outputs are $\tfrac12$ to three digits. For XOR the squared error and the cross-entropy
        are lowest at $w = 0$, $b = 0$: the neuron gives up and says $\tfrac12$ everywhere, and how many
        points then count as "correct" depends on which side of $\tfrac12$ rounding puts each output.
        Training minimises the loss, not the number of mistakes, so it does not even find one of the
        lines that get three points right.

        One hidden layer of a few units solves it, because the hidden units compute new features
        (two lines) in which XOR *is* linearly separable:
        """
    ),
    code(
        r"""
        hidden = nn.MLP(2, [4, 1], activation="tanh", output_activation="linear", seed=0)
        fit(hidden, X_xor, t_xor, loss=losses.bce_with_logits,
            optimizer=optim.Adam(hidden.parameters(), lr=0.1), epochs=150, progress=False, compile=True)
        with no_grad():
            scores = [hidden(p).data for p in X_xor]
        print("scores", np.round(scores, 2), "→ classes", [int(s > 0) for s in scores], "targets", t_xor)
        assert [int(s > 0) for s in scores] == t_xor
        """
    ),
    md(
        r"""
        ## Universal approximation (004:60-79)

        **Theorem** (Hornik 1991, Cybenko 1989, as in the deck). Let σ be nonconstant, bounded,
        monotonically increasing and continuous. For every continuous $f$ on the unit cube $I_m = [0,1]^m$
        and every $\varepsilon > 0$ there are $N$ and $\alpha_i, b_i \in \mathbb R$, $\mathbf w_i \in \mathbb R^m$ with

        $$ \Big|\,F(\mathbf x) - f(\mathbf x)\,\Big| < \varepsilon \ \text{ for all } \mathbf x \in I_m, \qquad F(\mathbf x) = \sum_{i=1}^N \alpha_i\,\sigma(\mathbf w_i^{\mathsf T}\mathbf x + b_i): $$

        one hidden layer of $N$ sigmoid units and a linear output. In one dimension a construction
        shows why: a steep sigmoid $\sigma(w(x - c))$ is almost a step at $c$, and a sum of steps of
        heights $\alpha_i = f(c_i) - f(c_{i-1})$ is a staircase that follows $f$. More units, finer
        stairs, smaller error:
        """
    ),
    code(
        r"""
        def f_target(x):
            return np.sin(2 * np.pi * x) + 0.5 * x


        def staircase(N):
            # F(x) = f(0) + Σ α_i σ(w (x − c_i)): N steep sigmoids at the midpoints c_i of a grid.
            grid = np.linspace(0, 1, N + 1)
            c = (grid[:-1] + grid[1:]) / 2
            alpha = f_target(grid[1:]) - f_target(grid[:-1])
            w = 40.0 * N
            sigma = lambda t: 0.5 * (1 + np.tanh(t / 2))  # σ(t), without overflow for large |t|
            return lambda x: f_target(0.0) + sum(a * sigma(w * (x - ci)) for a, ci in zip(alpha, c))


        xs = np.linspace(0, 1, 400)
        fig, ax = plt.subplots(figsize=(5.5, 3))
        ax.plot(xs, f_target(xs), "k", lw=2, label="f")
        for N in (2, 5, 10, 20, 50):
            error = np.max(np.abs(staircase(N)(xs) - f_target(xs)))
            print(f"N = {N:>2} sigmoid units: largest error {error:.3f}")
            if N in (5, 20):
                ax.plot(xs, staircase(N)(xs), lw=1, label=f"F, N = {N}")
        ax.legend(fontsize=8)
        ax.set(xlabel="x", title="sums of steep sigmoids")
        plt.show()
        """
    ),
    md(
        r"""
        One hidden layer can also be trained to the same end. `nn.MLP(1, [10, 1], activation="tanh")`
        is the theorem's $F$ with $N = 10$ and $\sigma = \tanh$ (nonconstant, bounded, increasing and
        continuous, so it qualifies; it trains faster than the logistic here). Adam on 40 points of $f$:
        """
    ),
    code(
        r"""
        X_1d = [[float(t)] for t in np.linspace(0, 1, 40)]
        y_1d = [float(f_target(p[0])) for p in X_1d]
        approx = nn.MLP(1, [10, 1], activation="tanh", seed=0)
        history = fit(approx, X_1d, y_1d, loss=losses.mse, optimizer=optim.Adam(approx.parameters(), lr=0.05),
                      epochs=300, progress=False, compile=True)
        with no_grad():
            trained = np.array([approx([float(t)]).data for t in xs])
        largest = np.max(np.abs(trained - f_target(xs)))
        print(f"N = 10, trained: mean squared error {history.loss[-1]:.5f}, largest error {largest:.3f}")
        assert largest < 0.2
        """
    ),
    md(
        r"""
        ## How many parameters? (004:97-103)

        Each unit has one weight per input plus a bias. The deck's network with 10 inputs, hidden
        layers of 10 and 5 units and one output has $10 \cdot 11 + 5 \cdot 11 + 6 = 171$ parameters:
        """
    ),
    code(
        r"""
        model = nn.MLP(10, [10, 5, 1], seed=0)
        for k, layer in enumerate(model.layers, start=1):
            n_units, n_in = len(layer.neurons), len(layer.neurons[0].w)
            print(f"layer {k}: {n_units} units × ({n_in} weights + 1 bias) = {len(layer.parameters())}")
        print("total:", len(model.parameters()))
        assert len(model.parameters()) == 171
        """
    ),
    md(
        r"""
        ## ReLU networks compute piecewise linear functions (004:309-317)

        With ReLU (or $|z|$, leaky ReLU, maxout) hidden units and a linear output, the network is a
        sum of pieces that are each linear, so it is piecewise linear itself: its slope, from the
        engine, is constant between kinks and jumps at them. A 1-6-1 ReLU network:
        """
    ),
    code(
        r"""
        relu_net = nn.MLP(1, [6, 1], activation="relu", seed=3, bias_init=0.1)
        ts = np.linspace(-3, 3, 601)
        outs, slopes = [], []
        for t in ts:
            v = Value(float(t))
            o = relu_net([v])
            outs.append(o.data)
            slopes.append(grad(o, [v])[0])
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 2.8))
        left.plot(ts, outs)
        left.set(title="network output", xlabel="x")
        right.plot(ts, slopes, drawstyle="steps-mid")
        right.set(title="its slope (engine): piecewise constant", xlabel="x")
        plt.tight_layout()
        plt.show()
        print("distinct slopes:", sorted({round(s, 9) for s in slopes}))
        """
    ),
    md(
        r"""
        ## Representation matters (004:105-150)

        The deck's example: points inside and outside a circle are not separated by any line in
        Cartesian coordinates $(x, y)$, but they are by one threshold on the radius $r = \sqrt{x^2 + y^2}$
        of polar coordinates. A single logistic neuron on each representation:
        """
    ),
    code(
        r"""
        X_c, y_c = data.make_circles(120, noise=0.05, factor=0.5, seed=0)
        R_c = [[math.hypot(p, q)] for p, q in X_c]


        def logistic_accuracy(X, seed=0):
            # A single logistic neuron (MLP(n, [1]), logits) trained on X; its training accuracy.
            m = nn.MLP(len(X[0]), [1], seed=seed)
            h = fit(m, X, y_c, loss=losses.bce_with_logits, optimizer=optim.Adam(m.parameters(), lr=0.1),
                    epochs=60, progress=False, compile=True)
            return h.accuracy[-1]


        print(f"logistic neuron on (x, y): accuracy {logistic_accuracy(X_c):.0%}")
        print(f"logistic neuron on r:      accuracy {logistic_accuracy(R_c):.0%}")
        """
    ),
    md(
        r"""
        Choosing $r$ by hand is the "manually engineered" representation (004:114-118); a hidden layer
        learns such features from data (004:121-125), which is what the XOR network above did. The
        deck's pages on images and on the field's history (004:128-150) are pictures and dates with
        nothing to compute; they are left to the slides.

        ## Exercise: the forward steps of a network with several outputs (004:301-303)

        Write the forward propagation of a network with 3 inputs, a hidden layer of 3 sigmoid units
        and 2 sigmoid outputs, in the deck's steps: $z^{(2)} = W^{(1)} x + b^{(1)}$, $a^{(2)} = f(z^{(2)})$,
        $z^{(3)} = W^{(2)} a^{(2)} + b^{(2)}$, $a^{(3)} = f(z^{(3)})$. Use plain Python lists; `W1[i][j]` is
        $W^{(1)}_{ij}$, the weight from input $j$ to hidden unit $i$. The next cell checks your
        numbers against the engine's `nn.MLP` with the same weights.
        """
    ),
    code(
        r"""
        def forward_steps(W1, b1, W2, b2, x):
            # Your code here: return z2, a2, z3, a3 (lists of floats).
            return None
        """
    ),
    code(
        r"""
        def check_forward_steps(forward_steps):
            mlp = nn.MLP(3, [3, 2], activation="sigmoid", output_activation="sigmoid", seed=4)
            W1 = [[w.data for w in n.w] for n in mlp.layers[0].neurons]
            b1 = [n.b.data for n in mlp.layers[0].neurons]
            W2 = [[w.data for w in n.w] for n in mlp.layers[1].neurons]
            b2 = [n.b.data for n in mlp.layers[1].neurons]
            x = [0.2, -0.4, 1.5]
            answer = forward_steps(W1, b1, W2, b2, x)
            if answer is None:
                print("forward_steps is not filled in yet")
                return
            z2, a2, z3, a3 = answer
            with no_grad():
                hidden = mlp.layers[0](x)
                outputs = mlp(x)
            assert np.allclose(a2, [h.data for h in hidden]), "a^(2) differs from the hidden layer's outputs"
            assert np.allclose(a3, [o.data for o in outputs]), "a^(3) differs from the network's outputs"
            assert np.allclose(a3, [1 / (1 + math.exp(-t)) for t in z3]), "a^(3) should be f(z^(3))"
            print("z2 =", np.round(z2, 6), " a2 =", np.round(a2, 6))
            print("z3 =", np.round(z3, 6), " a3 =", np.round(a3, 6), " = the engine's outputs")


        check_forward_steps(forward_steps)
        """
    ),
    md(
        r"""
        One answer:
        """
    ),
    code(
        r"""
        def forward_steps_answer(W1, b1, W2, b2, x):
            f = lambda t: 1 / (1 + math.exp(-t))
            z2 = [sum(w * xj for w, xj in zip(row, x)) + b for row, b in zip(W1, b1)]
            a2 = [f(t) for t in z2]
            z3 = [sum(w * aj for w, aj in zip(row, a2)) + b for row, b in zip(W2, b2)]
            a3 = [f(t) for t in z3]
            return z2, a2, z3, a3


        check_forward_steps(forward_steps_answer)
        """
    ),
]

if __name__ == "__main__":
    write("06_what_networks_can_represent.ipynb", CELLS)
