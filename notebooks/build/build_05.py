"""Builds notebooks/05_softmax_kinks_and_special_cases.ipynb; run from the repository root:

    .venv/bin/python notebooks/build/build_05.py
"""

from _nb import code, md, write

CELLS = [
    md(
        r"""
        # 05 · Softmax, kinks and the special cases

        The backward pass of notebooks 02-04 assumed three things, which the notes call the
        *special cases* (000:10-16; 001:95):

        1. **independent computation**: a neuron's output does not directly affect other neurons of
           the same (or an earlier) layer;
        2. **affine combination**: inputs meet only in a weighted sum $z = \sum_j w_j y_j + b$;
        3. **differentiable activations**.

        "All of these conditions are frequently not applicable" (001:95). This notebook drops them one
        at a time: a vector activation (softmax, and its use with cross-entropy in softmax and
        logistic regression), a multiplicative unit, activations with more or fewer outputs than
        inputs (maxout), and activations with kinks (subgradients).
        """
    ),
    code(
        r"""
        import math

        import numpy as np

        from autograd_lite import GradcheckError, Value, functional, grad, gradcheck, losses

        np.set_printoptions(precision=6, suppress=True)
        """
    ),
    md(
        r"""
        ## 1 · Vector activations: influence sums over all outputs (000:25-33; 001:96-98)

        With a scalar activation, $z_i$ influences only $y_i$. A vector activation makes every output
        depend on every input, so the influence of $z_i$ on the divergence runs through all the
        outputs:

        $$ \frac{\partial\,\mathrm{Div}}{\partial z_i} = \sum_j \frac{\partial\,\mathrm{Div}}{\partial y_j}\,\frac{\partial y_j}{\partial z_i}. $$

        Softmax, $y_i = e^{z_i}/\sum_j e^{z_j}$, is the standard example. Its derivatives (000:43-51):

        $$ \frac{\partial y_i}{\partial z_i} = y_i - y_i^2, \qquad \frac{\partial y_i}{\partial z_k} = -y_i\,y_k \quad (i \ne k). $$

        **The labels on that slide are swapped.** It calls $\partial y_i/\partial z_i$ the "non diagonal
        path" and $\partial y_i/\partial z_k$ the "diagonal path" (000:49-51). In the Jacobian
        $J_{ik} = \partial y_i/\partial z_k$, the entries $y_i - y_i^2$ are on the **diagonal**:
        """
    ),
    code(
        r"""
        z0 = [2.0, 1.0, 0.1]
        zs = [Value(t, label=f"z{i + 1}") for i, t in enumerate(z0)]
        ys = functional.softmax(zs)
        y = np.array([t.data for t in ys])
        J = np.array(functional.jacobian(ys, zs))   # J[i][k] = ∂y_i/∂z_k
        print("softmax:", y, " sum", y.sum())
        print("J from the engine:\n", J)
        print("diagonal,     y_i − y_i²:", y - y**2)
        print("off diagonal, −y_1 y_2 = ", -y[0] * y[1], "  J[0][1] =", J[0][1])
        assert np.allclose(np.diag(J), y - y**2) and math.isclose(J[0][1], -y[0] * y[1])
        """
    ),
    md(
        r"""
        ## The Kronecker-delta form, and a slip in it (000:55-58)

        With $\delta_{ij} = 1$ when $i = j$ and $0$ otherwise, both cases are one formula:
        $\partial y_j/\partial z_i = y_j(\delta_{ij} - y_i)$. Put into the sum over routes:

        $$ \frac{\partial\,\mathrm{Div}}{\partial z_i} = \sum_j \frac{\partial\,\mathrm{Div}}{\partial y_j}\; y_j\,(\delta_{ij} - y_i). $$

        Deck 000 writes the last factor as $(\delta_{ij} - y_j)$ (000:58): **a slip**. For $j = i$ the two
        agree; for $j \ne i$ the slide's form gives $-y_j^2$ where $-y_j y_i$ is right. A numerical
        check with a divergence that weighs the outputs differently, $\mathrm{Div} = \sum_j c_j\, y_j$:
        """
    ),
    code(
        r"""
        c = np.array([0.5, -1.0, 2.0])
        div = functional.sum([float(cj) * yj for cj, yj in zip(c, ys)])
        dDiv_dy = c                                  # ∂Div/∂y_j = c_j
        n = len(y)
        right = [sum(dDiv_dy[j] * y[j] * ((i == j) - y[i]) for j in range(n)) for i in range(n)]
        slide = [sum(dDiv_dy[j] * y[j] * ((i == j) - y[j]) for j in range(n)) for i in range(n)]
        print("engine, ∂Div/∂z:        ", np.array(grad(div, zs)))
        print("y_j (δ_ij − y_i)  (right):", np.array(right))
        print("y_j (δ_ij − y_j)  (000:58):", np.array(slide))
        assert np.allclose(right, grad(div, zs)) and not np.allclose(slide, grad(div, zs))
        """
    ),
    md(
        r"""
        ## Softmax with negative log-likelihood: δ = a − y (004:536-647)

        For a one-hot target $\mathbf y$ (the true class $t$ has $y_t = 1$), the negative log-likelihood is
        $J = -\ln a_t = -\mathbf y^{\mathsf T}\ln\mathbf a$ with $\mathbf a = \operatorname{softmax}(\mathbf z)$ (004:641-644). Chaining
        $\partial J/\partial a_j = -y_j/a_j$ with the Jacobian above, the $a$'s cancel:

        $$ \delta = \frac{\partial J}{\partial \mathbf z} = \mathbf a - \mathbf y . $$

        `losses.cross_entropy(logits, target_index)` is this $J$ (computed with `log_softmax`, stable for
        large logits):
        """
    ),
    code(
        r"""
        t = 1
        J_nll = losses.cross_entropy(zs, t)
        onehot = np.eye(3)[t]
        print(f"J = −ln a_t = {J_nll.data:.6f}  (−ln y[t] = {-math.log(y[t]):.6f})")
        print("engine δ:", np.array(grad(J_nll, zs)))
        print("a − y:   ", y - onehot)
        assert np.allclose(grad(J_nll, zs), y - onehot)
        """
    ),
    md(
        r"""
        **Regression and classification outputs (004:236-266).** A regression network ends with
        the identity, $\mathbf a = \mathbf z$, and the squared error $\tfrac12\|\mathbf a - \mathbf y\|^2$; a
        classification network ends with softmax and the negative log-likelihood. Both give the same
        error signal at the output, $\delta = \mathbf a - \mathbf y$, which is why deck 004 can start both
        backward passes the same way. (Its slides titled "Backpropagation for FCNs for Regression"
        say "for softmax layer" (004:268-272); it is the same $\delta$ either way.)
        """
    ),
    code(
        r"""
        targets = [0.3, -1.0, 0.5]
        sq = 0.5 * functional.sum([(zi - ti) ** 2 for zi, ti in zip(zs, targets)])
        print("identity + ½‖a − y‖²: δ =", np.array(grad(sq, zs)), " a − y =", np.array(z0) - targets)
        assert np.allclose(grad(sq, zs), np.array(z0) - targets)
        """
    ),
    md(
        r"""
        ## Softmax regression: ∂J/∂W = (a − y) aᵀ (004:549-570)

        Softmax regression is one softmax layer on an input $\mathbf a^{(n_l)}$, with the weights of class $k$
        in row $k$ of $W^{(n_l)}$ (004:541). Since $\mathbf z = W\mathbf a^{(n_l)} + \mathbf b$ and $\delta = \mathbf a^{(n_l+1)} - \mathbf y$,

        $$ \frac{\partial J}{\partial W^{(n_l)}} = (\mathbf a^{(n_l+1)} - \mathbf y)\,(\mathbf a^{(n_l)})^{\mathsf T}, \qquad
        \frac{\partial J}{\partial \mathbf b^{(n_l)}} = \mathbf a^{(n_l+1)} - \mathbf y, $$

        and the error passed down is $(W^{(n_l)})^{\mathsf T}(\mathbf a^{(n_l+1)} - \mathbf y)$ (004:562). Three classes and four
        inputs:
        """
    ),
    code(
        r"""
        rng = np.random.default_rng(0)
        K, s = 3, 4
        W = rng.normal(0, 0.5, (K, s))
        b = rng.normal(0, 0.1, K)
        a_in = rng.normal(0, 1, s)
        label = 2

        Wv = [[Value(float(w)) for w in row] for row in W]
        bv = [Value(float(t)) for t in b]
        av = [Value(float(t)) for t in a_in]
        logits = [functional.dot(row, av, bias) for row, bias in zip(Wv, bv)]
        J_sr = losses.cross_entropy(logits, label)

        a_out = np.array([p.data for p in functional.softmax(logits)])
        delta = a_out - np.eye(K)[label]
        gW = np.array(grad(J_sr, [w for row in Wv for w in row])).reshape(K, s)
        print("(a − y) aᵀ:\n", np.outer(delta, a_in))
        print("engine ∂J/∂W:\n", gW)
        assert np.allclose(gW, np.outer(delta, a_in))
        assert np.allclose(grad(J_sr, bv), delta)
        assert np.allclose(grad(J_sr, av), W.T @ delta)
        """
    ),
    md(
        r"""
        ## Bonus exercise: backprop for logistic regression (004:649-651)

        Logistic regression is the two-class case with one logistic unit: $p = \sigma(z)$,
        $z = \mathbf w^{\mathsf T}\mathbf x + b$, label $t \in \{0, 1\}$, and the negative log-likelihood
        $J = -t\ln p - (1 - t)\ln(1 - p)$. With $\sigma'(z) = p(1 - p)$:

        $$ \frac{\partial J}{\partial z} = \Big(-\frac tp + \frac{1-t}{1-p}\Big)\,p(1-p) = p - t, \qquad
        \frac{\partial J}{\partial \mathbf w} = (p - t)\,\mathbf x, \qquad \frac{\partial J}{\partial b} = p - t. $$

        The same $\delta = a - y$ again. Checked with `losses.binary_cross_entropy` (on $p$) and
        `losses.bce_with_logits` (on $z$, which never overflows):
        """
    ),
    code(
        r"""
        x_lr = [0.5, -1.5, 2.0]
        w_lr = [Value(0.3), Value(-0.2), Value(0.1)]
        b_lr = Value(-0.4)
        for t_lr in (0, 1):
            z_lr = functional.dot(w_lr, x_lr, b_lr)
            p = z_lr.sigmoid().data
            for name, J_lr in (("binary_cross_entropy", losses.binary_cross_entropy(z_lr.sigmoid(), t_lr)),
                               ("bce_with_logits", losses.bce_with_logits(z_lr, t_lr))):
                g_lr = grad(J_lr, [*w_lr, b_lr])
                print(f"t = {t_lr}, {name:<21} ∂J/∂w = {np.array(g_lr[:3])}, ∂J/∂b = {g_lr[3]: .6f}")
                assert np.allclose(g_lr, [(p - t_lr) * xi for xi in x_lr] + [p - t_lr])
            print(f"       (p − t)·x = {np.array([(p - t_lr) * xi for xi in x_lr])}, p − t = {p - t_lr: .6f}")
        """
    ),
    md(
        r"""
        ## 2 · Multiplicative units (000:60; 001:95)

        Special case 2 assumed that inputs meet only in a weighted sum. A **multiplicative** (gating)
        unit multiplies two signals instead, for example a gate $g = \sigma(z_g)$ that scales a value
        $h$: $y = g \cdot h$. Its backward rule is the product rule: each input receives the upstream
        gradient times **the other** input,

        $$ \frac{\partial\,\mathrm{Div}}{\partial h} = \frac{\partial\,\mathrm{Div}}{\partial y}\; g, \qquad
        \frac{\partial\,\mathrm{Div}}{\partial g} = \frac{\partial\,\mathrm{Div}}{\partial y}\; h . $$

        So the backward pass needs the forward value of the other input too, and the simple rule
        $\partial C/\partial w = a_j\,\delta$ of a weighted sum no longer covers every parameter: the gradient
        reaching $h$ is scaled by the gate, and a closed gate ($g \approx 0$) blocks it.
        """
    ),
    code(
        r"""
        z_g, h = Value(-1.0, label="z_g"), Value(2.5, label="h")
        gate = z_g.sigmoid()
        y_gated = gate * h
        div_gated = 0.5 * (y_gated - 1.0) ** 2
        up = y_gated.data - 1.0                                  # ∂Div/∂y
        d_h, d_zg = grad(div_gated, [h, z_g])
        print(f"∂Div/∂h   = {d_h:.6f}   upstream·g            = {up * gate.data:.6f}")
        print(f"∂Div/∂z_g = {d_zg:.6f}   upstream·h·σ'(z_g)    = {up * h.data * gate.data * (1 - gate.data):.6f}")
        assert math.isclose(d_h, up * gate.data) and math.isclose(d_zg, up * h.data * gate.data * (1 - gate.data))
        """
    ),
    md(
        r"""
        ## 3 · More or fewer outputs than inputs: maxout (001:74-75; 004:314-315)

        A vector activation need not have as many outputs as inputs (001:75). **Maxout** has fewer:
        $g(a_1, \dots, a_k) = \max\{a_1, \dots, a_k\}$, one output from $k$ affine pieces, each with its own
        weight vector ("needs $k$ weight vectors instead of 1", 004:315). Its Jacobian is a $1 \times k$
        row with a 1 at the largest piece and 0 elsewhere, so only the winning piece's weights learn
        from this example. An activation with **more** outputs than inputs, say $(\cos z, \sin z)$ from
        one $z$, has a $2 \times 1$ Jacobian; the backward pass sums the two routes back into $z$.
        """
    ),
    code(
        r"""
        x_in = [1.0, -2.0]
        pieces_w = [[Value(0.5), Value(0.2)], [Value(-0.3), Value(-0.8)], [Value(1.0), Value(0.1)]]
        pieces = [functional.dot(w, x_in) for w in pieces_w]
        out = pieces[0]
        for p in pieces[1:]:
            out = functional.maximum(out, p)
        print("pieces a_k:", [round(p.data, 3) for p in pieces], "→ maxout", round(out.data, 3))
        print("J = ∂out/∂a:", functional.jacobian([out], pieces))
        for k, w in enumerate(pieces_w):
            print(f"  piece {k + 1}: ∂out/∂w = {grad(out, w)}")

        z = Value(0.7)
        outs = [z.cos(), z.sin()]
        print("\n(cos z, sin z): J =", functional.jacobian(outs, [z]), " (2 × 1)")
        div2 = 0.5 * functional.sum([(o - 0.5) ** 2 for o in outs])
        by_routes = sum((o.data - 0.5) * row[0] for o, row in zip(outs, functional.jacobian(outs, [z])))
        print(f"∂Div/∂z = {grad(div2, [z])[0]:.6f}; sum over the two routes {by_routes:.6f}")
        assert math.isclose(grad(div2, [z])[0], by_routes)
        """
    ),
    md(
        r"""
        ## 4 · Kinks: subgradients (000:62-79)

        ReLU, $|z|$ and $\max$ have a corner where the derivative is not defined. For a convex $f$, a
        number $g$ is a **subgradient** at $x_0$ when the line through $(x_0, f(x_0))$ with slope $g$ stays
        below the graph:

        $$ f(x) \;\ge\; f(x_0) + g\,(x - x_0) \quad \text{for every } x . $$

        At a corner every slope between the left and the right derivative qualifies; where $f$ is
        differentiable, only $f'(x_0)$ does. Backprop uses one subgradient at each kink, and libraries
        write down which. Here, as in PyTorch: $\mathrm{relu}'(0) = 0$, $|z|'$ at 0 is 0, and at a tie
        $\max$ gives each input half of the gradient.

        **A convention that differs from the notes:** deck 004's unit step is 1 for $z \ge 0$
        (004:30), so 1 at 0; the engine's `step(0)` is 0 (1 only for $z > 0$). Its derivative is 0
        wherever it exists.
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
        print("step(0)                 =", zero.step().data, " (deck 004's unit step: 1 at 0)")
        print("step'(0)                =", grad(zero.step(), [zero])[0])
        """
    ),
    md(
        r"""
        ### Exercise: check the definition (000:72)

        The notes ask you to check that you understand the definition. Write `is_subgradient(f, x0, g)`:
        it should return `True` when $f(x) \ge f(x_0) + g\,(x - x_0)$ holds at every point of `XS` (a grid
        around $x_0$, allow a tolerance of `1e-12` for rounding), else `False`. `f` takes and returns
        plain floats. The next cell checks your function against the engine's choices at the kinks
        (which must be subgradients) and against slopes that are not.
        """
    ),
    code(
        r"""
        XS = [k / 10 for k in range(-30, 31)]


        def is_subgradient(f, x0, g):
            # Your code here: True when f(x) >= f(x0) + g * (x - x0) for every x in XS.
            return None
        """
    ),
    code(
        r"""
        def check_subgradient(is_subgradient):
            # The engine's derivative at each kink must pass; slopes outside [left, right] must not.
            relu = lambda t: max(t, 0.0)
            cases = [("relu at 0", relu, 0.0, lambda v: v.relu()), ("|z| at 0", abs, 0.0, lambda v: v.abs()),
                     ("relu at 1", relu, 1.0, lambda v: v.relu())]
            if is_subgradient(relu, 0.0, 0.5) is None:
                print("is_subgradient is not filled in yet")
                return
            for name, f, x0, op in cases:
                v = Value(x0)
                g_engine = grad(op(v), [v])[0]
                assert is_subgradient(f, x0, g_engine), f"the engine's {name}: {g_engine} should pass"
                print(f"{name}: the engine's slope {g_engine} is a subgradient")
            for f, x0, g in ((relu, 0.0, 0.5), (relu, 0.0, 1.0), (abs, 0.0, -0.7)):
                assert is_subgradient(f, x0, g), (x0, g)
            for f, x0, g in ((relu, 0.0, 1.5), (relu, 0.0, -0.1), (abs, 0.0, 1.2), (relu, 1.0, 0.5)):
                assert not is_subgradient(f, x0, g), (x0, g)
            print("all checks pass: slopes in [left, right] are subgradients at a corner, others are not")


        check_subgradient(is_subgradient)
        """
    ),
    md(
        r"""
        One answer (run it to see the checks pass):
        """
    ),
    code(
        r"""
        def is_subgradient_answer(f, x0, g):
            return all(f(x) >= f(x0) + g * (x - x0) - 1e-12 for x in XS)


        check_subgradient(is_subgradient_answer)
        """
    ),
    md(
        r"""
        At a kink, `gradcheck` is not to be trusted: the central difference straddles the corner
        and averages the two slopes, which is a subgradient too, but not the one the engine chose.
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
]

if __name__ == "__main__":
    write("05_softmax_kinks_and_special_cases.ipynb", CELLS)
