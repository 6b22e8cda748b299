//! The synthetic source behind a read-back program's spans.
//!
//! The IR text shows a source position as `line:col` (and a backward call's
//! header also shows the source text it covers), never as the byte offsets that
//! spans hold. The reader therefore writes a source of its own: blank lines of
//! spaces, long enough for every column the text mentions, with each shown snippet
//! written at its position. Spans point into that source, so that the printer,
//! given a [`crate::diag::LineIndex`] over it, shows the same positions and
//! snippets again.

use crate::syntax::ast::Span;

/// Every position the text mentions, in the order met; a span's index into the
/// list stands for it until [`Positions::build`] turns the list into a source.
#[derive(Default)]
pub(super) struct Positions {
    /// 1-based line and column (in characters), and the snippet shown there, if any.
    at: Vec<(usize, usize, Option<String>)>,
}

impl Positions {
    /// Records a position and returns its index.
    pub(super) fn add(&mut self, line: usize, col: usize, snippet: Option<String>) -> usize {
        self.at.push((line.max(1), col.max(1), snippet));
        self.at.len() - 1
    }

    /// How many positions have been recorded.
    pub(super) fn len(&self) -> usize {
        self.at.len()
    }

    /// The recorded positions, in order.
    pub(super) fn into_entries(self) -> Vec<(usize, usize, Option<String>)> {
        self.at
    }

    /// About how many characters [`Positions::build`] would write: the widest
    /// position of each line that has one, plus one per line.
    pub(super) fn source_len(&self) -> usize {
        let mut widths: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
        for (l, c, s) in &self.at {
            let w = widths.entry(*l).or_default();
            *w = (*w).max(c + s.as_ref().map_or(0, |s| s.len()));
        }
        widths.values().sum::<usize>() + self.at.iter().map(|p| p.0).max().unwrap_or(0)
    }

    /// The synthetic source and, for each recorded position, its span in it: empty
    /// for a bare position, covering the snippet where one was shown.
    pub(super) fn build(&self) -> (String, Vec<Span>) {
        let last_line = self.at.iter().map(|(l, _, _)| *l).max().unwrap_or(1);
        let mut lines: Vec<Vec<char>> = vec![Vec::new(); last_line];
        // A column `c` needs `c - 1` characters before it on its line.
        for (l, c, s) in &self.at {
            let width = c - 1 + s.as_ref().map_or(0, |s| s.chars().count());
            let line = &mut lines[l - 1];
            if line.len() < width {
                line.resize(width, ' ');
            }
        }
        // Shortened snippets (ending in `...`) go first, so that where two
        // overlap the one that shows the real text wins.
        let mut snippets: Vec<&(usize, usize, Option<String>)> = self.at.iter().filter(|p| p.2.is_some()).collect();
        snippets.sort_by_key(|p| !p.2.as_ref().is_some_and(|s| s.ends_with("...")));
        for (l, c, s) in snippets {
            for (i, ch) in s.iter().flat_map(|s| s.chars()).enumerate() {
                lines[l - 1][c - 1 + i] = ch;
            }
        }
        let mut source = String::new();
        let mut line_starts = Vec::with_capacity(lines.len());
        for line in &lines {
            line_starts.push(source.len());
            source.extend(line.iter());
            source.push('\n');
        }
        // The byte offset of a column: its line's start plus the bytes of the characters before it.
        let offset = |l: usize, c: usize| line_starts[l - 1] + lines[l - 1][..c - 1].iter().map(|ch| ch.len_utf8()).sum::<usize>();
        let spans = self
            .at
            .iter()
            .map(|(l, c, s)| {
                let start = offset(*l, *c);
                let len = s.as_ref().map_or(0, |s| s.chars().count());
                Span::new(start, offset(*l, c + len))
            })
            .collect();
        (source, spans)
    }
}
