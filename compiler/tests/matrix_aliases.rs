//! `mm`, `t` and `.T`: PyTorch's matrix spellings for 2-D tensors. Their printed
//! `grad_fn` names are checked against PyTorch by `examples/linear_function.act`;
//! here, what they accept.

use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;

fn codes(src: &str) -> Vec<Code> {
    match compile(src, false) {
        Ok(_) => vec![],
        Err(diags) => diags.iter().map(|d| d.code).collect(),
    }
}

#[test]
fn matrix_spellings_compile_for_matrices() {
    for e in ["a.mm(b)", "mm(a, b)", "a.t()", "t(a)", "a.T", "a.T.T", "b.t().mm(a.T)"] {
        assert_eq!(codes(&format!("a = ones(2, 3)\nb = ones(3, 2)\nprint({e})\n")), vec![], "{e}");
    }
}

#[test]
fn matrix_spellings_reject_other_ranks_and_shapes() {
    // `v.T` of a vector is deprecated in PyTorch 2.15 (a warning, to become an
    // error), so graphc refuses it; `t()` of a vector is the vector itself.
    for e in ["mm(v, v)", "a.mm(v)", "v.T", "a.mm(a)", "ones(2, 2, 2).t()"] {
        assert_eq!(codes(&format!("a = ones(2, 3)\nv = ones(3)\nprint({e})\n")), vec![Code::E0202], "{e}");
    }
    assert_eq!(codes("print((2).T)"), vec![Code::E0107]);
    assert_eq!(codes("v = ones(3)\nprint(v.t(), t(v), ones(()).t())\n"), vec![]);
}
