//! Reading loop regions: a `region K: loop at L:C, T iterations from S by P,
//! carried ...` header, the body's lines behind `  |` (read by a reader of its
//! own, which reads nested regions the same way), and `end region K`.
//!
//! The body's positions join the enclosing reader's, so that one synthetic
//! source serves the whole program, as one `.act` file does.

use super::positions::Positions;
use super::Reader;
use crate::diag::Diagnostic;
use crate::ir::graph::NodeId;
use crate::ir::program::{Effect, LoopRegion, Program};
use crate::syntax::ast::Span;

/// A region whose lines are being read, or have been.
pub(super) struct RegionText<'a> {
    k: u32,
    pos: usize,
    trip: u64,
    start: i64,
    step: i64,
    carried: Vec<(u32, u32)>,
    exit: Option<u32>,
    reader: Reader<'a>,
}

impl RegionText<'_> {
    /// The region's number.
    pub(super) fn number(&self) -> u32 {
        self.k
    }
}

impl<'a> Reader<'a> {
    /// A line while a region's body is being read: a body line, or its end.
    pub(super) fn region_line(&mut self, line: &'a str) -> Result<(), Diagnostic> {
        let Some(mut r) = self.reading.take() else { return Ok(()) };
        if line == format!("end region {}", r.k) {
            let offset = self.positions.append(std::mem::take(&mut r.reader.positions));
            r.reader.shift(offset);
            self.read_regions.push(*r);
            return Ok(());
        }
        let result = match line.strip_prefix("  |") {
            Some(rest) => r.reader.line(rest.strip_prefix(' ').unwrap_or(rest)),
            None => Err(self.error(line, format!("expected a body line `  | ...` or `end region {}`", r.k))),
        };
        self.reading = Some(r);
        result
    }

    /// `region K: loop at L:C, T iterations from S by P, carried none|outJ -> input(I), ...`,
    /// then `, exit when outJ` for a loop that a `break` may end.
    pub(super) fn region_header(&mut self, line: &'a str) -> Result<(), Diagnostic> {
        let bad = || self.error(line, "expected `region K: loop at LINE:COL, T iterations from START by STEP, carried ...`");
        let rest = &line["region ".len()..];
        let (k, rest) = rest.split_once(": loop at ").ok_or_else(bad)?;
        let k = self.index(k, "region")?;
        let (at, rest) = rest.split_once(", ").ok_or_else(bad)?;
        let (l, c) = self.line_col(at)?;
        let (trip, rest) = rest.split_once(" iterations from ").ok_or_else(bad)?;
        let (start, rest) = rest.split_once(" by ").ok_or_else(bad)?;
        let (step, carried) = rest.split_once(", carried ").ok_or_else(bad)?;
        let (carried, exit) = match carried.split_once(", exit when ") {
            Some((carried, out)) => (carried, Some(self.index(out.strip_prefix("out").ok_or_else(bad)?, "output")?)),
            None => (carried, None),
        };
        let trip = trip.parse().map_err(|_| bad())?;
        let (start, step) = (start.parse().map_err(|_| bad())?, step.parse().map_err(|_| bad())?);
        let mut pairs = Vec::new();
        if carried != "none" {
            for pair in carried.split(", ") {
                let (j, i) = pair.strip_prefix("out").and_then(|p| p.split_once(" -> input(")).ok_or_else(bad)?;
                let i = i.strip_suffix(')').ok_or_else(bad)?;
                pairs.push((self.index(j, "output")?, self.index(i, "input")?));
            }
        }
        let pos = self.positions.add(l, c, None);
        let reader = Reader { text: self.text, ..Reader::default() };
        self.reading = Some(Box::new(RegionText { k, pos, trip, start, step, carried: pairs, exit, reader }));
        Ok(())
    }

    /// `loop K reads A, B writes C, D` (`()` for none).
    pub(super) fn loop_effect(&self, rest: &'a str) -> Result<Effect, Diagnostic> {
        let bad = || self.error(rest, "expected `loop K reads %A, ... writes %B, ...`");
        let (k, rest) = rest.trim().split_once(' ').ok_or_else(bad)?;
        let (inputs, outputs) = self.reads_writes(rest)?;
        Ok(Effect::Loop { region: self.index(k, "region")?, inputs, outputs })
    }

    /// `reads %A, ... writes %B, ...` (`()` for none).
    fn reads_writes(&self, text: &'a str) -> Result<(Vec<NodeId>, Vec<NodeId>), Diagnostic> {
        let bad = || self.error(text, "expected `reads %A, ... writes %B, ...`");
        let rest = text.strip_prefix("reads ").ok_or_else(bad)?;
        let (reads, writes) = rest.split_once(" writes ").ok_or_else(bad)?;
        let list = |s: &'a str| -> Result<Vec<NodeId>, Diagnostic> {
            if s == "()" {
                return Ok(Vec::new());
            }
            s.split(", ").map(|n| self.node_ref(n)).collect()
        };
        Ok((list(reads)?, list(writes)?))
    }

    /// `branch on %C then A else B reads ... writes ...`.
    pub(super) fn branch_effect(&self, rest: &'a str) -> Result<Effect, Diagnostic> {
        let bad = || self.error(rest, "expected `branch on %C then A else B reads %X, ... writes %Y, ...`");
        let rest = rest.trim().strip_prefix("on ").ok_or_else(bad)?;
        let (cond, rest) = rest.split_once(" then ").ok_or_else(bad)?;
        let (then, rest) = rest.split_once(" else ").ok_or_else(bad)?;
        let (otherwise, rest) = rest.split_once(' ').ok_or_else(bad)?;
        let (inputs, outputs) = self.reads_writes(rest)?;
        let (then, otherwise) = (self.index(then, "region")?, self.index(otherwise, "region")?);
        Ok(Effect::Branch { cond: self.node_ref(cond)?, then, otherwise, inputs, outputs })
    }

    /// Moves every position this reader (and the regions it read) recorded by `offset`.
    fn shift(&mut self, offset: usize) {
        self.node_pos.iter_mut().for_each(|p| *p += offset);
        self.backward_headers.values_mut().for_each(|p| *p += offset);
        self.calls.values_mut().for_each(|c| c.pos += offset);
        self.template_headers.values_mut().for_each(|(_, p)| *p += offset);
        for r in &mut self.read_regions {
            r.pos += offset;
            r.reader.shift(offset);
        }
    }

    /// Whether this reader or a region it read listed backward calls.
    pub(super) fn any_calls(&self) -> bool {
        !self.calls.is_empty() || self.read_regions.iter().any(|r| r.reader.any_calls())
    }

    /// Adds the regions read to `prog`, in their numbers' order.
    pub(super) fn add_regions(regions: Vec<RegionText<'a>>, prog: &mut Program, spans: &[Span]) {
        let mut regions = regions;
        regions.sort_by_key(|r| r.k);
        for r in regions {
            let span = spans[r.pos];
            let (body, _) = r.reader.into_program(spans);
            prog.regions.push(LoopRegion { body, trip: r.trip, start: r.start, step: r.step, carried: r.carried, exit: r.exit, span, plan: None });
        }
    }
}

impl Positions {
    /// Appends `other`'s positions; returns the index its first one now has.
    pub(super) fn append(&mut self, other: Positions) -> usize {
        let offset = self.len();
        for (l, c, s) in other.into_entries() {
            self.add(l, c, s);
        }
        offset
    }
}
