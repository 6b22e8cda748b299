//! The recurrent modules (`lower/rnn_modules.rs`): `RNN`, `GRU` and `LSTM`
//! (layers, directions, `batch_first`, unbatched input, initial states) and
//! their cells give PyTorch's reprs, parameter names, draws, values and
//! gradients, and each wrong call is reported where it is. The expected
//! output is what the same program prints in PyTorch 2.15 (an f64 `LSTM`:
//! PyTorch's f32 one is oneDNN's, see `examples/lstm_sine.act`).

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn recurrent_modules_compute_what_pytorch_computes() {
    let program = r#"
manual_seed(0)
rnn = RNN(3, 4)
gru = GRU(3, 4, num_layers=2, batch_first=true)
lstm = LSTM(3, 4, bidirectional=true, dtype=f64)
cell = LSTMCell(3, 4)
rc = RNNCell(3, 4, nonlinearity="relu")
gc = GRUCell(3, 4, bias=false)
r2 = RNN(3, 4, nonlinearity="relu", bias=false, dropout=0.5, num_layers=2)
for m in [rnn, gru, lstm, cell, rc, gc, r2] {
    print(m)
}
print([n for n, p in gru.named_parameters()])
print([n for n, p in lstm.named_parameters()])
print(rnn.weight_hh_l0)
x = randn(5, 2, 3)
out, h = rnn(x)
print(out[-1], h)
out, h = gru(x.transpose(0, 1))
print(out[:, -1], h)
out, state = lstm(x.double())
h, c = state
print(out.shape, out[2], h, c)
hx, cx = cell(x[0])
print(hx, cx)
print(rc(x[0]), gc(x[0], ones(2, 4)))
out, h = rnn(x[:, 0])
print(out.shape, h.shape)
loss = out.sum() + h.sum()
loss.backward()
print(rnn.weight_ih_l0.grad)
"#;
    assert_eq!(run(program), "RNN(3, 4)\nGRU(3, 4, num_layers=2, batch_first=True)\nLSTM(3, 4, bidirectional=True)\nLSTMCell(3, 4)\nRNNCell(3, 4, nonlinearity=relu)\nGRUCell(3, 4, bias=False)\nRNN(3, 4, num_layers=2, bias=False, dropout=0.5)\n['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1']\n['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse']\nParameter containing:\ntensor([[-0.4777, -0.3311, -0.2061,  0.0185],\n        [ 0.1977,  0.3000, -0.3390, -0.2177],\n        [ 0.1816,  0.4152, -0.1029,  0.3742],\n        [-0.0806,  0.0529,  0.4527, -0.4638]], requires_grad=True)\ntensor([[-0.7885, -0.7332, -0.4576, -0.1781],\n        [-0.6902, -0.1169, -0.6486, -0.5459]], grad_fn=<SelectBackward0>) tensor([[[-0.7885, -0.7332, -0.4576, -0.1781],\n         [-0.6902, -0.1169, -0.6486, -0.5459]]], grad_fn=<StackBackward0>)\ntensor([[-0.0801,  0.2122, -0.1528,  0.2655],\n        [ 0.0303,  0.2218, -0.1978,  0.2886]], grad_fn=<SelectBackward0>) tensor([[[ 0.2208, -0.0189,  0.2616,  0.1932],\n         [-0.1034, -0.2028,  0.3573, -0.1874]],\n\n        [[-0.0801,  0.2122, -0.1528,  0.2655],\n         [ 0.0303,  0.2218, -0.1978,  0.2886]]], grad_fn=<StackBackward0>)\ntorch.Size([5, 2, 8]) tensor([[ 0.1783,  0.0655,  0.2366, -0.0481,  0.0285,  0.0967,  0.0573,  0.0651],\n        [ 0.1096, -0.0645,  0.2425,  0.1857,  0.1776,  0.0408,  0.0247, -0.1430]],\n       dtype=torch.float64, grad_fn=<SelectBackward0>) tensor([[[ 0.0612,  0.0568,  0.2208,  0.1507],\n         [ 0.1177,  0.1598,  0.2280, -0.0136]],\n\n        [[ 0.2083,  0.0848,  0.0618, -0.1107],\n         [ 0.1023,  0.1861,  0.1555, -0.1194]]], dtype=torch.float64,\n       grad_fn=<StackBackward0>) tensor([[[ 0.2401,  0.1266,  0.7639,  0.4137],\n         [ 0.3184,  0.2735,  0.9666, -0.0534]],\n\n        [[ 0.3230,  0.1955,  0.1734, -0.2053],\n         [ 0.2277,  0.4042,  0.4823, -0.1721]]], dtype=torch.float64,\n       grad_fn=<StackBackward0>)\ntensor([[ 0.0739,  0.0584,  0.1214, -0.0715],\n        [-0.0465,  0.1363,  0.0815, -0.0451]], grad_fn=<MulBackward0>) tensor([[ 0.1404,  0.1290,  0.2393, -0.1386],\n        [-0.1960,  0.2740,  0.1342, -0.1432]], grad_fn=<AddBackward0>)\ntensor([[0.9285, 0.0000, 0.0000, 0.3571],\n        [1.0416, 0.0000, 0.0000, 0.4063]], grad_fn=<ReluBackward0>) tensor([[0.3814, 0.3006, 0.2154, 0.9193],\n        [0.2263, 0.3498, 0.5618, 0.6719]], grad_fn=<AddBackward0>)\ntorch.Size([5, 4]) torch.Size([1, 4])\ntensor([[1.7230, 2.0665, 1.1239],\n        [1.0521, 2.8305, 2.7688],\n        [3.3086, 3.0244, 1.2652],\n        [3.5696, 2.5093, 2.9947]])\n");
}

#[test]
fn a_wrong_input_is_reported_at_the_call() {
    let program = "rnn = GRU(3, 4)\ny = rnn(ones(5, 2, 6))\n";
    let (code, message, at) = first_error(program);
    assert_eq!(code, Code::E0202, "{message}");
    assert_eq!(at, program.find("ones").unwrap());
    assert!(message.contains("input.size(-1) must be equal to input_size. Expected 3, got 6"), "{message}");
    let program = "rnn = RNN(3, 4)\ny = rnn(ones(1, 5, 2, 3))\n";
    let (code, message, _) = first_error(program);
    assert_eq!(code, Code::E0202, "{message}");
    assert!(message.contains("RNN: Expected input to be 2D or 3D, got 4D tensor instead"), "{message}");
    let program = "rnn = LSTM(3, 4, num_layers=2)\ny = rnn(ones(5, 2, 3), (zeros(1, 2, 4), zeros(1, 2, 4)))\n";
    let (code, message, _) = first_error(program);
    assert_eq!(code, Code::E0202, "{message}");
    assert!(message.contains("Expected hidden size (2, 2, 4), got [1, 2, 4]"), "{message}");
}

#[test]
fn an_lstm_projection_is_refused() {
    let program = "rnn = LSTM(3, 4, proj_size=2)\n";
    let (code, message, _) = first_error(program);
    assert_eq!(code, Code::E0107, "{message}");
    assert!(message.contains("`proj_size` is not supported"), "{message}");
}

#[test]
fn unbatched_inputs_take_unbatched_states() {
    // A sequence without a batch dimension takes a state without one, and a
    // cell's input and state likewise; the results drop it again.
    let program = r#"
manual_seed(0)
r = GRU(3, 4)
out, h = r(randn(5, 3), randn(1, 4))
print(out.shape, h)
c = LSTMCell(3, 4)
h, cc = c(randn(3), (zeros(4), ones(4)))
print(h, cc)
"#;
    assert_eq!(run(program), "torch.Size([5, 4]) tensor([[ 0.4967, -0.2585, -0.5784, -0.7327]], grad_fn=<SqueezeBackward1>)\ntensor([0.2455, 0.2716, 0.1059, 0.1989], grad_fn=<SqueezeBackward1>) tensor([0.7336, 0.5615, 0.2719, 0.5312], grad_fn=<SqueezeBackward1>)\n");
}
