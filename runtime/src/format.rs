//! PyTorch's `str(tensor)` and Python's `repr(float)`, reproduced exactly.
//! (Interface fixed; implementation in progress.)

use crate::plan::TensorSuffix;
use crate::tensor::Tensor;

/// What PyTorch 2.15's `str(t)` prints for a CPU tensor with the given suffix.
pub fn tensor_str(t: &Tensor, suffix: &TensorSuffix) -> String {
    let _ = (t, suffix);
    todo!()
}

/// Python's `repr(float)` (what `print(0.1)` prints).
pub fn python_float_repr(v: f64) -> String {
    let _ = v;
    todo!()
}
