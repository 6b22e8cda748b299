//! User definitions: `fn`s and `op`s with forward, `save` and backward blocks.
//!
//! Every definition is elementwise in its parameters, which all take one shape and dtype
//! at a call, so a call is well-typed at any shape and each backward gradient has its
//! parameter's shape. Definitions call only earlier ones, so there is no recursion (E0106),
//! but they are printed in a shuffled order, since any order of definition is allowed.

use crate::expr::{literal, Def};
use crate::rng::Rng;

const UNARY: &[&str] = &["exp", "tanh", "sigmoid", "sin", "cos", "relu", "abs", "sqrt", "log"];
const PARAMS: &[&str] = &["x", "y", "inp", "w", "b"];

/// Names a body expression may use: tensors of the call's shape, and numbers (or, in a
/// backward block, saved numbers that became 0-d tensors) that only meet tensors.
struct Names<'a> {
    tensors: &'a [String],
    numbers: &'a [String],
    defs: &'a [Def],
}

/// An elementwise expression over `names` with the shape of its tensors.
fn body(rng: &mut Rng, n: &Names, depth: usize) -> String {
    if depth == 0 || rng.chance(25) {
        return rng.pick(n.tensors).clone();
    }
    let d = depth - 1;
    let number = |rng: &mut Rng| if !n.numbers.is_empty() && rng.chance(40) { rng.pick(n.numbers).clone() } else { literal(rng).to_string() };
    match rng.below(8) {
        0 | 1 => {
            let f = rng.pick(UNARY);
            let a = body(rng, n, d);
            if rng.chance(30) {
                format!("{a}.{f}()")
            } else {
                format!("{f}({a})")
            }
        }
        2 | 3 => format!("({} {} {})", body(rng, n, d), rng.pick(&["+", "-", "*", "/"]), body(rng, n, d)),
        4 => {
            let (a, c) = (body(rng, n, d), number(rng));
            if rng.chance(50) {
                format!("({a} * {c})")
            } else {
                format!("({c} - {a})")
            }
        }
        5 => format!("(-{} ** 2)", body(rng, n, d)),
        6 => format!("({}({}) * {})", rng.pick(&["sum", "mean"]), body(rng, n, d), body(rng, n, d)),
        _ if !n.defs.is_empty() => {
            let def = rng.pick(n.defs);
            let args: Vec<String> = def.params.iter().map(|_| body(rng, n, d)).collect();
            format!("{}({})", def.name, args.join(", "))
        }
        _ => format!("maximum({}, {})", body(rng, n, d), body(rng, n, d)),
    }
}

/// `expr` combined with every parameter, so that the result depends on each of them.
fn using_all(rng: &mut Rng, expr: String, params: &[String]) -> String {
    params.iter().fold(expr, |acc, p| format!("({acc} {} {p})", rng.pick(&["+", "-", "*"])))
}

fn params(rng: &mut Rng) -> Vec<String> {
    let n = rng.range(1, 3);
    PARAMS[..n].iter().map(|p| p.to_string()).collect()
}

fn gen_fn(rng: &mut Rng, name: String, earlier: &[Def]) -> (String, Def) {
    let ps = params(rng);
    let names = Names { tensors: &ps, numbers: &[], defs: earlier };
    let t = body(rng, &names, 2);
    let mut with_t = ps.clone();
    with_t.push("t".into());
    let names = Names { tensors: &with_t, numbers: &[], defs: earlier };
    let ret = body(rng, &names, 2);
    let ret = using_all(rng, ret, &ps);
    // Sometimes a trailing parameter with a default, which the calls leave out.
    let (extra, ret) = if rng.chance(30) { (", k=1", format!("({ret}) * k")) } else { ("", ret) };
    let text = format!("fn {name}({}{extra}) {{\n    t = {t}\n    return {ret}\n}}\n", ps.join(", "));
    let flows = vec![true; ps.len()];
    (text, Def { name, params: ps, flows })
}

fn gen_op(rng: &mut Rng, name: String, earlier: &[Def]) -> (String, Def) {
    let ps = params(rng);
    let mut fwd = String::new();
    let names = Names { tensors: &ps, numbers: &[], defs: earlier };
    fwd += &format!("        t = {}\n", body(rng, &names, 2));
    let mut tensors = ps.clone();
    tensors.push("t".into());
    let numbers: Vec<String> = if rng.chance(30) { vec!["c".into()] } else { vec![] };
    if !numbers.is_empty() {
        fwd += &format!("        c = {}\n", literal(rng));
    }
    let names = Names { tensors: &tensors, numbers: &numbers, defs: earlier };
    let ret = body(rng, &names, 2);
    let ret = using_all(rng, ret, &ps);
    if rng.chance(15) {
        let text = format!("op {name}({}) {{\n    forward {{\n{fwd}        return {ret}\n    }}\n}}\n", ps.join(", "));
        let flows = vec![true; ps.len()];
        return (text, Def { name, params: ps, flows });
    }
    let saved_tensors: Vec<String> = tensors.iter().filter(|_| rng.chance(50)).cloned().collect();
    let saved_numbers: Vec<String> = numbers.iter().filter(|_| rng.chance(70)).cloned().collect();
    let saved: Vec<String> = saved_tensors.iter().chain(&saved_numbers).cloned().collect();
    if !saved.is_empty() {
        if rng.chance(50) {
            fwd += &format!("        save {}\n", saved.join(", "));
        } else {
            fwd += &saved.iter().map(|s| format!("        save {s}\n")).collect::<String>();
        }
    }
    let (bwd, flows) = backward(rng, &ps, &saved_tensors, &saved_numbers, earlier);
    let text = format!("op {name}({}) {{\n    forward {{\n{fwd}        return {ret}\n    }}\n{bwd}}}\n", ps.join(", "));
    (text, Def { name, params: ps, flows })
}

/// A backward block: an optional local, then one gradient per parameter, some `none`.
fn backward(rng: &mut Rng, ps: &[String], saved: &[String], numbers: &[String], earlier: &[Def]) -> (String, Vec<bool>) {
    let mut tensors = vec!["g".to_string()];
    tensors.extend(saved.iter().cloned());
    let mut block = String::from("    backward(g) {\n");
    if rng.chance(40) {
        let names = Names { tensors: &tensors, numbers, defs: earlier };
        block += &format!("        h = {}\n", body(rng, &names, 2));
        tensors.push("h".into());
    }
    let all_none_allowed = rng.chance(10);
    let mut flows: Vec<bool> = ps.iter().map(|_| rng.chance(80)).collect();
    if !all_none_allowed && !flows.contains(&true) {
        flows[0] = true;
    }
    let names = Names { tensors: &tensors, numbers, defs: earlier };
    // `g * (...)` keeps g's shape, which is the parameter's, whatever the factor's shape.
    let grads: Vec<String> = flows.iter().map(|f| if *f { format!("g * {}", body(rng, &names, 2)) } else { "none".to_string() }).collect();
    block += &format!("        return {}\n    }}\n", grads.join(", "));
    (block, flows)
}

/// Zero to five definitions, each calling only earlier ones, in shuffled text order.
pub fn generate(rng: &mut Rng) -> (String, Vec<Def>) {
    let count = rng.below(6);
    let mut defs: Vec<Def> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    for i in 0..count {
        let (text, def) = if rng.chance(50) { gen_fn(rng, format!("f{i}"), &defs) } else { gen_op(rng, format!("Op{i}"), &defs) };
        texts.push(text);
        defs.push(def);
    }
    for i in (1..texts.len()).rev() {
        let j = rng.below(i + 1);
        texts.swap(i, j);
    }
    (texts.join("\n"), defs)
}
