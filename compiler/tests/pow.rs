//! `pow` with a number and with a tensor exponent (the runtime's
//! `pow_scalar` and the binary table's `pow` row): PyTorch's kernels run
//! SLEEF's `pow` over whole vector blocks and the C library's over the rest,
//! so an element's bits depend on where it sits; each line below is a line of
//! a PyTorch program and the text is what PyTorch 2.15 prints for it.

use crate::common::run;

/// Powers with a number and with a tensor exponent, fused and alone, broadcast along rows and columns, their gradients, f32 and f64, and IEEE's special cases, as PyTorch 2.15 prints them: the sums times 1000 printed in full compare every bit of 268 values each (4 x 67: eight vector blocks of 32 floats and a tail of 12 per tensor; per row for the broadcasts).
#[test]
fn pow_is_sleefs_in_vector_blocks_and_libms_in_the_tail() {
    let program = r#"
manual_seed(0)
a = rand(4, 67) * 3
b = randn(4, 67)
print((a.pow(0.75).double() * 1000).sum().item(), (a.pow(1 / 3).double() * 1000).sum().item(), (a.pow(-1.7).double() * 1000).sum().item())
print(((a.pow(0.75) * 2 + 1).double() * 1000).sum().item(), ((pow(a, b) - 1).exp().double() * 1000).sum().item())
print((pow(a, b).double() * 1000).sum().item(), ((2 ** b).double() * 1000).sum().item())
print(((a ** b[0]).double() * 1000).sum().item(), ((a ** b[:, :1]).double() * 1000).sum().item())
w = a.clone().requires_grad_(true)
e = b.clone().requires_grad_(true)
r = w ** e
r.sum().backward()
print((w.grad.double() * 1000).sum().item(), e.grad[0, :4])
w.grad = none
(w ** 2.5).sum().backward()
print((w.grad.double() * 1000).sum().item())
d = a.double()
print((d.pow(0.75) * 1000).sum().item(), ((d ** b.double()) * 1000).sum().item())
print(pow(tensor([0.0, -0.0, -2.0, -2.0, inf, nan, 1.0]), tensor([-1.0, 3.0, 3.0, 0.5, -2.0, 0.0, nan])))
print(tensor([-8.0, 0.0, 4.0]).pow(1 / 3), tensor([2.0, 3.0]) ** 2.5)
"#;
    assert_eq!(run(program), "336768.5044026002 284816.4502233267 17670815.10052085\n941537.0109081268 inf\n8124790.321813896 367793.34753751755\n463193.80919542164 409841.0952510312\n-3269004353.259008 tensor([ 0.8952,  1.4283, -3.5048, -1.4549])\n1309727.2724647191\n336768.50471594895 8124790.103509242\ntensor([inf, -0., -8., nan,  0.,  1.,  1.])\ntensor([   nan, 0.0000, 1.5874]) tensor([ 5.6569, 15.5885])\n");
}

/// cdist and pdist of orders other than 0, 1, 2 and inf, values and gradients, f32 and f64, as PyTorch 2.15 computes them: the cdist forward raises with the C library's pow per term and the root in double, pdist's forward and both backward kernels with SLEEF's pow on every element (partial vectors too); the sums times 1000 printed in full compare every bit, and no W0101 is raised for the kernels' own powers.
#[test]
fn cdist_and_pdist_of_other_orders_raise_as_their_kernels() {
    let program = r#"
manual_seed(0)
a = randn(20, 37, requires_grad=true)
b = randn(25, 37, requires_grad=true)
for p in [3.0, 1.5, 0.5] {
    d = cdist(a, b, p=p)
    print((d.double() * 1000).sum().item())
    d.sum().backward()
    print((a.grad.double() * 1000).sum().item(), (b.grad.double() * 1000).sum().item())
    a.grad = none
    b.grad = none
}
x = randn(9, 19, requires_grad=true)
for p in [3.0, 1.5, 0.5] {
    d = pdist(x, p=p)
    print((d.double() * 1000).sum().item())
    d.sum().backward()
    print((x.grad.double() * 1000).sum().item())
    x.grad = none
}
x64 = randn(9, 19, dtype=float64, requires_grad=true)
d = pdist(x64, p=3.0)
d.sum().backward()
print((d * 1000).sum().item(), (x64.grad * 1000).sum().item())
"#;
    let warnings = graphc_compiler::driver::compile(program, false).map(|c| c.warnings.len());
    assert_eq!(warnings.ok(), Some(0), "the kernels' own powers raise no W0101");
    assert_eq!(run(program), "2760763.973712921\n89749.3243436329 -89749.31874498725\n7127932.434082031\n179246.09480798244 -179246.0651025176\n656859733.3984375\n18020332.788467407 -18020336.841583252\n165254.3613910675\n0.00022398307919502258\n354375.8707046509\n-0.0011175870895385742\n13943387.237548828\n-0.09918212890625\n165374.17933826867 4.547473508864641e-13\n");
}
