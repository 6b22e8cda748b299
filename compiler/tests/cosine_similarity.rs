//! `cosine_similarity` (`lower/cosine_similarity.rs`) and the in-place update
//! of a computed tensor inside `no_grad` it is built on (`Binary::KeepGraph`):
//! values and gradients against what the PyTorch 2.15 program beside them
//! prints, with a row whose norm is below `eps` (the clamp changes the value,
//! not the gradient), f64, broadcasting, another `dim` and `grad_fn` names.

use crate::common::run;

#[test]
fn cosine_similarity_and_no_grad_updates_are_pytorchs() {
    // import torch
    // import torch.nn.functional as F
    // torch.manual_seed(0)
    // a = torch.randn(4, 6, requires_grad=True)
    // b = torch.randn(4, 6, requires_grad=True)
    // with torch.no_grad():
    //     a[2].mul_(1e-10)
    // s = F.cosine_similarity(a, b)
    // print(s)
    // s.sum().backward()
    // print(a.grad)
    // print(b.grad)
    // x = torch.randn(3, 5, 2, dtype=torch.float64, requires_grad=True)
    // y = torch.randn(1, 5, 2, dtype=torch.float64)
    // t = F.cosine_similarity(x, y, dim=-1, eps=1e-6)
    // print(t)
    // (t * t).sum().backward()
    // print(x.grad[0])
    // # SimCLR's similarity matrix: every pair of rows
    // z = F.normalize(torch.randn(4, 8), dim=1)
    // sim = F.cosine_similarity(z.unsqueeze(1), z.unsqueeze(0), dim=2)
    // print(sim)
    // print(F.cosine_similarity(a, b, 0).grad_fn.name())
    // n = a.norm(dim=1).clone()
    // with torch.no_grad():
    //     n.clamp_(min=1.0)
    // print(n, n.requires_grad)
    let program = r#"
manual_seed(0)
a = randn(4, 6, requires_grad=true)
b = randn(4, 6, requires_grad=true)
no_grad {
    a[2].mul_(1e-10)
}
s = cosine_similarity(a, b)
print(s)
s.sum().backward()
print(a.grad)
print(b.grad)
x = randn(3, 5, 2, dtype=f64, requires_grad=true)
y = randn(1, 5, 2, dtype=f64)
t = cosine_similarity(x, y, dim=-1, eps=1e-6)
print(t)
(t * t).sum().backward()
print(x.grad[0])
# SimCLR's similarity matrix: every pair of rows
z = normalize(randn(4, 8), dim=1)
sim = cosine_similarity(z.unsqueeze(1), z.unsqueeze(0), dim=2)
print(sim)
print(cosine_similarity(a, b, 0).grad_fn.name())
n = a.norm(dim=1).clone()
no_grad {
    n.clamp_(min=1.0)
}
print(n, n.requires_grad)
"#;
    let want = "\
tensor([ 9.3282e-02,  3.4034e-02, -5.2175e-04, -6.2902e-01],
       grad_fn=<SumBackward1>)
tensor([[-6.2468e-02, -2.7761e-01,  2.3629e-01,  1.1636e-01, -9.0831e-02,
         -2.9400e-01],
        [ 1.5755e-01,  9.1609e-02, -9.6934e-02,  1.5373e-01,  1.7765e-01,
          2.1317e-01],
        [-4.2544e+07,  7.3923e+07, -1.3623e+07,  9.6556e+06, -4.6873e+07,
         -1.5788e+07],
        [ 4.0192e-02, -7.8327e-02, -1.3752e-01,  1.5747e-01, -7.2636e-02,
         -5.4099e-03]])
tensor([[-4.4752e-01, -4.2503e-01, -1.3828e-01, -1.9418e-01,  3.5868e-01,
          3.2646e-01],
        [-5.8700e-02, -3.5491e-01,  8.1566e-02, -3.2259e-02,  2.3275e-01,
          3.5774e-02],
        [ 4.1524e-04,  2.6279e-03, -4.3344e-04, -3.0676e-04,  2.6118e-03,
          3.6003e-03],
        [ 2.4154e-01, -8.0262e-02, -8.9292e-02,  1.3132e-01, -1.6225e-01,
         -2.3421e-01]])
tensor([[-0.9029, -0.8840,  0.0538,  0.9998,  0.9754],
        [ 0.3549, -0.9505,  0.9971,  0.5532, -0.8125],
        [ 0.9897, -0.2744, -0.4130, -0.3289, -0.1191]], dtype=torch.float64,
       grad_fn=<SumBackward1>)
tensor([[-0.2416,  0.9096],
        [ 1.4344,  5.7375],
        [-0.0822,  0.0339],
        [-0.0448, -0.0884],
        [-2.1458,  0.1475]], dtype=torch.float64)
tensor([[ 1.0000, -0.5236, -0.0867,  0.0863],
        [-0.5236,  1.0000, -0.1659, -0.3972],
        [-0.0867, -0.1659,  1.0000,  0.2329],
        [ 0.0863, -0.3972,  0.2329,  1.0000]])
SumBackward1
tensor([2.0114, 2.6406, 1.0000, 3.2629], grad_fn=<CloneBackward0>) True
";
    assert_eq!(run(program), want);
}
