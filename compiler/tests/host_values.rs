//! Host values (numbers, bools, `none`) as arguments of ops and fns, saved by a
//! forward and read by a backward, and Python's `math` on numbers.

use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;

/// The codes of the diagnostics for `src`, or an empty list when it compiles.
fn codes(src: &str) -> Vec<Code> {
    match compile(src, false) {
        Ok(_) => vec![],
        Err(diags) => diags.iter().map(|d| d.code).collect(),
    }
}

fn messages(src: &str) -> Vec<String> {
    compile(src, false).err().unwrap_or_default().iter().map(|d| d.message.clone()).collect()
}

const SCALE: &str =
    "op Scale(x, c) {\n    forward {\n        save c\n        return x * c\n    }\n    backward(g) {\n        return g * c, none\n    }\n}\n";

#[test]
fn an_op_takes_a_number_saves_it_and_its_backward_reads_it() {
    for arg in ["2.5", "2", "-1"] {
        let src = format!("{SCALE}x = ones(3, requires_grad=true)\ny = Scale(x, {arg})\ny.sum().backward()\nprint(x.grad)\n");
        assert_eq!(codes(&src), vec![], "{src}");
    }
}

#[test]
fn a_saved_none_and_a_saved_bool_are_constants_of_the_backward() {
    let src = "op F(x, b, flag) {\n    forward {\n        save b, flag\n        return x * 2\n    }\n    backward(g) {\n        if b is none and not flag {\n            return g * 2, none, none\n        }\n        return g * 3, none, none\n    }\n}\nx = ones(2, requires_grad=true)\nF(x, none, false).sum().backward()\n";
    assert_eq!(codes(src), vec![]);
}

#[test]
fn a_string_argument_of_an_op_is_e0107() {
    let src = format!("{SCALE}x = ones(3, requires_grad=true)\ny = Scale(x, \"a\")\n");
    assert_eq!(codes(&src), vec![Code::E0107]);
}

#[test]
fn a_fn_takes_numbers_and_returns_them() {
    let src = "fn scale(x, c) {\n    return x * c\n}\nfn half(n) {\n    return n / 2\n}\nprint(scale(ones(2), half(3)))\n";
    assert_eq!(codes(src), vec![]);
}

#[test]
fn math_on_a_host_number_without_a_finite_result_is_e0110() {
    for (src, what) in [("print(exp(1000))", "range"), ("print(log(0))", "domain"), ("print(sqrt(-1.5))", "domain"), ("print(log(-1))", "domain")] {
        assert_eq!(codes(src), vec![Code::E0110], "{src}");
        assert!(messages(src)[0].contains(&format!("math {what} error")), "{src}: {:?}", messages(src));
    }
}

#[test]
fn math_on_host_numbers_gives_numbers_that_mix_with_tensors() {
    assert_eq!(codes("d = 16\nprint(ones(2) * (1 / sqrt(d)), abs(-3), exp(0.5))\n"), vec![]);
}

#[test]
fn a_builtin_without_a_math_counterpart_still_needs_a_tensor() {
    assert_eq!(codes("print(sigmoid(2.0))"), vec![Code::E0107]);
}

/// A backward block is copied into every backward pass, so an effect there has
/// no single place: E0108, not a crash of the optimizer.
#[test]
fn an_effect_inside_a_backward_block_is_e0108() {
    for effect in ["print(g)", "print(\"hi\")", "z = randn(3)", "manual_seed(1)"] {
        let src = format!("op F(x) {{\n    forward {{\n        return x * 2\n    }}\n    backward(g) {{\n        {effect}\n        return g * 2\n    }}\n}}\nx = ones(3, requires_grad=true)\nF(x).sum().backward()\n");
        assert_eq!(codes(&src), vec![Code::E0108], "{effect}");
    }
}

/// `round(x, n)` of a run-time Python float (`round(loss.item(), 4)` in a
/// training loop) is Python's: the exact binary value rounded to `n` decimals,
/// ties to even, read back (`2.675` is below the tie, `0.25` a tie that goes to
/// `0.2`); the expected lines are what Python 3 prints for the same values.
#[test]
fn round_of_a_run_time_float_is_pythons() {
    let program = "xs = tensor([0.25, 2.675, 1.005, -0.125, 123.456789, 0.5, 1.5, 2.5, -2.5, 1e-7, 3.14159265], dtype=float64)
for i in range(11) {
    v = xs[i].item()
    print(round(v, 0), round(v, 1), round(v, 2), round(v, 4), round(v, 10))
}
print(round(tensor(2.675).item(), 2))
";
    let c = compile(program, false).expect("compiles");
    let (text, _) = graphc_runtime::exec::run_capture(&c.plan).expect("runs");
    let want = "\
0.0 0.2 0.25 0.25 0.25
3.0 2.7 2.67 2.675 2.675
1.0 1.0 1.0 1.005 1.005
-0.0 -0.1 -0.12 -0.125 -0.125
123.0 123.5 123.46 123.4568 123.456789
0.0 0.5 0.5 0.5 0.5
2.0 1.5 1.5 1.5 1.5
2.0 2.5 2.5 2.5 2.5
-2.0 -2.5 -2.5 -2.5 -2.5
0.0 0.0 0.0 0.0 1e-07
3.0 3.1 3.14 3.1416 3.14159265
2.67
";
    assert_eq!(text, want);
}
