#!/usr/bin/env python3
"""Differential testing of graphc against PyTorch.

Generates random straight-line programs over graphc's builtins, writes each as
`.act` and as the equivalent PyTorch script, runs both, and reports any program
whose standard output differs. It needs PyTorch (run it with the Python of a
virtual environment that has torch) and a built graphc; CI does not run it.

    ~/peers/bin/python tools/difftest.py --count 200 --seed 1 [--graphc target/release/graphc]

A program that differs is kept under --keep (default /tmp/difftest) as
NAME.act, NAME.py and both outputs, to be turned into a regression test.
"""
import argparse
import os
import random
import subprocess
import sys

UNARY = ["exp", "tanh", "sigmoid", "sin", "cos", "relu", "abs", "neg"]
POS_UNARY = ["log", "sqrt"]  # applied to a positive argument


class Gen:
    def __init__(self, rng, dtype):
        self.rng = rng
        self.dtype = dtype
        self.act = []
        self.py = []
        self.n = 0

    def fresh(self):
        self.n += 1
        return f"v{self.n}"

    def emit(self, act, py):
        self.act.append(act)
        self.py.append(py)

    def expr(self, leaves, depth):
        """Returns (act_text, py_text) of a random expression of leaves' shape."""
        r = self.rng
        if depth == 0 or r.random() < 0.25:
            name = r.choice(leaves)
            return name, name
        kind = r.random()
        if kind < 0.35:
            f = r.choice(UNARY + POS_UNARY)
            a, p = self.expr(leaves, depth - 1)
            if f == "neg":
                return f"(-{a})", f"(-{p})"
            if f in POS_UNARY:
                return f"{f}(abs({a}) + 0.5)", f"torch.{f}(torch.abs({p}) + 0.5)"
            return f"{f}({a})", f"torch.{f}({p})"
        if kind < 0.75:
            op = r.choice(["+", "-", "*", "/"])
            a, p = self.expr(leaves, depth - 1)
            if r.random() < 0.4:
                c = r.choice(["2", "0.5", "1.5", "3", "0.1"])
                if op == "/":
                    # keep divisors away from zero
                    return f"({a} / {c})", f"({p} / {c})"
                if r.random() < 0.5:
                    return f"({c} {op} {a})", f"({c} {op} {p})"
                return f"({a} {op} {c})", f"({p} {op} {c})"
            b, q = self.expr(leaves, depth - 1)
            if op == "/":
                return f"({a} / (abs({b}) + 1))", f"({p} / (torch.abs({q}) + 1))"
            return f"({a} {op} {b})", f"({p} {op} {q})"
        if kind < 0.9:
            c = r.choice(["2", "3", "0.5", "-1", "1.7"])
            a, p = self.expr(leaves, depth - 1)
            if c in ("0.5", "1.7", "-1"):
                return f"((abs({a}) + 0.5) ** {c})", f"((torch.abs({p}) + 0.5) ** {c})"
            return f"({a} ** {c})", f"({p} ** {c})"
        f = r.choice(["maximum", "minimum"])
        a, p = self.expr(leaves, depth - 1)
        b, q = self.expr(leaves, depth - 1)
        return f"{f}({a}, {b})", f"torch.{f}({p}, {q})"


def program(seed, shape):
    rng = random.Random(seed)
    dtype = rng.choice(["f32", "f32", "f64"])
    tdt = "torch.float32" if dtype == "f32" else "torch.float64"
    g = Gen(rng, dtype)
    dims = ", ".join(str(d) for d in shape)
    g.emit(f"manual_seed({seed})", f"torch.manual_seed({seed})")
    leaves = []
    for i in range(rng.choice([1, 2])):
        name = f"x{i}"
        g.emit(f"{name} = randn({dims}, requires_grad=true, dtype={dtype})",
               f"{name} = torch.randn({dims}, requires_grad=True, dtype={tdt})")
        leaves.append(name)
    a, p = g.expr(leaves, 4)
    g.emit(f"y = {a}", f"y = {p}")
    g.emit("print(y)", "print(y)")
    red = rng.choice(["sum", "mean"])
    if len(shape) == 2 and rng.random() < 0.5:
        d = rng.choice([0, 1])
        g.emit(f"z = {red}(y, dim={d})", f"z = y.{red}(dim={d})")
        g.emit("print(z)", "print(z)")
        g.emit("s = z.sum()", "s = z.sum()")
    else:
        g.emit(f"s = {red}(y)", f"s = y.{red}()")
    g.emit("print(s)", "print(s)")
    g.emit("s.backward()", "s.backward()")
    for l in leaves:
        g.emit(f"print({l}.grad)", f"print({l}.grad)")
    act = "\n".join(g.act) + "\n"
    py = "import torch\n" + "\n".join(g.py) + "\n"
    return act, py


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--graphc", default="target/release/graphc")
    ap.add_argument("--keep", default="/tmp/difftest")
    args = ap.parse_args()
    os.makedirs(args.keep, exist_ok=True)
    bad = 0
    for i in range(args.count):
        seed = args.seed * 100000 + i
        shape = random.Random(seed).choice([[5], [7], [3, 4], [20], [2, 3]])
        act, py = program(seed, shape)
        base = os.path.join(args.keep, f"p{seed}")
        open(base + ".act", "w").write(act)
        open(base + ".py", "w").write(py)
        t = subprocess.run([sys.executable, base + ".py"], capture_output=True, text=True)
        g = subprocess.run([args.graphc, "run", base + ".act"], capture_output=True, text=True)
        if g.returncode != 0 or t.returncode != 0 or g.stdout != t.stdout:
            bad += 1
            open(base + ".torch.out", "w").write(t.stdout + t.stderr)
            open(base + ".graphc.out", "w").write(g.stdout + g.stderr)
            print(f"DIFF p{seed} (graphc rc={g.returncode}, torch rc={t.returncode})")
        else:
            for ext in (".act", ".py"):
                os.remove(base + ext)
    print(f"{args.count - bad} passed, {bad} failed")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
