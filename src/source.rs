//! Reading a program's source with a size limit: the compiler's memory grows with
//! the source (tokens, syntax tree, graph), so a file of tens of megabytes could
//! exhaust the machine before any other budget applies.

use std::io::Read;
use std::path::Path;

/// The code of a source too large. It is not a [`graphc_compiler::diag::Code`]:
/// those point into a source, and this one is refused before it is read.
pub const TOO_LARGE: &str = "E0505";

/// The largest source file graphc reads: 4 MiB, a thousand times the largest
/// example, and well within the compiler's memory budget.
pub const MAX_SOURCE_BYTES: u64 = 4 << 20;

/// Why a source could not be read.
pub enum ReadError {
    /// The file is larger than [`MAX_SOURCE_BYTES`]: a compile error (exit 1), E0505.
    TooLarge(String),
    /// The file cannot be opened or is not UTF-8: a usage error (exit 2).
    Unreadable(String),
}

/// Reads `path` as UTF-8, refusing a file larger than [`MAX_SOURCE_BYTES`]. The
/// limit is applied while reading, so a huge file (or an endless device) is never
/// held in memory whole.
pub fn read(path: &Path) -> Result<String, ReadError> {
    let unreadable = |e: std::io::Error| ReadError::Unreadable(format!("cannot read `{}`: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(ReadError::TooLarge(format!(
            "error[{}]: `{}` is larger than graphc reads ({} MiB)\n  = help: split the program, or generate less source: a loop in the generator usually belongs in a fn\n",
            TOO_LARGE,
            path.display(),
            MAX_SOURCE_BYTES >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|_| unreadable(std::io::Error::new(std::io::ErrorKind::InvalidData, "stream did not contain valid UTF-8")))
}
