//! Source positions, at the bottom of the layers: the syntax tree, the
//! diagnostics and the IR all point into the source with a [`Span`], so it
//! depends on nothing.

/// A half-open byte range `[start, end)` in the source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}
