//! How the programs `graphc gradcheck` generates call an op: its arguments
//! (constants left to their defaults) and its outputs. An op may return
//! several tensors (`return y, a, b`), and the check weighs each of them, as
//! PyTorch's gradcheck builds the Jacobian of every output: the programs bind
//! the outputs to names and sum their weighted sums; an op with one output
//! keeps the single expression it always had.

use graphc_compiler::syntax::ast::{Expr, ExprKind, OpDef, StmtKind};

/// How many tensors `op` returns: one per gradient its backward block takes,
/// or the count of its forward block's last `return`.
pub(super) fn count(op: &OpDef) -> usize {
    match &op.backward {
        Some(b) => 1 + b.extra_grads.len(),
        None => op.forward.stmts.iter().rev().find_map(|s| if let StmtKind::Return(e) = &s.kind { Some(e.len()) } else { None }).unwrap_or(1).max(1),
    }
}

/// The statements that bind the `k` outputs of `call` (a call expression) to
/// names starting with `prefix`, and the names; with one output, no statement
/// and the call itself.
pub(super) fn bind(call: &str, k: usize, prefix: &str) -> (String, Vec<String>) {
    if k == 1 {
        return (String::new(), vec![call.to_string()]);
    }
    let names: Vec<String> = (0..k).map(|i| format!("{prefix}{i}")).collect();
    (format!("{} = {call}\n", names.join(", ")), names)
}

/// The names of the weights of `k` outputs: `w` for one, `w0, w1, ...` for several.
pub(super) fn weight_names(k: usize) -> Vec<String> {
    if k == 1 {
        vec!["w".to_string()]
    } else {
        (0..k).map(|i| format!("w{i}")).collect()
    }
}

/// Statements printing each of the `k` outputs of `call`.
pub(super) fn print_all(call: &str, k: usize, prefix: &str) -> String {
    let (pre, names) = bind(call, k, prefix);
    pre + &names.iter().map(|n| format!("print({n})\n")).collect::<String>()
}

/// The statements and the expression of the weighted objective
/// `sum(out0 * w0) + sum(out1 * w1) + ...` of the outputs of `call`.
pub(super) fn objective(call: &str, k: usize) -> (String, String) {
    let (pre, names) = bind(call, k, "gc_out");
    let terms: Vec<String> = names.iter().zip(weight_names(k)).map(|(n, w)| format!("sum({n} * {w})")).collect();
    (pre, terms.join(" + "))
}

/// The backward block's `return` expressions, one per parameter.
pub(super) fn returned(op: &OpDef) -> Option<&[Expr]> {
    let b = op.backward.as_ref()?;
    b.body.stmts.iter().rev().find_map(|s| if let StmtKind::Return(e) = &s.kind { Some(e.as_slice()) } else { None })
}

/// The statements and the expression of the weighted scalar `sum(op(args) * w)`
/// (summed over the outputs of an op with several).
pub(super) fn call(op: &OpDef, args: &[String]) -> (String, String) {
    objective(&format!("{}({})", op.name.name, arg_list(op, args)), count(op))
}

/// The arguments of a call of `op`: a parameter the backward treats as a
/// constant (its gradient is `none`) and that has a default is left to its
/// default, since it is usually a host number (`eps=1e-5`) that a tensor would
/// not replace; the parameters after it are passed by keyword.
pub(super) fn arg_list(op: &OpDef, args: &[String]) -> String {
    let constant = returned(op).map(|exprs| exprs.iter().map(|e| matches!(e.kind, ExprKind::None)).collect::<Vec<_>>()).unwrap_or_default();
    let mut out = Vec::with_capacity(args.len());
    let mut by_keyword = false;
    for (i, a) in args.iter().enumerate() {
        let omitted = constant.get(i).copied().unwrap_or(false) && op.defaults.get(i).is_some_and(Option::is_some);
        if omitted {
            by_keyword = true;
        } else if by_keyword {
            out.push(format!("{}={a}", op.params[i].name));
        } else {
            out.push(a.clone());
        }
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One output keeps the plain call; several are bound and summed.
    #[test]
    fn programs_for_one_and_for_several_outputs() {
        assert_eq!(objective("F(x0)", 1), (String::new(), "sum(F(x0) * w)".to_string()));
        let (pre, expr) = objective("F(x0)", 2);
        assert_eq!(pre, "gc_out0, gc_out1 = F(x0)\n");
        assert_eq!(expr, "sum(gc_out0 * w0) + sum(gc_out1 * w1)");
        assert_eq!(print_all("F(x0)", 2, "p"), "p0, p1 = F(x0)\nprint(p0)\nprint(p1)\n");
    }
}
