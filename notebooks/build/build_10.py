"""Builds notebooks/10_the_program_backprop_writes.ipynb; run from the repository root:

    .venv/bin/python notebooks/build/build_10.py
"""

from _nb import code, md, write

CELLS = [
    md(
        r"""
        # 10 · The program backprop writes

        The lecture notes present backpropagation as two programs. The **forward pass**
        (Goodfellow et al., Algorithm 6.1) computes every node from its parents, in topological
        order. The **backward pass** (Algorithm 6.2) fills the *grad table*: it sets
        `grad_table[u_n] = 1` for the output and then, going backwards,

        $$\text{grad\_table}[u_j] = \sum_{i\,:\,j \in Pa(u_i)} \text{grad\_table}[u_i]\cdot
        \frac{\partial u_i}{\partial u_j},$$

        one line per node. Our engine runs those two programs implicitly, node object by node
        object. `compile(root)` writes them out as plain Python, one line per node, and runs
        them again on new numbers without building a single `Value`. This notebook prints the
        programs for the lectures' 2-2-1 network, reads them line by line against the
        algorithms, and then measures what the straight-line program buys on micrograd's demo.
        """
    ),
    code(
        r"""
        import math
        import time

        from autograd_lite import Value, data, losses, nn, optim
        from autograd_lite.compiler import compile
        from autograd_lite.compiler.symbolic import SymMath, name, render
        from autograd_lite.rules import RULES
        """
    ),
    md(
        r"""
        ## The 2-2-1 network of the course notes

        Inputs $x_A = 0.23$, $x_B = 0.82$, target $y = 1$; sigmoid units C, D (hidden) and E
        (output), **no biases**; weights $w_1 = 0.1$ (A→C), $w_2 = 0.5$ (A→D), $w_3 = 0.4$ (B→C),
        $w_4 = 0.3$ (B→D), $w_5 = 0.2$ (C→E), $w_6 = 0.6$ (D→E); loss
        $L = \tfrac12(\hat y_E - y)^2$. Every node gets the label the slides use, so the program
        is written in the slides' names.
        """
    ),
    code(
        r"""
        def network(xa, xb, weights):
            # The graph of the 2-2-1 network; returns the loss node and the leaves.
            x_A, x_B = Value(xa, "x_A"), Value(xb, "x_B")
            w = [Value(v, f"w{i}") for i, v in enumerate(weights, start=1)]
            nodes = {}

            def named(v, label):
                v.label = label
                nodes[label] = v
                return v

            z_C = named(named(w[0] * x_A, "w1x_A") + named(w[2] * x_B, "w3x_B"), "z_C")
            y_C = named(z_C.sigmoid(), "y_C")
            z_D = named(named(w[1] * x_A, "w2x_A") + named(w[3] * x_B, "w4x_B"), "z_D")
            y_D = named(z_D.sigmoid(), "y_D")
            z_E = named(named(w[4] * y_C, "w5y_C") + named(w[5] * y_D, "w6y_D"), "z_E")
            y_E = named(z_E.sigmoid(), "y_E")
            error = named(y_E - 1.0, "error")
            L = named(0.5 * named(error**2, "error2"), "L")
            return L, [x_A, x_B, *w], nodes


        WEIGHTS = [0.1, 0.5, 0.4, 0.3, 0.2, 0.6]
        L, leaves, nodes = network(0.23, 0.82, WEIGHTS)
        program = compile(L)
        print(program)
        print(program.source)
        """
    ),
    md(
        r"""
        ## Reading the forward pass against Algorithm 6.1

        * `x_A, x_B, w1, ... = data`: the leaves are the program's **inputs**. Every run reads
          their current `.data`, so after an optimiser changes the weights the next run uses
          the new ones. Numbers met in the expression (the target 1.0, the ½) are written into
          the code as literals.
        * Then one line per node, parents first: `w1x_A = w1 * x_A`, `z_C = w1x_A + w3x_B`,
          `y_C = sigmoid(z_C)` ... This is Algorithm 6.1 exactly: $u_i = f_i(\text{parents of }
          u_i)$ in topological order (the order in which the engine's depth-first walk finishes
          the nodes). `sigmoid` is the rule table's own forward function, `RULES["sigmoid"].forward`.

        Running the program gives the slides' printed values:
        """
    ),
    code(
        r"""
        out = program.run(grad=False)  # the forward pass only
        printed = {"z_C": 0.351, "z_D": 0.361, "y_C": 0.5868, "y_D": 0.5892, "z_E": 0.4708, "y_E": 0.6155}
        for label, value in printed.items():
            engine = nodes[label].data
            print(f"{label:4} slides {value:<7} engine {engine:.6f}")
            assert abs(engine - value) < 5e-4
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
          $\partial u_i/\partial u_j$. `g_y_C = 0.0 + g_w5y_C * w5` reads: $y_C$ has one
          consumer, the product $w_5 y_C$, whose derivative with respect to $y_C$ is $w_5$.
          `g_x_A` has two terms, one per route out of $x_A$.
        * The local derivatives are written by the **rule table**: `g_z_E = 0.0 + g_y_E * (y_E *
          (1.0 - y_E))` is the sigmoid rule $\sigma'(z) = \sigma(z)(1-\sigma(z))$, the slides'
          $(1 - y_E)\,y_E$, computed from the forward pass's value $y_E$. No derivative is
          written by hand: the compiler runs each rule's `partials` on source text instead of
          numbers (next cell).
        * Each sum starts from `0.0`, in the order in which the engine's `grad_table` adds the
          terms, so the floats are the same bit for bit (a sum that started from the first term
          instead would keep a `-0.0` that the engine turns into `0.0`). A sum whose only term
          is another node's grad is written as that grad alone (`g_v = g_z`): a sum from `0.0`
          is never `-0.0`, so adding it to `0.0` changes nothing.
        * The program returns the table entries of the inputs; `run()` adds them into `.grad`.

        The slides' numbers: $\partial L/\partial y_E = -0.3845$, $\partial y_E/\partial z_E =
        0.2365$, and the output weights' gradient $-0.3845 \times 0.2365 \times (y_C, y_D)$:
        """
    ),
    code(
        r"""
        x_A, x_B, *w = leaves
        out = program.run()  # forward and backward: adds the gradients into .grad
        y_C, y_D, y_E = (nodes[k].data for k in ("y_C", "y_D", "y_E"))
        print(f"dL/dy_E      = {y_E - 1:.4f}   (slides: -0.3845)")
        print(f"dy_E/dz_E    = {(1 - y_E) * y_E:.4f}    (slides:  0.2365)")
        print(f"dL/dw5, dL/dw6 = {w[4].grad:.6f}, {w[5].grad:.6f}")
        print(f"  -0.3845 x 0.2365 x (y_C, y_D) = {-0.3845 * 0.2365 * y_C:.6f}, {-0.3845 * 0.2365 * y_D:.6f}")

        # The same floats as backward() on the graph: compare bit for bit.
        L2, leaves2, _ = network(0.23, 0.82, WEIGHTS)
        L2.backward()
        for a, b in zip(leaves, leaves2):
            print(f"{a.label:4} program {a.grad!r:>24}   backward() {b.grad!r:>24}")
            assert a.grad == b.grad
        """
    ),
    md(
        r"""
        ## Where the lines come from: one rule table

        Each rule's `partials(m, z, *xs)` is written with `+ - * /`, comparisons, and a small
        math namespace `m`. On floats (`m = FloatMath`) it gives the numbers the engine records
        as `local_grads`; on Values it builds the graphs of `create_graph=True`; on **source
        text** it writes the code above. The same function, three readers:
        """
    ),
    code(
        r"""
        m = SymMath(lambda label, function: label)  # functions appear under their own names
        x, z = name("x"), name("z")
        for op in ("sigmoid", "tanh", "relu", "abs", "hard_tanh", "log", "exp"):
            (d,) = RULES[op].partials(m, z, x)
            print(f"{op:9} d{op}/dx = {render(d)}")
        a, b = name("a"), name("b")
        for op in ("*", "/", "max"):
            da, db = RULES[op].partials(m, z, a, b)
            print(f"{op:9} d/da = {render(da)}\n{'':9} d/db = {render(db)}")
        """
    ),
    md(
        r"""
        Kinks keep the engine's conventions because the code branches exactly where the rule
        does: relu's derivative is `ZERO if x <= 0.0 else 1.0`. `ZERO` is the *strong zero* of a
        branch not taken (`rules.ZERO`): its product with anything, even `inf` or `nan`, is `0`,
        so a dead unit passes back nothing whatever arrives from above — in the program as in the
        engine. In the backward line the product is distributed into the branches and the sum's
        `0.0 +` is done at once (`0.0 + ZERO` is `0.0`), so `x`'s line reads `0.0 if x <= 0.0
        else g_v1`: the branch not taken gives exactly 0 although `g_v1` is `inf` here.
        """
    ),
    code(
        r"""
        x = Value(-2.0, "x")
        y = x.relu() * math.inf
        relu_program = compile(y)
        print(relu_program.source)
        relu_program.run()
        print("dy/dx at x = -2:", x.grad, "(0 * inf would be nan; the branch not taken gives 0)")
        """
    ),
    md(
        r"""
        ## Replaying on new numbers: one SGD step

        The program is the graph's *shape*; the numbers come from the leaves each time. One step
        of gradient descent with $\varepsilon = 0.7$, as in the slides, then the program again
        at the new weights, checked against a graph built afresh there:
        """
    ),
    code(
        r"""
        for leaf in leaves:
            leaf.grad = 0.0
        program.run()
        for wi in w:
            wi.data -= 0.7 * wi.grad
        print("weights after one step:", [round(wi.data, 4) for wi in w])
        print("slides:                 [0.1007, 0.5021, 0.4025, 0.3076, 0.2374, 0.6375]")

        for leaf in leaves:
            leaf.grad = 0.0
        loss = program.run()
        fresh, fresh_leaves, _ = network(0.23, 0.82, [wi.data for wi in w])
        fresh.backward()
        print(f"loss at the new weights: program {loss!r}, fresh graph {fresh.data!r}")
        assert loss == fresh.data
        assert [a.grad for a in leaves] == [b.grad for b in fresh_leaves]
        """
    ),
    md(
        r"""
        ## micrograd's demo, dynamic and compiled

        micrograd's demo notebook trains `MLP(2, [16, 16, 1])` on 100 moons points with the hinge
        loss plus $10^{-4}\sum w^2$ by SGD. Each dynamic step builds about 6,700 nodes and walks
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
