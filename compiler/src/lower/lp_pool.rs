//! Lowering of `lp_pool1d`/`lp_pool2d(input, norm_type, kernel_size,
//! stride=none, ceil_mode=false)` (`F.lp_pool1d`, `F.lp_pool2d`, and the
//! `nn.LPPool1d`/`nn.LPPool2d` modules) as functional.py composes them: the
//! input raised to `norm_type`, averaged by `avg_pool`, and `(sign(out) *
//! relu(abs(out))) * window_size` raised to `1 / norm_type` (`PowBackward0`).

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `lp_pool{dims}d(input, norm_type, kernel_size, stride=none, ceil_mode=false)`.
    pub(crate) fn lp_pool(&mut self, dims: usize, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let (pv, ps) = bound.positional[1].clone().expect("bind guarantees norm_type");
        let (kv, ks) = bound.positional[2].clone().expect("bind guarantees kernel_size");
        let Some(norm) = self.number(&pv, ps, "`norm_type`") else { return Value::Poison };
        // functional.py multiplies by `kw * kh` (`_pair`), or by `kernel_size` in 1-D.
        let sizes: Vec<i128> = match &kv {
            Value::Number(Num::Int(k)) => vec![*k; dims],
            Value::Tuple(items) | Value::List(items) if dims == 2 => {
                items.iter().filter_map(|(v, _)| if let Value::Number(Num::Int(k)) = v { Some(*k) } else { None }).collect()
            }
            Value::Poison => return Value::Poison,
            _ => vec![],
        };
        if sizes.len() != dims || sizes.iter().any(|&k| k < 1) {
            let what = if dims == 1 { "a positive int" } else { "a positive int or a pair of them" };
            return self.error(
                Diagnostic::new(Code::E0107, format!("`lp_pool{dims}d`'s kernel_size must be {what}, not {}", kv.describe()), ks, "not a window")
                    .with_help("write `kernel_size=2`"),
            );
        }
        let window: i128 = sizes.iter().product();
        let stride = arg(3).unwrap_or((Value::None, span));
        let ceil = arg(4).unwrap_or((Value::Bool(false), span));
        let Some(powered) = self.tensor_call("pow", vec![xv, Value::Number(Num::Float(norm))], xs) else { return Value::Poison };
        let pool = if dims == 1 { "avg_pool1d" } else { "avg_pool2d" };
        let args = vec![(Value::Tensor(powered), xs), (kv, ks), stride, (Value::Number(Num::Int(0)), span), ceil];
        let Value::Tensor(out) = self.call_builtin_values(pool, args, span) else { return Value::Poison };
        let call = |me: &mut Self, name: &str, args: Vec<Value>| me.tensor_call(name, args, span);
        let t = Value::Tensor;
        let Some(sign) = call(self, "sign", vec![t(out)]) else { return Value::Poison };
        let Some(magnitude) = call(self, "abs", vec![t(out)]) else { return Value::Poison };
        let Some(kept) = call(self, "relu", vec![t(magnitude)]) else { return Value::Poison };
        let Some(signed) = call(self, "mul", vec![t(sign), t(kept)]) else { return Value::Poison };
        let Some(summed) = call(self, "mul", vec![t(signed), Value::Number(Num::Int(window))]) else { return Value::Poison };
        match call(self, "pow", vec![t(summed), Value::Number(Num::Float(1.0 / norm))]) {
            Some(r) => Value::Tensor(r),
            None => Value::Poison,
        }
    }
}
