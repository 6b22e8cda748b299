//! Reading the `effects:` section: one effect a line, as the printer writes them.

use graphc_runtime::plan::TensorSuffix;

use super::Reader;
use crate::diag::Diagnostic;
use crate::ir::program::{Effect, FigureEffect, PrintArg};

impl<'a> Reader<'a> {
    /// One line of the `effects:` section (without its indentation).
    pub(super) fn effect_line(&mut self, line: &'a str) -> Result<(), Diagnostic> {
        let (word, rest) = match line.find([' ', '(']) {
            Some(i) => (&line[..i], &line[i..]),
            None => (line, ""),
        };
        let effect = match word {
            "manual_seed" => {
                let seed = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')).and_then(|s| s.parse().ok());
                Effect::Seed(seed.ok_or_else(|| self.error(line, "expected `manual_seed(N)`"))?)
            }
            "sample" => Effect::Sample(self.node_ref(rest.trim())?),
            "loop" => self.loop_effect(rest)?,
            "branch" => self.branch_effect(rest)?,
            "print" => Effect::Print(self.print_args(rest.trim_start())?),
            "write" => Effect::Write(self.print_args(rest.trim_start())?),
            // As `save`, the statement is not tied to a source position in the text.
            head if head == "assert" || head.starts_with("assert[") && head.ends_with(']') => {
                let exception = head.strip_prefix("assert[").and_then(|h| h.strip_suffix(']')).unwrap_or("AssertionError").to_string();
                let rest = rest.trim_start();
                let (cond, message) = match rest.split_once(", ") {
                    Some((cond, message)) => (cond, self.print_args(message)?),
                    None => (rest, Vec::new()),
                };
                Effect::Assert { cond: self.node_ref(cond)?, message, exception, span: Default::default() }
            }
            "plot" => self.plot(rest.trim_start())?,
            "scatter" => match self.plot(rest.trim_start())? {
                Effect::Figure(FigureEffect::Plot { x, y, label, alpha }) => Effect::Figure(FigureEffect::Scatter { x, y, label, alpha }),
                other => other,
            },
            "yscale" if rest == " log" => Effect::Figure(FigureEffect::LogY),
            "xlim" => {
                let (a, b) = self.limits(rest.trim_start())?;
                Effect::Figure(FigureEffect::XLim(a, b))
            }
            "ylim" => {
                let (a, b) = self.limits(rest.trim_start())?;
                Effect::Figure(FigureEffect::YLim(a, b))
            }
            "grid" if rest.is_empty() => Effect::Figure(FigureEffect::Grid),
            "figure" if rest.is_empty() => Effect::Figure(FigureEffect::New),
            "legend" if rest.is_empty() => Effect::Figure(FigureEffect::Legend),
            "xlabel" => Effect::Figure(FigureEffect::XLabel(self.whole_string(rest.trim_start())?)),
            "ylabel" => Effect::Figure(FigureEffect::YLabel(self.whole_string(rest.trim_start())?)),
            "title" => Effect::Figure(FigureEffect::Title(self.whole_string(rest.trim_start())?)),
            "rc" => Effect::Figure(self.rc(rest.trim_start())?),
            // The figure's path is not tied to a source position in the text.
            "savefig" => Effect::Figure(FigureEffect::SaveFig { path: self.whole_string(rest.trim_start())?, span: Default::default() }),
            // As `savefig`, the path is not tied to a source position in the text.
            "save" => {
                let (node, path) = rest.trim_start().split_once(", ").ok_or_else(|| self.error(line, "expected `save %N, \"PATH\"`"))?;
                Effect::Save { node: self.node_ref(node)?, path: self.whole_string(path)?, span: Default::default() }
            }
            _ => return Err(self.error(line, format!("unknown effect `{word}`"))),
        };
        self.prog.effects.push(effect);
        Ok(())
    }

    /// `print`'s arguments: string literals, `None`, values with an optional
    /// `<grad_fn>`, `format(%N, "spec")`, `f(...)` and `choose(%C, A, B)`.
    fn print_args(&self, mut rest: &'a str) -> Result<Vec<PrintArg>, Diagnostic> {
        let mut args = Vec::new();
        while !rest.is_empty() {
            let (arg, after) = self.print_arg(rest)?;
            args.push(arg);
            rest = match after.strip_prefix(", ") {
                Some(r) if !r.is_empty() => r,
                _ if after.is_empty() => after,
                _ => return Err(self.error(after, "expected `, ` between print arguments")),
            };
        }
        Ok(args)
    }

    /// One `print` argument at the start of `rest`, and the text after it.
    fn print_arg(&self, rest: &'a str) -> Result<(PrintArg, &'a str), Diagnostic> {
        Ok(if let Some(r) = rest.strip_prefix("format(") {
            let (node, r) = r.split_once(", ").ok_or_else(|| self.error(r, "expected `format(%N, \"spec\")`"))?;
            let (spec, r) = self.string(r)?;
            let after = r.strip_prefix(')').ok_or_else(|| self.error(r, "expected `)` after the format spec"))?;
            (PrintArg::Scalar { node: self.node_ref(node)?, spec }, after)
        } else if let Some(r) = rest.strip_prefix("choose(") {
            let (cond, r) = r.split_once(", ").ok_or_else(|| self.error(r, "expected `choose(%C, A, B)`"))?;
            let cond = self.node_ref(cond)?;
            let (then, r) = self.print_arg(r)?;
            let r = r.strip_prefix(", ").ok_or_else(|| self.error(r, "expected `, ` between the sides of `choose`"))?;
            let (otherwise, r) = self.print_arg(r)?;
            let after = r.strip_prefix(')').ok_or_else(|| self.error(r, "expected `)` after the sides of `choose`"))?;
            (PrintArg::Choice { cond, then: Box::new(then), otherwise: Box::new(otherwise) }, after)
        } else if let Some(after) = rest.strip_prefix("f()") {
            (PrintArg::Concat(Vec::new()), after)
        } else if let Some(mut r) = rest.strip_prefix("f(") {
            let mut items = Vec::new();
            loop {
                let (item, after) = self.print_arg(r)?;
                items.push(item);
                if let Some(after) = after.strip_prefix(')') {
                    break (PrintArg::Concat(items), after);
                }
                r = after.strip_prefix(", ").ok_or_else(|| self.error(after, "expected `, ` or `)` in `f(...)`"))?;
            }
        } else if rest.starts_with('"') {
            let (s, after) = self.string(rest)?;
            (PrintArg::Text(s), after)
        } else if let Some(after) = rest.strip_prefix("None") {
            (PrintArg::None, after)
        } else {
            // A node reference ends at a space, a comma or the `)` of an `f(...)`.
            let end = rest.find([' ', ',', ')']).unwrap_or(rest.len());
            let node = self.node_ref(&rest[..end])?;
            let mut after = &rest[end..];
            let mut grad_fn = None;
            if let Some(r) = after.strip_prefix(" <") {
                let close = r.find('>').ok_or_else(|| self.error(after, "expected `>` after the grad_fn name"))?;
                grad_fn = Some(r[..close].to_string());
                after = &r[close + 1..];
            }
            // The text shows only the grad_fn; PyTorch prints `requires_grad=True`
            // for a tensor without one exactly when it is a leaf that requires grad.
            let requires_grad = grad_fn.is_some() || self.prog.graph.meta(node).requires_grad;
            (PrintArg::Tensor { node, suffix: TensorSuffix { grad_fn, requires_grad } }, after)
        })
    }

    /// `plot %x, %y label="..." alpha=A`; an empty label reads as no label (both print alike).
    fn plot(&self, rest: &'a str) -> Result<Effect, Diagnostic> {
        let bad = || self.error(rest, "expected `plot %X, %Y label=\"...\" alpha=A`");
        let (x, rest) = rest.split_once(", ").ok_or_else(bad)?;
        let (y, rest) = rest.split_once(" label=").ok_or_else(bad)?;
        let (label, rest) = self.string(rest)?;
        let alpha = rest.strip_prefix(" alpha=").and_then(|a| a.parse::<f64>().ok()).ok_or_else(bad)?;
        let label = (!label.is_empty()).then_some(label);
        Ok(Effect::Figure(FigureEffect::Plot { x: self.node_ref(x)?, y: self.node_ref(y)?, label, alpha }))
    }

    /// `A, B`: two axis limits, as the printer writes them (Rust's round-trip floats).
    fn limits(&self, rest: &'a str) -> Result<(f64, f64), Diagnostic> {
        let bad = || self.error(rest, "expected two numbers `A, B`");
        let (a, b) = rest.split_once(", ").ok_or_else(bad)?;
        Ok((a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?))
    }

    /// The rcParam an `rc` line sets: `figure.figsize W, H`, `figure.dpi D` or
    /// `axes.unicode_minus true|false`.
    fn rc(&self, rest: &'a str) -> Result<FigureEffect, Diagnostic> {
        let bad = || self.error(rest, "expected `figure.figsize W, H`, `figure.dpi D` or `axes.unicode_minus true|false`");
        let (param, value) = rest.split_once(' ').ok_or_else(bad)?;
        match param {
            "figure.figsize" => {
                let (w, h) = self.limits(value)?;
                Ok(FigureEffect::FigSize(w, h))
            }
            "figure.dpi" => Ok(FigureEffect::Dpi(value.parse().map_err(|_| bad())?)),
            "axes.unicode_minus" => Ok(FigureEffect::UnicodeMinus(value.parse().map_err(|_| bad())?)),
            _ => Err(bad()),
        }
    }

    /// A string literal that makes up all of `text`.
    fn whole_string(&self, text: &'a str) -> Result<String, Diagnostic> {
        let (s, rest) = self.string(text)?;
        if !rest.is_empty() {
            return Err(self.error(rest, "unexpected text after the string"));
        }
        Ok(s)
    }

    /// A string literal as Rust's `{:?}` writes it, at the start of `text`; returns
    /// its value and the text after it.
    pub(super) fn string(&self, text: &'a str) -> Result<(String, &'a str), Diagnostic> {
        let body = text.strip_prefix('"').ok_or_else(|| self.error(text, "expected a string in double quotes"))?;
        let mut out = String::new();
        let mut chars = body.char_indices();
        while let Some((i, ch)) = chars.next() {
            match ch {
                '"' => return Ok((out, &body[i + 1..])),
                '\\' => {
                    let escaped = match chars.next().map(|(_, e)| e) {
                        Some('n') => '\n',
                        Some('t') => '\t',
                        Some('r') => '\r',
                        Some('0') => '\0',
                        Some(e @ ('\\' | '"' | '\'')) => e,
                        Some('u') => {
                            let rest = &body[i + 2..];
                            let code = rest.strip_prefix('{').and_then(|r| r.split_once('}')).map(|(hex, _)| hex);
                            let ch = code.and_then(|hex| u32::from_str_radix(hex, 16).ok()).and_then(char::from_u32);
                            let (Some(hex), Some(ch)) = (code, ch) else {
                                return Err(self.error(&body[i..], "bad `\\u{...}` escape"));
                            };
                            // Skip the braces and the digits.
                            for _ in 0..hex.len() + 2 {
                                chars.next();
                            }
                            ch
                        }
                        _ => return Err(self.error(&body[i..], "unknown escape in string")),
                    };
                    out.push(escaped);
                }
                ch => out.push(ch),
            }
        }
        Err(self.error(text, "string without its closing quote"))
    }
}
