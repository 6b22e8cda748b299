//! Python's `str(x)` and `+` of strings (`lower/host_math.rs`, `exprs.rs`):
//! compile-time and run-time values, a 0-d tensor's `str` against its
//! f-string number, and a string built in a loop, against what the PyTorch
//! 2.15 program in the comment prints.

use crate::common::run;

#[test]
fn str_and_concatenation_are_pythons() {
    // import torch
    // x = 3
    // t = torch.tensor(1.5)
    // print("a" + "b", "n=" + str(x), str(2.50), str(t), str(True), str(None))
    // for epoch in range(2):
    //     loss = torch.tensor(0.25) * (epoch + 1)
    //     print("Epoch " + str(epoch) + " loss: " + str(loss.item()) + " " + str(loss))
    //     msg = "done " + str(epoch)
    // print(msg)
    // print(str([1, 2.0]), str((1,)), str(t.shape))
    let program = r#"
x = 3
t = tensor(1.5)
print("a" + "b", "n=" + str(x), str(2.50), str(t), str(true), str(none))
for epoch in range(2) {
    loss = tensor(0.25) * (epoch + 1)
    print("Epoch " + str(epoch) + " loss: " + str(loss.item()) + " " + str(loss))
    msg = "done " + str(epoch)
}
print(msg)
print(str([1, 2.0]), str((1,)), str(t.shape))
"#;
    let torch = r#"ab n=3 2.5 tensor(1.5000) True None
Epoch 0 loss: 0.25 tensor(0.2500)
Epoch 1 loss: 0.5 tensor(0.5000)
done 1
[1, 2.0] (1,) torch.Size([])
"#;
    assert_eq!(run(program), torch);
}
