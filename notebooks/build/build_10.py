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
        algorithms, and then measures what the straight-line program buys on micrograd's demo.
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
          walk finishes the nodes, which need not be the order in which we wrote them: the cell
          below prints it. Any order that puts every node after its parents is a valid
          Algorithm 6.1, and gives the same numbers.
        """
    ),
    code(
        r"""
        lines = program.source.splitlines()
        unpack = next(line for line in lines if line.strip().endswith("= data"))
        print("inputs, in the program's order:", unpack.split("=")[0].strip())
        forward = lines[lines.index(unpack) + 2 : next(k for k, line in enumerate(lines) if "backward pass" in line)]
        print("nodes, in the program's order: ", ", ".join(line.split("=")[0].strip() for line in forward))
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
        x = Value(-2.0, label="x")
        y = x.relu() * math.inf
        relu_program = compile(y)
        print(relu_program.source)
        relu_program.run()
        print("dy/dx at x = -2:", x.grad, "(the branch not taken contributes nothing)")
        assert x.grad == 0.0
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
        L, net = build()
        program = compile(L)
        program.run()
        new_weights = {name: net[name].data - 0.7 * net[name].grad for name in WEIGHTS}
        for name in WEIGHTS:
            net[name].data = new_weights[name]
        print("weights after one step:  ", [round(t, 4) for t in new_weights.values()])
        print("the same, notebook 02:    [0.1007, 0.5021, 0.4025, 0.3076, 0.2374, 0.6375]")
        print("the notes print:          [0.1007, 0.5020, 0.4024, 0.3073, 0.2373, 0.6375]")

        for node in net.values():
            node.grad = 0.0
        loss = program.run()
        fresh, fresh_net = build(new_weights)
        fresh.backward()
        print(f"loss at the new weights: program {loss!r}, fresh graph {fresh.data!r}")
        assert loss == fresh.data
        assert all(net[name].grad == fresh_net[name].grad for name in ("x_A", "x_B", *WEIGHTS))
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


        def train_compiled(model, steps):
            opt = optim.SGD(model.parameters(), lr=0.1)
            program = compile(objective(model))  # trace once
            history = []
            for _ in range(steps):
                opt.zero_grad()
                history.append(program.run())  # replay at the current weights
                opt.step()
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
        ## `fit(..., compile=True)`

        The training loop does the tracing itself: with `compile=True` it keeps one program
        per batch size and labels (losses branch on labels), compiles a step once it has seen
        the same graph twice (here: steps 2 and 3), and replays it from then on. The history is
        the dynamic fit's, number for number. (Each epoch `fit` also evaluates the model on the
        whole training set without a graph; that part is not compiled, so a whole fit gains
        less than its steps do, and only once the compiling has paid for itself.)
        """
    ),
    code(
        r"""
        from autograd_lite import fit


        def demo_fit(compiled):
            model = nn.MLP(2, [16, 16, 1], seed=1337)
            opt = optim.SGD(model.parameters(), lr=0.1)
            return fit(model, X, y, loss=losses.hinge, optimizer=opt, epochs=6, l2=2e-4,
                       progress=False, compile=compiled)


        dynamic_fit, compiled_fit = demo_fit(False), demo_fit(True)
        assert compiled_fit.as_dict() == dynamic_fit.as_dict()
        for epoch, (a, b) in enumerate(zip(dynamic_fit.loss, compiled_fit.loss), start=1):
            print(f"epoch {epoch}: loss {a!r} (dynamic) {b!r} (compiled)")
        """
    ),
    md(
        r"""
        ## What compiling assumes

        A program is the graph as it was traced: the same ops, the same branches of Python code.
        An expression whose **Python** takes another path for other numbers (an `if` on a
        value's `.data`, a loss that branches on a label) must be compiled again for those
        numbers, and a number computed from `.data` in plain Python is frozen into the code.
        Inside the graph, kinks are no such problem: `relu`, `max`, `abs` and the others branch
        in the generated code itself, as shown above. `fit(..., compile=True)` takes care of
        both: it keeps one program per batch size and labels, and compiles a step only after
        seeing the same graph twice.
        """
    ),
]

if __name__ == "__main__":
    write("10_the_program_backprop_writes.ipynb", CELLS)
