"""Builds notebooks/10_the_program_backprop_writes.ipynb; run from the repository root:

    .venv/bin/python notebooks/build/build_10.py
"""

from _nb import code, md, write

CELLS = [
    md(
        r"""
        # 10 · The program backprop writes

        The lecture notes present backpropagation as two programs. The **forward pass**
        (Goodfellow et al., Algorithm 6.1, 003:595-612) computes every node from its parents, in
        topological order. The **backward pass** (Algorithm 6.2, 003:638-656) fills the *grad
        table*: it sets `grad_table[u_n] = 1` for the output and then, going backwards,

        $$\text{grad\_table}[u_j] = \sum_{i\,:\,j \in Pa(u_i)} \text{grad\_table}[u_i]\cdot
        \frac{\partial u_i}{\partial u_j},$$

        one line per node. Our engine runs those two programs implicitly, node object by node
        object. `autograd_lite.compile(root)` writes them out as plain Python, one line per node,
        and runs them again on new numbers without building a single `Value`. This notebook
        prints the programs for the lectures' 2-2-1 network, reads them line by line against the
        algorithms, measures what the straight-line program buys on micrograd's demo, and shows
        how `fit(..., compile=True)` trains with a program written for one sample.
        """
    ),
    code(
        r"""
        import math
        import time

        from autograd_lite import Value, compile, data, functional, losses, nn, optim  # compile: the engine's, not Python's
        """
    ),
    md(
        r"""
        ## The 2-2-1 network of the course notes

        Notebook 02's network and names: inputs $x_A = 0.23$, $x_B = 0.82$, target $y = 1$;
        sigmoid units C, D (hidden) and E (output), **no biases**; weights $w_1 = 0.1$ (A→C),
        $w_2 = 0.5$ (A→D), $w_3 = 0.4$ (B→C), $w_4 = 0.3$ (B→D), $w_5 = 0.2$ (C→E), $w_6 = 0.6$
        (D→E); $z_C = w_1 x_A + w_3 x_B$, $y_C = \sigma(z_C)$, $g_1 = w_5 y_C$, $g_2 = w_6 y_D$,
        $z_E = g_1 + g_2$, $\hat y_E = \sigma(z_E)$ and $L = \tfrac12(\hat y_E - y)^2$. Every node carries
        that label, so the program is written in the same names (a label that is not a Python
        name, like `ŷ_E − y`, is spelled with underscores).
        """
    ),
    code(
        r"""
        x_A, x_B, target = 0.23, 0.82, 1.0
        WEIGHTS = {"w1": 0.1, "w2": 0.5, "w3": 0.4, "w4": 0.3, "w5": 0.2, "w6": 0.6}


        def build(weights=WEIGHTS):
            # The 2-2-1 network as in notebook 02; returns the loss and its named nodes.
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


        L, net = build()
        program = compile(L)
        print(program)
        print(program.source)
        """
    ),
    md(
        r"""
        ## Reading the forward pass against Algorithm 6.1

        * The first line unpacks the leaves, the program's **inputs**, from `data`. Every run reads
          their current `.data`, so after an optimiser changes the weights the next run uses the
          new ones. Numbers met in the expression (the target 1.0, the ½) are written into the
          code as literals.
        * Then one line per node, parents first. This is Algorithm 6.1: $u_i = f_i(\text{parents of
          } u_i)$ in a topological order. The order is the one in which the engine's depth-first
          walk from $L$ finishes the nodes, which need not be the order in which we wrote them.
          The walk enters a node's parents from the last one: from $z_E = g_1 + g_2$ it goes down
          $g_2$ first, so **unit D's lines come before unit C's**. The inputs are unpacked in the
          order the forward lines first use them: `w2, w4, x_A, x_B` (the parents of $z_D$), then
          `w6`, `w1, w3` and `w5`, not in notebook 02's order $x_A, x_B, w_1, \dots, w_6$. Any order
          that puts every node after its parents is a valid Algorithm 6.1, and gives the same
          numbers. The cell below prints both orders and checks them.
        * The names are notebook 02's: `z_C = 0.0 + w1 * x_A + w3 * x_B` is $z_C = w_1 x_A + w_3 x_B$
          (a dot node adds its products to 0.0, as the engine's `dot` does), `g1 = w5 * y_C`, and
          so on.
        """
    ),
    code(
        r"""
        lines = program.source.splitlines()
        unpack = next(line for line in lines if line.strip().endswith("= data"))
        print("inputs, in the program's order:", unpack.split("=")[0].strip())
        forward = lines[lines.index(unpack) + 2 : next(k for k, line in enumerate(lines) if "backward pass" in line)]
        print("nodes, in the program's order: ", ", ".join(line.split("=")[0].strip() for line in forward))
        assert unpack.split("=")[0].strip().rstrip(",") == "w2, w4, x_A, x_B, w6, w1, w3, w5"
        assert [line.split("=")[0].strip() for line in forward][:6] == ["z_D", "y_D", "g2", "z_C", "y_C", "g1"]
        assert "    z_C = 0.0 + w1 * x_A + w3 * x_B" in lines
        """
    ),
    md(
        r"""
        Running the program gives the notes' printed values (which are truncated to four decimals,
        notebook 02):
        """
    ),
    code(
        r"""
        out = program.run(grad=False)  # the forward pass only
        printed = {"z_C": 0.351, "z_D": 0.361, "y_C": 0.5868, "y_D": 0.5892, "z_E": 0.4708, "ŷ_E": 0.6155}
        for label, value in printed.items():
            engine = net[label].data
            print(f"{label:4} notes {value:<7} engine {engine:.6f}")
            assert 0 <= engine - value < 1e-3
        print(f"L = {out:.6f}")
        assert out == L.data
        """
    ),
    md(
        r"""
        ## Reading the backward pass against Algorithm 6.2

        * `g_L = 1.0` is `grad_table[u_n] = 1`.
        * Every other line is the sum of Algorithm 6.2 for one node: over the nodes that **use**
          it (its consumers $u_i$), the consumer's table entry times the local derivative
          $\partial u_i/\partial u_j$. The line for `y_C` reads: $y_C$ has one consumer, the product
          $g_1 = w_5 y_C$, whose derivative with respect to $y_C$ is $w_5$. The line for `x_A` has
          two terms, one per route out of $x_A$.
        * The local derivatives come from the engine's **rule table**: the line for `z_E` uses the
          sigmoid rule $\sigma'(z) = \sigma(z)(1-\sigma(z))$, the notes' $(1 - \hat y_E)\,\hat y_E$, computed from
          the forward pass's value $\hat y_E$. No derivative is written by hand.
        * The program returns the table entries of the inputs; `run()` adds them into `.grad`.

        The notes' numbers: $\partial L/\partial \hat y_E = -0.3845$, $\partial \hat y_E/\partial z_E = 0.2365$ (a slip
        for $0.6155 \cdot 0.3845 = 0.23666$, notebook 02), and the output weights' gradient
        $-0.3845 \times 0.2365 \times (y_C, y_D)$:
        """
    ),
    code(
        r"""
        L, net = build()
        program = compile(L)
        leaves = [net[name] for name in ("x_A", "x_B", *WEIGHTS)]
        out = program.run()  # forward and backward: adds the gradients into .grad
        y_C, y_D, y_E = (net[k].data for k in ("y_C", "y_D", "ŷ_E"))
        print(f"∂L/∂ŷ_E       = {y_E - 1:.6f}   (notes: -0.3845)")
        print(f"∂ŷ_E/∂z_E     = {(1 - y_E) * y_E:.6f}    (notes:  0.2365)")
        print(f"∂L/∂w5, ∂L/∂w6 = {net['w5'].grad:.6f}, {net['w6'].grad:.6f}")
        print(f"  notes: -0.3845 × 0.2365 × (y_C, y_D) = {-0.3845 * 0.2365 * y_C:.6f}, {-0.3845 * 0.2365 * y_D:.6f}")

        # The same floats as backward() on a graph built afresh: compare bit for bit.
        L2, net2 = build()
        L2.backward()
        for name in ("x_A", "x_B", *WEIGHTS):
            print(f"{name:4} program {net[name].grad!r:>24}   backward() {net2[name].grad!r:>24}")
            assert net[name].grad == net2[name].grad
        """
    ),
    md(
        r"""
        ## Where the lines come from: one rule table

        Each operation's local derivatives are declared once, in the engine's rule table, and the
        compiler writes them into the program as text. Compiling a graph of a single operation
        shows the rule: below, the operation's output is labelled `out` and its inputs `x` (or `a`
        and `b`), so each `g_` line is $1 \times \partial\,\text{out}/\partial\,\text{input}$, written in those names.
        (In notebook 02, $z$ is a pre-activation; here the rule's input is `x` and its output `out`.)
        The sigmoid line reads $\sigma'(x) = \text{out}\,(1 - \text{out})$: the derivative written with
        the **output**, the notes' $(1 - y_C)\,y_C$. It is not the slip of notebook 02, which put the
        input $z_C$ where the output $y_C$ belongs; the rule never reads its input `x`.
        """
    ),
    code(
        r"""
        def rule_lines(make, names):
            # The backward lines of a one-operation graph: ∂out/∂input for each input.
            inputs = [Value(0.7 - 0.4 * k, label=name) for k, name in enumerate(names)]
            out = make(*inputs)
            out.label = "out"
            return [line.strip() for line in compile(out).source.splitlines()
                    if line.strip().startswith("g_") and not line.strip().startswith("g_out")]


        for op, make in {"sigmoid": lambda x: x.sigmoid(), "tanh": lambda x: x.tanh(),
                         "exp": lambda x: x.exp(), "log": lambda x: x.log(),
                         "relu": lambda x: x.relu()}.items():
            print(f"{op:8}", *rule_lines(make, ["x"]))
        for op, make in {"a * b": lambda a, b: a * b, "a / b": lambda a, b: a / b}.items():
            print(f"{op:8}", *rule_lines(make, ["a", "b"]), sep="  ")
        """
    ),
    md(
        r"""
        Kinks keep the engine's conventions because the program branches exactly where the rule
        does. For relu at $x \le 0$ the edge from $x$ is a branch not taken: it is **absent** and
        adds no term, so a dead unit passes back exactly 0 whatever arrives from above, in the
        program as in the engine, even an infinite upstream gradient:
        """
    ),
    code(
        r"""
        x_dead = Value(-2.0, label="x")
        y_inf = x_dead.relu() * math.inf
        relu_program = compile(y_inf)
        print(relu_program.source)
        relu_program.run()
        print("dy/dx at x = -2:", x_dead.grad, "(the branch not taken contributes nothing)")
        assert x_dead.grad == 0.0
        """
    ),
    md(
        r"""
        ## Replaying on new numbers: one SGD step

        The program is the graph's *shape*; the numbers come from the leaves each time. One step
        of gradient descent with $\varepsilon = 0.7$, as in the notes, then the program again at
        the new weights, checked against a graph built afresh there. The step uses the true
        gradients, so four of its numbers differ in the fourth decimal from the notes' printed
        step, which used their slipped gradients (notebook 02 shows both):
        """
    ),
    code(
        r"""
        L_step, net_step = build()  # its own names: this cell changes the weights' .data
        step_program = compile(L_step)
        step_program.run()
        new_weights = {name: net_step[name].data - 0.7 * net_step[name].grad for name in WEIGHTS}
        for name in WEIGHTS:
            net_step[name].data = new_weights[name]
        print("weights after one step:  ", [round(t, 4) for t in new_weights.values()])
        print("the same, notebook 02:    [0.1007, 0.5021, 0.4025, 0.3076, 0.2374, 0.6375]")
        print("the notes print:          [0.1007, 0.5020, 0.4024, 0.3073, 0.2373, 0.6375]")

        for node in net_step.values():
            node.grad = 0.0
        loss = step_program.run()
        fresh, fresh_net = build(new_weights)
        fresh.backward()
        print(f"loss at the new weights: program {loss!r}, fresh graph {fresh.data!r}")
        assert loss == fresh.data
        assert all(net_step[name].grad == fresh_net[name].grad for name in ("x_A", "x_B", *WEIGHTS))
        """
    ),
    md(
        r"""
        ## micrograd's demo, dynamic and compiled

        micrograd's demo notebook trains `MLP(2, [16, 16, 1])` on 100 moons points with the hinge
        loss plus $10^{-4}\sum w^2$ by SGD (the sum runs over every parameter, biases included,
        where the notes' L2 term covers the weights only; notebook 04). Each dynamic step builds about 6,700 nodes and walks
        them backwards. The compiled step traces that graph once and replays its program; the
        same floats come out, so the two trainings stay identical, step after step.
        """
    ),
    code(
        r"""
        X, y = data.make_moons(100, 0.1, 0)
        y = [2 * t - 1 for t in y]  # hinge labels are ±1
        STEPS = 20


        def objective(model):
            scores = [model(x) for x in X]
            # hinge + 1e-4·Σw²; losses.l2 is λ/2·Σw², so λ = 2e-4
            return losses.hinge(scores, y) + losses.l2(model.parameters(), 2e-4)


        def train_dynamic(model, steps):
            opt = optim.SGD(model.parameters(), lr=0.1)
            history = []
            for _ in range(steps):
                total = objective(model)
                opt.zero_grad()
                total.backward()
                opt.step()
                history.append(total.data)
            return history


        dynamic_model = nn.MLP(2, [16, 16, 1], seed=1337)
        compiled_model = nn.MLP(2, [16, 16, 1], seed=1337)

        t0 = time.perf_counter()
        dynamic_history = train_dynamic(dynamic_model, STEPS)
        dynamic_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        graph = objective(compiled_model)
        demo_program = compile(graph)
        compile_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        opt = optim.SGD(compiled_model.parameters(), lr=0.1)
        compiled_history = []
        for _ in range(STEPS):
            opt.zero_grad()
            compiled_history.append(demo_program.run())
            opt.step()
        compiled_s = time.perf_counter() - t0

        assert compiled_history == dynamic_history  # the same floats, every step
        assert compiled_model.state_dict() == dynamic_model.state_dict()
        print(demo_program)
        print(f"loss: {dynamic_history[0]:.4f} -> {dynamic_history[-1]:.4f} in {STEPS} steps, identical in both")
        print(f"dynamic step : {1e3 * dynamic_s / STEPS:7.2f} ms")
        print(f"compiled step: {1e3 * compiled_s / STEPS:7.2f} ms   (compiling took {compile_s:.2f} s once)")
        print(f"speed-up     : {dynamic_s / compiled_s:7.1f}x")
        """
    ),
    md(
        r"""
        The program of the demo has one line per node, as the 2-2-1 program does. Its first
        lines are the L2 term, $\sum w^2$ as one dot node of the parameters with themselves (their
        tuple is built once), and then the first-layer neurons on the first sample: a dot node
        ($w \cdot x + b$, one n-ary node per neuron) is one expression, the products added from
        0.0 and then the bias, the same arithmetic as the engine's `dot`; the relu line is the
        rule's own expression. The data points are constants of the program (they were plain
        numbers in the expression); the weights are its inputs.

        Longer sums are written as one call over tuples: a second-layer neuron's 16 products
        are `sum(map(mul, W, X), 0.0) + b`, with the neuron's weights `W` gathered once for all
        samples and a sample's inputs `X` once for all neurons, and a weight's gradient, a sum
        over the 100 samples, is `sum(map(mul, G, X), 0.0)`. Python's `sum` adds one by one from
        `0.0`, so the floats are the written-out sum's; the text is less than half as long and
        quicker to compile, for a step that runs somewhat slower.
        """
    ),
    code(
        r"""
        lines = demo_program.source.splitlines()
        forward_start = next(k for k, line in enumerate(lines) if "forward pass" in line)
        backward_start = next(k for k, line in enumerate(lines) if "backward pass" in line)
        for line in lines[forward_start : forward_start + 6] + ["    ..."] + lines[backward_start : backward_start + 8]:
            print(line[:110])
        print("    ...")
        print(next(line for line in lines if line.startswith("    g_w") and "map(" in line))
        print(f"... {len(lines)} lines in all")
        """
    ),
    md(
        r"""
        ## `fit(..., compile=True)`: the model compiled per sample

        The program above is the graph of one whole step, data points and loss included: it
        holds for 100 points in this order and no other. A training loop with shuffled
        mini-batches needs something that holds for every batch. The step's graph is made of
        the **model's graph on each sample** of the batch, joined by the **loss**, and only the
        first part is the same every time. So `fit(..., compile=True)` compiles the model's part
        for **one sample**, once, and runs the loss as usual:

        1. It traces the model on one sample and writes a `SampleProgram`: a
           `forward(params, samples)` that runs each sample's forward pass and a
           `backward(params, items, rows)` that continues Algorithm 6.2 from the rows of the
           model's outputs into the parameters' rows. The same program serves every sample,
           every batch size and every order of the samples.
        2. Each step runs `forward` on the batch's samples, and builds the **loss** as usual, on
           stand-in nodes that hold the model's outputs. A loss that branches on a label or on a
           prediction's value is built afresh every step; nothing about it is frozen.
        3. `backward()` runs on the loss's small graph. When it reaches a sample's stand-ins,
           their rows ($\partial\,\text{loss}/\partial\,\text{output}$) are fed into that sample's
           `backward`, which adds the sample's terms to the parameters' gradients.
        4. Those terms are added **in the order the engine's own walk adds them** on the whole
           step's graph (the core's accumulation order), so every gradient is the same float as
           without `compile`, and the history is identical, bit for bit. A batch where that
           order cannot be kept (a loss that meets the samples' outputs interleaved, a nan in a
           gradient) runs as written instead.
        5. Only models whose class says `straight_line = True` are compiled (`nn`'s `Neuron`,
           `Layer` and `MLP`, and the micrograd-compatible classes): their graph is the same for
           every input. A model whose forward may decide in plain Python on its data (any class
           without that line, a subclass included) trains **as written**, every step building
           its graph.
        6. After every epoch `fit` evaluates the objective and the accuracy on the whole training
           set; with `compile=True` the model's outputs there come from the compiled `forward`.

        The program written for one sample of a small 2-2-1 MLP (sigmoid units, with biases), on
        the first moons point; `x_A`, `x_B` are its features, the parameters are named by
        neuron (`w0, w1, b` for the first, `w0_2, …` for the next):
        """
    ),
    code(
        r"""
        from autograd_lite import fit, no_grad
        from autograd_lite.compiler import CompiledStep
        from autograd_lite.compiler.sample import SampleProgram

        small = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
        features = [Value(v, label=name) for v, name in zip(X[0], ("x_A", "x_B"))]
        sample_program = SampleProgram([small(features)], features, small.parameters())
        print(sample_program)
        print(sample_program.source)
        (outs, saved), = sample_program.forward([p.data for p in small.parameters()], [X[0]])
        with no_grad():
            assert outs[0] == small(X[0]).data  # the same float as the model
        """
    ),
    md(
        r"""
        Both take the parameters' values first (`params`: the step's current floats, as the
        functions' own variables). `forward` returns, for each sample, the outputs and what the
        backward pass will need (`saved`); `backward` takes, for each sample, that `saved` and
        the rows of its outputs (`seeds`), and carries each parameter's row `r1 … r9` on from
        where the step has brought it (`r1, r2, r3` are `w0, w1, b`, in the order of
        `params`). As in the 2-2-1 program above, the walk enters
        the output neuron's inputs from the last, so the second hidden neuron (`w0_2, w1_2,
        b_2`) is computed first.

        Now micrograd's demo model trained on the moons above with `fit` both ways: shuffled
        mini-batches of 30 (so batches of 30, 30, 30 and 10 samples, in a new order every
        epoch), hinge loss and L2. The histories and the final weights are equal, float for
        float:
        """
    ),
    code(
        r"""
        def demo_fit(compiled):
            model = nn.MLP(2, [16, 16, 1], seed=1337)
            opt = optim.SGD(model.parameters(), lr=0.1)
            t0 = time.perf_counter()
            history = fit(model, X, y, loss=losses.hinge, optimizer=opt, epochs=10, batch_size=30, l2=2e-4,
                          progress=False, compile=compiled)
            return model, history, time.perf_counter() - t0


        model_off, history_off, seconds_off = demo_fit(False)
        model_on, history_on, seconds_on = demo_fit(True)
        assert history_on.as_dict() == history_off.as_dict()
        assert model_on.state_dict() == model_off.state_dict()
        for epoch in (1, 2, 5, 10):
            a, b = history_off.loss[epoch - 1], history_on.loss[epoch - 1]
            print(f"epoch {epoch:>2}: loss {a!r} (compile=False)  {b!r} (compile=True)")
        print(f"the same {len(history_off)} losses and accuracies and the same "
              f"{len(model_on.parameters())} weights; {seconds_off:.2f} s without compile, "
              f"{seconds_on:.2f} s with it")
        """
    ),
    md(
        r"""
        `fit` keeps its step to itself; the step is `autograd_lite.compiler.CompiledStep`, and
        driven by hand it shows what happened. Its counters `.compiled` and `.as_written` count
        the steps run each way. Below, the loss is a hinge written with a Python `if` on each
        prediction's value (only the samples inside the margin count), to show that the loss is
        not compiled: every step is still compiled, because the loss is built afresh each time.
        Then the same with a model whose class does not say `straight_line = True`: a subclass
        of `MLP` whose forward decides in plain Python on the sample's first feature. Every step
        runs as written, and `fit(..., compile=True)` trains it exactly as `compile=False` does.
        Last, `step.outputs(X)`, what `fit` evaluates after every epoch, is the model's output
        on every point, from the compiled forward pass:
        """
    ),
    code(
        r"""
        def margin_hinge(outputs, labels):
            # The hinge loss with a Python decision on each prediction's value.
            inside = [1 - t * o for o, t in zip(outputs, labels) if t * o.data < 1]
            return sum(inside, Value(0.0)) * (1 / len(outputs))


        class Switching(nn.MLP):
            # A forward that decides in plain Python on the data: not straight-line.
            def __call__(self, x):
                out = super().__call__(x)
                return out if x[0] > 0 else 2 * out


        def train_steps(model, epochs=3, size=30):
            step = CompiledStep(model, margin_hinge, X)
            opt = optim.SGD(model.parameters(), lr=0.1)
            for _ in range(epochs):
                for start in range(0, len(X), size):
                    batch = list(range(start, min(start + size, len(X))))
                    opt.zero_grad()
                    step(batch, [y[i] for i in batch])
                    opt.step()
            return step


        mlp_step = train_steps(nn.MLP(2, [16, 16, 1], seed=1337))
        switching_step = train_steps(Switching(2, [16, 16, 1], seed=1337))
        print(f"MLP:       {mlp_step.compiled} steps compiled, {mlp_step.as_written} as written")
        print(f"Switching: {switching_step.compiled} steps compiled, {switching_step.as_written} as written")
        assert (mlp_step.compiled, mlp_step.as_written) == (12, 0)
        assert (switching_step.compiled, switching_step.as_written) == (0, 12)

        histories = [fit(m, X, y, loss=margin_hinge, optimizer=optim.SGD(m.parameters(), lr=0.1), epochs=3,
                         batch_size=30, progress=False, compile=c)
                     for m, c in ((Switching(2, [16, 16, 1], seed=1337), False),
                                  (Switching(2, [16, 16, 1], seed=1337), True))]
        assert histories[0].as_dict() == histories[1].as_dict()
        print("Switching with fit: the same history with compile=False and compile=True")

        with no_grad():
            direct = [mlp_step.model(x).data for x in X]
        assert [o.data for o in mlp_step.outputs(X)] == direct
        print("step.outputs(X): the model's", len(direct), "outputs, from the compiled forward pass")
        """
    ),
    md(
        r"""
        ## What compiling assumes

        A program is the graph as it was traced: the same ops, the same branches of Python code.
        `compile(root)` writes a whole graph, so an expression whose **Python** takes another
        path for other numbers (an `if` on a value's `.data`, a loss that branches on a label)
        must be compiled again for those numbers, and a number computed from `.data` in plain
        Python is frozen into the code. Inside the graph, kinks are no such problem: `relu`,
        `max`, `abs` and the others branch in the generated code itself, as shown above.

        `fit(..., compile=True)` needs less: it compiles only the model's pass over one sample,
        and only for a model whose class promises a graph that is the same for every input
        (`straight_line = True`). The loss, the labels and the batches stay dynamic, and a model
        without that promise trains as written.
        """
    ),
]

if __name__ == "__main__":
    write("10_the_program_backprop_writes.ipynb", CELLS)
