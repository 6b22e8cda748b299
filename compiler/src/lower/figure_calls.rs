//! Lowering of the figure calls that take data or numbers: the series of `plot`,
//! `scatter` and `semilogy` (with `label=` and `alpha=`), the axis limits of
//! `xlim` and `ylim`, and `yscale("log")`.

use graphc_runtime::op::Op;
use graphc_runtime::DType;

use super::{Lowerer, Value};
use crate::check::builtins::{Bound, FigureCall};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::program::FigureEffect;
use crate::syntax::ast::Span;

/// A series: its x and y nodes, label and opacity.
type Series = (NodeId, NodeId, Option<String>, f64);

impl Lowerer<'_> {
    pub(super) fn figure_call(&mut self, fc: FigureCall, bound: &mut Bound<Value>, span: Span) -> Value {
        match fc {
            FigureCall::ScatterPlot => match self.series(bound, "scatter", span) {
                Some((x, y, label, alpha)) => self.figure(FigureEffect::Scatter { x, y, label, alpha }),
                None => Value::Poison,
            },
            // matplotlib's `semilogy` sets the y scale, then plots.
            FigureCall::SemiLogY => match self.series(bound, "semilogy", span) {
                Some((x, y, label, alpha)) => {
                    self.figure(FigureEffect::LogY);
                    self.figure(FigureEffect::Plot { x, y, label, alpha })
                }
                None => Value::Poison,
            },
            FigureCall::YScale => match bound.positional[0].clone() {
                Some((Value::Str(scale), _)) if scale == "log" => self.figure(FigureEffect::LogY),
                Some((Value::Poison, _)) => Value::Poison,
                Some((other, s)) => {
                    let what = match &other {
                        Value::Str(scale) => format!("the scale \"{scale}\""),
                        v => v.describe().to_string(),
                    };
                    self.error(
                        Diagnostic::new(Code::E0107, format!("`yscale` takes \"log\" here, not {what}"), s, "not supported")
                            .with_help("graphc's figures have a linear y axis unless `yscale(\"log\")` or `semilogy` makes it logarithmic"),
                    )
                }
                None => Value::Poison,
            },
            FigureCall::Rc => self.rc(bound, span),
            FigureCall::New => self.figure(FigureEffect::New),
            FigureCall::XLim | FigureCall::YLim => {
                let name = if fc == FigureCall::XLim { "xlim" } else { "ylim" };
                let Some((a, b)) = self.limits(bound, name, span) else { return Value::Poison };
                self.figure(if fc == FigureCall::XLim { FigureEffect::XLim(a, b) } else { FigureEffect::YLim(a, b) })
            }
        }
    }

    /// The data of `plot`, `scatter` or `semilogy`: `(x, y)` as two 1-D tensors of
    /// one length, or `(y)` alone against `0, 1, ..., n-1`; then `label=` and `alpha=`.
    pub(super) fn series(&mut self, bound: &mut Bound<Value>, what: &str, span: Span) -> Option<Series> {
        let mut given = (bound.positional[0].clone(), bound.positional.get(1).cloned().flatten());
        // matplotlib reads a list of numbers (`plot(losses)`) as an array of floats.
        for slot in [&mut given.0, &mut given.1] {
            if let Some((v @ (Value::List(_) | Value::Tuple(_)), s)) = slot {
                let t = self.list_as_tensor(v, *s, DType::F64)?;
                *slot = Some((Value::Tensor(t), *s));
            }
        }
        let (x, y) = match given {
            (Some((a, sa)), Some((b, sb))) => {
                let (x, y) = (self.expect_tensor(a, sa, &format!("{what}'s x")), self.expect_tensor(b, sb, &format!("{what}'s y")));
                let (mut x, mut y) = (x?, y?);
                let (shx, shy) = (self.shape_of(x), self.shape_of(y));
                // matplotlib's scatter ravels x and y, of any shapes of one size;
                // its plot draws a column vector (`X[:10]` of shape [n, 1]) as one line.
                let numel = |sh: &[usize]| sh.iter().product::<usize>();
                let column = |sh: &[usize]| sh.len() == 1 || (sh.len() == 2 && sh[1] == 1);
                let flat = if what == "scatter" { numel(&shx) == numel(&shy) } else { column(&shx) && column(&shy) && shx[0] == shy[0] };
                if flat && (shx.len() != 1 || shy.len() != 1) {
                    x = self.node(Op::Reshape, self.dtype_of(x), vec![numel(&shx)], &[x], sa);
                    y = self.node(Op::Reshape, self.dtype_of(y), vec![numel(&shy)], &[y], sb);
                }
                if !flat {
                    self.error(
                        Diagnostic::new(
                            Code::E0202,
                            if what == "scatter" {
                                format!("scatter needs x and y of one size, got shapes {} and {}", shapes::show(&shx), shapes::show(&shy))
                            } else {
                                format!(
                                    "{what} needs x and y as 1-D tensors (or columns) of one length, got {} and {}",
                                    shapes::show(&shx),
                                    shapes::show(&shy)
                                )
                            },
                            sa,
                            format!("shape {}", shapes::show(&shx)),
                        )
                        .with_secondary(sb, format!("shape {}", shapes::show(&shy)))
                        .with_help(format!("{what} one 1-D tensor against another of the same length")),
                    );
                    return None;
                }
                (x, y)
            }
            // `plot(t)` and `plot(y=t)` alike plot one tensor.
            (Some((a, sa)), None) | (None, Some((a, sa))) => {
                let y = self.expect_tensor(a, sa, &format!("{what}'s y"))?;
                let shy = self.shape_of(y);
                if shy.len() != 1 {
                    self.error(
                        Diagnostic::new(Code::E0202, format!("{what}(y) needs a 1-D tensor, got shape {}", shapes::show(&shy)), sa, "not 1-D")
                            .with_help(format!("flatten it first: `{what}(y.flatten())`, or pass x as well")),
                    );
                    return None;
                }
                // matplotlib plots y against its indices, 0 to n-1.
                let x = self.node(
                    Op::Arange { start: graphc_runtime::op::Scalar::Int(0), step: graphc_runtime::op::Scalar::Int(1) },
                    DType::I64,
                    shy,
                    &[],
                    span,
                );
                (x, y)
            }
            (None, None) => {
                self.error(
                    Diagnostic::new(Code::E0202, format!("{what} needs data to draw"), span, "no data")
                        .with_help(format!("write `{what}(y)` or `{what}(x, y)`")),
                );
                return None;
            }
        };
        let label = match bound.keyword("label") {
            None => None,
            Some((Value::Str(s), _)) => Some(s),
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`label` must be a string, not {}", other.describe()), s, "not a string")
                        .with_help("write `label=\"...\"`"),
                );
                return None;
            }
        };
        let alpha = match bound.keyword("alpha") {
            None => 1.0,
            Some((Value::Number(n), _)) if (0.0..=1.0).contains(&n.f64()) => n.f64(),
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`alpha` must be a number from 0 to 1, not {}", other.describe()), s, "not an opacity")
                        .with_help("write `alpha=0.5`"),
                );
                return None;
            }
        };
        Some((x, y, label, alpha))
    }

    /// `xlim(a, b)` / `ylim(a, b)`: two finite numbers known at compile time (E0406)
    /// that differ (E0407). `a > b` is allowed: it inverts the axis, as in matplotlib.
    fn limits(&mut self, bound: &Bound<Value>, name: &str, span: Span) -> Option<(f64, f64)> {
        let mut out = [0.0; 2];
        for (slot, arg) in out.iter_mut().zip(&bound.positional) {
            let (v, vs) = arg.clone()?;
            match v {
                Value::Number(n) if n.f64().is_finite() => *slot = n.f64(),
                Value::Poison => return None,
                other => {
                    let what = match other {
                        Value::Number(_) => "a number that is not finite".to_string(),
                        _ => other.describe().to_string(),
                    };
                    self.error(
                        Diagnostic::new(
                            Code::E0406,
                            format!("`{name}` takes two finite numbers known at compile time, not {what}"),
                            vs,
                            "not a finite number",
                        )
                        .with_help(format!(
                            "write the limits as numbers in the program, e.g. `{name}(0, 10)`: a figure's limits are fixed when it is compiled"
                        )),
                    );
                    return None;
                }
            }
        }
        if out[0] == out[1] {
            self.error(
                Diagnostic::new(Code::E0407, format!("`{name}({}, {})` gives the axis no length", out[0], out[1]), span, "equal limits")
                    .with_help("give two different limits; leave the call out to let the axis fit the data"),
            );
            return None;
        }
        Some((out[0], out[1]))
    }
}
