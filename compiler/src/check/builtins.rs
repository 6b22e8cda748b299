//! The builtin functions of `.act` (docs/act-language.md, section 5): their names, parameters and
//! keyword arguments, and the binding of a call's arguments to them.
//!
//! Binding is generic over the argument value type, so this file holds only the
//! call-shape rules; what each builtin computes lives in lowering.

use std::collections::HashMap;

use graphc_runtime::op::Unary;

use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Ident, Span};

/// Every builtin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Randn,
    Rand,
    Zeros,
    Ones,
    Full,
    Arange,
    Linspace,
    Tensor,
    OnesLike,
    ZerosLike,
    ManualSeed,
    /// An elementwise op of one tensor, from the runtime's op table.
    Unary(Unary),
    Pow,
    Maximum,
    Minimum,
    Sum,
    Mean,
    MatMul,
    Transpose,
    /// `mm(a, b)`: the product of two matrices (PyTorch's `torch.mm`).
    Mm,
    /// `t(x)`, `x.t()`: the transpose of a matrix (PyTorch's `Tensor.t`).
    T,
    Backward,
    Grad,
    ZeroGrad,
    Detach,
    Print,
    Plot,
    Grid,
    Legend,
    XLabel,
    YLabel,
    Title,
    SaveFig,
}

/// How many positional arguments a builtin takes, and their names (which may
/// also be passed by keyword).
pub struct Signature {
    pub params: &'static [&'static str],
    pub min: usize,
    /// `None`: any number (`randn(2, 3)`, `print(a, b, c)`).
    pub max: Option<usize>,
    /// Keyword-only arguments.
    pub keywords: &'static [&'static str],
}

const CREATE_KW: &[&str] = &["requires_grad", "dtype"];

/// The creation builtins and `manual_seed`, which come before the op table's
/// builtins in [`names`].
const CREATION: &[(&str, Builtin)] = &[
    ("randn", Builtin::Randn),
    ("rand", Builtin::Rand),
    ("zeros", Builtin::Zeros),
    ("ones", Builtin::Ones),
    ("full", Builtin::Full),
    ("arange", Builtin::Arange),
    ("linspace", Builtin::Linspace),
    ("tensor", Builtin::Tensor),
    ("ones_like", Builtin::OnesLike),
    ("zeros_like", Builtin::ZerosLike),
    ("manual_seed", Builtin::ManualSeed),
];

/// The other builtins that are not rows of the op table, with their names.
const OTHER: &[(&str, Builtin)] = &[
    ("pow", Builtin::Pow),
    ("maximum", Builtin::Maximum),
    ("minimum", Builtin::Minimum),
    ("sum", Builtin::Sum),
    ("mean", Builtin::Mean),
    ("matmul", Builtin::MatMul),
    ("transpose", Builtin::Transpose),
    ("mm", Builtin::Mm),
    ("t", Builtin::T),
    ("backward", Builtin::Backward),
    ("grad", Builtin::Grad),
    ("zero_grad", Builtin::ZeroGrad),
    ("detach", Builtin::Detach),
    ("print", Builtin::Print),
    ("plot", Builtin::Plot),
    ("grid", Builtin::Grid),
    ("legend", Builtin::Legend),
    ("xlabel", Builtin::XLabel),
    ("ylabel", Builtin::YLabel),
    ("title", Builtin::Title),
    ("savefig", Builtin::SaveFig),
];

/// The builtin called `name`: a fixed one, or a one-tensor op of the op table.
pub fn lookup(name: &str) -> Option<Builtin> {
    let fixed = CREATION.iter().chain(OTHER).find(|(n, _)| *n == name).map(|(_, b)| *b);
    fixed.or_else(|| Unary::from_builtin_name(name).map(Builtin::Unary))
}

/// The one-tensor elementwise builtins, from the op table, in table order.
pub fn unary_names() -> impl Iterator<Item = &'static str> {
    Unary::ALL.iter().filter_map(|u| u.builtin_name())
}

/// Every builtin name, for "did you mean" suggestions and the docs' list.
pub fn names() -> Vec<&'static str> {
    let name = |(n, _): &(&'static str, Builtin)| *n;
    CREATION.iter().map(name).chain(unary_names()).chain(OTHER.iter().map(name)).collect()
}

pub fn signature(b: Builtin) -> Signature {
    use Builtin as B;
    let sig =
        |params: &'static [&'static str], min: usize, max: Option<usize>, keywords: &'static [&'static str]| Signature { params, min, max, keywords };
    match b {
        B::Randn | B::Rand | B::Zeros | B::Ones => sig(&[], 0, None, CREATE_KW),
        B::Full => sig(&[], 1, None, CREATE_KW),
        B::Arange => sig(&["start", "end", "step"], 1, Some(3), CREATE_KW),
        B::Linspace => sig(&["start", "end", "steps"], 3, Some(3), CREATE_KW),
        B::Tensor => sig(&["data"], 1, Some(1), CREATE_KW),
        B::OnesLike | B::ZerosLike => sig(&["input"], 1, Some(1), CREATE_KW),
        B::ManualSeed => sig(&["seed"], 1, Some(1), &[]),
        B::Unary(_) | B::Transpose | B::ZeroGrad | B::Detach | B::T => sig(&["input"], 1, Some(1), &[]),
        B::Mm => sig(&["input", "mat2"], 2, Some(2), &[]),
        B::Pow => sig(&["input", "exponent"], 2, Some(2), &[]),
        B::Maximum | B::Minimum | B::MatMul => sig(&["input", "other"], 2, Some(2), &[]),
        B::Sum | B::Mean => sig(&["input", "dim"], 1, Some(2), &[]),
        B::Backward => sig(&["tensor", "grad"], 1, Some(2), &["retain_graph"]),
        B::Grad => sig(&["output", "input", "grad"], 2, Some(3), &["create_graph", "retain_graph"]),
        B::Print => sig(&[], 0, None, &[]),
        B::Plot => sig(&["x", "y"], 2, Some(2), &["label", "alpha"]),
        B::Grid | B::Legend => sig(&[], 0, Some(0), &[]),
        B::XLabel | B::YLabel | B::Title => sig(&["text"], 1, Some(1), &[]),
        B::SaveFig => sig(&["path"], 1, Some(1), &[]),
    }
}

/// A call's arguments matched to a signature.
pub struct Bound<V> {
    /// Positional arguments (and named parameters passed by keyword), in parameter order;
    /// `None` where an optional parameter was not given.
    pub positional: Vec<Option<(V, Span)>>,
    /// Keyword-only arguments that were given.
    pub keywords: HashMap<&'static str, (V, Span)>,
}

impl<V> Bound<V> {
    /// Takes keyword-only argument `name`, if given.
    pub fn keyword(&mut self, name: &str) -> Option<(V, Span)> {
        self.keywords.remove(name)
    }
}

/// Matches `args` (keyword name, value, span) to the signature of `name`.
pub fn bind<V>(name: &str, sig: &Signature, args: Vec<(Option<Ident>, V, Span)>, call_span: Span) -> Result<Bound<V>, Diagnostic> {
    let mut positional: Vec<Option<(V, Span)>> = Vec::new();
    let mut keywords = HashMap::new();
    let mut seen_keyword = false;
    for (kw, value, span) in args {
        match kw {
            None => {
                if seen_keyword {
                    return Err(Diagnostic::new(Code::E0104, "positional argument after a keyword argument", span, "positional argument")
                        .with_help("put positional arguments before keyword arguments"));
                }
                positional.push(Some((value, span)));
            }
            Some(kw) => {
                seen_keyword = true;
                if let Some(i) = sig.params.iter().position(|p| *p == kw.name) {
                    if positional.len() <= i {
                        positional.resize_with(i + 1, || None);
                    }
                    if positional[i].is_some() {
                        return Err(Diagnostic::new(Code::E0104, format!("`{name}` got argument `{}` twice", kw.name), kw.span, "given again here")
                            .with_help(format!("pass `{}` once", kw.name)));
                    }
                    positional[i] = Some((value, span));
                } else if let Some(k) = sig.keywords.iter().find(|k| **k == kw.name) {
                    if keywords.insert(*k, (value, span)).is_some() {
                        return Err(Diagnostic::new(
                            Code::E0104,
                            format!("`{name}` got keyword argument `{}` twice", kw.name),
                            kw.span,
                            "given again here",
                        )
                        .with_help(format!("pass `{}` once", kw.name)));
                    }
                } else {
                    let accepted: Vec<String> = sig.params.iter().chain(sig.keywords.iter()).map(|k| format!("`{k}`")).collect();
                    let help = if accepted.is_empty() {
                        format!("`{name}` takes no keyword arguments")
                    } else {
                        format!("`{name}` accepts the keyword arguments {}", accepted.join(", "))
                    };
                    return Err(Diagnostic::new(
                        Code::E0104,
                        format!("`{name}` has no keyword argument `{}`", kw.name),
                        kw.span,
                        "unknown keyword argument",
                    )
                    .with_help(help));
                }
            }
        }
    }
    let given = positional.iter().filter(|p| p.is_some()).count();
    let too_many = sig.max.is_some_and(|m| positional.len() > m);
    if given < sig.min || too_many {
        let expected = match sig.max {
            Some(m) if m == sig.min => format!("{m}"),
            Some(m) => format!("{} to {m}", sig.min),
            None => format!("at least {}", sig.min),
        };
        let plural = if sig.max == Some(1) && sig.min == 1 { "" } else { "s" };
        return Err(Diagnostic::new(
            Code::E0103,
            format!("`{name}` takes {expected} argument{plural} but {given} were given"),
            call_span,
            format!("expected {expected} argument{plural}"),
        )
        .with_help(usage(name, sig)));
    }
    // A gap (`arange(start=1)` without `end`) is a missing required argument.
    if let Some(i) = positional.iter().take(sig.min).position(|p| p.is_none()) {
        return Err(Diagnostic::new(
            Code::E0103,
            format!("`{name}` is missing argument `{}`", sig.params.get(i).copied().unwrap_or("?")),
            call_span,
            "missing argument",
        )
        .with_help(usage(name, sig)));
    }
    Ok(Bound { positional, keywords })
}

/// A one-line usage string for help messages.
pub fn usage(name: &str, sig: &Signature) -> String {
    let mut parts: Vec<String> = if sig.params.is_empty() && sig.max != Some(0) {
        vec!["...".to_string()]
    } else {
        sig.params.iter().enumerate().map(|(i, p)| if i < sig.min { p.to_string() } else { format!("{p}=...") }).collect()
    };
    parts.extend(sig.keywords.iter().map(|k| format!("{k}=...")));
    format!("usage: {name}({})", parts.join(", "))
}
