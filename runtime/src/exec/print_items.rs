//! The text of one `print` item: a tensor as PyTorch prints it, a run-time
//! Python number formatted as Python does, an f-string's pieces in a row, or
//! the text a run-time condition picks.

use super::Machine;
use crate::format::python::{FormatSpec, ValueKind};
use crate::format::tensor_str;
use crate::plan::PrintItem;
use crate::tensor::{Data, Tensor};

impl Machine {
    /// The text `print` shows for `item`.
    pub(super) fn print_text(&mut self, item: &PrintItem) -> String {
        match item {
            PrintItem::Text(s) => s.clone(),
            PrintItem::Tensor { value, suffix } => {
                if let Some(c) = &mut self.captured {
                    c.push(self.slots[value.0 as usize].clone().expect("printed values are computed"));
                }
                tensor_str(self.get(*value), suffix)
            }
            PrintItem::None => "None".to_string(),
            PrintItem::Scalar { value, spec } => python_scalar(self.get(*value), spec),
            PrintItem::Concat(items) => items.iter().map(|i| self.print_text(i)).collect(),
            PrintItem::Choice { cond, then, otherwise } => {
                let picked = match self.get(*cond).data() {
                    Data::Bool(v) => v.first().copied().unwrap_or(false),
                    // `Plan::verify` requires a bool; any other dtype counts as Python's truth.
                    Data::F32(v) => v.first().is_some_and(|x| *x != 0.0),
                    Data::F64(v) => v.first().is_some_and(|x| *x != 0.0),
                    Data::I64(v) => v.first().is_some_and(|x| *x != 0),
                };
                self.print_text(if picked { then } else { otherwise })
            }
        }
    }
}

/// `format(x, spec)` of the Python number a one-element tensor holds (`t.item()`).
/// The compiler checked the spec against the value's kind; `Plan::verify` checks
/// it again, so the empty spec's fallback is never taken for a verified plan.
pub(crate) fn python_scalar(t: &Tensor, spec: &str) -> String {
    let kind = ValueKind::of_dtype(t.dtype());
    let spec = FormatSpec::for_kind(spec, kind).unwrap_or_else(|_| FormatSpec::for_kind("", kind).expect("the empty spec applies to every kind"));
    match t.data() {
        Data::F32(v) => spec.format_float(v.first().copied().unwrap_or(f32::NAN) as f64),
        Data::F64(v) => spec.format_float(v.first().copied().unwrap_or(f64::NAN)),
        Data::I64(v) => spec.format_int(v.first().copied().unwrap_or(0)),
        Data::Bool(v) => spec.format_bool(v.first().copied().unwrap_or(false)),
    }
}
