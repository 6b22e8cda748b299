//! Reads through boolean masks whose values are known when compiling, `~`,
//! `&`, `|` and `^`, and
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

#[test]
fn ampersand_bar_and_caret_combine_masks_and_bind_as_in_python() {
    for body in [
        "print(R[(R > 1) & (R < 5)])\n",
        "m = (R > 1) | (R == 0)\nprint(m ^ (R < 4), m & true)\n",
        // A bool tensor broadcasts against a row of bools.
        "print((R > 1) & tensor([true, false, true]))\n",
        "x = 6 & 3 | 8 ^ 1\nprint(x, true & false)\n",
    ] {
        assert_eq!(codes(&format!("{R}{body}")), vec![], "{body}");
    }
    // `&` binds tighter than `<`, as in Python: `R > 1 & R < 5` is the chained
    // comparison `R > (1 & R) < 5`, whose `1 & R` of a float tensor is E0107.
    assert_eq!(codes(&format!("{R}print(R > 1 & R < 5)\n")), vec![Code::E0107]);
    // Python's ints: 6 & 3 | 8 ^ 1 is 6 & 3 | (8 ^ 1) = 2 | 9 = 11, checked through an assert.
    assert_eq!(codes("assert (6 & 3 | 8 ^ 1) == 11\n"), vec![]);
    assert_eq!(codes("assert (6 & 3 | 8 ^ 1) == 10\n"), vec![Code::E0646]);
    // Float and integer tensors have no bitwise operators here.
    assert_eq!(codes(&format!("{R}print(R & (R > 1))\n")), vec![Code::E0204]);
    assert_eq!(codes("print(tensor([1, 2]) | tensor([2, 1]))\n"), vec![Code::E0204]);
    let d = diags(&format!("{R}print((R > 1) & (R.shape[0] > 1) & \"x\")\n"));
    assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), vec![Code::E0107]);
}

#[test]
fn augmented_bitwise_assignments_keep_the_tensor_and_its_shape() {
    assert_eq!(
        codes(&format!("{R}m = R > 1\nm &= R < 5\nm |= tensor([true, false, true])\nm[0] ^= tensor([true, true, true])\nf = true\nf ^= false\n")),
        vec![]
    );
    // An in-place update cannot grow the tensor: PyTorch's "doesn't match the broadcast shape".
    let d = diags(&format!("{R}m = tensor([true, false, true])\nm &= R > 1\n"));
    assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), vec![Code::E0202]);
    assert!(d[0].message.contains("doesn't match the broadcast shape [2, 3]"), "{}", d[0].message);
}
