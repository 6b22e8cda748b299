//! Python's printf-style formatting, `template % args` (`lower/percent_format.rs`):
//! every conversion type with flags, width and precision, tuples, single
//! values and dicts of arguments, compile-time and run-time values (a loop
//! compiled once, `.item()`, 0-d tensors), against what the PyTorch 2.15
//! program beside it prints; and Python's errors, in its words.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// nanoGPT's `"number of parameters: %.2fM" % (...)` and the other forms.
#[test]
fn percent_formatting_prints_what_python_prints() {
    // import torch
    // torch.manual_seed(0)
    // n = 6880
    // print("number of parameters: %.2fM" % (n / 1e6,))
    // print("%d %5d|%-5d|%05d %+d %x %X %#x %o %#o" % (3, 42, 42, 42, 7, 255, 255, 255, 8, 8))
    // print("%s|%10s|%-10s|%.2s|%r" % ("abc", "abc", "abc", "abc", "abc"))
    // print("%f %.3e %E %g %G %10.4f|%-10.2f|%+.1f %08.3f %%" % (3.14159, 12345.678, 0.001, 1e-7, 2.5e20, 2.0, 2.0, 1.25, -3.14159))
    // print("%d %i" % (3.99, -2.5), "%s" % [1, 2], "%s" % (None,), "%s and %s" % (True, 1.5))
    // print("%(name)s is %(age)d years" % {"name": "Ada", "age": 36.9})
    // x = torch.randn(3)
    // for step in range(3):
    //     loss = (x * (step + 1)).sum()
    //     print("step %3d: loss %.4f, %s" % (step, loss.item(), "ok"))
    //     print("%d%%" % (step * 50))
    // print("%.4f %d" % (loss, torch.tensor(7)))
    // print("tensor: %s" % x)
    let program = r#"
manual_seed(0)
n = 6880
print("number of parameters: %.2fM" % (n / 1e6,))
print("%d %5d|%-5d|%05d %+d %x %X %#x %o %#o" % (3, 42, 42, 42, 7, 255, 255, 255, 8, 8))
print("%s|%10s|%-10s|%.2s|%r" % ("abc", "abc", "abc", "abc", "abc"))
print("%f %.3e %E %g %G %10.4f|%-10.2f|%+.1f %08.3f %%" % (3.14159, 12345.678, 0.001, 1e-7, 2.5e20, 2.0, 2.0, 1.25, -3.14159))
print("%d %i" % (3.99, -2.5), "%s" % [1, 2], "%s" % (none,), "%s and %s" % (true, 1.5))
print("%(name)s is %(age)d years" % {"name": "Ada", "age": 36.9})
x = randn(3)
for step in range(3) {
    loss = (x * (step + 1)).sum()
    print("step %3d: loss %.4f, %s" % (step, loss.item(), "ok"))
    print("%d%%" % (step * 50))
}
print("%.4f %d" % (loss, tensor(7)))
print("tensor: %s" % x)
"#;
    let want = "\
number of parameters: 0.01M
3    42|42   |00042 +7 ff FF 0xff 10 0o10
abc|       abc|abc       |ab|'abc'
3.141590 1.235e+04 1.000000E-03 1e-07 2.5E+20     2.0000|2.00      |+1.2 -003.142 %
3 -2 [1, 2] None True and 1.5
Ada is 36 years
step   0: loss -0.9312, ok
0%
step   1: loss -1.8624, ok
50%
step   2: loss -2.7937, ok
100%
-2.7937 7
tensor: tensor([ 1.5410, -0.2934, -2.1788])
";
    assert_eq!(run(program), want);
}

/// Too few or too many arguments, an unknown type, a key without a dict and a
/// missing key are E0642 with Python's messages.
#[test]
fn percent_formatting_errors_are_pythons() {
    for (source, message) in [
        ("print(\"%d %d\" % (1,))\n", "not enough arguments for format string"),
        ("print(\"%d\" % (1, 2))\n", "not all arguments converted during string formatting"),
        ("print(\"%q\" % 1)\n", "unsupported format character 'q' (0x71) at index 1"),
        ("print(\"%(a)s\" % (1,))\n", "format requires a mapping"),
        ("print(\"%(a)s\" % {\"b\": 1})\n", "KeyError: 'a'"),
        ("print(\"%5\" % 1)\n", "incomplete format"),
    ] {
        let (code, got, at) = first_error(source);
        assert_eq!((code, got.as_str()), (Code::E0642, message), "{source}");
        assert_eq!(at, source.find('"').unwrap(), "{source}: the error is at the template");
    }
}
