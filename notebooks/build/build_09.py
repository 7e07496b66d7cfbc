"""Builds notebooks/09_graduating_to_pytorch.ipynb; run from the repository root:

    .venv/bin/python notebooks/build/build_09.py
    .venv/bin/jupyter nbconvert --to notebook --execute --inplace \
        notebooks/09_graduating_to_pytorch.ipynb
"""

from _nb import code, md, write

CELLS = [
    md(
        r"""
        # 09 · Graduating to PyTorch

        A scalar engine shows every number, which is why we learn with it; it is also slow, which is
        why we leave it. This notebook trains a model here, carries it to PyTorch with
        `autograd_lite.interop.to_torch`, checks that the two are the same model (same outputs, same
        gradients, same training step), and then trains it on in PyTorch with batched tensors.

        PyTorch is optional. The first cell looks for it; without it the PyTorch cells say so and
        do nothing (install it with `pip install torch==2.13.0` to run them).
        """
    ),
    code(
        r"""
        import time

        from autograd_lite import data, fit, losses, nn, no_grad, optim
        from autograd_lite.interop import from_torch, parameter_map, to_torch

        try:
            import torch

            HAVE_TORCH = True
            torch.set_num_threads(1)  # tensors this small run fastest on one thread (as we do)
            print(f"PyTorch {torch.__version__} found: the PyTorch cells will run.")
        except ImportError:
            HAVE_TORCH = False
            print("PyTorch is not installed: the PyTorch cells below skip themselves "
                  "(`pip install torch==2.13.0` to run them).")
        """
    ),
    md(
        r"""
        ## 1 · Train on moons here

        micrograd's classic: an `MLP(2, [16, 16, 1])` with ReLU hidden layers, labels ±1, the
        max-margin (hinge) loss and a little L2, trained by SGD in mini-batches of 20. With
        `compile=True` the model's part of each step runs as straight-line Python (notebook 10):
        the same training, number for number, several times faster.
        """
    ),
    code(
        r"""
        X, y01 = data.make_moons(100, noise=0.1, seed=0)
        y = [2 * t - 1 for t in y01]  # labels -1 / +1 for the hinge loss

        model = nn.MLP(2, [16, 16, 1], seed=0)
        EPOCHS, BATCH, LR, L2 = 20, 20, 0.5, 1e-4
        start = time.perf_counter()
        history = fit(
            model, X, y, loss=losses.hinge, optimizer=optim.SGD(model.parameters(), lr=LR),
            epochs=EPOCHS, batch_size=BATCH, l2=L2, progress=False, compile=True,
        )
        ours_seconds = time.perf_counter() - start
        print(f"autograd_lite: {EPOCHS} epochs in {ours_seconds:.2f} s, "
              f"loss {history['loss'][-1]:.4f}, accuracy {history['accuracy'][-1]:.0%}")
        """
    ),
    md(
        r"""
        ## 2 · Export and check

        `to_torch(model)` builds a float64 `torch.nn.Sequential`: one `Linear` per layer (row *j* of
        its weight is neuron *j*'s `w`, its bias the `b`s), each followed by its activation module
        (`Identity` for the linear output). `parameter_map` says where each of our parameters went.
        """
    ),
    code(
        r"""
        if HAVE_TORCH:
            net = to_torch(model)
            print(net)
            names = parameter_map(model)
            for name in ["layers.0.neurons.0.w.0", "layers.0.neurons.3.w.1"]:
                print(f"{name:>24} -> {names[name]}")
            print(f"{'layers.2.neurons.0.b':>24} -> {names['layers.2.neurons.0.b']}")
        else:
            print("skipped: PyTorch is not installed")
        """
    ),
    md(
        r"""
        The two models should compute the same function. Compare the outputs on every training
        point, then the gradient of one mini-batch loss with respect to every parameter.
        """
    ),
    code(
        r"""
        if HAVE_TORCH:
            Xt = torch.tensor(X, dtype=torch.float64)
            yt = torch.tensor(y, dtype=torch.float64)

            with no_grad():
                ours = [model(x).data for x in X]
            with torch.no_grad():
                theirs = net(Xt)[:, 0].tolist()
            worst = max(abs(a - b) for a, b in zip(ours, theirs))
            print(f"outputs:   max |difference| {worst:.1e} over {len(X)} points")

            def torch_objective(net, xb, yb):
                # the same objective as fit: mean hinge loss + L2/2 · Σ w²
                hinge = torch.clamp(1 - yb * net(xb)[:, 0], min=0).mean()
                return hinge + L2 / 2 * sum((p**2).sum() for p in net.parameters())

            model.zero_grad()
            objective = losses.hinge([model(x) for x in X[:BATCH]], y[:BATCH])
            objective = objective + losses.l2(model.parameters(), L2)
            objective.backward()
            net.zero_grad()
            torch_objective(net, Xt[:BATCH], yt[:BATCH]).backward()
            tensors = dict(net.named_parameters())
            worst = max(
                abs(p.grad - tensors[key].grad[pos].item())
                for (name, p), (key, pos) in zip(model.named_parameters(), names.values())
            )
            print(f"gradients: max |difference| {worst:.1e} over {len(names)} parameters")
        else:
            print("skipped: PyTorch is not installed")
        """
    ),
    md(
        r"""
        Differences of order 1e-16 are float64 rounding: the two libraries add the same products
        in a different order. Coming back works too: `from_torch(net)` reads the `Sequential` into
        an `nn.MLP`, bit for bit.
        """
    ),
    code(
        r"""
        if HAVE_TORCH:
            back = from_torch(net)
            print(f"round trip exact: {back.state_dict() == model.state_dict()}")
        else:
            print("skipped: PyTorch is not installed")
        """
    ),
    md(
        r"""
        ## 3 · Train on in PyTorch

        The same schedule (epochs, mini-batches of 20, learning rate, L2), but each step handles a
        whole batch as one tensor instead of one `Value` per number. First we retrain from the same
        starting weights and time it against the run in section 1.
        """
    ),
    code(
        r"""
        def train_torch(net, Xt, yt, epochs, batch, lr, seed=0):
            # fit's loop in PyTorch: shuffled mini-batches, then loss and accuracy per epoch
            opt = torch.optim.SGD(net.parameters(), lr=lr)
            gen = torch.Generator().manual_seed(seed)
            for _ in range(epochs):
                order = torch.randperm(len(Xt), generator=gen)
                for start in range(0, len(Xt), batch):
                    idx = order[start : start + batch]
                    opt.zero_grad()
                    torch_objective(net, Xt[idx], yt[idx]).backward()
                    opt.step()
                with torch.no_grad():  # the evaluation fit does after every epoch
                    loss = torch_objective(net, Xt, yt).item()
                    accuracy = ((net(Xt)[:, 0] > 0) == (yt > 0)).double().mean().item()
            return loss, accuracy

        if HAVE_TORCH:
            fresh = to_torch(nn.MLP(2, [16, 16, 1], seed=0))  # the weights section 1 started from
            train_torch(fresh, Xt, yt, 1, BATCH, LR)  # warm-up: PyTorch's first call is slow
            fresh = to_torch(nn.MLP(2, [16, 16, 1], seed=0))
            start = time.perf_counter()
            loss, acc = train_torch(fresh, Xt, yt, EPOCHS, BATCH, LR)
            torch_seconds = time.perf_counter() - start
            print(f"PyTorch:       {EPOCHS} epochs in {torch_seconds:.3f} s, "
                  f"loss {loss:.4f}, accuracy {acc:.0%}")
            print(f"autograd_lite: {EPOCHS} epochs in {ours_seconds:.3f} s")
            print(f"speed-up: {ours_seconds / torch_seconds:.0f}x on the same work")
        else:
            print("skipped: PyTorch is not installed")
        """
    ),
    md(
        r"""
        The two runs shuffle differently, so their losses differ a little; what matters is the
        time. With tiny batches PyTorch mostly pays per-call overhead; the gap grows with the
        batch. Here is the trained model exported again and trained on, on 20 000 points with
        batches of 1 000, which would take the scalar engine minutes. (A fresh export: `net`
        stays the copy of `model` that the cells above compare.)
        """
    ),
    code(
        r"""
        if HAVE_TORCH:
            Xb, yb01 = data.make_moons(20_000, noise=0.1, seed=1)
            Xbt = torch.tensor(Xb, dtype=torch.float64)
            ybt = torch.tensor([2 * t - 1 for t in yb01], dtype=torch.float64)
            start = time.perf_counter()
            big = to_torch(model)
            loss, acc = train_torch(big, Xbt, ybt, 10, 1_000, 0.1)
            seconds = time.perf_counter() - start
            print(f"PyTorch: 10 epochs over {len(Xb):,} points in {seconds:.2f} s, "
                  f"loss {loss:.4f}, accuracy {acc:.1%}")
            per_sample_ours = ours_seconds / (EPOCHS * len(X))
            per_sample_torch = seconds / (10 * len(Xb))
            print(f"time per sample per epoch: autograd_lite {per_sample_ours * 1e6:.0f} µs, "
                  f"PyTorch {per_sample_torch * 1e6:.2f} µs "
                  f"({per_sample_ours / per_sample_torch:,.0f}x)")
        else:
            print("skipped: PyTorch is not installed")
        """
    ),
    md(
        r"""
        ## Where next

        The trained `big` is an ordinary PyTorch module: save it with `torch.save(big.state_dict(),
        ...)`, cast it with `big.float()`, move it to a GPU with `big.to("cuda")`. To look at a
        PyTorch-trained model with the tools of this library (diagrams, `routes`, backward frames),
        bring it back with `from_torch(big)`.
        """
    ),
]

if __name__ == "__main__":
    write("09_graduating_to_pytorch.ipynb", CELLS)
