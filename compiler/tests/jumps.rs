//! `break` and `continue` in loops compiled once (`lower/jumps.rs`), a
//! backward after a `break` decided on the loss (`lower/rematerialize.rs`),
//! and lists and dicts a fn changes in place. The expected outputs are what
//! PyTorch 2.15 prints for the same lines (the Python is beside each program).

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;
use graphc_runtime::plan::Step;

/// Python's flow: `continue` skips the rest of an iteration, `break` ends the
/// loop, whose variable keeps the value of the iteration that broke; in a
/// list loop, a fn, a nested loop (the inner `break` leaves only the inner
/// loop), and a loop of 100000 iterations over a counter that becomes a
/// run-time number (`s = s + 0.5`), which the `break` ends after 21.
/// ```python
/// total = 0
/// for i in range(10):
///     if i % 3 == 0:
///         continue
///     total += i
///     if i == 7:
///         break
/// print(total, i)
/// ...
/// ```
#[test]
fn break_and_continue_follow_pythons_flow() {
    let program = r#"
total = 0
for i in range(10) {
    if i % 3 == 0 {
        continue
    }
    total += i
    if i == 7 {
        break
    }
}
print(total, i)
names = []
for p in ["a", "b", "c", "d"] {
    if p == "c" {
        break
    }
    names.append(p)
}
print(names, p)
fn first_over(xs, t) {
    for k in range(xs.shape[0]) {
        if xs[k].item() > t {
            break
        }
    }
    return k
}
manual_seed(1)
v = randn(20)
print(first_over(v, 1.0))
acc = zeros(3)
for j in range(5) {
    for k in range(5) {
        if k > j {
            break
        }
        acc[0] += 1
    }
    if j == 3 {
        continue
    }
    acc[1] += 1
}
print(acc)
s = 0.0
for step in range(100000) {
    s = s + 0.5
    if s > 10.0 {
        break
    }
}
print(s, step)
"#;
    assert_eq!(run(program), "19 7\n['a', 'b'] c\n9\ntensor([15.,  4.,  0.])\n10.5 20\n");
}

/// A `break` in a long tensor's rows (a region reading `x[i]`), `continue`
/// inside `no_grad`, and `for a, b in pairs` with both.
/// ```python
/// x = torch.arange(600.0).reshape(600, 1) * 0.01
/// total = torch.zeros(1)
/// for row in x:
///     if row.item() > 3.0:
///         break
///     if row.item() < 1.0:
///         continue
///     total += row
/// print(row, total)
/// pairs = [(1.0, 2.0), (3.0, 4.0), (5.0, 6.0)]
/// acc = 0.0
/// for a, b in pairs:
///     if a > 4.0:
///         break
///     with torch.no_grad():
///         if b < 3.0:
///             continue
///     acc += a * b
/// print(acc, a, b)
/// ```
#[test]
fn jumps_in_row_loops_unpacking_loops_and_no_grad() {
    let program = r#"
x = arange(600.0).reshape(600, 1) * 0.01
total = zeros(1)
for row in x {
    if row.item() > 3.0 {
        break
    }
    if row.item() < 1.0 {
        continue
    }
    total += row
}
print(row, total)
pairs = [(1.0, 2.0), (3.0, 4.0), (5.0, 6.0)]
acc = 0.0
for a, b in pairs {
    if a > 4.0 {
        break
    }
    no_grad {
        if b < 3.0 {
            continue
        }
    }
    acc += a * b
}
print(acc, a, b)
"#;
    assert_eq!(run(program), "tensor([3.0100]) tensor([402.])\n12.0 5.0 6.0\n");
}

/// Early stopping with patience after each optimizer step: the loop stops in
/// the iteration PyTorch stops in, and the compiled loop carries an exit, so
/// that the 959 iterations after the `break` do not run at all.
/// ```python
/// torch.manual_seed(0)
/// x = torch.randn(64, 3)
/// w_true = torch.tensor([[1.5], [-2.0], [0.5]])
/// y = x @ w_true + 0.01 * torch.randn(64, 1)
/// w = torch.zeros(3, 1, requires_grad=True)
/// opt = torch.optim.SGD([w], lr=0.1)
/// best = float("inf")
/// bad = 0
/// for epoch in range(1000):
///     opt.zero_grad()
///     loss = ((x @ w - y) ** 2).mean()
///     loss.backward()
///     opt.step()
///     l = loss.item()
///     if epoch % 10 == 0:
///         print(f"epoch {epoch} loss {l:.6f}")
///     if l < best - 1e-6:
///         best = l
///         bad = 0
///     else:
///         bad += 1
///     if bad >= 3 or l < 1e-4:
///         print(f"stop at {epoch}")
///         break
/// print(w)
/// print(epoch)
/// ```
#[test]
fn early_stopping_stops_where_pytorch_stops_and_the_loop_exits() {
    let program = r#"
manual_seed(0)
x = randn(64, 3)
w_true = tensor([[1.5], [-2.0], [0.5]])
y = x @ w_true + 0.01 * randn(64, 1)
w = zeros(3, 1, requires_grad=true)
opt = SGD([w], lr=0.1)
best = inf
bad = 0
for epoch in range(1000) {
    opt.zero_grad()
    loss = ((x @ w - y) ** 2).mean()
    loss.backward()
    opt.step()
    l = loss.item()
    if epoch % 10 == 0 {
        print(f"epoch {epoch} loss {l:.6f}")
    }
    if l < best - 1e-6 {
        best = l
        bad = 0
    } else {
        bad += 1
    }
    if bad >= 3 or l < 1e-4 {
        print(f"stop at {epoch}")
        break
    }
}
print(w)
print(epoch)
"#;
    let want = "\
epoch 0 loss 4.672063
epoch 10 loss 0.217576
epoch 20 loss 0.010862
epoch 30 loss 0.000609
epoch 40 loss 0.000098
stop at 40
tensor([[ 1.4960],
        [-1.9971],
        [ 0.4976]], requires_grad=True)
40
";
    assert_eq!(run(program), want);
    let c = compile(program, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let exits: Vec<bool> = c.plan.steps.iter().filter_map(|s| if let Step::Loop(l) = s { Some(l.exit.is_some()) } else { None }).collect();
    assert!(exits.contains(&true), "the loop of many iterations stops at its `break`: {exits:?}");
}

/// A gradient through a loop that breaks: PyTorch's graph holds the
/// iterations that ran (here 6 of 50, with a `continue` in every other one),
/// and the backward loop of graphc goes through those alone.
/// ```python
/// torch.manual_seed(0)
/// w = torch.randn(4, 4, requires_grad=True)
/// x = torch.randn(4)
/// h = x
/// for t in range(50):
///     h = torch.tanh(w @ h)
///     if h.sum().item() > 1.7:
///         break
///     if t % 2 == 1:
///         continue
///     h = h * 1.5
/// print(t)
/// h.sum().backward()
/// print(h.detach())
/// print(w.grad)
/// ```
#[test]
fn gradients_flow_through_the_iterations_before_a_break() {
    let program = r#"
manual_seed(0)
w = randn(4, 4, requires_grad=true)
x = randn(4)
h = x
for t in range(50) {
    h = tanh(w @ h)
    if h.sum().item() > 1.7 {
        break
    }
    if t % 2 == 1 {
        continue
    }
    h = h * 1.5
}
print(t)
h.sum().backward()
print(h.detach())
print(w.grad)
"#;
    let want = "\
5
tensor([-0.1198,  0.9976,  0.9138,  0.4092])
tensor([[ 1.6943, -0.9165,  1.0632, -1.6183],
        [ 0.2759,  0.4017,  0.4465, -0.0886],
        [ 0.2128, -0.2190,  0.0731, -0.6508],
        [ 0.0796,  0.4630, -0.1318,  0.0151]])
";
    assert_eq!(run(program), want);
}

/// The training step after a `break` decided on the loss: the backward runs
/// inside the guard of the rest of the iteration, where the loss is computed
/// again from the weights; the optimizer's state and the `.grad`s that the
/// first step creates are carried whether or not the loop breaks first.
/// ```python
/// torch.manual_seed(0)
/// w = torch.randn(3, requires_grad=True)
/// opt = torch.optim.Adam([w], lr=0.1)
/// for i in range(30):
///     loss = (w ** 2).sum()
///     if loss.item() < 0.5:
///         break
///     opt.zero_grad()
///     loss.backward()
///     opt.step()
/// print(i, w)
/// ```
#[test]
fn a_backward_after_a_break_on_the_loss_trains_as_pytorch_does() {
    let program = r#"
manual_seed(0)
w = randn(3, requires_grad=true)
opt = Adam([w], lr=0.1)
for i in range(30) {
    loss = (w ** 2).sum()
    if loss.item() < 0.5 {
        break
    }
    opt.zero_grad()
    loss.backward()
    opt.step()
}
print(i, w)
"#;
    assert_eq!(run(program), "16 tensor([ 0.1083, -0.0871, -0.6739], requires_grad=True)\n");
}

/// The same with a network of two layers, a loss of a fn's output, and a
/// print after the step.
/// ```python
/// torch.manual_seed(0)
/// x = torch.randn(32, 4)
/// y = (x.sum(dim=1, keepdim=True) > 0).float()
/// model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
/// opt = torch.optim.Adam(model.parameters(), lr=0.05)
/// loss_fn = torch.nn.BCEWithLogitsLoss()
/// for step in range(10000):
///     logits = model(x)
///     loss = loss_fn(logits, y)
///     if loss.item() < 0.05:
///         print(f"converged at step {step}: loss {loss.item():.4f}")
///         break
///     opt.zero_grad()
///     loss.backward()
///     opt.step()
///     if step % 25 == 0:
///         print(f"step {step:4d} loss {loss.item():.4f}")
/// print(step, round(loss.item(), 4))
/// acc = ((model(x) > 0).float() == y).float().mean()
/// print(f"accuracy {acc.item():.3f}")
/// ```
#[test]
fn a_network_trained_until_its_loss_is_small_enough() {
    let program = r#"
fn nn_linear(in_features, out_features) {
    a = sqrt(5)
    gain = sqrt(2.0 / (1 + a ** 2))
    bound = sqrt(3.0) * (gain / sqrt(in_features))
    no_grad {
        weight = empty(out_features, in_features).uniform_(-bound, bound)
        bias = empty(out_features).uniform_(-1 / sqrt(in_features), 1 / sqrt(in_features))
    }
    return weight.requires_grad_(), bias.requires_grad_()
}
manual_seed(0)
x = randn(32, 4)
y = (x.sum(dim=1, keepdim=true) > 0).float()
w1, b1 = nn_linear(4, 8)
w2, b2 = nn_linear(8, 1)
fn model(x) {
    return linear(tanh(linear(x, w1, b1)), w2, b2)
}
opt = Adam([w1, b1, w2, b2], lr=0.05)
for step in range(10000) {
    logits = model(x)
    loss = binary_cross_entropy_with_logits(logits, y)
    if loss.item() < 0.05 {
        print(f"converged at step {step}: loss {loss.item():.4f}")
        break
    }
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 25 == 0 {
        print(f"step {step:4d} loss {loss.item():.4f}")
    }
}
print(step, round(loss.item(), 4))
acc = ((model(x) > 0).float() == y).float().mean()
print(f"accuracy {acc.item():.3f}")
"#;
    let want = "step    0 loss 0.7403\nstep   25 loss 0.0516\nconverged at step 26: loss 0.0479\n26 0.0479\naccuracy 1.000\n";
    assert_eq!(run(program), want);
}

/// A list or dict that a fn changes in place is the caller's object, as in
/// Python; a parameter the fn binds anew is not.
/// ```python
/// def bump(d, v):
///     d["n"] += 1
///     d["last"] = v
/// def add(xs, v):
///     xs.append(v)
/// def fresh(d):
///     d = {"x": 1}
///     d["y"] = 2
///     return d
/// d = {"n": 0, "last": 0.0}
/// bump(d, 1.5)
/// print(d)
/// for i in range(3):
///     bump(d, float(i))
/// print(d)
/// xs = [1]
/// add(xs, 2)
/// print(xs)
/// e = {"a": 1}
/// print(fresh(e), e)
/// ```
#[test]
fn lists_and_dicts_changed_in_a_fn_change_for_the_caller() {
    let program = r#"
fn bump(d, v) {
    d["n"] += 1
    d["last"] = v
}
fn add(xs, v) {
    xs.append(v)
}
fn fresh(d) {
    d = {"x": 1}
    d["y"] = 2
    return d
}
d = {"n": 0, "last": 0.0}
bump(d, 1.5)
print(d)
for i in range(3) {
    bump(d, float(i))
}
print(d)
xs = [1]
add(xs, 2)
print(xs)
e = {"a": 1}
print(fresh(e), e)
"#;
    let want = "{'n': 1, 'last': 1.5}\n{'n': 4, 'last': 2.0}\n[1, 2]\n{'x': 1, 'y': 2} {'a': 1}\n";
    assert_eq!(run(program), want);
}

/// `break` and `continue` outside a loop are E0601 (Python's SyntaxError
/// "'break' outside loop"), also in a fn called in a loop.
#[test]
fn a_jump_outside_a_loop_is_e0601() {
    let (code, message, at) = first_error("x = 1\nbreak\n");
    assert_eq!((code, message.as_str(), at), (Code::E0601, "`break` outside a loop", 6));
    let program = "fn f(x) {\n    continue\n}\nfor i in range(3) {\n    f(i)\n}\n";
    let (code, message, at) = first_error(program);
    assert_eq!((code, message.as_str(), at), (Code::E0601, "`continue` outside a loop", program.find("continue").unwrap()));
}

/// A list appended to until a `break` decided at run time would have a
/// length only the run knows (E0605, at the `break`).
#[test]
fn appending_until_a_runtime_break_is_e0605() {
    let program = r#"
w = randn(3)
losses = []
for i in range(100) {
    losses.append(w.sum().item())
    if losses[-1] > 1.0 {
        break
    }
    w = w * 1.1
}
"#;
    let (code, message, at) = first_error(program);
    assert_eq!(code, Code::E0605);
    assert_eq!(message, "`losses` is appended to only until this `break`, which is decided at run time");
    assert_eq!(at, program.find("break").unwrap());
}

/// After a loop that may break before its first backward and step, the
/// `.grad` is `None` or a tensor, and the optimizer has state or none,
/// depending on the run: reading either is E0605, naming the `break`.
#[test]
fn reading_what_a_loop_may_have_left_none_is_e0605() {
    let loop_ = r#"
manual_seed(0)
w = randn(3, requires_grad=true)
opt = Adam([w], lr=0.1)
for i in range(30) {
    loss = (w ** 2).sum()
    if loss.item() < 0.5 {
        break
    }
    opt.zero_grad()
    loss.backward()
    opt.step()
}
"#;
    let (code, message, at) = first_error(&format!("{loop_}print(w.grad)\n"));
    assert_eq!(code, Code::E0605);
    assert!(message.starts_with("this gradient is `None` if the loop before broke"), "{message}");
    assert_eq!(at, loop_.len() + "print(".len());
    let (code, message, _) = first_error(&format!("{loop_}opt.step()\n"));
    assert_eq!(code, Code::E0605);
    assert!(message.starts_with("this optimizer has no state if the loop before broke"), "{message}");
    // Without reading them, the program compiles.
    assert_eq!(run(&format!("{loop_}print(i)\n")), "16\n");
}

/// `while` runs until its condition is false, whether the condition is known
/// when compiling (a counter, `false`), a run-time number or a tensor, or
/// `true` with a `break` in the body; in a fn too.
/// ```python
/// n = 0
/// total = 0.0
/// while n < 5:
///     n += 1
///     total += float(n) * 0.5
/// print(n, total)
/// torch.manual_seed(0)
/// w = torch.randn(3, requires_grad=True)
/// opt = torch.optim.SGD([w], lr=0.1)
/// step = 0
/// while True:
///     opt.zero_grad()
///     loss = (w ** 2).sum()
///     loss.backward()
///     opt.step()
///     step += 1
///     if step % 10 == 0:
///         print(step, f"{loss.item():.6f}")
///     if loss.item() < 1e-3:
///         break
/// print(step, w)
/// x = torch.tensor(100.0)
/// while x > 1:
///     x = x / 3
/// print(x)
/// k = 0
/// while False:
///     k += 1
/// def halvings(x):
///     n = 0
///     while x > 1.0:
///         x = x / 2
///         n += 1
///     return n
/// print(k, halvings(100.0), halvings(torch.tensor(1000.0)))
/// ```
#[test]
fn while_loops_run_until_their_condition_is_false() {
    let program = r#"
n = 0
total = 0.0
while n < 5 {
    n += 1
    total += float(n) * 0.5
}
print(n, total)
manual_seed(0)
w = randn(3, requires_grad=true)
opt = SGD([w], lr=0.1)
step = 0
while true {
    opt.zero_grad()
    loss = (w ** 2).sum()
    loss.backward()
    opt.step()
    step += 1
    if step % 10 == 0 {
        print(step, f"{loss.item():.6f}")
    }
    if loss.item() < 1e-3 {
        break
    }
}
print(step, w)
x = tensor(100.0)
while x > 1 {
    x = x / 3
}
print(x)
k = 0
while false {
    k += 1
}
fn halvings(x) {
    n = 0
    while x > 1.0 {
        x = x / 2
        n += 1
    }
    return n
}
print(k, halvings(100.0), halvings(tensor(1000.0)))
"#;
    let want = "\
5 7.5
10 0.129846
20 0.001497
21 tensor([ 0.0142, -0.0027, -0.0201], requires_grad=True)
tensor(0.4115)
0 7 10
";
    assert_eq!(run(program), want);
}

/// A backward through a `while` loop would keep a tape row for each of the
/// iterations it may run, which only the run counts: E0604, pointing at the loop.
#[test]
fn a_backward_through_a_while_loop_is_e0604() {
    let program = "a = tensor([0.5, 0.2], requires_grad=true)\nh = a * 1.0\nwhile h.sum() < 3 {\n    h = h * 1.7\n}\nh.sum().backward()\n";
    let (code, message, at) = first_error(program);
    assert_eq!(code, Code::E0604);
    assert!(message.contains("it is a `while` loop"), "{message}");
    assert_eq!(at, program.find("h.sum().backward()").unwrap());
}

/// A `continue` decided at run time before the first backward leaves the
/// `.grad` `None` on the path that skips, which the next iteration would get
/// (E0605 at the `continue`), unless both paths leave it `None` (`w.grad =
/// none` after the step), which runs as PyTorch runs it; a name bound only
/// after a jump is unbound after the loop when every iteration jumped (E0606
/// at the read, with the jump).
/// ```python
/// torch.manual_seed(0)
/// w = torch.randn(3, requires_grad=True)
/// for i in range(10):
///     if w[i % 3].item() > 0:
///         continue
///     loss = (w ** 2).sum()
///     loss.backward()
///     with torch.no_grad():
///         w -= 0.1 * w.grad
///     w.grad = None
/// print(w)
/// ```
#[test]
fn what_a_runtime_jump_leaves_unset_is_reported_at_the_jump() {
    let program = r#"
manual_seed(0)
w = randn(3, requires_grad=true)
for i in range(10) {
    if w[i % 3].item() > 0 {
        continue
    }
    loss = (w ** 2).sum()
    loss.backward()
    no_grad {
        w -= 0.1 * w.grad
    }
    w.grad = none
}
print(w)
"#;
    assert_eq!(run(program), "tensor([ 0.4040, -0.0769, -0.5712], requires_grad=True)\n");
    let program = r#"
w = randn(3, requires_grad=true)
opt = SGD([w], lr=0.1)
for i in range(10) {
    opt.zero_grad()
    if w[i % 3].item() > 0 {
        continue
    }
    loss = (w ** 2).sum()
    loss.backward()
    opt.step()
}
"#;
    let (code, message, at) = first_error(program);
    assert_eq!(code, Code::E0605);
    assert_eq!(message, "`w.grad` is `None` when this `continue` skips the rest of the iteration, and a tensor when it does not");
    assert_eq!(at, program.find("continue").unwrap());
    let program = "w = randn(3)\nfor i in range(5) {\n    if w[i % 3].item() > 0 {\n        continue\n    }\n    z = w * 2\n}\nprint(z)\n";
    let (code, message, at) = first_error(program);
    assert_eq!(code, Code::E0606);
    assert_eq!(message, "`z` is bound only in the iterations this `continue`, decided at run time, does not cut short");
    assert_eq!(at, program.rfind('z').unwrap());
}

/// A statement that may `break` or `continue` guards the rest of the
/// iteration as a `continue` does: after a `continue` the next iteration runs
/// with what the skipped path holds, so a `.grad` the rest creates is E0605 at
/// the `continue`, never zeros standing in for `None`.
#[test]
fn a_guard_after_break_or_continue_is_a_continues() {
    let program = r#"
w = randn(3, requires_grad=true)
opt = Adam([w], lr=0.1)
for i in range(30) {
    loss = (w ** 2).sum()
    if loss.item() < 0.5 {
        break
    } elif w[0].item() > 100 {
        continue
    }
    opt.zero_grad()
    loss.backward()
    opt.step()
}
"#;
    let (code, _, at) = first_error(program);
    assert_eq!((code, at), (Code::E0605, program.find("continue").unwrap()));
}
