"""Builds notebooks/07_training_a_tiny_mlp.ipynb; run from the repository root:

    .venv/bin/python notebooks/build/build_07.py
"""

from _nb import code, md, write

CELLS = [
    md(
        r"""
        # 07 · Training a tiny MLP

        Everything so far was one forward and one backward pass. Training repeats them: compute the loss
        on the data, back-propagate, nudge every parameter against its gradient, and again. Here we train
        small multi-layer perceptrons on toy 2-D data sets and look at what they learn.
        """
    ),
    code(
        r"""
        import os
        import tempfile

        import matplotlib.pyplot as plt

        from autograd_lite import data, losses, nn, optim
        from autograd_lite.training.plot import plot_decision_boundary, plot_history
        from autograd_lite.training import accuracy, fit, predict
        from autograd_lite.viz import draw_model
        """
    ),
    md(
        r"""
        ## The data: two moons

        Two interleaving half circles with a little noise. Class 0 is the upper moon, class 1 the lower
        one; no straight line separates them. Every generator takes a seed, so the data are the same
        on every run.
        """
    ),
    code(
        r"""
        X, y = data.make_moons(100, noise=0.1, seed=0)
        print(len(X), "points, first three:", [[round(v, 3) for v in x] for x in X[:3]], "labels", y[:3])

        fig, ax = plt.subplots(figsize=(4, 3))
        ax.scatter([p[0] for p in X], [p[1] for p in X], c=y, cmap="coolwarm", s=15, edgecolors="k", linewidths=0.4)
        ax.set_title("make_moons(100, noise=0.1)", fontsize=10)
        plt.show()
        """
    ),
    md(
        r"""
        ## The model

        `nn.MLP(2, [16, 16, 1])` has two hidden layers of 16 ReLU units and one linear output: a raw
        score $s$, read as the probability $\sigma(s)$ of class 1. Each neuron computes
        $\mathrm{act}(w \cdot x + b)$. Here is the graph of a much smaller MLP, one dashed box per neuron:
        """
    ),
    code(
        r"""
        draw_model(nn.MLP(2, [2, 1], activation="tanh", seed=0), [0.5, -1.0])
        """
    ),
    code(
        r"""
        def moons_model():
            # MLP(2, [16, 16, 1]) with ReLU hidden layers, the same initial weights every time.
            return nn.MLP(2, [16, 16, 1], seed=1)


        print(moons_model())
        print(len(moons_model().parameters()), "parameters")
        """
    ),
    md(
        r"""
        ## fit

        The loss is binary cross-entropy on the raw score, $\ \mathrm{mean}\big(\mathrm{softplus}(s) - y\,s\big)$,
        which is $-\log\sigma(s)$ for $y = 1$ and $-\log(1 - \sigma(s))$ for $y = 0$ (written so that it never
        overflows). `fit` splits the data into minibatches of 25, and for each one zeroes the gradients,
        runs the model, computes the loss, calls `backward()` and lets the optimiser take a step. After
        every epoch it records loss and accuracy on the whole training set.

        `compile=True` runs the model's part of every step as straight-line Python, written once
        for one sample and reused for all of them (notebook 10 shows how); the loss is built as
        usual. The training is the same, number for number, only faster. The cell starts from
        fresh weights, so running it again trains the same model again.
        """
    ),
    code(
        r"""
        model = moons_model()
        optimizer = optim.Adam(model.parameters(), lr=0.02)
        history = fit(model, X, y, loss=losses.bce_with_logits, optimizer=optimizer, epochs=40, batch_size=25,
                      compile=True)
        """
    ),
    md(
        r"""
        The same training without `compile`, every step building its graph: the same history and
        the same weights, bit for bit.
        """
    ),
    code(
        r"""
        built = moons_model()
        built_history = fit(built, X, y, loss=losses.bce_with_logits, optimizer=optim.Adam(built.parameters(), lr=0.02),
                            epochs=40, batch_size=25, progress=False, compile=False)
        assert built_history.as_dict() == history.as_dict()
        assert built.state_dict() == model.state_dict()
        print("compile=False and compile=True: the same", len(history), "losses and accuracies, the same weights")
        """
    ),
    code(
        r"""
        for epoch in (1, 5, 10, 20, 40):
            print(f"epoch {epoch:>2}: loss {history.loss[epoch - 1]:.4f}, accuracy {history.accuracy[epoch - 1]:.0%}")
        """
    ),
    code(
        r"""
        plot_history(history, title="two moons, MLP(2, [16, 16, 1]), Adam")
        """
    ),
    md(
        r"""
        The decision boundary is where the score crosses 0 ($\sigma(s) = 0.5$). The model is evaluated
        on a grid over the plane:
        """
    ),
    code(
        r"""
        plot_decision_boundary(model, X, y, resolution=50, threshold=0.0, title="moons: learned decision boundary")
        """
    ),
    md(
        r"""
        ## XOR, for every seed

        The smallest problem a single neuron cannot solve: four points, and the label is 1 when exactly
        one coordinate is 1. The lectures' feed-forward deck: a perceptron, and equally a single
        logistic, ReLU or tanh neuron, cannot represent XOR; one hidden layer can.

        A recipe is only worth writing down if it works for most random initialisations, not for one
        lucky seed. So every recipe below is trained from the 20 seeds 0–19 (same data, Adam with
        learning rate 0.1, 60 epochs), and we count the seeds that reach 100 % accuracy.
        """
    ),
    code(
        r"""
        from autograd_lite import no_grad

        X_xor, y_xor = data.make_xor()
        SEEDS = range(20)


        def xor_model_for(seed, activation="relu", hidden=8, bias=0.1):
            # MLP(2, [hidden, 1]) whose biases all start at `bias`, trained on XOR.
            m = nn.MLP(2, [hidden, 1], activation=activation, seed=seed, bias_init=bias)
            fit(m, X_xor, y_xor, loss=losses.bce_with_logits,
                optimizer=optim.Adam(m.parameters(), lr=0.1), epochs=60, progress=False, compile=True)
            return m


        def dead_units(m):
            # Hidden ReLUs whose pre-activation is <= 0 on all four points: output 0, gradient 0.
            with no_grad():
                return sum(
                    all(sum(w.data * t for w, t in zip(n.w, x)) + n.b.data <= 0 for x in X_xor)
                    for n in m.layers[0].neurons
                )


        def solved(m):
            return accuracy(m, X_xor, y_xor, threshold=0.0) == 1.0


        xor_model = xor_model_for(seed=0)
        for point, label, score in zip(X_xor, y_xor, predict(xor_model, X_xor)):
            print(f"x = {point}  label {label}  score {score: .3f}  predicted {int(score > 0)}")
        """
    ),
    md(
        r"""
        With raw scores the cut is at 0, hence `threshold=0.0` in `accuracy` (`fit` chooses it by itself
        because the loss takes logits). Now the same recipe, and some weaker ones, over all 20 seeds:
        """
    ),
    code(
        r"""
        recipes = {
            "relu, 4 hidden, biases 0":    dict(activation="relu", hidden=4, bias=0.0),
            "relu, 4 hidden, biases 0.1":  dict(activation="relu", hidden=4, bias=0.1),
            "relu, 8 hidden, biases 0.1":  dict(activation="relu", hidden=8, bias=0.1),
            "tanh, 4 hidden, biases 0":    dict(activation="tanh", hidden=4, bias=0.0),
            "tanh, 8 hidden, biases 0":    dict(activation="tanh", hidden=8, bias=0.0),
        }
        solved_by = {}
        print(f"{'recipe':<28} {'solved':>7}   failed seeds (dead hidden ReLUs after training)")
        for name, kwargs in recipes.items():
            models = {seed: xor_model_for(seed, **kwargs) for seed in SEEDS}
            solved_by[name] = [seed for seed, m in models.items() if solved(m)]
            failed = [seed for seed in SEEDS if seed not in solved_by[name]]
            dead = ", ".join(
                f"{s} ({dead_units(models[s])})" if kwargs["activation"] == "relu" else str(s)
                for s in failed
            )
            print(f"{name:<28} {len(solved_by[name]):>4}/20   {dead or '-'}")

        assert len(solved_by["relu, 8 hidden, biases 0.1"]) >= 19
        assert len(solved_by["tanh, 8 hidden, biases 0"]) >= 19
        """
    ),
    md(
        r"""
        **Which recipes fail, and why.** With ReLU units and the default biases of 0 only about half of
        the seeds are solved. A ReLU whose pre-activation $z = w \cdot x + b$ is $\le 0$ on every
        training point outputs 0 and has derivative 0 there (our convention $\mathrm{relu}'(0) = 0$),
        so no gradient ever reaches its weights: the unit is *dead* and stays dead. The numbers in
        brackets count them: every failed ReLU network ends with dead hidden units. Biases of 0 make it
        worse on XOR: at the point $(0, 0)$ every pre-activation is exactly $b = 0$, where the
        derivative is 0, and a unit with two negative weights is dead on all four points from the start.

        The lectures' advice for dying ReLUs is to **initialise the biases to a small positive value,
        e.g. 0.1** (`bias_init=0.1` in `Neuron`, `Layer` and `MLP`): every unit then starts active at
        $(0, 0)$ and receives gradient. That, and a few
        more hidden units (so that a unit that does die is not missed), gives the recipe that solves
        every seed. Tanh units never die (their slope is never exactly 0), but with only four of them
        some seeds end in a poor local minimum; eight are enough.
        """
    ),
    md(
        r"""
        ## Spirals: three classes

        Three spiral arms. The network now has three outputs, one score per class, and the loss is
        softmax cross-entropy (notebook 05 shows that its gradient is $p - \text{one-hot}$). The
        predicted class is the one with the largest score.
        """
    ),
    code(
        r"""
        X_sp, y_sp = data.make_spirals(90, classes=3, noise=0.2, seed=0)
        spiral_model = nn.MLP(2, [12, 12, 3], activation="tanh", seed=1)
        spiral_history = fit(
            spiral_model, X_sp, y_sp,
            loss=losses.cross_entropy, optimizer=optim.Adam(spiral_model.parameters(), lr=0.05),
            epochs=40, batch_size=30, progress=False, compile=True,
        )
        print(f"final loss {spiral_history.loss[-1]:.4f}, accuracy {spiral_history.accuracy[-1]:.0%}")
        plot_decision_boundary(spiral_model, X_sp, y_sp, resolution=30, title="three spirals")
        """
    ),
    md(
        r"""
        ## Comparing activations

        A smaller network, `MLP(2, [8, 8, 1])`, with the same initial seed, optimiser and number of
        epochs, and three different hidden activations. (Few epochs, so this is a quick look, not a benchmark.)
        """
    ),
    code(
        r"""
        def train(activation="relu", make_optimizer=None, epochs=20):
            # A fresh MLP(2, [8, 8, 1]) trained on the moons; returns the history.
            m = nn.MLP(2, [8, 8, 1], activation=activation, seed=1)
            opt = make_optimizer(m.parameters()) if make_optimizer else optim.Adam(m.parameters(), lr=0.02)
            return fit(m, X, y, loss=losses.bce_with_logits, optimizer=opt, epochs=epochs,
                       batch_size=25, progress=False, compile=True)


        by_activation = {act: train(act) for act in ("relu", "tanh", "sigmoid")}

        fig, ax = plt.subplots(figsize=(5, 3))
        for name, h in by_activation.items():
            ax.plot(range(1, len(h.loss) + 1), h.loss, label=f"{name} ({h.accuracy[-1]:.0%})")
        ax.set(xlabel="epoch", ylabel="loss", title="hidden activation (final accuracy)")
        ax.legend(fontsize=8)
        plt.show()
        """
    ),
    md(
        r"""
        Sigmoid units learn slowest here: their slope is at most $\sigma'(0) = 1/4$, and each layer
        multiplies the backward signal by it, so the gradients reaching the first layer are small.
        ReLU passes gradients through unchanged where it is active; tanh has slope 1 at 0.

        ## Comparing optimisers

        Plain SGD takes $w \leftarrow w - \eta g$. Momentum keeps a running sum of past gradients,
        $b \leftarrow \mu b + g,\ w \leftarrow w - \eta b$, which speeds up along directions where the
        gradient keeps pointing the same way. Adam scales each parameter's step by a running estimate
        of its gradient's size. Same network and seed as above, ReLU units.
        """
    ),
    code(
        r"""
        optimisers = {
            "SGD (lr 0.1)": lambda ps: optim.SGD(ps, lr=0.1),
            "SGD + momentum 0.9": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
            "Adam (lr 0.02)": lambda ps: optim.Adam(ps, lr=0.02),
        }
        by_optimiser = {name: train("relu", make) for name, make in optimisers.items()}

        fig, ax = plt.subplots(figsize=(5, 3))
        for name, h in by_optimiser.items():
            ax.plot(range(1, len(h.loss) + 1), h.loss, label=f"{name} ({h.accuracy[-1]:.0%})")
        ax.set(xlabel="epoch", ylabel="loss", title="optimiser (final accuracy)")
        ax.legend(fontsize=8)
        plt.show()
        """
    ),
    md(
        r"""
        Which one wins depends on the learning rates: each optimiser should be tuned before they are
        compared. What the curves do show is that plain SGD with this rate is the slowest to get going.
        """
    ),
    md(
        r"""
        ## Save and load

        `save` writes the architecture and every weight to a JSON file; `MLP.load` builds the same model
        from it. The floats are stored exactly, so the loaded model's predictions are identical, bit for
        bit.
        """
    ),
    code(
        r"""
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "moons.json")
            model.save(path)
            print(f"saved {os.path.getsize(path)} bytes")
            loaded = nn.MLP.load(path)

        print(loaded)
        before, after = predict(model, X), predict(loaded, X)
        print("first predictions:", [round(s, 4) for s in before[:4]], [round(s, 4) for s in after[:4]])
        assert before == after
        assert loaded.state_dict() == model.state_dict()
        print("identical predictions on all", len(X), "points")
        """
    ),
]

if __name__ == "__main__":
    write("07_training_a_tiny_mlp.ipynb", CELLS)
