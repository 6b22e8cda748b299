//! Fns read top-level names bound before the call, as Python functions read
//! module globals; assigning in a fn makes a local; op blocks see no globals.

use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;

fn codes(src: &str) -> Vec<Code> {
    match compile(src, false) {
        Ok(_) => vec![],
        Err(diags) => diags.iter().map(|d| d.code).collect(),
    }
}

#[test]
fn a_fn_reads_globals_bound_before_the_call() {
    assert_eq!(codes("w1 = ones(3, 2)\nb1 = ones(2)\nfn model(x) {\n    return x @ w1 + b1\n}\nprint(model(ones(3)))\n"), vec![]);
    // Defined after the fn, bound before the call: as in Python.
    assert_eq!(codes("fn scale(x) {\n    return x * c\n}\nc = 2\nprint(scale(ones(2)))\n"), vec![]);
}

#[test]
fn a_global_bound_after_the_call_is_unknown_there() {
    assert_eq!(codes("fn scale(x) {\n    return x * c\n}\nprint(scale(ones(2)))\nc = 2\n"), vec![Code::E0101]);
}

#[test]
fn a_name_no_top_level_statement_binds_is_unknown_in_the_fn() {
    assert_eq!(codes("fn scale(x) {\n    return x * nowhere\n}\n"), vec![Code::E0101]);
}

#[test]
fn assigning_in_a_fn_makes_a_local_and_leaves_the_global() {
    // If the fn rebound the global `c`, the last line would add a 3-vector to a 2-vector.
    let src = "c = ones(2)\nfn f(x) {\n    c = ones(3)\n    return x + c\n}\nprint(f(ones(3)))\nprint(c + ones(2))\n";
    assert_eq!(codes(src), vec![]);
}

#[test]
fn op_blocks_see_no_globals() {
    let src = "c = 2\nop F(x) {\n    forward {\n        return x * c\n    }\n}\nprint(F(ones(2)))\n";
    assert_eq!(codes(src), vec![Code::E0101]);
}

#[test]
fn a_parameter_hides_a_global_of_the_same_name() {
    assert_eq!(codes("x = ones(5)\nfn f(x) {\n    return x * 2\n}\nprint(f(ones(2)) + ones(2))\n"), vec![]);
}
