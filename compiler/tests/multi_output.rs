//! Ops with several outputs: one gradient per output in the backward block,
//! zeros for an unused output, the E0306 count check, and such an op called
//! inside another op's backward block (its template copied with all outputs).

use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;

fn codes(src: &str) -> Vec<Code> {
    match compile(src, false) {
        Ok(_) => vec![],
        Err(diags) => diags.iter().map(|d| d.code).collect(),
    }
}

const SPLIT: &str =
    "op Split(x) {\n    forward {\n        return x * 2, x * 3\n    }\n    backward(ga, gb) {\n        return ga * 2 + gb * 3\n    }\n}\n";

#[test]
fn each_output_or_only_one_may_be_used() {
    for use_ in ["(a + b).sum()", "a.sum()", "b.sum()"] {
        let src = format!("{SPLIT}x = ones(3, requires_grad=true)\na, b = Split(x)\n{use_}.backward()\nprint(x.grad)\n");
        assert_eq!(codes(&src), vec![], "{use_}");
    }
}

#[test]
fn the_gradient_count_must_match_the_outputs() {
    let one = SPLIT.replace("backward(ga, gb)", "backward(ga)").replace("ga * 2 + gb * 3", "ga * 2");
    assert_eq!(codes(&one), vec![Code::E0306]);
    let three = SPLIT.replace("backward(ga, gb)", "backward(ga, gb, gc)");
    assert_eq!(codes(&three), vec![Code::E0306]);
}

#[test]
fn an_op_with_several_outputs_works_inside_a_backward_block() {
    let outer = "op Outer(x) {\n    forward {\n        save x\n        return x * 5\n    }\n    backward(g) {\n        a, b = Split(g)\n        return a + b\n    }\n}\n";
    let src = format!("{SPLIT}{outer}x = ones(3, requires_grad=true)\ny = Outer(x)\ngx = grad(y.sum(), x, create_graph=true)[0]\nprint(gx)\n");
    assert_eq!(codes(&src), vec![]);
}

#[test]
fn mark_non_differentiable_only_in_a_forward_block() {
    let ok = "op F(x) {\n    forward {\n        m = x * 0\n        mark_non_differentiable(m)\n        return x * 2, m\n    }\n    backward(g, gm) {\n        return g * 2\n    }\n}\nx = ones(2, requires_grad=true)\ny, m = F(x)\n(y + m).sum().backward()\n";
    assert_eq!(codes(ok), vec![]);
    let in_backward = ok.replace("        return g * 2\n", "        mark_non_differentiable(g)\n        return g * 2\n");
    assert_eq!(codes(&in_backward), vec![Code::E0117]);
    assert_eq!(codes("mark_non_differentiable(ones(2))"), vec![Code::E0117]);
}
