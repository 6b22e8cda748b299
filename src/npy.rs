//! NumPy `.npy` files for `graphc run --input` and `--save`.
//!
//! Only what graphc's tensors can hold is accepted: little- or big-endian `f4`,
//! `f8` and `i8` (int64), and `b1` (bool), in C order, with exactly the declared shape. Every error names the
//! input and says what was expected, so that a wrong file is fixed without
//! reading the program.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

use graphc_runtime::plan::InputInfo;
use graphc_runtime::tensor::Data;
use graphc_runtime::{DType, Tensor};
use npyz::WriterBuilder;

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

/// A shape as the messages write it: `[3, 4]`, `[]` for a scalar.
pub fn shape_text(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", dims.join(", "))
}

/// A `.npy` dtype in words, for the message that rejects it: a plain one by its
/// NumPy type string, a structured one by its fields.
fn describe(dtype: &npyz::DType) -> String {
    match dtype {
        npyz::DType::Plain(t) => format!("dtype `{t}`"),
        npyz::DType::Array(n, inner) => format!("arrays of {n} elements of {}", describe(inner)),
        npyz::DType::Record(fields) => {
            let list: Vec<String> = fields.iter().map(|f| format!("`{}` ({})", f.name, describe(&f.dtype))).collect();
            format!("a structured dtype with fields {}", list.join(", "))
        }
    }
}

/// NumPy's name for a dtype, for error messages.
fn npy_type(dtype: DType) -> &'static str {
    match dtype {
        DType::F32 => "<f4, numpy.float32",
        DType::F64 => "<f8, numpy.float64",
        DType::I64 => "<i8, numpy.int64",
        DType::Bool => "|b1, numpy.bool_",
    }
}

/// Writes `t` to `path` as [`graphc_runtime::files::write_via`] does: through symbolic
/// links; atomically for a regular file (a temporary file beside it, then renamed, so
/// that a failed write never leaves a partial file under the requested name); into a
/// device or FIFO rather than over it.
pub fn save(path: &Path, t: &Tensor) -> std::io::Result<()> {
    graphc_runtime::files::write_via(path, "", |tmp| write(tmp, t), std::io::Error::other)
}

fn write(path: &Path, t: &Tensor) -> std::io::Result<()> {
    let shape: Vec<u64> = t.shape().iter().map(|&d| d as u64).collect();
    let mut out = BufWriter::new(File::create(path)?);
    match t.data() {
        Data::F32(v) => {
            let mut w = npyz::WriteOptions::new().default_dtype().shape(&shape).writer(&mut out).begin_nd()?;
            w.extend(v.iter().copied())?;
            w.finish()?;
        }
        Data::F64(v) => {
            let mut w = npyz::WriteOptions::new().default_dtype().shape(&shape).writer(&mut out).begin_nd()?;
            w.extend(v.iter().copied())?;
            w.finish()?;
        }
        Data::I64(v) => {
            let mut w = npyz::WriteOptions::new().default_dtype().shape(&shape).writer(&mut out).begin_nd()?;
            w.extend(v.iter().copied())?;
            w.finish()?;
        }
        Data::Bool(v) => {
            let mut w = npyz::WriteOptions::new().default_dtype().shape(&shape).writer(&mut out).begin_nd()?;
            w.extend(v.iter().copied())?;
            w.finish()?;
        }
    }
    out.flush()?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()
}
