//! PyTorch's `str(tensor)` and Python's `repr(float)`, reproduced exactly.
//!
//! [`tensor_str`] follows `torch/_tensor_str.py` (`_str_intern`, `_tensor_str`,
//! `_Formatter`, `_vector_str`, `_tensor_str_with_formatter`,
//! `get_summarized_data` and `_add_suffixes`) step by step for CPU, strided,
//! float32/float64 tensors under the default print options. The options are
//! constants here because graphc programs cannot change them.
//!
//! Python's float formatting (`'{:.4f}'`, `'{:.4e}'`, `'{:.0f}'`) is correctly
//! rounded from the exact binary value with ties to even. Rust's `{:.N}` and
//! `{:.Ne}` round the same way (the tests pin this down), so only the spelling
//! differs: Python writes `nan` where Rust writes `NaN`, and Python's exponent
//! has a sign and at least two digits (`e-05`) where Rust writes `e-5`.

pub mod python;

use crate::plan::TensorSuffix;
use crate::tensor::{DType, Data, Tensor};

/// `torch.set_printoptions` defaults: digits after the point.
const PRECISION: usize = 4;
/// More elements than this and the tensor is summarized with `...`.
const THRESHOLD: usize = 1000;
/// Elements kept at each end of a summarized dimension.
const EDGEITEMS: usize = 3;
/// The line width used for wrapping vectors and placing suffixes.
const LINEWIDTH: usize = 80;
/// What PyTorch prints before the contents of a plain tensor.
const PREFIX: &str = "tensor(";

/// What PyTorch 2.15's `str(t)` prints for a CPU tensor with the given suffix.
pub fn tensor_str(t: &Tensor, suffix: &TensorSuffix) -> String {
    let indent = PREFIX.len();
    let shape = t.shape();
    let values = t.to_f64_vec();
    let mut suffixes = Vec::new();
    // float32 is torch's default dtype and int64 and bool are implied by their
    // elements, so only float64 is named (`has_default_dtype` in `_str_intern`).
    let has_default_dtype = matches!(t.dtype(), DType::F32 | DType::I64 | DType::Bool);
    let body = if values.is_empty() {
        // NumPy-style: the shape is only spelled out when it is not (0,).
        if shape.len() != 1 {
            suffixes.push(format!("size={}", python_tuple(shape)));
        }
        // An empty tensor has no elements to show its dtype, so any but float32 is named.
        if t.dtype() != DType::F32 {
            suffixes.push(format!("dtype={}", t.dtype().torch_name()));
        }
        "[]".to_string()
    } else {
        if !has_default_dtype {
            suffixes.push(format!("dtype={}", t.dtype().torch_name()));
        }
        if t.dtype().is_float() {
            tensor_body(shape, &values, indent)
        } else {
            plain_body(t, indent)
        }
    };
    if let Some(name) = &suffix.grad_fn {
        suffixes.push(format!("grad_fn=<{name}>"));
    } else if suffix.requires_grad {
        suffixes.push("requires_grad=True".to_string());
    }
    add_suffixes(format!("{PREFIX}{body}"), &suffixes, indent)
}

/// Python's `repr(float)` (what `print(0.1)` prints).
///
/// Python prints the shortest digit string that reads back to the same double,
/// positionally when the decimal exponent is in [-4, 16) and in scientific form
/// otherwise. Rust's `{:e}` yields exactly those shortest digits, so only the
/// layout is rebuilt here.
pub fn python_float_repr(v: f64) -> String {
    if v.is_nan() {
        return "nan".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let sign = if v.is_sign_negative() { "-" } else { "" };
    let (digits, exp) = shortest_digits(v.abs());
    let body = if (-4..16).contains(&exp) {
        // The value is 0.DIGITS x 10^point.
        let point = exp + 1;
        let n = digits.len() as i32;
        if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point < n {
            format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
        } else {
            format!("{}{}.0", digits, "0".repeat((point - n) as usize))
        }
    } else {
        let mantissa = if digits.len() > 1 { format!("{}.{}", &digits[..1], &digits[1..]) } else { digits };
        format!("{}{}", mantissa, python_exponent(exp))
    };
    format!("{sign}{body}")
}

/// The shortest round-trip decimal digits of a finite, non-negative `v` and the
/// exponent of its first digit (`v = D.DDD x 10^exp`).
fn shortest_digits(v: f64) -> (String, i32) {
    // Rust's `{:e}` finds how many digits are needed, but when two strings of
    // that length are equally close to `v` it may pick the upper one, where
    // Python picks the correctly rounded one (ties to even: 144.660186767578125
    // is `144.66018676757812`). Rust's fixed-precision formatting rounds exactly,
    // ties to even, and the closest string of the shortest length round-trips.
    let shortest = format!("{v:e}");
    let n = shortest.split_once('e').map_or(1, |(m, _)| m.replace('.', "").len());
    let s = format!("{:.*e}", n.saturating_sub(1), v);
    let (mantissa, exp) = s.split_once('e').expect("Rust's {:e} always writes an exponent");
    (mantissa.replace('.', ""), exp.parse().expect("Rust's {:e} exponent is an integer"))
}

/// Python's exponent suffix: `e`, a sign, and at least two digits.
fn python_exponent(exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("e{}{:02}", sign, exp.unsigned_abs())
}

/// Python's spelling of a non-finite float, or `None` for a finite one.
fn non_finite(v: f64) -> Option<String> {
    if v.is_nan() {
        Some("nan".to_string())
    } else if v.is_infinite() {
        Some(if v > 0.0 { "inf" } else { "-inf" }.to_string())
    } else {
        None
    }
}

/// Python's `'{:.{prec}f}'.format(v)`.
fn fixed(v: f64, prec: usize) -> String {
    non_finite(v).unwrap_or_else(|| format!("{v:.prec$}"))
}

/// Python's `'{:.{prec}e}'.format(v)`.
fn scientific(v: f64, prec: usize) -> String {
    if let Some(s) = non_finite(v) {
        return s;
    }
    let s = format!("{v:.prec$e}");
    let (mantissa, exp) = s.split_once('e').expect("Rust's {:e} always writes an exponent");
    format!("{}{}", mantissa, python_exponent(exp.parse().expect("Rust's {:e} exponent is an integer")))
}

/// Python's `str(tuple)` of a shape: `(2, 0)`, or `(0,)` for one element.
fn python_tuple(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    if parts.len() == 1 {
        format!("({},)", parts[0])
    } else {
        format!("({})", parts.join(", "))
    }
}

/// `_Formatter`: one element layout (int, fixed or scientific) and one width
/// shared by every element of the tensor, so columns line up.
struct Formatter {
    int_mode: bool,
    sci_mode: bool,
    max_width: usize,
    /// For an integer or bool tensor, Python's `str` of each element: the layout
    /// functions then walk element positions (see [`plain_body`]), not values.
    texts: Vec<String>,
}

impl Formatter {
    /// Chooses the layout from the (possibly summarized) elements, as
    /// `_Formatter.__init__` does for a floating-point tensor.
    fn new(values: &[f64]) -> Formatter {
        let mut f = Formatter { int_mode: true, sci_mode: false, max_width: 1, texts: Vec::new() };
        // Zeros and non-finite values never influence the layout: they print the same either way.
        let nonzero_finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite() && *v != 0.0).collect();
        if nonzero_finite.is_empty() {
            return f;
        }
        let min = nonzero_finite.iter().map(|v| v.abs()).fold(f64::INFINITY, f64::min);
        let max = nonzero_finite.iter().map(|v| v.abs()).fold(0.0, f64::max);
        f.int_mode = nonzero_finite.iter().all(|v| *v == v.ceil());
        let wide_range = max / min > 1000.0 || max > 1.0e8;
        let width_of = |s: String| s.chars().count();
        if f.int_mode {
            if wide_range {
                f.sci_mode = true;
                f.max_width = nonzero_finite.iter().map(|&v| width_of(scientific(v, PRECISION))).fold(f.max_width, usize::max);
            } else {
                // One more for the '.' that marks an integral float.
                f.max_width = nonzero_finite.iter().map(|&v| width_of(fixed(v, 0)) + 1).fold(f.max_width, usize::max);
            }
        } else if wide_range || min < 1.0e-4 {
            f.sci_mode = true;
            f.max_width = nonzero_finite.iter().map(|&v| width_of(scientific(v, PRECISION))).fold(f.max_width, usize::max);
        } else {
            f.max_width = nonzero_finite.iter().map(|&v| width_of(fixed(v, PRECISION))).fold(f.max_width, usize::max);
        }
        f
    }

    fn width(&self) -> usize {
        self.max_width
    }

    /// `_Formatter.format`: one element, right-aligned to the common width.
    fn format(&self, v: f64) -> String {
        let s = if !self.texts.is_empty() {
            self.texts[v as usize].clone()
        } else if self.sci_mode {
            scientific(v, PRECISION)
        } else if self.int_mode {
            let mut s = fixed(v, 0);
            if v.is_finite() {
                s.push('.');
            }
            s
        } else {
            fixed(v, PRECISION)
        };
        // Python's `negative * " "` is empty, so a wider `nan` simply overflows the column.
        let pad = self.max_width.saturating_sub(s.chars().count());
        format!("{}{}", " ".repeat(pad), s)
    }
}

/// `_tensor_str` for a non-empty tensor: the bracketed contents without prefix or suffixes.
fn tensor_body(shape: &[usize], values: &[f64], indent: usize) -> String {
    let summarize = values.len() > THRESHOLD;
    let formatter = if summarize {
        let mut kept = Vec::new();
        summarized_data(shape, values, &mut kept);
        Formatter::new(&kept)
    } else {
        Formatter::new(values)
    };
    str_with_formatter(shape, values, indent, summarize, &formatter)
}

/// `_tensor_str` for a non-empty integer or bool tensor. `_Formatter` prints each
/// element with Python's `str` (`-3`, `True`), right-aligned to the widest of the
/// elements shown. The layout functions are shared with floats and take `f64`
/// values, which cannot hold every i64 exactly, so they are given each
/// element's position instead (exact below 2^53 elements) and the formatter
/// looks its text up.
fn plain_body(t: &Tensor, indent: usize) -> String {
    let texts: Vec<String> = match t.data() {
        Data::I64(v) => v.iter().map(|x| x.to_string()).collect(),
        Data::Bool(v) => v.iter().map(|&x| if x { "True" } else { "False" }.to_string()).collect(),
        Data::F32(_) | Data::F64(_) => unreachable!("float tensors print through `tensor_body`"),
    };
    let positions: Vec<f64> = (0..texts.len()).map(|i| i as f64).collect();
    let summarize = positions.len() > THRESHOLD;
    let shown = if summarize {
        let mut kept = Vec::new();
        summarized_data(t.shape(), &positions, &mut kept);
        kept
    } else {
        positions.clone()
    };
    let max_width = shown.iter().map(|&p| texts[p as usize].chars().count()).fold(1, usize::max);
    let f = Formatter { int_mode: true, sci_mode: false, max_width, texts };
    str_with_formatter(t.shape(), &positions, indent, summarize, &f)
}

/// `get_summarized_data`: the elements a summarized print shows, in order.
fn summarized_data(shape: &[usize], values: &[f64], out: &mut Vec<f64>) {
    match shape.len() {
        0 => out.extend_from_slice(values),
        1 => {
            if shape[0] > 2 * EDGEITEMS {
                out.extend_from_slice(&values[..EDGEITEMS]);
                out.extend_from_slice(&values[values.len() - EDGEITEMS..]);
            } else {
                out.extend_from_slice(values);
            }
        }
        _ => {
            for i in kept_indices(shape[0]) {
                let (sub_shape, sub) = sub_tensor(shape, values, i);
                summarized_data(sub_shape, sub, out);
            }
        }
    }
}

/// The indices of the first dimension a summarized tensor keeps.
fn kept_indices(n: usize) -> Vec<usize> {
    if n > 2 * EDGEITEMS {
        (0..EDGEITEMS).chain(n - EDGEITEMS..n).collect()
    } else {
        (0..n).collect()
    }
}

/// `self[i]` of a row-major tensor: its shape and elements.
fn sub_tensor<'a>(shape: &'a [usize], values: &'a [f64], i: usize) -> (&'a [usize], &'a [f64]) {
    let stride: usize = shape[1..].iter().product();
    (&shape[1..], &values[i * stride..(i + 1) * stride])
}

/// `_tensor_str_with_formatter`: nested brackets, one level per dimension.
fn str_with_formatter(shape: &[usize], values: &[f64], indent: usize, summarize: bool, f: &Formatter) -> String {
    match shape.len() {
        0 => f.format(values[0]),
        1 => vector_str(values, indent, summarize, f),
        dim => {
            let n = shape[0];
            let slice = |i: usize| {
                let (sub_shape, sub) = sub_tensor(shape, values, i);
                str_with_formatter(sub_shape, sub, indent + 1, summarize, f)
            };
            let slices: Vec<String> = if summarize && n > 2 * EDGEITEMS {
                (0..EDGEITEMS).map(slice).chain(std::iter::once("...".to_string())).chain((n - EDGEITEMS..n).map(slice)).collect()
            } else {
                (0..n).map(slice).collect()
            };
            // Blank lines between blocks grow with the rank, as in PyTorch.
            let sep = format!(",{}{}", "\n".repeat(dim - 1), " ".repeat(indent + 1));
            format!("[{}]", slices.join(&sep))
        }
    }
}

/// `_vector_str`: a 1-D row, wrapped to the line width.
fn vector_str(values: &[f64], indent: usize, summarize: bool, f: &Formatter) -> String {
    // Each element also takes ", " (or the line's closing ",").
    let element_length = f.width() + 2;
    let elements_per_line = (LINEWIDTH.saturating_sub(indent) / element_length).max(1);
    let n = values.len();
    let data: Vec<String> = if summarize && n > 2 * EDGEITEMS {
        values[..EDGEITEMS]
            .iter()
            .map(|&v| f.format(v))
            .chain(std::iter::once(" ...".to_string()))
            .chain(values[n - EDGEITEMS..].iter().map(|&v| f.format(v)))
            .collect()
    } else {
        values.iter().map(|&v| f.format(v)).collect()
    };
    let lines: Vec<String> = data.chunks(elements_per_line).map(|line| line.join(", ")).collect();
    format!("[{}]", lines.join(&format!(",\n{}", " ".repeat(indent + 1))))
}

/// `_add_suffixes`: appends `, suffix` for each suffix, moving one to its own
/// indented line when it would pass the line width, and closes the parenthesis.
fn add_suffixes(tensor_str: String, suffixes: &[String], indent: usize) -> String {
    let len = tensor_str.chars().count() as i64;
    // Python's `rfind` returns -1 without a newline, so a one-line string counts two extra.
    let last_newline = tensor_str.rfind('\n').map(|b| tensor_str[..b].chars().count() as i64).unwrap_or(-1);
    let mut last_line_len = len - last_newline + 1;
    let mut out = tensor_str;
    for suffix in suffixes {
        let suffix_len = suffix.chars().count() as i64;
        if last_line_len + suffix_len + 2 > LINEWIDTH as i64 {
            out.push_str(",\n");
            out.push_str(&" ".repeat(indent));
            out.push_str(suffix);
            last_line_len = (indent as i64) + suffix_len;
        } else {
            out.push_str(", ");
            out.push_str(suffix);
            last_line_len += suffix_len + 2;
        }
    }
    out.push(')');
    out
}
