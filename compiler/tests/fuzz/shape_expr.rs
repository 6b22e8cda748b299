//! Shape ops for the expression generator: each builds an expression of exactly
//! the asked dtype and shape (rank 0 to 2) from operands of other shapes and
//! ranks (up to 4), through `reshape`/`view`, `flatten`, `squeeze`/`unsqueeze`,
//! `permute`, `transpose(d0, d1)`, `mT`, `expand`, `repeat`, `cat`, `stack`,
//! `split`/`chunk`, subscripts and batched `@`/`bmm`, so that random programs
//! over them reach every stage.

use crate::expr::{creation, expr, small_dim, DType, Scope, Val};
use crate::rng::Rng;

/// An operand of `shape`: any expression up to rank 2 (what the other generators
/// build), a creation call above it, which sometimes requires grad.
fn operand(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    if shape.len() <= 2 {
        return expr(rng, sc, dt, shape, d);
    }
    let requires_grad = rng.chance(30);
    creation(rng, dt, shape, requires_grad)
}

/// An expression of `shape` made by a shape op.
pub fn shape_op(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    match rng.below(9) {
        0 => reshaped(rng, sc, dt, shape, d),
        1 => selected(rng, sc, dt, shape, d),
        2 if !shape.is_empty() => sliced(rng, sc, dt, shape, d),
        3 => permuted(rng, sc, dt, shape, d),
        4 => expanded(rng, sc, dt, shape, d),
        5 if !shape.is_empty() => joined(rng, sc, dt, shape, d),
        6 if !shape.is_empty() => piece(rng, sc, dt, shape, d),
        7 if shape.len() == 2 => batched(rng, sc, dt, shape, d),
        _ => squeezed(rng, sc, dt, shape, d),
    }
}

/// `reshape`/`view`/`flatten` of an operand with the same elements in another shape.
fn reshaped(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let n: usize = shape.iter().product();
    let from: Vec<usize> = match rng.below(3) {
        0 => vec![n],
        1 => [1].iter().chain(shape).copied().collect(),
        _ => shape.iter().chain(&[1, 1]).copied().collect(),
    };
    let a = operand(rng, sc, dt, &from, d);
    let mut sizes: Vec<String> = shape.iter().map(|s| s.to_string()).collect();
    if !sizes.is_empty() && rng.chance(40) {
        let i = rng.below(sizes.len());
        sizes[i] = "-1".to_string();
    }
    // A 0-d result is asked for with an empty list, as in PyTorch.
    let sizes = if sizes.is_empty() { vec!["[]".to_string()] } else { sizes };
    let text = match rng.below(4) {
        0 => format!("{}.reshape({})", a.text, sizes.join(", ")),
        1 if !shape.is_empty() => format!("reshape({}, [{}])", a.text, sizes.join(", ")),
        2 if shape.len() == 1 => format!("{}.flatten()", a.text),
        // A fresh creation is contiguous, so `view` of it always exists.
        _ => {
            let fresh = creation(rng, dt, &from, false);
            return Val::from(format!("(({}).view({}) + {}.reshape({}))", fresh.text, sizes.join(", "), a.text, sizes.join(", ")), dt, shape, &[&a]);
        }
    };
    Val::from(text, dt, shape, &[&a])
}

/// `x[i]`, `x[i, ...]` or `x.split(..)[i]`-free selects: one leading dimension removed.
fn selected(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let n = small_dim(rng);
    let from: Vec<usize> = [n].iter().chain(shape).copied().collect();
    let a = operand(rng, sc, dt, &from, d);
    let i = rng.below(2 * n) as i64 - n as i64;
    let text = if rng.chance(50) { format!("{}[{i}]", a.text) } else { format!("{}[{i}, ...]", a.text) };
    Val::from(text, dt, shape, &[&a])
}

/// A strided slice of the first dimension, sometimes with `none` and `...`.
fn sliced(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let (step, lo) = (rng.range(1, 3), rng.below(3));
    let mut from = shape.to_vec();
    from[0] = lo + (shape[0] - 1) * step + 1 + rng.below(2);
    let a = operand(rng, sc, dt, &from, d);
    let hi = lo + (shape[0] - 1) * step + 1;
    let text = match rng.below(3) {
        0 => format!("{}[{lo}:{hi}:{step}]", a.text),
        1 => format!("{}[{lo}:{hi}:{step}, ...]", a.text),
        _ => format!("{}[none, {lo}:{hi}:{step}][0]", a.text),
    };
    Val::from(text, dt, shape, &[&a])
}

/// `permute`, `transpose(d0, d1)` or `mT` of the operand with the inverse order.
fn permuted(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    if shape.len() < 2 {
        return squeezed(rng, sc, dt, shape, d);
    }
    let from = vec![shape[1], shape[0]];
    let a = operand(rng, sc, dt, &from, d);
    let text = match rng.below(3) {
        0 => format!("{}.permute(1, 0)", a.text),
        1 => format!("transpose({}, 0, -1)", a.text),
        _ => format!("{}.mT", a.text),
    };
    Val::from(text, dt, shape, &[&a])
}

/// `expand` or `repeat` of an operand with ones (or fewer dimensions).
fn expanded(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let from: Vec<usize> = shape.iter().map(|&s| if rng.chance(50) { 1 } else { s }).collect();
    let a = operand(rng, sc, dt, &from, d);
    if rng.chance(50) && shape.iter().zip(&from).all(|(s, f)| f == s || *f == 1) {
        let sizes: Vec<String> =
            shape.iter().zip(&from).map(|(s, f)| if s == f && rng.chance(50) { "-1".to_string() } else { s.to_string() }).collect();
        let text = if sizes.is_empty() { format!("{}.expand_as({})", a.text, a.text) } else { format!("{}.expand({})", a.text, sizes.join(", ")) };
        return Val::from(text, dt, shape, &[&a]);
    }
    let counts: Vec<String> = shape.iter().zip(&from).map(|(s, f)| (s / f).to_string()).collect();
    // A 0-d operand has no dimension to repeat: it stands as it is.
    let text = if counts.is_empty() { a.text.clone() } else { format!("{}.repeat({})", a.text, counts.join(", ")) };
    Val::from(text, dt, shape, &[&a])
}

/// `cat` along the first dimension, or `stack` and a select.
fn joined(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    if shape[0] >= 2 && rng.chance(60) {
        let k = rng.range(1, shape[0] - 1);
        let (mut s1, mut s2) = (shape.to_vec(), shape.to_vec());
        s1[0] = k;
        s2[0] = shape[0] - k;
        let (a, b) = (operand(rng, sc, dt, &s1, d), operand(rng, sc, dt, &s2, d));
        return Val::from(format!("cat([{}, {}], 0)", a.text, b.text), dt, shape, &[&a, &b]);
    }
    let (a, b) = (operand(rng, sc, dt, shape, d), operand(rng, sc, dt, shape, d));
    let i = rng.below(2);
    Val::from(format!("stack([{}, {}], -1)[..., {i}]", a.text, b.text), dt, shape, &[&a, &b])
}

/// A piece of `split` or `chunk` along the first dimension.
fn piece(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let mut from = shape.to_vec();
    from[0] = shape[0] * 2;
    let a = operand(rng, sc, dt, &from, d);
    let text = match rng.below(3) {
        0 => format!("{}.split({})[1]", a.text, shape[0]),
        1 => format!("{}.chunk(2, 0)[-1]", a.text),
        _ => format!("split({}, [{}, {}])[0]", a.text, shape[0], shape[0]),
    };
    Val::from(text, dt, shape, &[&a])
}

/// A batched product summed over its batch: `(a @ b).sum(0)` or `bmm`.
fn batched(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let (b, k) = (small_dim(rng), small_dim(rng));
    let a = operand(rng, sc, dt, &[b, shape[0], k], d);
    let (rs, f): (Vec<usize>, &str) = if rng.chance(50) { (vec![k, shape[1]], "@") } else { (vec![b, k, shape[1]], "bmm") };
    let c = operand(rng, sc, dt, &rs, d);
    let text = if f == "bmm" { format!("bmm({}, {}).sum(0)", a.text, c.text) } else { format!("({} @ {}).sum(0)", a.text, c.text) };
    Val::from(text, dt, shape, &[&a, &c])
}

/// `unsqueeze` then `squeeze` (by dimension or all of them when no other is 1).
fn squeezed(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let a = operand(rng, sc, dt, shape, d);
    let at = rng.below(shape.len() + 1);
    let text = if !shape.contains(&1) && rng.chance(50) {
        format!("{}.unsqueeze({at}).squeeze()", a.text)
    } else {
        format!("{}.unsqueeze({at}).squeeze({at})", a.text)
    };
    Val::from(text, dt, shape, &[&a])
}
