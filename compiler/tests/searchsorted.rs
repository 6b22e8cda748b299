//! `searchsorted` and `bucketize` (`torch.searchsorted`, `torch.bucketize`):
//! the lines of a PyTorch program and what PyTorch 2.15 prints for them.
//! Left and right searches (`right=`, `side=`), number values (0-d results)
//! and their promotion, integer and f64 boundaries, one sequence per row of
//! N-D boundaries, NaN among the boundaries and the values (where ATen's
//! binary search puts them), a `sorter`, and a histogram of normal draws made
//! with `bucketize` and `index_add_`.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Insertion positions as PyTorch's binary search finds them.
#[test]
fn searches_are_pytorchs() {
    let program = r#"
b = tensor([1., 3., 5., 7., 9.])
v = tensor([[3., 6., 9.], [3., 6., 9.]])
print(searchsorted(b, v))
print(searchsorted(b, v, right=true))
print(searchsorted(b, v, side="right"))
print(searchsorted(b, 6))
print(searchsorted(b, 6.5, right=true))
print(searchsorted(tensor([1, 3, 5]), 2.5))
print(searchsorted(b, tensor([3, 6])))
print(bucketize(v, b))
print(bucketize(v, b, right=true))
print(bucketize(3.0, b))
rows = tensor([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]])
vals = tensor([[3, 6, 9], [3, 6, 9]])
print(searchsorted(rows, vals))
print(searchsorted(rows, vals, right=true))
nanb = tensor([1.0, 2.0, nan])
print(searchsorted(nanb, tensor([1.5, nan, 3.0, -inf])))
print(searchsorted(nanb, tensor([1.5, nan, 3.0, inf]), right=true))
seq = tensor([5., 1., 9., 3., 7.])
order = argsort(seq)
print(searchsorted(seq, tensor([4., 8., 0.5, 10.]), sorter=order))
manual_seed(0)
edges = linspace(-2, 2, 9)
x = randn(1000)
idx = bucketize(x, edges)
print(idx[:10])
counts = zeros(10, dtype=i64)
counts.index_add_(0, idx, ones(1000, dtype=i64))
print(counts)
x64 = randn(3, 4, dtype=f64)
s64, _ = sort(x64, dim=1)
print(searchsorted(s64, zeros(3, 2, dtype=f64)))
"#;
    assert_eq!(run(program), "tensor([[1, 3, 4],\n        [1, 3, 4]])\ntensor([[2, 3, 5],\n        [2, 3, 5]])\ntensor([[2, 3, 5],\n        [2, 3, 5]])\ntensor(3)\ntensor(3)\ntensor(1)\ntensor([1, 3])\ntensor([[1, 3, 4],\n        [1, 3, 4]])\ntensor([[2, 3, 5],\n        [2, 3, 5]])\ntensor(1)\ntensor([[1, 3, 4],\n        [1, 2, 4]])\ntensor([[2, 3, 5],\n        [1, 3, 4]])\ntensor([1, 3, 3, 0])\ntensor([1, 3, 3, 3])\ntensor([2, 4, 0, 5])\ntensor([2, 2, 4, 4, 6, 6, 4, 0, 5, 2])\ntensor([ 27,  35,  96, 137, 211, 172, 161,  87,  43,  31])\ntensor([[2, 2],\n        [4, 4],\n        [3, 3]])\n");
}

/// The boundaries fit the values (1-D, or the values' leading sizes), the
/// sides agree, the dtypes are one and not bool, and a sorter is i64 of the
/// boundaries' shape.
#[test]
fn searches_check_their_arguments() {
    assert_eq!(first_error("y = searchsorted(zeros(2, 3), zeros(3, 3))\n").0, Code::E0202);
    assert_eq!(first_error("y = searchsorted(tensor(1.0), zeros(3))\n").0, Code::E0202);
    assert_eq!(first_error("y = bucketize(zeros(3), zeros(2, 3))\n").0, Code::E0202);
    assert_eq!(first_error("y = searchsorted(zeros(3), zeros(2), out_int32=true)\n").0, Code::E0204);
    assert_eq!(first_error("y = searchsorted(tensor([true]), tensor([true]))\n").0, Code::E0204);
    assert_eq!(first_error("y = searchsorted(zeros(3), zeros(2), side=\"middle\")\n").0, Code::E0107);
    assert_eq!(first_error("y = searchsorted(zeros(3), zeros(2), side=\"left\", right=true)\n").0, Code::E0107);
    assert_eq!(first_error("y = searchsorted(zeros(3), zeros(2), sorter=tensor([0, 1]))\n").0, Code::E0281);
    assert_eq!(first_error("y = searchsorted(zeros(3), zeros(2, dtype=f64))\n").0, Code::E0201);
}

/// A sorter position outside the boundaries' row is a run-time error, not a panic.
#[test]
fn a_sorter_out_of_range_stops_the_run() {
    let source = "y = searchsorted(tensor([1.0, 2.0]), tensor([1.5]), sorter=tensor([0, 2]))\nprint(y)\n";
    let c = graphc_compiler::driver::compile(source, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let e = graphc_runtime::exec::run_capture(&c.plan).expect_err("the sorter is out of range");
    assert!(e.message.contains("sorter index 2 is out of bounds"), "{}", e.message);
}
