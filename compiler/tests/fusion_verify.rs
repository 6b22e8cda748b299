//! The fusion verifier (`fuse::verify`) against broken partitions: the compiler's
//! own fusion of a program passes, and each test breaks one invariant of it and
//! checks that the verifier reports that one.

use graphc_compiler::driver::{compile, Compiled};
use graphc_compiler::fuse::verify::verify;
use graphc_compiler::ir::graph::NodeId;
use graphc_runtime::Op;

/// Two kernels of one phase, dtype and shape, split by a reduction: `y` is
/// computed in the first, and the second reads `y` and its sum.
const PROGRAM: &str = "x = linspace(-1, 1, 5)\ny = exp(x) * 2 + 1\ns = y.sum()\nz = y * s + sin(y)\nprint(z)\n";

fn compiled() -> Compiled {
    compile(PROGRAM, false).unwrap_or_else(|d| panic!("the test program does not compile: {d:?}"))
}

fn sum_node(c: &Compiled) -> NodeId {
    let g = &c.optimized.graph;
    g.ids().into_iter().find(|&n| matches!(g.node(n).op, Op::Sum { .. })).expect("the program has a sum")
}

/// Verifies the (broken) fusion of `c`, which must fail; returns the messages.
fn errors(c: &Compiled) -> Vec<String> {
    match verify(&c.optimized, &c.fusion) {
        Ok(()) => panic!("the broken fusion verified"),
        Err(errs) => errs,
    }
}

#[test]
fn the_compilers_fusion_verifies_and_has_two_kernels() {
    let c = compiled();
    assert_eq!(verify(&c.optimized, &c.fusion), Ok(()));
    assert_eq!(c.fusion.kernels.len(), 2, "the tests below need two kernels");
    assert!(c.fusion.kernels.iter().all(|k| k.members.len() >= 2), "and dependent members in each");
}

#[test]
fn a_reduction_in_a_kernel_is_reported() {
    let mut c = compiled();
    let s = sum_node(&c);
    c.fusion.kernels[1].members.insert(0, s);
    c.fusion.kernel_of.insert(s, 1);
    let errs = errors(&c);
    assert!(errs.contains(&format!("kernel 1: member {} (sum) is not elementwise", s.index())), "{errs:?}");
    assert!(errs.contains(&format!("kernel 1: member {} has another dtype or shape than the kernel", s.index())), "{errs:?}");
}

#[test]
fn a_node_in_two_kernels_is_reported() {
    let mut c = compiled();
    let m = c.fusion.kernels[0].members[0];
    c.fusion.kernels[1].members.push(m);
    let errs = errors(&c);
    assert!(errs.contains(&format!("node {} is a member of kernels 0 and 1", m.index())), "{errs:?}");
}

#[test]
fn members_out_of_dependency_order_are_reported() {
    let mut c = compiled();
    c.fusion.kernels[0].members.reverse();
    let errs = errors(&c);
    assert!(errs.iter().any(|e| e.starts_with("kernel 0: member ") && e.ends_with("before it is computed")), "{errs:?}");
}

#[test]
fn a_kernel_that_depends_on_itself_is_reported() {
    // Merging the two kernels makes one that feeds the sum and reads it back.
    let mut c = compiled();
    let second = c.fusion.kernels.remove(1);
    for &m in &second.members {
        c.fusion.kernel_of.insert(m, 0);
    }
    let first = &mut c.fusion.kernels[0];
    first.members.extend(second.members);
    first.scalars.extend(second.scalars);
    let errs = errors(&c);
    assert_eq!(errs, vec!["kernel 0 depends on itself through nodes outside it".to_string()]);
}
