//! `sort`, `argsort` and `topk` put equal elements where PyTorch's CPU kernels
//! put them: libstdc++'s introsort for an unstable sort, FBGEMM's stable radix
//! sort for a long 1-D i64 tensor in ascending order, and `partial_sort` or
//! `nth_element` for `topk`. Each case prints a fingerprint of the indices,
//! `sum(index[i] * i)`, which a different order of ties changes; the expected
//! numbers are what PyTorch 2.15 prints for the same lines.

use crate::common::run;
use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;

#[test]
fn the_indices_of_ties_are_pytorchs() {
    let program = "
fn fp(i) {
    return (i.reshape(-1) * arange(i.numel())).sum().item()
}
manual_seed(3)
a = randint(0, 7, (300,))
print(fp(sort(a).indices), fp(sort(a, descending=true).indices))
b = round(randn(4, 2000) * 3)
print(fp(sort(b, dim=1).indices), fp(argsort(b, dim=0, descending=true)))
print(fp(topk(b, 20).indices), fp(topk(b, 20, largest=false).indices))
print(fp(topk(b, 40, sorted=false).indices), fp(topk(b, 700).indices))
c = randint(0, 9, (50000,))
print(fp(sort(c).indices), fp(sort(c, descending=true).indices))
print(fp(sort(c.double()).indices))
";
    // 300 integers (introsort); 4 x 2000 rounded normals along either dimension;
    // topk of 20 (k * 64 <= 2000: partial_sort) and of 40 and 700 (nth_element);
    // 50,000 integers ascending (radix sort, stable), descending (introsort),
    // and as f64 (introsort).
    let want = "\
6516498 6846683
31990089831 49684000
2562708 2682501
12497563 3984577538
32346288891352 31235076152987
31120023868846
";
    assert_eq!(run(program), want);
}

#[test]
fn topk_of_bool_and_out_of_range_k_are_errors() {
    let code = |program: &str| match compile(program, false) {
        Ok(_) => panic!("compiled: {program}"),
        Err(d) => (d[0].code, d[0].message.clone()),
    };
    assert_eq!(code("b = tensor([true, false])\nprint(topk(b, 1))\n"), (Code::E0204, "`topk` does not take bool tensors".to_string()));
    assert_eq!(code("x = randn(3)\nprint(x.topk(-1))\n"), (Code::E0288, "`topk`'s k = -1 is out of range for dimension 0 of size 3".to_string()));
    // `sort` of a bool tensor is PyTorch's too.
    assert_eq!(run("b = tensor([true, false, true])\nprint(argsort(b, stable=true))\n"), "tensor([1, 0, 2])\n");
}
