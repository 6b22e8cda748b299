//! `logsigmoid` (the `log_sigmoid` row of the op table, `F.logsigmoid`): values
//! at zeros and at both ends of exp's range, its gradient
//! (`log_sigmoid_backward`, the buffer `exp(-|x|)` recomputed) and its second
//! derivative (derivatives.yaml's `log_sigmoid_double_backward`), f64 at full
//! precision, `grad_fn` names and word2vec's negative-sampling loss, against
//! what the PyTorch 2.15 program beside it prints. 100,000 values of each
//! dtype have PyTorch's bits (`tools/numerics/log_sigmoid.py`, docs/NUMERICS.md).

use crate::common::run;

#[test]
fn logsigmoid_and_its_derivatives_print_what_pytorch_prints() {
    // import torch
    // import torch.nn.functional as F
    // torch.manual_seed(0)
    // x = (torch.randn(37) * 6).requires_grad_()
    // with torch.no_grad():
    //     x[3] = 0.0
    //     x[5] = -0.0
    //     x[7] = 90.0
    //     x[8] = -90.0
    // y = F.logsigmoid(x)
    // print(y)
    // g = torch.randn(37)
    // (gx,) = torch.autograd.grad(y, x, g, create_graph=True)
    // print(gx)
    // (gxx,) = torch.autograd.grad(gx.sum(), x)
    // print(gxx)
    // xd = torch.randn(2, 9, dtype=torch.float64, requires_grad=True)
    // z = F.logsigmoid(xd).sum()
    // z.backward()
    // print(z.item(), xd.grad[1].tolist())
    // print(y.grad_fn.name(), gx.grad_fn.name())
    // # word2vec's negative-sampling loss
    // pos, neg = torch.randn(4), torch.randn(4, 5)
    // print(-(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(1)).mean().item())
    let program = r#"
manual_seed(0)
x = (randn(37) * 6).requires_grad_()
no_grad {
    x[3] = 0.0
    x[5] = -0.0
    x[7] = 90.0
    x[8] = -90.0
}
y = logsigmoid(x)
print(y)
g = randn(37)
gx = grad(y, x, g, create_graph=true)[0]
print(gx)
gxx = grad(gx.sum(), x)[0]
print(gxx)
xd = randn(2, 9, dtype=f64, requires_grad=true)
z = logsigmoid(xd).sum()
z.backward()
print(z.item(), xd.grad[1].tolist())
print(y.grad_fn.name(), gx.grad_fn.name())
# word2vec's negative-sampling loss
pos = randn(4)
neg = randn(4, 5)
print(-(logsigmoid(pos) + logsigmoid(-neg).sum(1)).mean().item())
"#;
    let want = "\
tensor([-6.7562e+00, -6.9152e+00, -1.7043e+00, -6.9315e-01, -6.1253e-03,
        -6.9315e-01, -2.0360e+00, -8.1940e-40, -9.0000e+01, -7.5805e+00,
        -1.1553e-01, -1.4620e-01, -3.9691e-01, -5.9542e-04, -1.2293e-03,
        -1.6881e+00, -8.1162e+00, -1.0176e+01, -3.2832e-02, -8.5202e-03,
        -2.7143e-02, -4.1173e-01, -2.1166e-02, -6.8469e-02, -1.5372e+00,
        -4.4668e+00, -3.3602e-02, -1.9112e-01, -1.3454e+00, -1.0023e-06,
        -8.8135e+00, -9.5202e+00, -7.3202e-04, -4.7136e-01, -7.2016e+00,
        -7.0761e-01, -3.1522e+00], grad_fn=<LogSigmoidBackward0>)
tensor([-3.9130e-01,  5.4276e-01, -3.2328e-01,  1.0276e-01, -2.7500e-03,
        -2.8654e-01, -4.8285e-01,  4.8699e-40, -1.2341e+00,  1.8188e+00,
        -6.0175e-02, -1.8026e-01,  6.1771e-02, -4.1115e-05, -6.0806e-04,
        -1.2194e+00,  2.5665e+00, -4.7310e-01,  1.0838e-02,  1.2803e-02,
         5.5750e-02,  3.9443e-01,  8.2623e-03,  1.2848e-01,  6.2134e-01,
        -2.0019e-02, -1.4446e-02,  2.8633e-01, -1.0059e+00,  9.6851e-07,
         1.6245e+00, -3.6559e-01, -9.5306e-04,  3.7361e-02,  4.4149e-01,
         1.2524e-01,  7.3599e-02], grad_fn=<LogSigmoidBackwardBackward0>)
tensor([ 4.5533e-04, -5.3875e-04,  5.8806e-02, -5.1381e-02,  2.7332e-03,
         1.4327e-01,  6.3038e-02,  0.0000e+00,  0.0000e+00, -9.2813e-04,
         5.3610e-02,  1.5574e-01, -4.1534e-02,  4.1088e-05,  6.0733e-04,
         2.2543e-01, -7.6649e-04,  1.8019e-05, -1.0488e-02, -1.2695e-02,
        -5.4258e-02, -2.6131e-01, -8.0893e-03, -1.1998e-01, -1.3357e-01,
         2.2989e-04,  1.3968e-02, -2.3652e-01,  2.6197e-01, -9.2154e-07,
        -2.4159e-04,  2.6818e-05,  9.5238e-04, -2.3319e-02, -3.2909e-04,
        -6.1719e-02, -3.1471e-03])
-11.777327330264686 [0.7091677803340053, 0.18626846568278704, 0.26631348124252024, 0.2985509041829329, 0.47261618190391286, 0.3312255102188858, 0.40592412358930535, 0.5165009052660265, 0.6806095953518673]
LogSigmoidBackward0 LogSigmoidBackwardBackward0
4.675937652587891
";
    assert_eq!(run(program), want);
}
