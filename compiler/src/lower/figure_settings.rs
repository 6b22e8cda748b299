//! `rc(group, key=value, ...)`: matplotlib's `plt.rc`, for the three `rcParams`
//! the tutorial sets (`figure.figsize`, `figure.dpi`, `axes.unicode_minus`).
//!
//! Every value is checked here, at compile time: a group or key graphc does not
//! draw, a size that is not two positive finite numbers, and a canvas that
//! matplotlib's Agg renderer would refuse (2^16 pixels or more a side) are E0408.
//! matplotlib reads the figure's size and dpi once, when the first figure call
//! creates the figure, so `rc("figure", ...)` after that call is E0409 rather than
//! a setting that would silently do nothing. `axes.unicode_minus` is read when the
//! figure is drawn, so it may come anywhere before `savefig`.

use graphc_runtime::plot;

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::ir::program::FigureEffect;
use crate::syntax::ast::Span;

/// The figure's settings as the program has made them so far.
pub(crate) struct Setup {
    figsize: (f64, f64),
    dpi: f64,
    /// Whether a figure call other than `rc` has run, creating the figure.
    pub(crate) started: bool,
}

impl Default for Setup {
    fn default() -> Setup {
        // matplotlib's defaults, which the runtime's figure starts from too.
        Setup { figsize: (plot::WIDTH_PX as f64 / 100.0, plot::HEIGHT_PX as f64 / 100.0), dpi: 100.0, started: false }
    }
}

/// The settings of each group, for the help of an unknown key.
const KNOWN: &str = "`rc(\"figure\", figsize=(w, h), dpi=d)` and `rc(\"axes\", unicode_minus=b)`";

impl Lowerer<'_> {
    pub(super) fn rc(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let Some((group, gs)) = bound.positional[0].clone() else { return Value::Poison };
        let group = match group {
            Value::Str(g) => g,
            Value::Poison => return Value::Poison,
            other => return self.bad_rc(gs, format!("rc's group must be a string such as \"figure\", not {}", other.describe()), "not a group name"),
        };
        // Keywords in the order of the signature, so that effects and errors are deterministic.
        let given: Vec<(&str, (Value, Span))> =
            ["figsize", "dpi", "unicode_minus"].into_iter().filter_map(|k| bound.keyword(k).map(|v| (k, v))).collect();
        for (key, (_, ks)) in &given {
            let belongs = matches!((group.as_str(), *key), ("figure", "figsize" | "dpi") | ("axes", "unicode_minus"));
            if !belongs {
                return self.bad_rc(*ks, format!("{group}.{key} is not a valid rc parameter that graphc draws"), "unknown setting");
            }
        }
        if given.is_empty() && !matches!(group.as_str(), "figure" | "axes") {
            return self.bad_rc(gs, format!("graphc draws no rc parameters of the group \"{group}\""), "unknown group");
        }
        let mut setup = (self.figure_setup.figsize, self.figure_setup.dpi);
        let mut effects = Vec::new();
        for (key, (value, vs)) in given {
            match key {
                "figsize" => {
                    let Some((w, h)) = self.figsize(value, vs) else { return Value::Poison };
                    setup.0 = (w, h);
                    effects.push(FigureEffect::FigSize(w, h));
                }
                "dpi" => match value {
                    Value::Number(n) if n.f64().is_finite() && n.f64() > 0.0 => {
                        setup.1 = n.f64();
                        effects.push(FigureEffect::Dpi(n.f64()));
                    }
                    Value::Poison => return Value::Poison,
                    other => return self.bad_rc(vs, format!("figure.dpi must be a positive number, not {}", describe(&other)), "not a dpi"),
                },
                _ => match value {
                    Value::Bool(on) => effects.push(FigureEffect::UnicodeMinus(on)),
                    Value::Poison => return Value::Poison,
                    other => {
                        return self.bad_rc(vs, format!("axes.unicode_minus must be `true` or `false`, not {}", other.describe()), "not a boolean")
                    }
                },
            }
        }
        if group == "figure" && !effects.is_empty() {
            if self.figure_setup.started {
                self.error(
                    Diagnostic::new(
                        Code::E0409,
                        "this figure setting comes after the figure was started, so it would change nothing",
                        span,
                        "too late",
                    )
                    .with_help(
                        "matplotlib reads figure.figsize and figure.dpi when the first figure call creates the figure: move this `rc` before it",
                    ),
                );
                return Value::Poison;
            }
            if plot::canvas_size(setup.0, setup.1).is_none() {
                let (w, h) = (setup.0 .0 * setup.1, setup.0 .1 * setup.1);
                return self.bad_rc(
                    span,
                    format!(
                        "a figure of {w} x {h} pixels cannot be drawn: each side must be at least 1 and less than 2^{} pixels",
                        plot::MAX_SIDE_PX.trailing_zeros()
                    ),
                    "canvas too large or too small",
                );
            }
            (self.figure_setup.figsize, self.figure_setup.dpi) = setup;
        }
        for fx in effects {
            self.figure(fx);
        }
        Value::None
    }

    /// `figsize=(w, h)`: two positive finite numbers, as a tuple or a list.
    fn figsize(&mut self, value: Value, vs: Span) -> Option<(f64, f64)> {
        let items = match &value {
            Value::Tuple(items) | Value::List(items) => items.clone(),
            Value::Poison => return None,
            _ => Vec::new(),
        };
        let numbers: Vec<f64> = items
            .iter()
            .filter_map(|(v, _)| match v {
                Value::Number(n) if n.f64().is_finite() && n.f64() > 0.0 => Some(n.f64()),
                _ => None,
            })
            .collect();
        if items.len() == 2 && numbers.len() == 2 {
            return Some((numbers[0], numbers[1]));
        }
        self.bad_rc(vs, format!("figure.figsize must be two positive numbers (width, height) in inches, not {}", describe(&value)), "not a size");
        None
    }

    fn bad_rc(&mut self, span: Span, message: String, label: &str) -> Value {
        self.error(Diagnostic::new(Code::E0408, message, span, label).with_help(format!("graphc draws with {KNOWN}")))
    }
}

/// A value for a message: numbers are shown, since a number can be the wrong one.
fn describe(v: &Value) -> String {
    match v {
        Value::Number(n) => format!("{}", n.f64()),
        other => other.describe().to_string(),
    }
}
