//! A loop region as text: a header with the loop's iterations and carried
//! values, then the body program as [`super::print::program`] prints it (its
//! own nodes, backward graphs, effects and nested regions) and the body value
//! of each output (`outputs: out0 = %5, out1 = %2`), each line behind `  |`,
//! then `end region K`. The body's input 0 is the loop index; a carried
//! pair `outJ -> input(K)` feeds body output `J` to body input `K` (like a block
//! parameter) in the next iteration. A loop with a `break` ends its header with
//! `exit when outJ`: the body output after which the loop stops once it is true.

use std::fmt::Write;

use super::program::{LoopRegion, Program};
use crate::diag::LineIndex;

/// Prints region `k`; `lowered` is the body as lowering built it, for its backward calls.
pub fn region(k: usize, r: &LoopRegion, lines: &LineIndex, lowered: Option<&Program>) -> String {
    let mut out = String::new();
    let (l, c) = lines.line_col(r.span.start);
    let carried = if r.carried.is_empty() {
        "none".to_string()
    } else {
        r.carried.iter().map(|(j, i)| format!("{} -> input({i})", LoopRegion::output_name(*j as usize))).collect::<Vec<_>>().join(", ")
    };
    let exit = r.exit.map(|j| format!(", exit when {}", LoopRegion::output_name(j as usize))).unwrap_or_default();
    let _ = writeln!(out, "\nregion {k}: loop at {l}:{c}, {} iterations from {} by {}, carried {carried}{exit}", r.trip, r.start, r.step);
    let mut body = super::print::program(&r.body, lines, lowered);
    // Which body value each output is, last: `outJ = %N`, by `J`.
    let num = super::print::numbering(&r.body);
    let mut outputs: Vec<(usize, usize)> =
        r.body.exports.iter().filter_map(|(name, n)| Some((LoopRegion::output_index(name)?, *num.get(n)?))).collect();
    outputs.sort();
    if !outputs.is_empty() {
        let list: Vec<String> = outputs.iter().map(|(j, i)| format!("{} = %{i}", LoopRegion::output_name(*j))).collect();
        let _ = write!(body, "\noutputs: {}\n", list.join(", "));
    }
    for line in body.lines() {
        if line.is_empty() {
            out.push_str("  |\n");
        } else {
            let _ = writeln!(out, "  | {line}");
        }
    }
    let _ = writeln!(out, "end region {k}");
    out
}
