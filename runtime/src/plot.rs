//! Figures with matplotlib's vocabulary, rendered by plotters to PNG or SVG.
//! (Interface fixed; implementation in progress.)

use std::path::Path;

/// Why a figure could not be written.
#[derive(Debug)]
pub struct PlotError {
    pub message: String,
}

impl std::fmt::Display for PlotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The current figure: 7 x 3.5 inches at 150 dpi, as the tutorial sets it.
#[derive(Default)]
pub struct Figure {}

impl Figure {
    pub fn new() -> Figure {
        Figure::default()
    }
    pub fn plot(&mut self, x: &[f64], y: &[f64], label: Option<&str>, alpha: f64) {
        let _ = (x, y, label, alpha);
    }
    pub fn grid(&mut self) {}
    pub fn legend(&mut self) {}
    pub fn xlabel(&mut self, s: &str) {
        let _ = s;
    }
    pub fn ylabel(&mut self, s: &str) {
        let _ = s;
    }
    pub fn title(&mut self, s: &str) {
        let _ = s;
    }
    /// Writes the figure to `path` (`.png` or `.svg`), atomically: a failure leaves no file.
    pub fn savefig(&self, path: &Path) -> Result<(), PlotError> {
        let _ = path;
        todo!()
    }
}
