//! NumPy `.npy` files for `graphc run --input` and `--save`.
//!
//! Only what graphc's tensors can hold is accepted: little- or big-endian `f4`,
//! `f8` and `i8` (int64), and `b1` (bool), in C order, with exactly the declared shape. Every error names the
//! input and says what was expected, so that a wrong file is fixed without
//! reading the program. The format itself lives in the runtime
//! ([`graphc_runtime::npy`]), which a program's `load` and `save` use too.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use graphc_runtime::npy::{describe, npy_type};
use graphc_runtime::plan::InputInfo;
use graphc_runtime::{DType, Tensor};

pub use graphc_runtime::npy::{save, shape_text};

/// Reads `path` as the value of `input`, checking dtype and shape.
pub fn load(path: &Path, input: &InputInfo) -> Result<Tensor, String> {
    let expected = format!("{}{}", input.dtype, shape_text(&input.shape));
    let what = format!("input `{}`", input.name);
    let file = File::open(path).map_err(|e| format!("cannot read `{}` for {what}: {e}", path.display()))?;
    let npy = npyz::NpyFile::new(BufReader::new(file)).map_err(|e| format!("`{}` is not a valid .npy file (for {what}): {e}", path.display()))?;
    let type_str = match npy.dtype() {
        npyz::DType::Plain(t) => t.to_string(),
        other => describe(&other),
    };
    let dtype = match type_str.trim_start_matches(['<', '>', '=', '|']) {
        "f4" => DType::F32,
        "f8" => DType::F64,
        "i8" => DType::I64,
        "b1" => DType::Bool,
        _ => None.ok_or_else(|| {
            let shape = shape_text(&npy.shape().iter().map(|&d| d as usize).collect::<Vec<_>>());
            format!(
                "`{}` holds {} of shape {shape}, but {what} is declared {expected} (`{}`)",
                path.display(),
                describe(&npy.dtype()),
                npy_type(input.dtype)
            )
        })?,
    };
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    if dtype != input.dtype || shape != input.shape {
        return Err(format!("`{}` holds a {dtype}{} array, but {what} is declared {expected}", path.display(), shape_text(&shape)));
    }
    if shape.len() > 1 && npy.order() != npyz::Order::C {
        return Err(format!("`{}` is stored in Fortran order; {what} needs C order (save it with numpy.ascontiguousarray)", path.display()));
    }
    let read_error = |e: std::io::Error| format!("cannot read the data of `{}` for {what}: {e}", path.display());
    Ok(match dtype {
        DType::F32 => Tensor::from_f32(shape, npy.into_vec::<f32>().map_err(read_error)?),
        DType::F64 => Tensor::from_f64(shape, npy.into_vec::<f64>().map_err(read_error)?),
        DType::I64 => Tensor::from_i64(shape, npy.into_vec::<i64>().map_err(read_error)?),
        // A byte other than 0 or 1 is a read error, as NumPy never writes one.
        DType::Bool => Tensor::from_bool(shape, npy.into_vec::<bool>().map_err(read_error)?),
    })
}
