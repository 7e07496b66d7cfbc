"""micrograd's demo: a 2-16-16-1 relu MLP learns two moons with a max-margin loss and SGD.

Written against micrograd 0.1.0's public API; the tests run it with the imports rewritten to
autograd_lite.micrograd and compare every number.
"""

import math
import random

from micrograd.engine import Value
from micrograd.nn import MLP


def make_moons(n, noise=0.1, seed=1):
    """Two interleaving half circles, labels -1 and +1, without numpy or scikit-learn."""
    rng = random.Random(seed)  # its own generator: the global one initialises the model
    X, y = [], []
    for i in range(n):
        t = math.pi * (i // 2) / max(1, (n + 1) // 2 - 1)
        if i % 2 == 0:
            px, py, label = math.cos(t), math.sin(t), -1
        else:
            px, py, label = 1 - math.cos(t), 0.5 - math.sin(t), 1
        X.append([px + rng.gauss(0, noise), py + rng.gauss(0, noise)])
        y.append(label)
    return X, y


def loss(model, X, y):
    """Mean hinge loss plus alpha times the sum of squared weights, and the accuracy."""
    inputs = [[Value(v) for v in row] for row in X]
    scores = [model(row) for row in inputs]
    margins = [(1 + -label * score).relu() for label, score in zip(y, scores)]
    data_loss = sum(margins) * (1.0 / len(margins))
    alpha = 1e-4
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    hits = [(label > 0) == (score.data > 0) for label, score in zip(y, scores)]
    return total, sum(hits) / len(hits)


def train(model, X, y, steps=100, record_grads=()):
    """SGD with the learning rate falling from 1.0 to 0.1; returns what each step saw."""
    history = {"loss": [], "accuracy": [], "grads": {}}
    for k in range(steps):
        total, acc = loss(model, X, y)
        model.zero_grad()
        total.backward()
        if k in record_grads:
            history["grads"][k] = [p.grad for p in model.parameters()]
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        history["loss"].append(total.data)
        history["accuracy"].append(acc)
    return history


def step(model, X, y, k=0):
    """One training step of the demo (what the speed comparison times)."""
    total, _ = loss(model, X, y)
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= (1.0 - 0.9 * k / 100) * p.grad
    return total.data


if __name__ == "__main__":
    random.seed(1337)
    X, y = make_moons(100)
    model = MLP(2, [16, 16, 1])
    history = train(model, X, y)
    for k in range(0, 100, 10):
        print(f"step {k} loss {history['loss'][k]:.6f}, accuracy {history['accuracy'][k]:.0%}")
