//! `cumprod(input, dim)` (`Op::Cumprod`, `autodiff/rules/cumprod.rs`): values
//! accumulated in f64 as PyTorch's CPU kernel, bool and i64 scans, and the
//! gradient in each of PyTorch's forms (no zero, zeros without grad mode, and
//! the O(n^2) form that a double backward differentiates), against what the
//! PyTorch 2.15 programs beside them print at full precision.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Every printed element, gradients and second derivatives included, is
/// PyTorch's: random inputs, slices with one and two zeros, a diffusion
/// schedule's `cumprod(1 - betas)`, and double backward with and without zeros.
#[test]
fn values_and_gradients_are_pytorchs() {
    // import torch
    // torch.manual_seed(0)
    // x = torch.randn(3, 5, requires_grad=True)
    // y = torch.cumprod(x, dim=1)
    // print(y)
    // (y * torch.arange(15.).reshape(3, 5)).sum().backward()
    // print([v.item() for v in x.grad.flatten()])
    // z = torch.tensor([[2.0, 0.0, 3.0, 0.0, 5.0], [1.5, -2.0, 0.0, 4.0, 0.5], [0.5, 2.0, 3.0, 4.0, 0.0]], requires_grad=True)
    // w = z.cumprod(1)
    // print(w)
    // w.backward(torch.arange(15.).reshape(3, 5) - 3)
    // print([v.item() for v in z.grad.flatten()])
    // print(z.grad.grad_fn, w.grad_fn.name())
    // b = torch.tensor([True, False, True, True])
    // print(b.cumsum(0), b.cumprod(0), torch.tensor([3, -1, 2]).cumprod(0))
    // a = torch.linspace(0.0001, 0.02, 50)
    // ac = torch.cumprod(1.0 - a, axis=0)
    // print([v.item() for v in ac[::7]])
    // # double backward
    // q = torch.tensor([0.5, 0.0, 2.0, 3.0], requires_grad=True)
    // g, = torch.autograd.grad(q.cumprod(0).sum(), q, create_graph=True)
    // print([v.item() for v in g])
    // g2, = torch.autograd.grad((g * torch.tensor([1., 2., 3., 4.])).sum(), q)
    // print([v.item() for v in g2])
    // q2 = torch.tensor([0.5, 1.5, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    // g, = torch.autograd.grad(q2.cumprod(0).sum(), q2, create_graph=True)
    // print([v.item() for v in g])
    // g2, = torch.autograd.grad((g * g).sum(), q2)
    // print([v.item() for v in g2])
    let program = r#"
manual_seed(0)
x = randn(3, 5, requires_grad=true)
y = cumprod(x, dim=1)
print(y)
(y * arange(15.).reshape(3, 5)).sum().backward()
print([v.item() for v in x.grad.flatten()])
z = tensor([[2.0, 0.0, 3.0, 0.0, 5.0], [1.5, -2.0, 0.0, 4.0, 0.5], [0.5, 2.0, 3.0, 4.0, 0.0]], requires_grad=true)
w = z.cumprod(1)
print(w)
w.backward(arange(15.).reshape(3, 5) - 3)
print([v.item() for v in z.grad.flatten()])
print(z.grad.grad_fn, w.grad_fn.name())
b = tensor([true, false, true, true])
print(b.cumsum(0), b.cumprod(0), tensor([3, -1, 2]).cumprod(0))
a = linspace(0.0001, 0.02, 50)
ac = cumprod(1.0 - a, axis=0)
print([v.item() for v in ac[::7]])
q = tensor([0.5, 0.0, 2.0, 3.0], requires_grad=true)
g, = grad(q.cumprod(0).sum(), q, create_graph=true)
print([v.item() for v in g])
g2, = grad((g * tensor([1., 2., 3., 4.])).sum(), q)
print([v.item() for v in g2])
q2 = tensor([0.5, 1.5, 2.0, 3.0], dtype=f64, requires_grad=true)
g, = grad(q2.cumprod(0).sum(), q2, create_graph=true)
print([v.item() for v in g])
g2, = grad((g * g).sum(), q2)
print([v.item() for v in g2])
"#;
    let expected = r#"tensor([[ 1.5410, -0.4522,  0.9852,  0.5600, -0.6073],
        [-1.3986, -0.5641, -0.4727,  0.3400, -0.1371],
        [-0.5966, -0.1086,  0.0930,  0.1024, -0.1097]],
       grad_fn=<CumprodBackward0>)
[0.49893638491630554, -2.6202566623687744, -0.5604175329208374, -1.318271517753601, 2.240049362182617, 8.723775863647461, -12.912101745605469, -2.1757569313049316, -2.065859079360962, 3.060239553451538, 10.473738670349121, -1.5527080297470093, -1.0646445751190186, -0.18577168881893158, 1.4336479902267456]
tensor([[ 2.0000,  0.0000,  0.0000,  0.0000,  0.0000],
        [ 1.5000, -3.0000, -0.0000, -0.0000, -0.0000],
        [ 0.5000,  1.0000,  3.0000, 12.0000,  0.0000]],
       grad_fn=<CumprodBackward0>)
[-3.0, -10.0, 0.0, 0.0, 0.0, -4.0, 4.5, -108.0, 0.0, 0.0, 317.0, 77.5, 49.0, 30.0, 132.0]
None CumprodBackward0
tensor([1, 1, 2, 3]) tensor([1, 0, 0, 0]) tensor([ 3, -3, -6])
[0.9998999834060669, 0.9878897070884705, 0.9567327499389648, 0.9081932306289673, 0.8449799418449402, 0.7704952955245972, 0.6885315179824829, 0.6029515862464905]
[1.0, 4.5, 0.0, 0.0]
[18.0, 19.0, 4.0, 2.0]
[14.5, 4.5, 3.0, 1.5]
[126.0, 276.0, 194.25, 100.5]
"#;
    assert_eq!(run(program), expected);
}

/// A 3-D tensor with zeros scattered along the scanned middle dimension: the
/// elements before, at and after each slice's first zero.
#[test]
fn zeros_along_a_middle_dimension_are_pytorchs() {
    // import torch
    // torch.manual_seed(1)
    // x = torch.randn(2, 9, 3) * 0.5 + 1.0
    // x = torch.where(torch.rand(2, 9, 3) < 0.15, torch.zeros(2, 9, 3), x)
    // x.requires_grad_()
    // y = x.cumprod(1)
    // (y * torch.randn(2, 9, 3)).sum().backward()
    // print(x.grad[:, :, 0])
    // print([v.item() for v in x.grad.flatten()])
    let program = r#"
manual_seed(1)
x = randn(2, 9, 3) * 0.5 + 1.0
x = where(rand(2, 9, 3) < 0.15, zeros(2, 9, 3), x)
x.requires_grad_()
y = x.cumprod(1)
(y * randn(2, 9, 3)).sum().backward()
print(x.grad[:, :, 0])
print([v.item() for v in x.grad.flatten()])
"#;
    let expected = r#"tensor([[ 1.4985, -0.0621, -0.0796, -0.0425, -0.0361,  0.0056, -0.0095, -0.0863,
          0.0000],
        [ 1.5068,  0.7443,  0.4176,  0.4591,  0.2148, -1.4436, -0.0867,  0.0407,
          0.0000]])
[1.4985183477401733, 1.2470396757125854, -1.1423848867416382, -0.062079764902591705, 0.5916597843170166, -1.1956062316894531, -0.07957743853330612, 0.7120756506919861, -0.33334752917289734, -0.04249994084239006, -0.4267784357070923, 0.0, -0.036091383546590805, 0.0, 0.0, 0.005585784092545509, 0.0, 0.0, -0.009502727538347244, 0.0, 0.0, -0.08630555868148804, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5068413019180298, -0.5897167325019836, 0.17918948829174042, 0.7443042993545532, -1.2221342325210571, 0.02588750422000885, 0.4175785183906555, -2.2403945922851562, 0.49558576941490173, 0.4590909481048584, -1.535747766494751, 0.0, 0.2147621512413025, -1.214203953742981, 0.0, -1.4435874223709106, -0.6086265444755554, 0.0, -0.08671458810567856, 0.09721346199512482, 0.0, 0.04069748893380165, -0.5027369260787964, 0.0, 0.0, 0.0, 0.0]
"#;
    assert_eq!(run(program), expected);
}

/// Without `dim` the call is refused where it is written.
#[test]
fn cumprod_needs_a_dimension() {
    let source = "x = randn(3, 4)\nprint(cumprod(x))\n";
    let (code, message, start) = first_error(source);
    assert_eq!(code, Code::E0241);
    assert!(message.contains("`cumprod` needs `dim`"), "{message}");
    assert_eq!(start, source.find("cumprod").unwrap());
}
