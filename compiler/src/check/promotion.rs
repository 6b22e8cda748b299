//! PyTorch's type promotion (`torch.result_type`), the one place that decides
//! the dtype two operands meet in. The categories are ordered bool < integer <
//! float. Two tensors meet in the higher category's dtype; a host number (a
//! "wrapped number") only raises the category, to that category's default
//! dtype (`i64` for integers, `f32` for floats), and never widens a dtype within
//! one: `i64 tensor * 2.5` is f32, `bool tensor + 1` is i64, `f32 tensor * 2`
//! and `f32 tensor * 2.5` stay f32. An f32 tensor meeting an f64 tensor is
//! graphc's documented exception: an error (E0201), not f64.

use graphc_runtime::DType;

/// The three categories, in promotion order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Bool,
    Integer,
    Float,
}

/// The category of a dtype.
pub fn category(dt: DType) -> Category {
    match dt {
        DType::Bool => Category::Bool,
        DType::I64 => Category::Integer,
        DType::F32 | DType::F64 => Category::Float,
    }
}

/// The dtype a category's host numbers default to (PyTorch's default dtypes).
pub fn default_dtype(c: Category) -> DType {
    match c {
        Category::Bool => DType::Bool,
        Category::Integer => DType::I64,
        Category::Float => DType::F32,
    }
}

/// The dtype two tensors meet in, or `None` for f32 meeting f64 (E0201).
pub fn tensors(a: DType, b: DType) -> Option<DType> {
    match (a, b) {
        _ if a == b => Some(a),
        (DType::F32, DType::F64) | (DType::F64, DType::F32) => None,
        _ if category(a) > category(b) => Some(a),
        _ => Some(b),
    }
}

/// The dtype a tensor of `t` meets a host number of category `number` in.
pub fn with_number(t: DType, number: Category) -> DType {
    if number > category(t) {
        default_dtype(number)
    } else {
        t
    }
}

/// The category of a host number: `is_int` numbers are integers.
pub fn number_category(is_int: bool) -> Category {
    if is_int {
        Category::Integer
    } else {
        Category::Float
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each case was checked with `torch.result_type` in PyTorch 2.15.
    #[test]
    fn promotion_follows_torch_result_type() {
        use Category::{Bool as B, Float as F, Integer as I};
        use DType::{Bool, F32, F64, I64};
        assert_eq!(tensors(I64, F32), Some(F32));
        assert_eq!(tensors(Bool, I64), Some(I64));
        assert_eq!(tensors(Bool, F64), Some(F64));
        assert_eq!(tensors(Bool, Bool), Some(Bool));
        assert_eq!(tensors(F32, F64), None);
        assert_eq!(with_number(I64, F), F32);
        assert_eq!(with_number(F64, F), F64);
        assert_eq!(with_number(F32, I), F32);
        assert_eq!(with_number(Bool, I), I64);
        assert_eq!(with_number(Bool, F), F32);
        assert_eq!(with_number(Bool, B), Bool);
        assert_eq!(with_number(I64, I), I64);
    }
}
