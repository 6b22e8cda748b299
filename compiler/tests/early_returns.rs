//! A `return` inside an `if` of a fn whose condition is known only at run
//! time, and numbers that the two sides of such an `if` give differently. The
//! expected outputs are what PyTorch 2.15 prints for the same lines (made by
//! running the Python beside each program).

use crate::common::run;
use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;

/// Hugging Face's `get_linear_schedule_with_warmup` and
/// `get_cosine_schedule_with_warmup` rate functions (an early `return` in
/// the warm-up), called by `LambdaLR` with the run-time epoch, then a fn with
/// `if`/`elif` returns of tuples, called on run-time values in a loop.
#[test]
fn returns_inside_runtime_ifs_give_pytorchs_values() {
    let program = r#"
fn lr_lambda(current_step, num_warmup_steps, num_training_steps) {
    if current_step < num_warmup_steps {
        return float(current_step) / float(max(1, num_warmup_steps))
    }
    return max(0.0, float(num_training_steps - current_step) / float(max(1, num_training_steps - num_warmup_steps)))
}
fn cosine(current_step, num_warmup_steps, num_training_steps, num_cycles=0.5) {
    if current_step < num_warmup_steps {
        return float(current_step) / float(max(1, num_warmup_steps))
    }
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    return max(0.0, 0.5 * (1.0 + cos(pi * float(num_cycles) * 2.0 * progress)))
}
fn sign_and_abs(x) {
    if x.item() > 0 {
        return 1, x
    } elif x.item() < 0 {
        return -1, -x
    }
    return 0, x
}
W = zeros(3, requires_grad=true)
for make in [lambda o: LambdaLR(o, lambda s: lr_lambda(s, 3, 10)), lambda o: LambdaLR(o, lambda s: cosine(s, 2, 12))] {
    opt = AdamW([W], lr=5e-4)
    sch = make(opt)
    out = []
    for step in range(14) {
        opt.step()
        sch.step()
        out.append(sch.get_last_lr()[0])
    }
    print(out)
}
for i in range(3) {
    s, a = sign_and_abs(tensor([1.5, -2.0, 0.0])[i])
    print(s, a)
}
print(lr_lambda(1, 3, 10), lr_lambda(5, 3, 10))
"#;
    let want = "\
[0.00016666666666666666, 0.0003333333333333333, 0.0005, 0.00042857142857142855, 0.00035714285714285714, 0.0002857142857142857, 0.00021428571428571427, 0.00014285714285714284, 7.142857142857142e-05, 0.0, 0.0, 0.0, 0.0, 0.0]
[0.00025, 0.0005, 0.0004877641290737884, 0.0004522542485937369, 0.0003969463130731183, 0.00032725424859373687, 0.00025, 0.00017274575140626317, 0.00010305368692688174, 4.7745751406263163e-05, 1.2235870926211617e-05, 0.0, 1.2235870926211617e-05, 4.774575140626311e-05]
1 tensor(1.5000)
-1 tensor(2.)
0 tensor(0.)
0.3333333333333333 0.7142857142857143
";
    assert_eq!(run(program), want);
}

/// A float known when compiling on one side and at run time on the other, and
/// two different compile-time ints, are run-time numbers after the `if`.
#[test]
fn numbers_that_differ_between_the_sides_become_runtime_numbers() {
    let program = r#"
manual_seed(0)
t = randn(4)
best = 10.0
for i in range(4) {
    v = t[i].item()
    if v < 0 {
        best = v
        sign = -1
    } else {
        sign = 1
    }
    print(i, sign, f"{best:.4f}")
}
"#;
    // PyTorch 2.15 (torch.manual_seed(0); t = torch.randn(4)) prints this.
    let want = "\
0 1 10.0000
1 -1 -0.2934
2 -1 -2.1788
3 1 -2.1788
";
    assert_eq!(run(program), want);
}

/// An int on one side and a float on the other keep a type only the run
/// knows (E0605, which calls a value returned inside the `if` "the value the
/// fn returns"); a path that falls off the end of the fn (Python's `None`)
/// leaves the `return` inside the run-time `if` (E0601).
#[test]
fn returns_and_numbers_that_cannot_join_are_errors() {
    let first = |program: &str| match compile(program, false) {
        Ok(_) => panic!("compiled: {program}"),
        Err(d) => d[0].code,
    };
    let mixed = "x = randn(3)\ny = 0\nif x.sum().item() > 0 {\n    y = 1.5\n}\nprint(y)\n";
    assert_eq!(first(mixed), Code::E0605);
    let falls_off = "fn f(x) {\n    if x.item() > 0 {\n        return 1\n    }\n}\nprint(f(randn(1)))\n";
    assert_eq!(first(falls_off), Code::E0601);
    let mixed_return = "fn f(x) {\n    if x.item() > 0 {\n        return 1\n    }\n    return x\n}\nprint(f(randn(1)))\n";
    let message = match compile(mixed_return, false) {
        Ok(_) => panic!("compiled: {mixed_return}"),
        Err(d) => d[0].message.clone(),
    };
    assert_eq!(message, "the value the fn returns is a compile-time value (or a `.grad` that is `None`) that differs between the sides of an `if` decided at run time");
    let arity = "fn f(x) {\n    if x.item() > 0 {\n        return 1, 2\n    }\n    return 3\n}\nprint(f(randn(1)))\n";
    assert_eq!(first(arity), Code::E0601);
}
