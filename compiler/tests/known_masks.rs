//! Reads through boolean masks whose values are known when compiling, `~`, and
//! `float`/`int` of strings: what compiles, and the errors at the places where
//! PyTorch would fail or graphc cannot know a shape.

use graphc_compiler::diag::{Code, Diagnostic};
use graphc_compiler::driver::compile;

fn diags(src: &str) -> Vec<Diagnostic> {
    match compile(src, false) {
        Ok(_) => vec![],
        Err(diags) => diags,
    }
}

fn codes(src: &str) -> Vec<Code> {
    diags(src).iter().map(|d| d.code).collect()
}

const R: &str = "R = tensor([[5.0, 3.0, 0.0], [4.0, 0.0, 1.0]])\n";

#[test]
fn a_mask_made_of_constants_is_read_through() {
    for body in [
        "m = R != 0\nprint(R[m])\n",
        "m = ~isnan(R / R)\nprint(R[m].sum())\n",
        "print(R[:, tensor([true, false, true])])\n",
        "print(R[..., tensor([true, false, true])])\n",
        // Inside a loop the mask is a body input whose value is known outside it.
        "m = R > 1\nfor i in range(3) {\n    print(R[m] * i)\n}\n",
    ] {
        assert_eq!(codes(&format!("{R}{body}")), vec![], "{body}");
    }
}

#[test]
fn a_mask_known_only_at_run_time_is_e0225() {
    // A random mask.
    assert_eq!(codes(&format!("{R}m = rand(2, 3) > 0.5\nprint(R[m])\n")), vec![Code::E0225]);
    // A mask the loop changes: its value at the loop's entry holds for the first iteration only.
    let src = format!("{R}m = R > 1\nfor i in range(3) {{\n    print(R[m])\n    m = logical_and(m, R > i)\n}}\n");
    assert_eq!(codes(&src), vec![Code::E0225], "{src}");
}

#[test]
fn a_known_mask_of_the_wrong_shape_is_e0700() {
    let src = format!("{R}print(R[:, tensor([true, false])])\n");
    let d = diags(&src);
    assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), vec![Code::E0700]);
    assert!(d[0].message.contains("[2]") && d[0].message.contains("[3]"), "{}", d[0].message);
}

#[test]
fn tilde_takes_bools_and_integers() {
    assert_eq!(codes("print(~tensor([true]), ~tensor([1, 2]), ~7)\n"), vec![]);
    assert_eq!(codes("print(~tensor([1.0]))\n"), vec![Code::E0204]);
    // Python's `~True` is the int -2; `not` is what a program means.
    let d = diags("print(~true)\n");
    assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), vec![Code::E0107]);
    assert!(d[0].help.as_deref().unwrap_or("").contains("not b"), "{:?}", d[0].help);
}

#[test]
fn float_and_int_of_strings_parse_as_python_does() {
    assert_eq!(codes("x = tensor([float(\"nan\"), float(\" -Infinity \"), float(\"1_000.5\"), float(int(\"-3\"))])\n"), vec![]);
    for bad in ["float(\"abc\")", "float(\"1__0\")", "int(\"1.5\")", "int(\"\")", "float(\"infinit\")"] {
        let d = diags(&format!("print({bad})\n"));
        assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), vec![Code::E0645], "{bad}");
        assert!(d[0].message.starts_with("could not convert") || d[0].message.starts_with("invalid literal"), "{}", d[0].message);
    }
}
