//! NumPy `.npy` files: what the command line's `--input` and `--save` and a
//! program's `load(...)` and `save(...)` read and write.
//!
//! Only what graphc's tensors can hold is accepted: little- or big-endian `f4`,
//! `f8` and `i8` (int64), and `b1` (bool), the dtypes `numpy` gives float32,
//! float64, integer and boolean data by default. They become the tensor dtype
//! `torch.from_numpy` would give (`float32`, `float64`, `int64`, `bool`); any other
//! dtype is refused with the `astype` that fixes it, because a silent conversion
//! would print another dtype than PyTorch does. Fortran-ordered data is reordered
//! into C order, as `torch.from_numpy` gives the same logical tensor for both.
//!
//! The compiler reads only a file's header ([`read_header`]), so that dtype and
//! shape are static; the run reads the data ([`load_as`]) and refuses a file that
//! changed in between. Every message names the file and says what was expected.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use npyz::WriterBuilder;

use crate::tensor::{numel, DType, Data, Tensor};

/// What a `.npy` header says: the graphc dtype of its data, its shape, and where the data starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub dtype: DType,
    pub shape: Vec<usize>,
    /// Whether the data is stored in Fortran (column-major) order.
    pub fortran: bool,
    /// The header's length in bytes: the data starts here.
    pub data_offset: u64,
}

/// Why a `.npy` file cannot be used, in words for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NpyError {
    /// The file cannot be opened or read (missing, a directory, no permission).
    Unreadable(String),
    /// Not a `.npy` file, or one whose data is shorter or longer than its header says.
    Malformed(String),
    /// A valid `.npy` file of a dtype graphc's tensors cannot hold (structured,
    /// int32, float16, ...): the message says which, the help how to convert it.
    Unsupported { message: String, help: String },
}

impl NpyError {
    /// The message without its kind.
    pub fn message(&self) -> &str {
        match self {
            NpyError::Unreadable(m) | NpyError::Malformed(m) | NpyError::Unsupported { message: m, .. } => m,
        }
    }
}

/// Counts the bytes read through it, so that the header's length is known.
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Reads and checks the header of the `.npy` file at `path`, and checks that the file
/// holds exactly as many data bytes as the header announces. Messages call the
/// file `shown` (the path as the program wrote it).
pub fn read_header(path: &Path, shown: &str) -> Result<Header, NpyError> {
    let file = File::open(path).map_err(|e| NpyError::Unreadable(format!("cannot read `{shown}`: {}", io_reason(&e))))?;
    let meta = file.metadata().map_err(|e| NpyError::Unreadable(format!("cannot read `{shown}`: {}", io_reason(&e))))?;
    if meta.is_dir() {
        return Err(NpyError::Unreadable(format!("`{shown}` is a directory, not a .npy file")));
    }
    let mut counting = Counting { inner: BufReader::with_capacity(256, file), count: 0 };
    let header = npyz::NpyHeader::from_reader(&mut counting)
        .map_err(|e| NpyError::Malformed(format!("`{shown}` is not a valid .npy file: {}", io_reason(&e))))?;
    let data_offset = counting.count;
    let shape: Vec<usize> = header.shape().iter().map(|&d| usize::try_from(d).unwrap_or(usize::MAX)).collect();
    let dtype = plain_dtype(&header.dtype()).map_err(|message| NpyError::Unsupported {
        message: format!("`{shown}` holds {message}, which graphc's tensors cannot hold"),
        help: "convert it with NumPy first: `np.save(path, a.astype(np.float32))` (or `np.float64`, `np.int64`, `np.bool_`)".to_string(),
    })?;
    let fortran = header.order() == npyz::Order::Fortran;
    let expected = header.shape().iter().try_fold(dtype.size() as u64, |n, &d| n.checked_mul(d));
    let actual = meta.len().saturating_sub(data_offset);
    if expected != Some(actual) {
        let said = expected.map_or_else(|| "more than 2^64".to_string(), |b| b.to_string());
        return Err(NpyError::Malformed(format!(
            "`{shown}` is not a valid .npy file: its header announces {dtype}{} ({said} bytes of data), but {actual} bytes follow it",
            shape_text(&shape)
        )));
    }
    Ok(Header { dtype, shape, fortran, data_offset })
}

/// The graphc dtype of a `.npy` dtype, or a description of one it cannot hold.
fn plain_dtype(dtype: &npyz::DType) -> Result<DType, String> {
    let npyz::DType::Plain(t) = dtype else { return Err(describe(dtype)) };
    let text = t.to_string();
    match text.trim_start_matches(['<', '>', '=', '|']) {
        "f4" => Ok(DType::F32),
        "f8" => Ok(DType::F64),
        "i8" => Ok(DType::I64),
        "b1" => Ok(DType::Bool),
        _ => Err(describe(dtype)),
    }
}

/// An I/O error's reason without Rust's `(os error N)` suffix.
fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Reads the `.npy` file at `path` for `load(...)`, which the compiler typed as
/// `dtype` of `shape`: a file that changed since then is an error, not a panic.
pub fn load_as(path: &Path, dtype: DType, shape: &[usize]) -> Result<Tensor, NpyError> {
    let header = read_header(path, &path.display().to_string())?;
    if header.dtype != dtype || header.shape != shape {
        return Err(NpyError::Malformed(format!(
            "`{}` now holds {}{}, but it held {dtype}{} when the program was compiled",
            path.display(),
            header.dtype,
            shape_text(&header.shape),
            shape_text(shape)
        )));
    }
    read_data(path, &header)
}

/// The data of a file whose header is `header`, in C order.
fn read_data(path: &Path, header: &Header) -> Result<Tensor, NpyError> {
    let file = File::open(path).map_err(|e| NpyError::Unreadable(format!("cannot read `{}`: {}", path.display(), io_reason(&e))))?;
    let npy = npyz::NpyFile::new(BufReader::new(file))
        .map_err(|e| NpyError::Malformed(format!("`{}` is not a valid .npy file: {}", path.display(), io_reason(&e))))?;
    let read_error = |e: std::io::Error| NpyError::Malformed(format!("cannot read the data of `{}`: {}", path.display(), io_reason(&e)));
    let shape = header.shape.clone();
    let t = match header.dtype {
        DType::F32 => Tensor::from_f32(shape, npy.into_vec::<f32>().map_err(read_error)?),
        DType::F64 => Tensor::from_f64(shape, npy.into_vec::<f64>().map_err(read_error)?),
        DType::I64 => Tensor::from_i64(shape, npy.into_vec::<i64>().map_err(read_error)?),
        // A byte other than 0 or 1 is a read error, as NumPy never writes one.
        DType::Bool => Tensor::from_bool(shape, npy.into_vec::<bool>().map_err(read_error)?),
    };
    Ok(if header.fortran { from_fortran(t) } else { t })
}

/// A tensor whose data was read in Fortran order, reordered into C order: the data
/// is the C-order tensor of the reversed shape, whose axes are then reversed.
fn from_fortran(t: Tensor) -> Tensor {
    let shape = t.shape().to_vec();
    if shape.len() < 2 {
        return t;
    }
    let reversed: Vec<usize> = shape.iter().rev().copied().collect();
    // Strides of the stored (reversed-shape, C-order) data.
    let mut strides = vec![1usize; reversed.len()];
    for i in (0..reversed.len() - 1).rev() {
        strides[i] = strides[i + 1] * reversed[i + 1];
    }
    let n = numel(&shape);
    // Result index (C order over `shape`) i0..ik reads stored index ik..i0.
    let order: Vec<usize> = (0..n)
        .map(|flat| {
            let mut rest = flat;
            let mut at = 0;
            for (d, &size) in shape.iter().enumerate().rev() {
                let i = rest % size;
                rest /= size;
                at += i * strides[shape.len() - 1 - d];
            }
            at
        })
        .collect();
    fn gather<T: Copy>(v: &[T], order: &[usize]) -> Vec<T> {
        order.iter().map(|&i| v[i]).collect()
    }
    match t.data() {
        Data::F32(v) => Tensor::from_f32(shape, gather(v, &order)),
        Data::F64(v) => Tensor::from_f64(shape, gather(v, &order)),
        Data::I64(v) => Tensor::from_i64(shape, gather(v, &order)),
        Data::Bool(v) => Tensor::from_bool(shape, gather(v, &order)),
    }
}

/// A shape as the messages write it: `[3, 4]`, `[]` for a scalar.
pub fn shape_text(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", dims.join(", "))
}

/// A `.npy` dtype in words, for the message that rejects it: a plain one by its
/// NumPy type string, a structured one by its fields.
pub fn describe(dtype: &npyz::DType) -> String {
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
pub fn npy_type(dtype: DType) -> &'static str {
    match dtype {
        DType::F32 => "<f4, numpy.float32",
        DType::F64 => "<f8, numpy.float64",
        DType::I64 => "<i8, numpy.int64",
        DType::Bool => "|b1, numpy.bool_",
    }
}

/// Writes `t` to `path` as [`crate::files::write_via`] does: through symbolic
/// links; atomically for a regular file (a temporary file beside it, then renamed, so
/// that a failed write never leaves a partial file under the requested name); into a
/// device or FIFO rather than over it.
pub fn save(path: &Path, t: &Tensor) -> std::io::Result<()> {
    crate::files::write_via(path, "", |tmp| write(tmp, t), std::io::Error::other)
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
