//! Python dicts (`lower/dicts.rs`): literals over several lines, reads and
//! stores by key, the methods training scripts call, `dict(...)`, dict
//! comprehensions, `in`, `len`, iteration, printing, and dicts whose values a
//! loop compiled once and a run-time `if` carry (nanoGPT's `estimate_loss`
//! and a best-so-far record). The expected outputs are what the Python (and
//! PyTorch 2.15) program beside each prints.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Keys of every kind Python's `==` merges (`1`, `1.0`, `True`), insertion
/// order kept through stores and updates, the views, `get`, `pop`,
/// `setdefault`, `update`, and a dict of tensors filled in a loop over splits.
#[test]
fn dicts_behave_as_pythons_do() {
    // import torch
    // torch.manual_seed(0)
    // config = {
    //     "lr": 0.1,
    //     "momentum": 0.9,
    //     "betas": (0.9, 0.999),
    // }
    // print(config, len(config), "lr" in config, "eps" in config)
    // print(config["lr"], config.get("eps", 1e-8), config.get("eps"))
    // config["eps"] = 1e-8
    // config["lr"] = 0.05
    // print(config)
    // for k, v in config.items():
    //     print(k, v)
    // for k in config:
    //     print(k)
    // w = torch.randn(3, requires_grad=True)
    // x = torch.randn(8, 3)
    // out = {}
    // for split in ["train", "val"]:
    //     out[split] = (x * w).sum(1).mean()
    // print(out)
    // print(f"train loss {out['train']:.4f}, val loss {out['val']:.4f}")
    // d = {1: "a", 1.0: "b", True: "c", (1, 2): "t", None: 0}
    // print(d)
    // print(d.pop(None), d)
    // d.update({"x": 1}, )
    // d.update(y=2)
    // print(d, list(d.keys()), list(d.values()))
    // e = {}
    // print(e)
    // print(e.setdefault("k", 3), e)
    let program = r#"
manual_seed(0)
config = {
    "lr": 0.1,
    "momentum": 0.9,
    "betas": (0.9, 0.999),
}
print(config, len(config), "lr" in config, "eps" in config)
print(config["lr"], config.get("eps", 1e-8), config.get("eps"))
config["eps"] = 1e-8
config["lr"] = 0.05
print(config)
for k, v in config.items() {
    print(k, v)
}
for k in config {
    print(k)
}
w = randn(3, requires_grad=true)
x = randn(8, 3)
out = {}
for split in ["train", "val"] {
    out[split] = (x * w).sum(1).mean()
}
print(out)
print(f"train loss {out['train']:.4f}, val loss {out['val']:.4f}")
d = {1: "a", 1.0: "b", true: "c", (1, 2): "t", none: 0}
print(d)
print(d.pop(none), d)
d.update({"x": 1}, )
d.update(y=2)
print(d, list(d.keys()), list(d.values()))
e = {}
print(e)
print(e.setdefault("k", 3), e)
"#;
    let want = "\
{'lr': 0.1, 'momentum': 0.9, 'betas': (0.9, 0.999)} 3 True False
0.1 1e-08 None
{'lr': 0.05, 'momentum': 0.9, 'betas': (0.9, 0.999), 'eps': 1e-08}
lr 0.05
momentum 0.9
betas (0.9, 0.999)
eps 1e-08
lr
momentum
betas
eps
{'train': tensor(0.0753, grad_fn=<MeanBackward0>), 'val': tensor(0.0753, grad_fn=<MeanBackward0>)}
train loss 0.0753, val loss 0.0753
{1: 'c', (1, 2): 't', None: 0}
0 {1: 'c', (1, 2): 't'}
{1: 'c', (1, 2): 't', 'x': 1, 'y': 2} [1, (1, 2), 'x', 'y'] ['c', 't', 1, 2]
{}
3 {'k': 3}
";
    assert_eq!(run(program), want);
}

/// nanoGPT's `estimate_loss` (a dict of split losses made under `no_grad`,
/// read in an f-string) in a training loop compiled once, and a record of the
/// best loss that a run-time `if` updates: its values become run-time numbers.
#[test]
fn a_loop_and_a_run_time_if_carry_a_dicts_values() {
    // import torch
    // torch.manual_seed(0)
    // w = torch.randn(3, requires_grad=True)
    // x = torch.randn(16, 3)
    // y = x.sum(1)
    // opt = torch.optim.SGD([w], lr=0.1)
    // best = {"loss": 1e9, "step": -1}
    // def estimate_loss():
    //     out = {}
    //     with torch.no_grad():
    //         for split in ["train", "val"]:
    //             xs = x[:8] if split == "train" else x[8:]
    //             ys = y[:8] if split == "train" else y[8:]
    //             out[split] = ((xs * w).sum(1) - ys).pow(2).mean()
    //     return out
    // for it in range(6):
    //     losses = estimate_loss()
    //     print(f"step {it}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")
    //     if losses["val"].item() < best["loss"]:
    //         best["loss"] = losses["val"].item()
    //         best["step"] = it
    //     loss = ((x * w).sum(1) - y).pow(2).mean()
    //     opt.zero_grad()
    //     loss.backward()
    //     opt.step()
    // print(best)
    let program = r#"
manual_seed(0)
w = randn(3, requires_grad=true)
x = randn(16, 3)
y = x.sum(1)
opt = SGD([w], lr=0.1)
best = {"loss": 1e9, "step": -1}
fn estimate_loss() {
    out = {}
    no_grad {
        for split in ["train", "val"] {
            xs = x[:8] if split == "train" else x[8:]
            ys = y[:8] if split == "train" else y[8:]
            out[split] = ((xs * w).sum(1) - ys).pow(2).mean()
        }
    }
    return out
}
for it in range(6) {
    losses = estimate_loss()
    print(f"step {it}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")
    if losses["val"].item() < best["loss"] {
        best["loss"] = losses["val"].item()
        best["step"] = it
    }
    loss = ((x * w).sum(1) - y).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
}
print(best)
"#;
    let want = "\
step 0: train loss 4.8319, val loss 11.4494
step 1: train loss 3.7368, val loss 8.3348
step 2: train loss 2.8975, val loss 6.0820
step 3: train loss 2.2521, val loss 4.4486
step 4: train loss 1.7545, val loss 3.2614
step 5: train loss 1.3698, val loss 2.3966
{'loss': 2.396592140197754, 'step': 5}
";
    assert_eq!(run(program), want);
}

/// `dict(zip(...))`, `dict(d, lr=0.1)`, comprehensions with a condition,
/// nested dicts over several lines, `list(d)`, `type(d)` and an f-string.
#[test]
fn dict_calls_comprehensions_and_nesting() {
    // names = ["w1", "b1"]
    // vals = [1.5, -2]
    // d = dict(zip(names, vals))
    // print(d, dict(d, lr=0.1), dict(), dict(a=1))
    // sq = {n: v * v for n, v in d.items() if v > 0}
    // print(sq, {i: i * i for i in range(3)}, list(d), [k for k in d], type(d))
    // cfg = {
    //     "model": {"hidden": 32, "act": "relu"},
    //     "optim": {
    //         "lr": 1e-3,
    //     },
    // }
    // print(cfg["model"]["hidden"], cfg["optim"])
    // print(f"{cfg}")
    let program = r#"
names = ["w1", "b1"]
vals = [1.5, -2]
d = dict(zip(names, vals))
print(d, dict(d, lr=0.1), dict(), dict(a=1))
sq = {n: v * v for n, v in d.items() if v > 0}
print(sq, {i: i * i for i in range(3)}, list(d), [k for k in d], type(d))
cfg = {
    "model": {"hidden": 32, "act": "relu"},
    "optim": {
        "lr": 1e-3,
    },
}
print(cfg["model"]["hidden"], cfg["optim"])
print(f"{cfg}")
"#;
    let want = "\
{'w1': 1.5, 'b1': -2} {'w1': 1.5, 'b1': -2, 'lr': 0.1} {} {'a': 1}
{'w1': 2.25} {0: 0, 1: 1, 2: 4} ['w1', 'b1'] ['w1', 'b1'] <class 'dict'>
32 {'lr': 0.001}
{'model': {'hidden': 32, 'act': 'relu'}, 'optim': {'lr': 0.001}}
";
    assert_eq!(run(program), want);
}

/// A missing key is Python's KeyError at the key; a list key is unhashable; a
/// key known only at run time cannot be held; a set literal is a syntax error
/// that says `.act` has no sets; an unknown method names the ones there are.
#[test]
fn what_a_dict_refuses_is_an_error_at_the_key() {
    let first = first_error;
    let missing = "d = {\"a\": 1}\nprint(d[\"b\"])\n";
    assert_eq!(first(missing), (Code::E0224, "KeyError: 'b'".to_string(), missing.find("\"b\"").unwrap()));
    let unhashable = "d = {[1]: 2}\n";
    assert_eq!(first(unhashable), (Code::E0107, "unhashable type: 'list'".to_string(), unhashable.find('[').unwrap()));
    let run_time = "hist = {}\nx = ones(2)\nfor i in range(3) {\n    hist[i] = x.sum().item()\n}\n";
    let (code, _, at) = first(run_time);
    assert_eq!((code, at), (Code::E0107, run_time.find("i]").unwrap()));
    let set = "s = {1, 2}\n";
    assert_eq!(first(set).0, Code::E0003);
    let method = "d = {}\nd.sort()\n";
    assert_eq!(first(method), (Code::E0102, "a dict has no method `sort` in .act".to_string(), method.find("sort").unwrap()));
    let pop = "d = {\"a\": 1}\nd.pop(\"z\")\n";
    assert_eq!(first(pop).1, "KeyError: 'z'");
}

/// `f(**d)` spreads a dict as keyword arguments, into a fn and into an
/// optimizer's options, and a dict may be a conditional expression's side.
#[test]
fn double_star_spreads_a_dict_into_keywords() {
    // import torch
    // def f(a, b=2, c=3):
    //     return a * 100 + b * 10 + c
    // cfg = {"b": 5}
    // print(f(1, **cfg), f(**{"a": 1, "c": 9}), f(**dict(a=2), **cfg))
    // w = torch.ones(2, requires_grad=True)
    // opt = torch.optim.SGD([w], **dict(lr=0.5, momentum=0.9))
    // (w * w).sum().backward()
    // opt.step()
    // print(w, opt.defaults["momentum"])
    // use_fused = False
    // extra_args = dict(fused=True) if use_fused else {}
    // print(extra_args)
    let program = r#"
fn f(a, b=2, c=3) {
    return a * 100 + b * 10 + c
}
cfg = {"b": 5}
print(f(1, **cfg), f(**{"a": 1, "c": 9}), f(**dict(a=2), **cfg))
w = ones(2, requires_grad=true)
opt = SGD([w], **dict(lr=0.5, momentum=0.9))
(w * w).sum().backward()
opt.step()
print(w, opt.defaults["momentum"])
use_fused = false
extra_args = dict(fused=true) if use_fused else {}
print(extra_args)
"#;
    let want = "\
153 129 253
tensor([0., 0.], requires_grad=True) 0.9
{}
";
    assert_eq!(run(program), want);
    let not_a_dict = "fn f(a) {\n    return a\n}\nprint(f(**[1]))\n";
    assert_eq!(first_error(not_a_dict), (Code::E0115, "argument after ** must be a mapping, not list".to_string(), not_a_dict.find("[1]").unwrap()));
}

/// An in-place method on a dict's or list's item updates the tensor object the
/// container holds, which every other holder sees (a name bound to it, the
/// caller's dict when a `fn` updates its parameter's items, as nanoGPT's
/// `_init_weights` does), while on a tensor's subscript it writes the viewed elements.
#[test]
fn inplace_methods_on_items_update_the_objects() {
    // import torch
    // torch.manual_seed(0)
    // ws = [torch.zeros(2), torch.zeros(2)]
    // a = ws[0]
    // ws[0].add_(1)
    // print(ws, a)
    // d = {"w": torch.zeros(2), "inner": {"b": torch.ones(3)}}
    // b = d["w"]
    // d["w"].add_(2)
    // d["inner"]["b"].mul_(4)
    // print(d, b)
    // def init(m):
    //     with torch.no_grad():
    //         m["w"].normal_(mean=0.0, std=0.02)
    //         m["inner"]["b"].zero_()
    // init(d)
    // print(b, d["inner"]["b"])
    // x = torch.zeros(2, 2)
    // x[0].add_(3)
    // print(x)
    let program = r#"
manual_seed(0)
ws = [zeros(2), zeros(2)]
a = ws[0]
ws[0].add_(1)
print(ws, a)
d = {"w": zeros(2), "inner": {"b": ones(3)}}
b = d["w"]
d["w"].add_(2)
d["inner"]["b"].mul_(4)
print(d, b)
fn init(m) {
    no_grad {
        m["w"].normal_(mean=0.0, std=0.02)
        m["inner"]["b"].zero_()
    }
}
init(d)
print(b, d["inner"]["b"])
x = zeros(2, 2)
x[0].add_(3)
print(x)
"#;
    let want = "\
[tensor([1., 1.]), tensor([0., 0.])] tensor([1., 1.])
{'w': tensor([2., 2.]), 'inner': {'b': tensor([4., 4., 4.])}} tensor([2., 2.])
tensor([ 0.0308, -0.0059]) tensor([0., 0., 0.])
tensor([[3., 3.],
        [0., 0.]])
";
    assert_eq!(run(program), want);
}
