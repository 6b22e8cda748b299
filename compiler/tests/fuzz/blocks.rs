//! Statements of the syntax that landed after the first generator: `range` loops
//! (nested, with carried values, prints and `if` inside), run-time `if` on host
//! values and 0-d bool tensors, `no_grad`, in-place updates and stores, leaves made
//! with `requires_grad_()`, `.grad = none`, lists, optimizers, `.item()`, f-strings,
//! host arithmetic and builtins, i64/bool tensors of any rank, several outputs, the
//! newer builtins and losses.
//!
//! Each block is mostly self-contained: it makes its own leaves, and reads the
//! program's other values only through `.detach()`, so that its backwards never meet
//! the rest of the program's graph (where `retain_graph` and E0604 have rules the
//! generator would have to follow). What a block leaves behind is bound only when the
//! generator can state its dtype and shape, and never as a value that requires grad.

use crate::expr::{self, expr, DType, Val};
use crate::gen::Builder;

/// PyTorch's f-string specs for floats and ints (all accepted by Python).
const FLOAT_SPECS: &[&str] = &["", ":.4f", ":>12.3e", ":+.2g", ":,.2f", ":%", ":10", ":.0f", ":<8.3F", ":^9.1E", ":e", "!r"];
const INT_SPECS: &[&str] = &["", ":3d", ":05d", ":#x", ":_b", ":+d", ":^7", ":o", ":X", ":,d"];

impl Builder<'_> {
    /// A value of this dtype and shape that requires no grad: an expression over the
    /// program's names, detached.
    fn detached(&mut self, dt: DType, shape: &[usize]) -> String {
        let e = expr(self.rng, &self.sc, dt, shape, 1);
        if e.requires_grad || self.rng.chance(30) {
            format!("{}.detach()", e.text)
        } else {
            e.text
        }
    }

    fn dims(shape: &[usize]) -> String {
        shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
    }

    /// A small shape of rank 0 to 4 (at most 24 elements).
    fn any_rank(&mut self) -> Vec<usize> {
        let rank = self.rng.below(5);
        (0..rank).map(|_| self.rng.range(1, if rank > 2 { 2 } else { 3 })).collect()
    }

    /// A `for` loop over a range of `n` iterations, in one of Python's forms.
    fn range_header(&mut self, var: &str, n: usize) -> String {
        match self.rng.below(4) {
            0 => format!("for {var} in range({n})"),
            1 => format!("for {var} in range(1, {})", n + 1),
            2 if n > 0 => format!("for {var} in range({}, -1, -1)", n - 1),
            _ => format!("for {var} in range(0, {}, 2)", 2 * n),
        }
    }

    /// A printing `if`/`elif`/`else` on host arithmetic of the loop variable.
    fn loop_print(&mut self, i: &str, what: &str, spec: &str) -> String {
        let ispec = *self.rng.pick(INT_SPECS);
        let cond = match self.rng.below(4) {
            0 => format!("{i} % 2 == 0"),
            1 => format!("{i} // 2 >= 1 and not ({i} == 3)"),
            2 => format!("{i} * 3 - 1 > 2 or {i} < 1"),
            _ => format!("{i} != 1"),
        };
        format!("if {cond} {{\n        print(f\"step {{{i}{ispec}}}: {{{what}{spec}}}\")\n    }} elif {i} == 1 {{\n        print({i}, {what})\n    }} else {{\n        print(\"other\", -{i})\n    }}")
    }

    /// A training loop: leaves, an optimizer (or a manual update under `no_grad`),
    /// a loss, `backward`, a step, and prints; the parameters stay leaves.
    pub fn train_loop(&mut self) {
        let dt = expr::dtype(self.rng);
        let (n, din, dout) = (self.rng.range(1, 4), self.rng.range(1, 3), self.rng.range(1, 3));
        let t = dt.name();
        let (x, y, w, b) = (self.fresh("xd"), self.fresh("yd"), self.fresh("p"), self.fresh("p"));
        let mut lines = vec![format!("{x} = randn({n}, {din}, dtype={t})")];
        lines.push(match self.rng.below(3) {
            0 => format!("{w} = randn({din}, {dout}, dtype={t}, requires_grad=true)"),
            1 => format!("{w} = (randn({din}, {dout}, dtype={t}) * 0.1).requires_grad_()"),
            _ => format!("{w} = zeros({din}, {dout}, dtype={t}).requires_grad_(true)"),
        });
        lines.push(format!("{b} = zeros({dout}, dtype={t}, requires_grad=true)"));
        let pred = match self.rng.below(4) {
            0 => format!("{x} @ {w} + {b}"),
            1 => format!("gelu({x} @ {w}) + {b}"),
            2 => format!("tanh({x}.matmul({w})) + {b}"),
            _ => format!("relu6({x} @ {w} * 4) - {b}"),
        };
        let red = *self.rng.pick(&["", ", reduction=\"mean\"", ", reduction=\"sum\""]);
        let (target, loss) = match self.rng.below(6) {
            0 => (format!("randn({n}, {dout}, dtype={t})"), format!("mse_loss({pred}, {y}{red})")),
            1 => (format!("randint(0, {dout}, ({n},))"), format!("cross_entropy({pred}, {y}{red})")),
            2 => (format!("rand({n}, {dout}, dtype={t})"), format!("binary_cross_entropy_with_logits({pred}, {y}{red})")),
            3 => (format!("randn({n}, {dout}, dtype={t})"), format!("l1_loss({pred}, {y}, reduction=\"none\").sum()")),
            4 => (format!("rand({n}, {dout}, dtype={t})"), format!("binary_cross_entropy(sigmoid({pred}), {y}{red})")),
            _ => (format!("randn({n}, {dout}, dtype={t})"), format!("(({pred} - {y}) ** 2).mean()")),
        };
        lines.push(format!("{y} = {target}"));
        let opt = self.fresh("opt");
        let kind = self.rng.below(4);
        match kind {
            0 => {
                let extra = *self.rng.pick(&[
                    "",
                    ", momentum=0.9",
                    ", momentum=0.5, nesterov=true",
                    ", weight_decay=0.01, dampening=0.1, momentum=0.3",
                    ", maximize=true",
                ]);
                lines.push(format!("{opt} = SGD([{w}, {b}], lr=0.1{extra})"));
            }
            1 | 2 => {
                let name = if kind == 1 { "Adam" } else { "AdamW" };
                let extra = *self.rng.pick(&["", ", betas=(0.8, 0.99)", ", amsgrad=true", ", weight_decay=0.1", ", eps=1e-6"]);
                lines.push(format!("{opt} = {name}(({w}, {b}), lr=0.01{extra})"));
                if self.rng.chance(20) {
                    lines.push(format!("print({opt})"));
                }
            }
            _ => {}
        }
        let steps = self.rng.below(5);
        let i = self.fresh("i");
        let header = self.range_header(&i, steps);
        let loss_name = self.fresh("loss");
        let mut body = Vec::new();
        let zero_first = kind < 3 && self.rng.chance(50);
        if zero_first {
            body.push(format!("{opt}.zero_grad()"));
        }
        body.push(format!("{loss_name} = {loss}"));
        body.push(format!("{loss_name}.backward()"));
        body.push(match kind {
            0..=2 if zero_first => format!("{opt}.step()"),
            0..=2 => format!("{opt}.step()\n    {opt}.zero_grad()"),
            _ => match self.rng.below(3) {
                0 => format!("no_grad {{\n        for q in [{w}, {b}] {{\n            q -= 0.1 * q.grad\n            q.grad.zero_()\n        }}\n    }}"),
                1 => format!("no_grad {{\n        {w}.sub_({w}.grad, alpha=0.1)\n        {b} -= 0.1 * {b}.grad\n    }}\n    {w}.grad = none\n    {b}.grad = none"),
                _ => format!("no_grad {{\n        {w}.add_({w}.grad, alpha=-0.05)\n        {b}.copy_({b} - 0.1 * {b}.grad)\n    }}\n    {w}.grad.zero_()\n    {b}.grad = none"),
            },
        });
        if self.rng.chance(70) {
            let (what, spec) =
                if self.rng.chance(50) { (format!("{loss_name}.item()"), *self.rng.pick(FLOAT_SPECS)) } else { (loss_name.clone(), "") };
            body.push(self.loop_print(&i, &what, spec));
        }
        lines.push(format!("{header} {{\n    {}\n}}", body.join("\n    ")));
        lines.push(format!("print({w}, {b}.grad)"));
        if steps > 0 && self.rng.chance(50) {
            lines.push(format!("print(f\"final {{{loss_name}.item(){}}}\", {i})", self.rng.pick(FLOAT_SPECS)));
        }
        self.lines.push(lines.join("\n"));
    }

    /// Nested loops with a carried tensor and a carried host int, a print inside, and a
    /// run-time `if` on a 0-d bool tensor.
    pub fn nested_loop(&mut self) {
        let dt = expr::dtype(self.rng);
        let shape = expr::shape(self.rng, false);
        let src = self.detached(dt, &shape);
        let (acc, cnt, x, i, j) = (self.fresh("acc"), self.fresh("cnt"), self.fresh("xs"), self.fresh("i"), self.fresh("j"));
        let (outer, inner) = (self.rng.below(4), self.rng.below(3));
        let oh = self.range_header(&i, outer);
        let ih = self.range_header(&j, inner);
        let step = match self.rng.below(3) {
            0 => format!("{acc} = {acc} + {x} * ({i} - {j})"),
            1 => format!("{acc} += {x} / ({j} + 1)"),
            _ => format!("{acc}.add_({x}, alpha=0.5)"),
        };
        let branch = match self.rng.below(3) {
            0 => format!("if {acc}.sum() > 0 {{\n        {acc} = {acc} * 0.5\n    }} else {{\n        {acc} = {acc} - 1\n    }}"),
            1 => format!("m = {acc}.sum() < 1\n    if m {{\n        {acc} = tanh({acc})\n    }} elif {cnt} > 2 {{\n        {acc} = {acc} * 2\n    }} else {{\n        {acc} = -{acc}\n    }}"),
            _ => format!("if {cnt} % 2 == 1 and {i} > 0 {{\n        print(\"odd\", {cnt})\n    }}"),
        };
        let mut text = format!("{x} = {src}\n{acc} = zeros_like({x})\n{cnt} = 0\n{oh} {{\n    {ih} {{\n        {step}\n        {cnt} += 1\n");
        if self.rng.chance(50) {
            text += &format!("        if ({i} + {j}) % 3 == 0 {{\n            print({i}, {j}, {cnt})\n        }}\n");
        }
        text +=
            &format!("    }}\n    {branch}\n    print(f\"{{{i}}}: {{{acc}.sum().item(){}}}\")\n}}\nprint({acc}, {cnt})", self.rng.pick(FLOAT_SPECS));
        self.lines.push(text);
        self.bind(acc, Val::constant(String::new(), dt, &shape), false);
    }

    /// Host values: `.item()`, shape queries, Python arithmetic and builtins, the math
    /// constants, and f-strings with format specs.
    pub fn host_values(&mut self) {
        let dt = expr::dtype(self.rng);
        let shape = expr::shape(self.rng, false);
        let src = self.detached(dt, &shape);
        let (x, n, k, t, q, b) = (self.fresh("h"), self.fresh("n"), self.fresh("k"), self.fresh("t"), self.fresh("q"), self.fresh("b"));
        let mut lines = vec![format!("{x} = {src}")];
        lines.push(if shape.is_empty() { format!("{n} = {x}.numel() + 2") } else { format!("{n} = {x}.shape[0] + len({x}) * {x}.size(-1)") });
        lines.push(format!("{k} = ({n} * 7 // 2 % 5 - 3) ** 2 - {n} % -3"));
        lines.push(match self.rng.below(3) {
            0 => format!("{t} = {x}.sum().item()"),
            1 => format!("{t} = float({x}.mean())"),
            _ => format!("{t} = {x}.max().item() * 2 - 1.5"),
        });
        lines.push(format!("{q} = {t} / (abs({k}) + 1) + {t} // 0.75 - {t} % 1.5"));
        lines.push(format!("{b} = {k} >= 0 and not ({t} < -100.0) or {n} == 2"));
        let items = [
            k.clone(),
            q.clone(),
            b.clone(),
            "len([1, 2, 3])".into(),
            format!("round({t})"),
            "round(2.675, 2)".into(),
            format!("min({k}, {n}, 4)"),
            format!("max({t}, 0.5, {q})"),
            format!("abs({t})"),
            "pi".into(),
            "e".into(),
            "-inf".into(),
            "nan".into(),
            "2 ** 62 + 1".into(),
            format!("{t} > {q}"),
            format!("int({t})"),
            format!("{t} * {k} - {n}"),
            "(1, 2.5)".into(),
        ];
        let chosen: Vec<String> = (0..self.rng.range(1, 5)).map(|_| self.rng.pick(&items).clone()).collect();
        lines.push(format!("print({})", chosen.join(", ")));
        let (fs, is) = (*self.rng.pick(FLOAT_SPECS), *self.rng.pick(INT_SPECS));
        lines.push(format!("print(f\"{{{k}{is}}}|{{{t}{fs}}}|{{{q}:.3e}}|{{{b}}}|{{{x}.sum()}} {{{n}{is}}}\")"));
        self.lines.push(lines.join("\n"));
    }

    /// A run-time `if`/`elif`/`else` on 0-d tensors and on `.item()` values; the name
    /// it binds has one dtype and shape on every side.
    pub fn runtime_if(&mut self) {
        let dt = expr::dtype(self.rng);
        let shape = expr::shape(self.rng, false);
        let src = self.detached(dt, &shape);
        let (s, r, hv) = (self.fresh("s"), self.fresh("r"), self.fresh("hv"));
        let mut lines = vec![format!("{s} = {src}")];
        let cond = match self.rng.below(3) {
            0 => format!("{s}.sum() > 0.5"),
            1 => {
                lines.push(format!("{hv} = {s}.mean() <= 0"));
                hv.clone()
            }
            _ => format!("{s}.sum().item() > 0 and {s}.numel() > 1"),
        };
        lines.push(format!("if {cond} {{\n    {r} = {s} * 2\n}} elif {s}.mean() < -0.25 {{\n    {r} = {s} - 1\n    print(\"elif\")\n}} else {{\n    {r} = relu({s})\n}}"));
        let (a, y) = (self.fresh("a"), self.fresh("y"));
        let t = dt.name();
        let dims = Self::dims(&shape);
        let sep = if dims.is_empty() { "" } else { ", " };
        match self.rng.below(4) {
            // Gradients inside a run-time branch, from a leaf of the block's own.
            0 | 1 => lines.push(format!(
                "{a} = randn({dims}{sep}dtype={t}, requires_grad=true)\nif {a}.sum() > 0 {{\n    {y} = {a} * 3\n    {y}.sum().backward()\n}} else {{\n    {y} = sin({a})\n    {y}.sum().backward()\n}}\nprint({a}.grad, {y})"
            )),
            // A backward that crosses the branch (and its `elif`), with the leaf also read after it.
            2 => lines.push(format!(
                "{a} = randn({dims}{sep}dtype={t}, requires_grad=true)\nif {a}.sum() > 0 {{\n    {y} = {a} * {a}\n    print(\"then\")\n}} elif {a}.mean() < -0.5 {{\n    {y} = exp({a}) * 2\n}} else {{\n    {y} = sin({a})\n}}\n({y} * {a}).sum().backward()\nprint({a}.grad)"
            )),
            _ => {}
        }
        lines.push(format!("print({r})"));
        self.lines.push(lines.join("\n"));
        self.bind(r, Val::constant(String::new(), dt, &shape), false);
    }

    /// In-place updates of a copy, stores by index and by mask, and a leaf updated under
    /// `no_grad` after a backward through a non-leaf that was updated in place.
    pub fn inplace(&mut self) {
        let dt = expr::dtype(self.rng);
        let shape = expr::shape(self.rng, false);
        let src = self.detached(dt, &shape);
        let other = self.detached(dt, &shape);
        let z = self.fresh("z");
        let mut lines = vec![if self.rng.chance(50) { format!("{z} = ({src}).clone()") } else { format!("{z} = zeros_like({src}) + {src}") }];
        let pool: Vec<String> = vec![
            format!("{z} += 1.5"),
            format!("{z} -= 0.5 * {z}"),
            format!("{z} *= 2"),
            format!("{z} /= 4"),
            format!("{z}.add_({other}, alpha=0.5)"),
            format!("{z}.mul_({other})"),
            format!("{z}.sub_(1)"),
            format!("{z}.div_(3)"),
            format!("{z}.clamp_(min=-1.0, max=1.0)"),
            format!("{z}.fill_(0.25)"),
            format!("{z}.copy_({other})"),
            format!("m{z} = {z} > 0\n{z}[m{z}] = 0.5"),
            format!("{z}.zero_()"),
        ];
        for _ in 0..self.rng.range(1, 4) {
            lines.push(self.rng.pick(&pool).clone());
        }
        match shape.len() {
            0 => {}
            1 => lines.push(format!("{z}[0] = 3.0\n{z}[-1:] = {z}[:1] * 2")),
            _ => {
                lines.push(format!("{z}[0] = 1.0\n{z}[0:1, -1] = 2.0\n{z}[:, 0] = {z}[:, 0] * -1"));
                // Several index tensors, broadcast together, in a store, an update and `index_put_`;
                // computed ones with negative entries, and bool masks beside other items.
                let (m, n) = (shape[0], shape[1]);
                lines.push(match self.rng.below(5) {
                    0 => format!("{z}[arange({m}), arange({m}) % {n}] = 0.5\n{z}[tensor([0, -1]), 0] += 2.0"),
                    1 => format!("{z}[tensor([[0], [{m} - 1]]), tensor([0, {n} - 1])] -= 1.0"),
                    2 => format!("{z}[arange({m}) - {m}, arange({m}) % {n} - {n}] += 1.0\n{z}.index_put_((arange(1) - 1, arange(1) - {n}), full((1,), 0.5, dtype={}))", dt.name()),
                    3 => format!("{z}[{z}.reshape({m}, -1)[:, 0] > 0, 0] = 0.25\n{z}[{z}.reshape({m}, -1)[:, -1] < 0, 1:] += 0.5\n{z}[:, {z}[0] < 0] -= 1.0"),
                    _ => format!("{z}.index_put_((tensor([0, 0]), tensor([-1, -1])), full((2,), 0.5, dtype={}), accumulate=true)", dt.name()),
                });
            }
        }
        lines.push(format!("print({z})"));
        if self.rng.chance(60) {
            let (a, h) = (self.fresh("a"), self.fresh("hn"));
            let dims = Self::dims(&shape);
            let sep = if dims.is_empty() { "" } else { ", " };
            let t = dt.name();
            lines.push(format!("{a} = randn({dims}{sep}dtype={t}, requires_grad=true)"));
            lines.push(format!("{h} = {a} * 2"));
            lines.push(match (shape.len(), self.rng.below(3)) {
                (0, _) | (_, 0) => format!("{h} += {a}"),
                (_, 1) => format!("{h}[0] = 0.0"),
                _ => format!("{h}.mul_(3)"),
            });
            lines.push(format!("{h}.sum().backward()\nprint({a}.grad, {h})"));
            lines.push(format!("no_grad {{\n    {a} -= 0.1 * {a}.grad\n    {a}.grad.zero_()\n}}"));
            if self.rng.chance(50) {
                lines.push(format!("{a}.grad = none\nprint({a}.grad, {a}.requires_grad, {a}.is_leaf)"));
            }
        }
        self.lines.push(lines.join("\n"));
        self.bind(z, Val::constant(String::new(), dt, &shape), false);
    }

    /// Lists: literals, `append` in an unrolled loop, `for p in list`, `stack` and `cat`.
    pub fn lists(&mut self) {
        let dt = expr::dtype(self.rng);
        let shape = expr::shape(self.rng, false);
        let items: Vec<String> = (0..self.rng.range(1, 3)).map(|_| self.detached(dt, &shape)).collect();
        let (xs, ys, p) = (self.fresh("xs"), self.fresh("ys"), self.fresh("p"));
        let mut lines = vec![format!("{xs} = [{}]", items.join(", ")), format!("{ys} = []")];
        lines.push(format!("for {p} in {xs} {{\n    {ys}.append({p} * 2)\n    print({p}.shape, len({ys}))\n}}"));
        lines.push(format!("print(stack({ys}), len({xs}))"));
        if !shape.is_empty() {
            lines.push(format!("print(cat({ys}, dim=0).sum(dim=0))"));
        }
        self.lines.push(lines.join("\n"));
    }

    /// i64 and bool tensors, tensors of rank 3 and 4, and their operations.
    pub fn int_and_rank(&mut self) {
        let shape = self.any_rank();
        let dims = Self::dims(&shape);
        let (k, m, r) = (self.fresh("k"), self.fresh("mb"), self.fresh("r"));
        // The empty tuple `()` is not in the language yet, so a 0-d tensor is made otherwise.
        let tuple = format!("({dims},)");
        let mut lines = vec![match self.rng.below(3) {
            _ if shape.is_empty() => format!("{k} = tensor({}) - 3", self.rng.below(7)),
            0 => format!("{k} = randint(-3, 5, {tuple})"),
            1 => format!("{k} = arange({}).reshape({dims}) - 2", shape.iter().product::<usize>()),
            _ => format!("{k} = full([{dims}], 3) - randint(0, 6, {tuple})"),
        }];
        lines.push(format!("{m} = {k} > 0"));
        let items = [
            format!("{k} * 2 + 1"),
            format!("{k} // 2"),
            format!("{k} % 3"),
            format!("-{k}"),
            format!("{k}.sum()"),
            m.clone(),
            format!("{m}.sum()"),
            format!("{k}.float().mean()"),
            format!("where({m}, {k}, {k} * 0)"),
            format!("{k}.dtype"),
            format!("{m}.dtype"),
            format!("{k}.to(f64) / 3"),
            format!("{k}.shape"),
            format!("{m}.logical_not()"),
            format!("{k}.abs().prod()"),
            format!("logical_and({m}, {k} < 3)"),
        ];
        let chosen: Vec<String> = (0..self.rng.range(1, 4)).map(|_| self.rng.pick(&items).clone()).collect();
        lines.push(format!("print({})", chosen.join(", ")));
        let dt = expr::dtype(self.rng);
        lines.push(format!("{r} = randn({dims}{}dtype={}, requires_grad=true)", if dims.is_empty() { "" } else { ", " }, dt.name()));
        let y = match shape.len() {
            3 => format!("(({r} @ {r}.transpose(1, 2)).sum(dim=1) + {r}.permute(2, 0, 1).sum())"),
            4 => format!("({r}.reshape({}, -1).sum(dim=0) * {r}.flatten().mean())", shape[0]),
            _ => format!("({r} * {m})"),
        };
        lines.push(format!("{y}.sum().backward()\nprint({r}.grad)"));
        self.lines.push(lines.join("\n"));
    }

    /// The newer builtins, with a gradient through them.
    pub fn new_builtins(&mut self) {
        let dt = expr::dtype(self.rng);
        let t = dt.name();
        let n = self.rng.range(2, 3);
        let (a, v, s) = (self.fresh("a"), self.fresh("v"), self.fresh("s"));
        let mut lines =
            vec![format!("{a} = randn({n}, {n}, dtype={t}, requires_grad=true)"), format!("{v} = randn({n}, dtype={t}, requires_grad=true)")];
        let idx: Vec<String> = (0..n).map(|i| ((i * 2 + 1) % n).to_string()).collect();
        let idx = idx.join(", ");
        let terms = [
            format!("gelu({a})"),
            format!("gelu({a}, approximate=\"tanh\")"),
            format!("relu6({a} * 4)"),
            format!("tril({a})"),
            format!("triu({a}, diagonal=1)"),
            format!("diag({v})"),
            format!("diag({a}).sum()"),
            format!("prod({v})"),
            format!("prod({a}, dim=0, keepdim=true)"),
            format!("scatter(zeros({n}, {n}, dtype={t}), 0, tensor([[{idx}]]), {a}[:1])"),
            format!("scatter_add({a}, 1, tensor([[{idx}]]), {a}[-1:] * 3)"),
            format!("index_add({a}, 0, tensor([{idx}]), {a} * 2)"),
            format!("mse_loss({a}, {a}.detach() * 0.5, reduction=\"none\")"),
            format!("l1_loss({a}, ones({n}, {n}, dtype={t}), reduction=\"sum\")"),
            format!("binary_cross_entropy(sigmoid({a}), rand({n}, {n}, dtype={t}), reduction=\"mean\")"),
            format!("binary_cross_entropy_with_logits({a}, rand({n}, {n}, dtype={t}), pos_weight=ones({n}, dtype={t}))"),
            format!("cross_entropy({a}, tensor([{idx}]))"),
            format!("nll_loss(log_softmax({a}, 1), tensor([{idx}]), reduction=\"sum\")"),
            format!("smooth_l1_loss({a}, zeros({n}, {n}, dtype={t}))"),
            format!("huber_loss({a}, {a} * 0, delta=0.5)"),
            format!("softmax({a}, dim=-1) * log_softmax({v}, dim=0)"),
            format!("clamp({a}, min=-0.5) + leaky_relu({a}) + elu({a}) + softplus({a}, beta=2)"),
        ];
        let chosen: Vec<String> = (0..self.rng.range(1, 4)).map(|_| self.rng.pick(&terms).clone()).collect();
        lines.push(format!("{s} = {}", chosen.iter().map(|c| format!("({c}).sum()")).collect::<Vec<_>>().join(" + ")));
        lines.push(format!("print({s})"));
        lines.push(format!("{s}.backward()\nprint({a}.grad, {v}.grad)"));
        self.lines.push(lines.join("\n"));
    }

    /// A fn with default and keyword parameters returning two values, an op with two
    /// outputs, and tuple assignment (including a swap).
    pub fn tuples(&mut self) {
        let dt = expr::dtype(self.rng);
        let shape = expr::shape(self.rng, false);
        let src = self.detached(dt, &shape);
        let (f, op, x, p, q) = (self.fresh("pair"), self.fresh("Two"), self.fresh("tx"), self.fresh("tp"), self.fresh("tq"));
        let mut lines = vec![
            format!("fn {f}(x, s=2.0, shift=none) {{\n    if shift is none {{\n        return x * s, x.sum()\n    }}\n    return x * s + shift, (x + shift).sum()\n}}"),
            format!("op {op}(x) {{\n    forward {{\n        y = exp(x)\n        z = x * 2\n        save y\n        return y, z\n    }}\n    backward(gy, gz) {{\n        return gy * y + gz * 2\n    }}\n}}"),
            format!("{x} = {src}"),
        ];
        lines.push(match self.rng.below(3) {
            0 => format!("{p}, {q} = {f}({x})"),
            1 => format!("{p}, {q} = {f}({x}, shift=1.5, s=-1)"),
            _ => format!("{p}, {q} = {f}(s=0.5, x={x})"),
        });
        lines.push(format!("{p}, {q} = {q}, {p}\nprint({p}, {q})"));
        if self.rng.chance(60) {
            let a = self.fresh("a");
            let dims = Self::dims(&shape);
            let sep = if dims.is_empty() { "" } else { ", " };
            lines.push(format!(
                "{a} = randn({dims}{sep}dtype={}, requires_grad=true)\nya, za = {op}({a})\n(ya.sum() + (za * za).sum()).backward()\nprint(ya, za, {a}.grad)",
                dt.name()
            ));
        }
        self.lines.push(lines.join("\n"));
        self.bind(q, Val::constant(String::new(), dt, &shape), false);
    }

    /// `save` of a value to the case's temporary directory and `load` of a file the
    /// fuzzer wrote there before compiling (`npy_files`).
    pub fn data(&mut self) {
        let dtypes = ["f32", "f64", "i64", "bool"];
        let shape = self.any_rank();
        let dt = *self.rng.pick(&dtypes);
        let k = self.files.len();
        let path = npy_dir().join(format!("in-{}-{k}.npy", self.seed));
        self.files.push((path.clone(), npy(dt, &shape, self.seed.wrapping_add(k as u64))));
        let l = self.fresh("ld");
        let mut lines = vec![format!("{l} = load(\"{}\")", quote(&path)), format!("print({l}, {l}.dtype, {l}.shape)")];
        if dt == "f32" || dt == "f64" {
            lines.push(format!("print(({l} * 2).sum(), {l}.mean())"));
        }
        let out = npy_dir().join(format!("out-{}-{k}.npy", self.seed));
        self.saves.push(out.clone());
        let what = if self.rng.chance(50) || dt == "bool" { l.clone() } else { format!("({l} + {l})") };
        lines.push(format!("save({what}, \"{}\")", quote(&out)));
        self.lines.push(lines.join("\n"));
        if let (Some(d), true) = (
            match dt {
                "f64" => Some(DType::F64),
                "f32" => Some(DType::F32),
                _ => None,
            },
            shape.len() <= 2,
        ) {
            self.bind(l, Val::constant(String::new(), d, &shape), false);
        }
    }
}

/// Where the fuzzer's `.npy` files go; their names hold the seed, so that runs of
/// different seeds side by side do not meet.
pub fn npy_dir() -> std::path::PathBuf {
    std::env::temp_dir().join("graphc-fuzz-npy")
}

fn quote(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "\\\\").replace('"', "\\\"")
}

/// A NumPy `.npy` file (format 1.0, little-endian, C order) of this dtype and shape,
/// with values drawn from `seed`.
pub fn npy(dtype: &str, shape: &[usize], seed: u64) -> Vec<u8> {
    let descr = match dtype {
        "f32" => "<f4",
        "f64" => "<f8",
        "i64" => "<i8",
        _ => "|b1",
    };
    let dims = match shape {
        [d] => format!("({d},)"),
        _ => format!("({})", Builder::dims(shape)),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}");
    while (header.len() + 11) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    let mut rng = crate::rng::Rng::new(seed);
    for _ in 0..shape.iter().product::<usize>() {
        let v = rng.below(17) as f64 / 4.0 - 2.0;
        match dtype {
            "f32" => out.extend_from_slice(&(v as f32).to_le_bytes()),
            "f64" => out.extend_from_slice(&v.to_le_bytes()),
            "i64" => out.extend_from_slice(&(v as i64).to_le_bytes()),
            _ => out.push(u8::from(v > 0.0)),
        }
    }
    out
}
