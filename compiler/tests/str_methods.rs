//! A string's methods (`lower/str_methods.rs`): `str.format` as PyTorch's
//! examples print their progress, `join`, and the compile-time ones. The
//! expected outputs are what the PyTorch 2.15 program beside each prints.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// pytorch/examples' MNIST progress lines, numbered, keyword and converted
/// fields, escaped braces, a run-time loss and a tensor in a loop compiled
/// once, and `join` over texts with run-time values.
#[test]
fn format_and_join_print_as_python_does() {
    // import torch
    // epoch, batch_idx, n = 3, 20, 600
    // loss = torch.tensor(0.123456789)
    // print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(epoch, batch_idx * 32, n, 100. * batch_idx / 30, loss.item()))
    // print("{0} {1} {0} {name!r} {{x}} {v:>8.3f}|".format("a", 2, name="nm", v=3.14159))
    // print(", ".join(["a", "b"]), "-".join(f"{x:.2f}" for x in [1.0, 2.5]), "Adam".lower(), "x_y".split("_"), " p ".strip())
    // for i in range(3):
    //     l = loss * i
    //     print("step {:2d}: {:.4f} {}".format(i, l.item(), l))
    //     print(" | ".join("{:.3f}".format(v.item()) for v in [l, l * 2]))
    // print("\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n".format(0.1234, 950, 1000, 100. * 950 / 1000))
    let program = r#"
epoch, batch_idx, n = 3, 20, 600
loss = tensor(0.123456789)
print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(epoch, batch_idx * 32, n, 100. * batch_idx / 30, loss.item()))
print("{0} {1} {0} {name!r} {{x}} {v:>8.3f}|".format("a", 2, name="nm", v=3.14159))
print(", ".join(["a", "b"]), "-".join(f"{x:.2f}" for x in [1.0, 2.5]), "Adam".lower(), "x_y".split("_"), " p ".strip())
for i in range(3) {
    l = loss * i
    print("step {:2d}: {:.4f} {}".format(i, l.item(), l))
    print(" | ".join("{:.3f}".format(v.item()) for v in [l, l * 2]))
}
print("\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n".format(0.1234, 950, 1000, 100. * 950 / 1000))
"#;
    let want = "\
Train Epoch: 3 [640/600 (67%)]	Loss: 0.123457
a 2 a 'nm' {x}    3.142|
a, b 1.00-2.50 adam ['x', 'y'] p
step  0: 0.0000 0.0
0.000 | 0.000
step  1: 0.1235 0.12345679104328156
0.123 | 0.247
step  2: 0.2469 0.2469135820865631
0.247 | 0.494

Test set: Average loss: 0.1234, Accuracy: 950/1000 (95%)

";
    assert_eq!(run(program), want);
}

/// What Python's `format` and `join` raise is E0642, E0641 or E0107 in its
/// words; an unknown method names the ones there are.
#[test]
fn malformed_templates_are_errors_in_pythons_words() {
    let message = |src: &str| first_error(&format!("print({src})\n"));
    let cases = [
        ("\"{} {}\".format(1)", Code::E0642, "Replacement index 1 out of range for positional args tuple"),
        ("\"{a}\".format(b=1)", Code::E0642, "KeyError: 'a'"),
        ("\"{0} {}\".format(1, 2)", Code::E0642, "cannot switch from manual field specification to automatic field numbering"),
        ("\"}\".format()", Code::E0642, "Single '}' encountered in format string"),
        ("\", \".join([1, 2])", Code::E0107, "sequence item 0: expected str instance, int found"),
        ("\"a\".foo()", Code::E0102, "a string has no method `foo` in .act"),
    ];
    for (src, code, text) in cases {
        let (c, m, _) = message(src);
        assert_eq!((c, m.as_str()), (code, text), "{src}");
    }
    assert_eq!(message("\"{:d}\".format(1.5)").0, Code::E0641);
    // A method named without its call.
    assert_eq!(message("\"{}\".format").1, "a string has no field `format` in .act");
}
