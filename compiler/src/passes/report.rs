//! The passes' own printer: what each pass of the pipeline changed, as the head
//! of `graphc ir --stage opt` shows it.

use std::fmt::Write;

use super::PassReport;
use crate::diag::LineIndex;

/// One line per pass (its change count and the node counts around it), then its
/// changes at their source positions; identical rewrites on one line are counted,
/// not repeated.
pub fn print(reports: &[PassReport], lines: &LineIndex) -> String {
    let mut out = String::new();
    for r in reports {
        let _ = writeln!(
            out,
            "pass {}: {} change{}, {} -> {} nodes",
            r.name,
            r.changes.len(),
            if r.changes.len() == 1 { "" } else { "s" },
            r.nodes_before,
            r.nodes_after
        );
        let mut grouped: Vec<(String, usize)> = Vec::new();
        for ch in &r.changes {
            let (l, col) = lines.line_col(ch.span.start);
            let text = format!("{}:{}: {}", l, col, ch.what);
            match grouped.iter_mut().find(|(t, _)| *t == text) {
                Some((_, n)) => *n += 1,
                None => grouped.push((text, 1)),
            }
        }
        for (text, n) in grouped {
            if n == 1 {
                let _ = writeln!(out, "  {text}");
            } else {
                let _ = writeln!(out, "  {text} (x{n})");
            }
        }
    }
    out
}
