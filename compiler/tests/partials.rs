//! `partial(f, *args, **keywords)` (Python's `functools.partial`), the value of
//! `and`/`or` on numbers, `None` and strings, and digit grouping in number
//! literals. The expected outputs are what Python 3.11 and PyTorch 2.15 print
//! for the same lines (written beside each program as Python).

use crate::common::run;
use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;

/// Bound positional arguments come first, bound keywords are replaced by the
/// call's; a partial of a lambda and of a partial; a tensor bound by a partial
/// read after an in-place update, as a closure reads it.
#[test]
fn partial_binds_arguments_as_functools_does() {
    // from functools import partial
    // def f(a, b, c=10, d=100):
    //     return a + 2 * b + 3 * c + 4 * d
    // g = partial(f, 1, d=5)
    // print(g(2), g(2, 3), g(2, d=7), g(b=4, c=1))
    // h = partial(partial(lambda x, y, z: x * 100 + y * 10 + z, 1), 2)
    // print(h(3))
    // w = torch.ones(2)
    // scale = partial(lambda a, b: a * b, w)
    // w.mul_(3)
    // print(scale(torch.tensor([1.0, 2.0])))
    let program = r#"
fn f(a, b, c=10, d=100) {
    return a + 2 * b + 3 * c + 4 * d
}
g = partial(f, 1, d=5)
print(g(2), g(2, 3), g(2, d=7), g(b=4, c=1))
h = partial(partial(lambda x, y, z: x * 100 + y * 10 + z, 1), 2)
print(h(3))
w = ones(2)
scale = partial(lambda a, b: a * b, w)
w.mul_(3)
print(scale(tensor([1.0, 2.0])))
print(g)
"#;
    assert_eq!(run(program), "55 34 63 32\n123\ntensor([3., 6.])\n<functools.partial object>\n");
}

/// A partial called in a loop compiled once, with the loop's run-time number.
#[test]
fn a_partial_is_called_with_runtime_values_in_a_loop() {
    // def decay(step, rate, floor):
    //     return max(floor, rate ** step)
    // sched = partial(decay, rate=0.5, floor=0.1)
    // for step in range(5):
    //     print(sched(step))
    let program = r#"
fn decay(step, rate, floor) {
    return max(floor, rate ** step)
}
sched = partial(decay, rate=0.5, floor=0.1)
for step in range(5) {
    print(sched(step))
}
"#;
    assert_eq!(run(program), "1.0\n0.5\n0.25\n0.125\n0.1\n");
}

/// A partial of something that is not a function, or of nothing, is an error at
/// the argument.
#[test]
fn partial_of_a_non_function_is_an_error() {
    let d = compile("g = partial(3, 4)\n", false).err().expect("a number is not callable");
    assert_eq!((d[0].code, d[0].primary.span.start), (Code::E0107, 12));
    let d = compile("g = partial()\n", false).err().expect("partial needs a function");
    assert_eq!(d[0].code, Code::E0107);
}

/// `or` and `and` give the operand that decides, as Python's do; digits may be
/// grouped with underscores.
#[test]
fn and_or_give_the_deciding_operand() {
    // x = 5
    // print(x or 10_000, 0 or 7, None or 3, 0 and 5, True and 2.5, "" or "x", 2 and None)
    // print(10_000 + 1, 1_0.5, 0.000_1)
    let program =
        "x = 5\nprint(x or 10_000, 0 or 7, none or 3, 0 and 5, true and 2.5, \"\" or \"x\", 2 and none)\nprint(10_000 + 1, 1_0.5, 0.000_1)\n";
    assert_eq!(run(program), "5 7 3 0 2.5 x None\n10001 10.5 0.0001\n");
}

/// When the sides of a run-time `if` disagree on a name, the name is in error
/// after the `if`: one error, not a second "cannot find" at each use.
#[test]
fn a_failed_join_reports_once() {
    // `x` is a random draw, so the condition is decided at run time.
    let program = "x = rand(3)\nif x.sum() > 1 {\n    v = zeros(4)\n} else {\n    v = zeros(3)\n}\nprint(v)\n";
    let d = compile(program, false).err().expect("the sides disagree");
    assert_eq!(d.len(), 1, "{:?}", d.iter().map(|d| d.message.clone()).collect::<Vec<_>>());
    assert_eq!(d[0].code, Code::E0605);
}
