//! `linalg.norm(input, ord=none, dim=none, keepdim=false)` and
//! `linalg.matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=false)`, as ATen's
//! `linalg_norm` and `linalg_matrix_norm` dispatch them: a vector norm
//! (`linalg.vector_norm`, `LinalgVectorNormBackward0`) unless `ord` is given
//! for two dimensions; there `"fro"` is the vector 2-norm over both, and `1`,
//! `-1`, `inf`, `-inf` are the largest or smallest sum of magnitudes along
//! one of them (`vector_norm(A, 1, dim0)` then `amax` or `amin` over
//! `dim1`, the two swapped for `inf`). The norms of singular values (`2`,
//! `-2`, `"nuc"`) need an SVD, which graphc does not have (E0107).

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Ident, Span};

/// What `ord` asks for.
enum Ord {
    /// Not given.
    Default,
    /// A number.
    Number(f64),
    /// `"fro"` or `"nuc"`.
    Named(String),
}

impl Lowerer<'_> {
    pub(super) fn linalg_norm_call(&mut self, matrix: bool, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (xv, xs) = arg(0).expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(xv, xs, &format!("`{name}`'s input")) else { return Value::Poison };
        let rank = self.shape_of(x).len();
        let ord_span = arg(1).map_or(span, |(_, s)| s);
        let ord = match arg(1) {
            None if matrix => Ord::Named("fro".to_string()),
            None => Ord::Default,
            Some((Value::Number(n), _)) => Ord::Number(n.f64()),
            Some((Value::Str(s), _)) if s == "fro" || s == "nuc" => Ord::Named(s),
            Some((Value::Poison, _)) => return Value::Poison,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`{name}`'s ord must be a number, \"fro\" or \"nuc\", not {}", other.describe()),
                        s,
                        "not an order",
                    )
                    .with_help("write `ord=2`, `ord=inf` or `ord=\"fro\"`"),
                )
            }
        };
        let keepdim = arg(3).unwrap_or((Value::Bool(false), span));
        // The dimensions, as integers; `None` when not given.
        let dims: Option<Vec<(i64, Span)>> = match arg(2) {
            None if matrix => Some(vec![(-2, span), (-1, span)]),
            None => None,
            Some((v, s)) => match self.int_args(vec![(v, s)], span, "the dimensions") {
                Some(d) => Some(d),
                None => return Value::Poison,
            },
        };
        let two_dims = match &dims {
            Some(d) => d.len() == 2,
            None => rank == 2,
        };
        if let Some(d) = &dims {
            if d.is_empty() || d.len() > 2 || (matrix && d.len() != 2) {
                let at = d.first().map_or(span, |(_, s)| *s);
                return self.error(
                    Diagnostic::new(Code::E0220, format!("`{name}` takes one or two dimensions, got {}", d.len()), at, "not one or two")
                        .with_help("a vector norm is over one dimension, a matrix norm over two"),
                );
            }
        } else if !matches!(ord, Ord::Default) && rank != 1 && rank != 2 {
            return self.error(
                Diagnostic::new(
                    Code::E0221,
                    format!("linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {rank}D."),
                    xs,
                    "not 1-d or 2-d",
                )
                .with_help("give `dim=` for the dimensions to take the norm over"),
            );
        }
        let dims_value = |ds: &[(i64, Span)]| Value::List(ds.iter().map(|&(d, s)| (Value::Number(Num::Int(d as i128)), s)).collect());
        let matrix_dims: Vec<(i64, Span)> = dims.clone().unwrap_or_else(|| vec![(0, span), (1, span)]);
        let vector = |me: &mut Self, p: f64, dims: Option<Value>, keepdim: (Value, Span)| {
            let mut args = vec![(None, Value::Tensor(x), xs), (None, Value::Number(Num::Float(p)), ord_span)];
            args.push((None, dims.unwrap_or(Value::None), span));
            args.push((None, keepdim.0, keepdim.1));
            me.call_builtin_named(&Ident { name: "linalg.vector_norm".to_string(), span }, args, span)
        };
        match ord {
            Ord::Default => vector(self, 2.0, dims.as_deref().map(dims_value), keepdim),
            Ord::Number(p) if !two_dims => vector(self, p, dims.as_deref().map(dims_value), keepdim),
            Ord::Named(n) if !two_dims => self.error(
                Diagnostic::new(
                    Code::E0221,
                    format!("`{name}` with ord=\"{n}\" is a matrix norm: it needs a 2-d input or two dimensions"),
                    ord_span,
                    "a matrix norm",
                )
                .with_help("give `dim=(0, 1)`, or a number `ord` for a vector norm"),
            ),
            Ord::Named(n) if n == "fro" => vector(self, 2.0, Some(dims_value(&matrix_dims)), keepdim),
            Ord::Number(p) if p.abs() == 1.0 || p.abs() == f64::INFINITY => {
                let Some(d0) = self.dim_arg(Some((Value::Number(Num::Int(matrix_dims[0].0 as i128)), matrix_dims[0].1)), 0, rank, span) else {
                    return Value::Poison;
                };
                let Some(d1) = self.dim_arg(Some((Value::Number(Num::Int(matrix_dims[1].0 as i128)), matrix_dims[1].1)), 0, rank, span) else {
                    return Value::Poison;
                };
                if d0 == d1 {
                    return self.error(
                        Diagnostic::new(Code::E0220, format!("`{name}`'s two dimensions are both {d0}"), matrix_dims[0].1, "the same dimension")
                            .with_help("a matrix norm needs two different dimensions"),
                    );
                }
                // ATen sums along dim[0] (dim[1] for inf), then reduces the other.
                let (sum_dim, mut reduce_dim) = if p.abs() == 1.0 { (d0, d1) } else { (d1, d0) };
                let keep = matches!(keepdim.0, Value::Bool(true));
                if !keep && sum_dim < reduce_dim {
                    reduce_dim -= 1;
                }
                let int = |d: usize| Value::Number(Num::Int(d as i128));
                let Value::Tensor(sums) = vector(self, 1.0, Some(Value::List(vec![(int(sum_dim), span)])), keepdim.clone()) else {
                    return Value::Poison;
                };
                let reduce = if p > 0.0 { "amax" } else { "amin" };
                let args = vec![(None, Value::Tensor(sums), span), (None, int(reduce_dim), span), (None, keepdim.0, keepdim.1)];
                self.call_builtin_named(&Ident { name: reduce.to_string(), span }, args, span)
            }
            Ord::Number(p) => self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("`{name}` with ord={p} over two dimensions needs singular values, which graphc does not compute"),
                    ord_span,
                    "needs an SVD",
                )
                .with_help("use ord=\"fro\", 1, -1, inf or -inf, or a vector norm over one dimension"),
            ),
            Ord::Named(_) => self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("`{name}` with ord=\"nuc\" needs singular values, which graphc does not compute"),
                    ord_span,
                    "needs an SVD",
                )
                .with_help("use ord=\"fro\", 1, -1, inf or -inf"),
            ),
        }
    }
}
