"""Builds notebooks/03_vectors_jacobians_and_shapes.ipynb; run from the repository root:

    .venv/bin/python notebooks/build/build_03.py
"""

from _nb import code, md, write

CELLS = [
    md(
        r"""
        # 03 · Vectors, Jacobians and shapes

        Notebook 02 differentiated one small network number by number. The notes then "move to
        the vector formulation" (000:94): more compact, simpler to think about, and fast, because
        matrix libraries such as numpy do the arithmetic (000:99-101). This notebook writes a layer
        as a vector function, introduces its **Jacobian**, shows that backprop multiplies Jacobians
        (in fact, vectors by Jacobians), and checks the **shape** of every factor of a layer's
        backward pass. numpy does the matrix arithmetic; the engine, which works on scalars,
        checks every number.
        """
    ),
    code(
        r"""
        import math

        import numpy as np

        from autograd_lite import Value, functional, grad

        np.set_printoptions(precision=6, suppress=True)


        def as_values(array, name):
            # A numpy array of numbers as a nested list of labelled Values of the same shape.
            if array.ndim == 1:
                return [Value(float(t), label=f"{name}{i + 1}") for i, t in enumerate(array)]
            return [[Value(float(t), label=f"{name}{i + 1}{j + 1}") for j, t in enumerate(row)]
                    for i, row in enumerate(array)]


        def sigmoid(z):
            return 1.0 / (1.0 + np.exp(-z))
        """
    ),
    md(
        r"""
        ## Layers as vector functions (000:103-126)

        With $y_0 = x$, each layer $k = 1, \dots, N$ computes an affine combination and an activation:

        $$ z_k = W_k\, y_{k-1} + b_k, \qquad y_k = f_k(z_k), $$

        and the output is $y = y_N$. Written out, the whole network is one nested function, and so is
        the divergence between its output and the target $d$:

        $$ \mathrm{Div}\big(f_N(W_N f_{N-1}(\dots f_2(W_2 f_1(W_1 x + b_1) + b_2)\dots) + b_N),\ d\big). $$

        **Two ways to index the matrices.** Decks 000 and 002 call the matrix *into* layer $k$
        $W_k$ (002: $W^l$), so the backward pass uses $W_{k+1}$ (002: $(W^{l+1})^{\mathsf T}\delta^{l+1}$). Deck 004
        calls the matrix *out of* layer $l$ $W^{(l)}$, with $z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}$, so its
        backward pass reads $\delta^{(l)} = ((W^{(l)})^{\mathsf T}\delta^{(l+1)}) \odot f'(z^{(l)})$. Same matrices,
        numbered one apart: 000's $W_k$ is 004's $W^{(k)}$ with 004's layers counted from 1 at the input.
        This notebook uses 000's $W_k$ for Jacobians and 004's $W^{(l)}$, $a^{(l)}$, $s_l$ for the shapes,
        as the decks do.
        """
    ),
    code(
        r"""
        rng = np.random.default_rng(0)
        sizes = [3, 4, 2]  # x has 3 entries, one hidden layer of 4, 2 outputs
        Ws = [rng.normal(0, 0.8, (m, n)) for n, m in zip(sizes[:-1], sizes[1:])]
        bs = [rng.normal(0, 0.3, m) for m in sizes[1:]]
        x = np.array([0.5, -1.0, 2.0])
        d = np.array([1.0, 0.0])  # the target


        def forward(x):
            # y_0 = x; z_k = W_k y_{k-1} + b_k; y_k = σ(z_k). Keeps every z and y for the backward pass.
            ys, zs = [x], []
            for W, b in zip(Ws, bs):
                zs.append(W @ ys[-1] + b)
                ys.append(sigmoid(zs[-1]))
            return zs, ys


        zs, ys = forward(x)
        nested = sigmoid(Ws[1] @ sigmoid(Ws[0] @ x + bs[0]) + bs[1])
        print("loop:  ", ys[-1])
        print("nested:", nested)
        print("Div = ½‖y − d‖² =", 0.5 * np.sum((ys[-1] - d) ** 2))
        assert np.allclose(ys[-1], nested)
        """
    ),
    md(
        r"""
        ## The Jacobian: Δy ≈ J Δz (000:128-141)

        For a vector function $y = f(z)$ with $z \in \mathbb R^D$ and $y \in \mathbb R^m$, the Jacobian
        $J_y(z)$ is the $m \times D$ matrix of partial derivatives $\partial y_i/\partial z_j$: **one row per
        output, one column per input**. It is the vector version of $\Delta y \approx f'(z)\,\Delta z$:

        $$ \Delta y \approx J_y(z)\,\Delta z . $$

        `functional.jacobian(outputs, inputs)` uses the same layout (one backward pass per row). Try it on
        $y_1 = z_1 z_2 + \sin z_3$, $y_2 = e^{z_1} - z_3^2$:
        """
    ),
    code(
        r"""
        def f(z1, z2, z3):
            return [z1 * z2 + z3.sin(), z1.exp() - z3**2]


        z0 = [0.3, -1.2, 0.8]
        zv = [Value(t) for t in z0]
        J = np.array(functional.jacobian(f(*zv), zv))
        print("J_y(z), 2 × 3:\n", J)

        dz = np.array([1e-3, -2e-3, 5e-4])
        y0 = np.array([v.data for v in f(*zv)])
        y1 = np.array([v.data for v in f(*[Value(a + b) for a, b in zip(z0, dz)])])
        print("actual Δy:", y1 - y0)
        print("J Δz:     ", J @ dz)
        assert np.allclose(y1 - y0, J @ dz, rtol=1e-2)
        """
    ),
    md(
        r"""
        The two agree to first order; the difference shrinks like $\|\Delta z\|^2$.

        **Which way round?** Deck 000 (000:141) and the engine put outputs in rows. One slide of
        003 (003:630) defines $\mathbb J_{\vec x}(\vec f)$ with the *inputs* in rows, the transpose. Its
        neighbouring formula $\nabla_U u_i = \mathbb J_U^{\mathsf T}\,\nabla u_i$ (003:626), and the $2 \times 6$
        Jacobian of the worked example (one row per $g$, notebook 02), need outputs in rows; with
        inputs in rows the transpose there would have the wrong shape. Read 003:630 transposed.

        ## Scalar and vector activations: diagonal and full Jacobians (000:146-165)

        A **scalar** activation applies one function to each entry, $y_i = f(z_i)$: $y_i$ depends on $z_i$
        only, so the Jacobian is diagonal, with $f'(z_i)$ on the diagonal. Deck 000 writes it as the
        column $(f'(z_1), \dots, f'(z_D))^{\mathsf T}$ (000:155-159): the diagonal stored as a vector. Multiplying
        by that diagonal matrix is the elementwise product $\odot$ of the vector formulas.

        A **vector** activation such as softmax makes every output depend on every input: its
        Jacobian is full (notebook 05 derives it).
        """
    ),
    code(
        r"""
        zv = [Value(t) for t in (2.0, 1.0, 0.1)]
        J_sigmoid = np.array(functional.jacobian([t.sigmoid() for t in zv], zv))
        J_softmax = np.array(functional.jacobian(functional.softmax(zv), zv))
        print("elementwise sigmoid: diagonal\n", J_sigmoid)
        s = sigmoid(np.array([2.0, 1.0, 0.1]))
        print("the notes' column (f'(z_1), ..., f'(z_D)):", s * (1 - s))
        print("\nsoftmax: full\n", J_softmax)
        assert np.allclose(J_sigmoid, np.diag(s * (1 - s)))
        """
    ),
    md(
        r"""
        ## The chain rule for Jacobians (000:170-178)

        For a composition $h = f \circ g$ the Jacobians multiply, in the order of the functions:

        $$ J_{f \circ g}(x) = J_f\big(g(x)\big)\; J_g(x). $$

        A layer is such a composition: $g(y) = W y + b$ has Jacobian $W$ (it is linear), and the
        scalar activation $f = \sigma$ has the diagonal Jacobian $\operatorname{diag}\sigma'(z)$. So the layer's
        Jacobian is $\operatorname{diag}\sigma'(z)\,W$, of shape $(4 \times 4)(4 \times 3) = 4 \times 3$. The engine
        computes it from the graph of the whole layer:
        """
    ),
    code(
        r"""
        W1, b1 = Ws[0], bs[0]
        xv = [Value(float(t), label=f"x{i + 1}") for i, t in enumerate(x)]
        Wv, bv = as_values(W1, "w"), as_values(b1, "b")
        layer = [functional.dot(row, xv, bias).sigmoid() for row, bias in zip(Wv, bv)]
        J_layer = np.array(functional.jacobian(layer, xv))

        z1 = W1 @ x + b1
        J_f, J_g = np.diag(sigmoid(z1) * (1 - sigmoid(z1))), W1
        print("J_f J_g:\n", J_f @ J_g)
        print("engine:\n", J_layer)
        print("shapes:", J_f.shape, "×", J_g.shape, "=", (J_f @ J_g).shape)
        assert np.allclose(J_layer, J_f @ J_g)
        """
    ),
    md(
        r"""
        ## Backprop is a vector–Jacobian product

        The divergence is a scalar, so its "Jacobian" with respect to the output is a row: the
        gradient $\nabla_y \mathrm{Div}^{\mathsf T}$. The chain rule then gives, for the whole network,

        $$ \nabla_x \mathrm{Div}^{\mathsf T} = \nabla_{y_N} \mathrm{Div}^{\mathsf T}\; J_{y_N}(z_N)\; W_N\; J_{y_{N-1}}(z_{N-1})\; W_{N-1} \cdots W_1 . $$

        Backprop evaluates this product **from the left**: a row vector times a matrix is again a row
        vector, so no Jacobian is ever formed. That is what each node's backward step does (a
        *vector–Jacobian product*), and it is why one backward pass costs about as much as one
        forward pass, while building $J$ costs one backward pass per output. Each factor below is
        the vector form of the scalar $\partial\,\text{Div}/\partial z = \sum_j \partial\,\text{Div}/\partial y_j \cdot \partial y_j/\partial z$:
        """
    ),
    code(
        r"""
        zs, ys = forward(x)
        dsig = [sigmoid(z) * (1 - sigmoid(z)) for z in zs]
        row = ys[-1] - d                      # ∇_y Div for Div = ½‖y − d‖²
        for k in reversed(range(len(Ws))):
            row = row @ np.diag(dsig[k])      # times J_y(z_k): now ∇_{z_k} Div
            row = row @ Ws[k]                 # times W_k:      now ∇_{y_{k-1}} Div
        print("row vector times Jacobians:", row)

        xv = [Value(float(t)) for t in x]
        out = xv
        for W, b in zip(Ws, bs):
            out = [functional.dot(list(r), out, float(c)).sigmoid() for r, c in zip(W, b)]
        div = 0.5 * functional.sum([(o - t) ** 2 for o, t in zip(out, d)])
        print("engine, one backward pass:  ", np.array(grad(div, xv)))
        assert np.allclose(row, grad(div, xv))
        """
    ),
    md(
        r"""
        Multiplying by $\operatorname{diag}\sigma'(z)$ is just $\odot\,\sigma'(z)$, and $\text{row}\cdot W$ is $W^{\mathsf T}$ times
        the column. Written with columns, that is the notes' recursion.

        ## The vector backward pass (002:212-261; 004:505-518)

        Hung-yi Lee's deck (002) writes it with $\delta^l = \partial C/\partial z^l$ and $a^l = \sigma(z^l)$:

        $$ \delta^L = \sigma'(z^L) \odot \nabla_y C, \qquad \delta^l = \sigma'(z^l) \odot (W^{l+1})^{\mathsf T}\delta^{l+1}, \qquad
        \frac{\partial C}{\partial w^l_{ij}} = a^{l-1}_j\,\delta^l_i,\ \text{i.e.}\ \nabla_{W^l} C = \delta^l\,(a^{l-1})^{\mathsf T}, $$

        with $a^0 = x$ (002:224-261). Two slips to read past: one line writes $\delta^L = \sigma'(z^l) \odot \nabla C$
        (002:154), where $\sigma'(z^L)$ is meant; and deck 004's compressed forward step
        $z^{(l)}_i = \sum_j W^{(l)}_{ij} x_j + b^{(l)}_i$ (004:190) should read $z^{(l+1)}_i = \sum_j W^{(l)}_{ij} a^{(l)}_j + b^{(l)}_i$,
        as its next slide does (004:232). Its loops "for $l = n_l, n_l - 2, n_l - 3, \dots$" (004:276, 292)
        skip $n_l - 1$ by a typo; every layer is visited, as in 004:346 and 004:497.
        """
    ),
    code(
        r"""
        def backprop(x, d):
            # δ^L = σ'(z^L) ⊙ (y − d); δ^l = σ'(z^l) ⊙ (W^{l+1})ᵀ δ^{l+1}; ∇W = δ aᵀ, ∇b = δ.
            zs, ys = forward(x)
            delta = sigmoid(zs[-1]) * (1 - sigmoid(zs[-1])) * (ys[-1] - d)
            grads = [None] * len(Ws)
            for k in reversed(range(len(Ws))):   # every layer, top to bottom
                grads[k] = (np.outer(delta, ys[k]), delta)
                if k > 0:
                    delta = sigmoid(zs[k - 1]) * (1 - sigmoid(zs[k - 1])) * (Ws[k].T @ delta)
            return grads


        def engine_grads(x, d):
            # The same network built from Values; ∂Div/∂W and ∂Div/∂b as numpy arrays.
            Wv = [as_values(W, f"W{k + 1}_") for k, W in enumerate(Ws)]
            bv = [as_values(b, f"b{k + 1}_") for k, b in enumerate(bs)]
            out = [Value(float(t)) for t in x]
            for W, b in zip(Wv, bv):
                out = [functional.dot(row, out, bias).sigmoid() for row, bias in zip(W, b)]
            div = 0.5 * functional.sum([(o - t) ** 2 for o, t in zip(out, d)])
            result = []
            for W, b in zip(Wv, bv):
                flat = [w for row in W for w in row]
                gW = np.array(grad(div, flat)).reshape(len(W), len(W[0]))
                result.append((gW, np.array(grad(div, b))))
            return result


        for k, ((gW, gb), (eW, eb)) in enumerate(zip(backprop(x, d), engine_grads(x, d)), start=1):
            print(f"∇W_{k} (δ aᵀ):\n{gW}")
            assert np.allclose(gW, eW) and np.allclose(gb, eb)
        print("\nboth layers' weight and bias gradients agree with the engine")
        """
    ),
    md(
        r"""
        ## The shape of every factor (000:182-189; 004:614-634)

        The notes ask you to check the dimensions of everything in the vector form. In deck 004's
        notation, with $s_l$ units in layer $l$ and a single example, each factor of layer $l$'s
        backward step has the shape below; the gradient $\nabla_{W^{(l)}} J = \delta^{(l+1)} (a^{(l)})^{\mathsf T}$ must
        have the shape of $W^{(l)}$, $s_{l+1} \times s_l$, and it does: a column times a row. Printed for
        a 3-4-2 network, and each gradient checked against the engine (the bias gradient $\delta$ is the
        subject of notebook 04):
        """
    ),
    code(
        r"""
        zs, ys = forward(x)
        grads = backprop(x, d)
        deltas = [g[1] for g in grads]           # δ^(l+1) for l = 1, 2 in 004's numbering
        check = engine_grads(x, d)
        print(f"{'factor':<30} {'shape, l = 1':>12} {'shape, l = 2':>14}   {'in s_l':<16}")
        rows = [
            ("W^(l)", [W.shape for W in Ws], "s_{l+1} × s_l"),
            ("a^(l) (a^(1) = x)", [(len(ys[k]), 1) for k in range(2)], "s_l × 1"),
            ("z^(l+1) = W^(l) a^(l) + b^(l)", [(len(z), 1) for z in zs], "s_{l+1} × 1"),
            ("δ^(l+1)", [(len(t), 1) for t in deltas], "s_{l+1} × 1"),
            ("(W^(l))ᵀ δ^(l+1)", [(Ws[k].T @ deltas[k]).reshape(-1, 1).shape for k in range(2)], "s_l × 1"),
            ("δ^(l+1) (a^(l))ᵀ", [np.outer(deltas[k], ys[k]).shape for k in range(2)], "s_{l+1} × s_l"),
        ]
        for name, shapes, symbolic in rows:
            print(f"{name:<30} {str(shapes[0]):>12} {str(shapes[1]):>14}   {symbolic:<16}")
        for (gW, _), (eW, _), W in zip(grads, check, Ws):
            assert gW.shape == W.shape == eW.shape and np.allclose(gW, eW)
        """
    ),
    md(
        r"""
        For layer $l = 1$ the factor $(W^{(1)})^{\mathsf T}\delta^{(2)}$ is $\partial J/\partial x$, which training
        does not need (the input is not a parameter), so the recursion stops at $l = 2$ (004:497).
        With $m$ examples at once, every column vector becomes an $s \times m$ matrix, one column per
        example: notebook 04 works that case, together with biases and regularisation.
        """
    ),
]

if __name__ == "__main__":
    write("03_vectors_jacobians_and_shapes.ipynb", CELLS)
