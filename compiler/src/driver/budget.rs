//! The compile-time resource budget: how many bytes of tensors a program may hold
//! and how large its graph may grow. Every node's dtype and shape are static, so
//! the compiler refuses a program that would exhaust the machine before anything
//! runs (E0501-E0503), instead of letting the run abort on an allocation.

use graphc_runtime::plan::Plan;

use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::program::Program;

/// The limits one compilation follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// The most bytes one tensor, or all tensors alive at once, may take.
    pub max_bytes: u64,
    /// The most nodes lowering may create (inlined calls included): a few
    /// hundred bytes of source can otherwise ask for billions of nodes.
    pub max_nodes: usize,
    /// Whether `max_bytes` was chosen (`--max-memory`) rather than derived from the
    /// machine: messages state a chosen budget, and describe a derived one, so that
    /// a program's diagnostics do not depend on the machine that compiles it.
    pub chosen: bool,
}

/// The node limit. The largest example lowers to a few hundred nodes and a graph
/// of this size compiles in seconds and well under 1 GB, so only a runaway
/// program (calls that multiply at each level) reaches it.
pub const MAX_NODES: usize = 250_000;

/// The share of physical memory a program may use by default: the rest is left
/// to the compiler itself, the operating system and other processes.
const DEFAULT_SHARE: (u64, u64) = (3, 4);

/// What the budget is when `/proc/meminfo` cannot be read (other systems).
const FALLBACK_MEMORY: u64 = 8 << 30;

/// The byte budget `--max-memory` chose for this process, if any.
static PROCESS_MAX_BYTES: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

impl Default for Budget {
    /// The process's budget ([`Budget::set_process_max_bytes`]), else three quarters
    /// of the machine's physical memory; and [`MAX_NODES`].
    fn default() -> Budget {
        match PROCESS_MAX_BYTES.get() {
            Some(&max_bytes) => Budget { max_bytes, max_nodes: MAX_NODES, chosen: true },
            None => Budget { max_bytes: physical_memory() / DEFAULT_SHARE.1 * DEFAULT_SHARE.0, max_nodes: MAX_NODES, chosen: false },
        }
    }
}

impl Budget {
    /// Sets the byte budget of every later compilation in this process (the command
    /// line's `--max-memory`, set once before anything compiles): the tools compile
    /// many programs through [`crate::driver::compile`], and each must follow it.
    /// Returns false if it was already set.
    pub fn set_process_max_bytes(max_bytes: u64) -> bool {
        PROCESS_MAX_BYTES.set(max_bytes).is_ok()
    }

    /// The default budget with `max_bytes` replaced (`--max-memory`).
    pub fn with_max_bytes(max_bytes: u64) -> Budget {
        Budget { max_bytes, chosen: true, ..Budget::default() }
    }

    /// The byte budget in words, for messages.
    pub fn describe(&self) -> String {
        if self.chosen {
            format!("the memory budget of {}", show_bytes(self.max_bytes as u128))
        } else {
            "the default memory budget (three quarters of this machine's memory)".to_string()
        }
    }
}

/// The machine's physical memory in bytes: `MemTotal` of `/proc/meminfo` on Linux,
/// [`FALLBACK_MEMORY`] where that file does not exist or does not say.
pub fn physical_memory() -> u64 {
    // Read once: the tools compile many small programs.
    static MEMORY: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *MEMORY.get_or_init(|| std::fs::read_to_string("/proc/meminfo").ok().and_then(|text| mem_total(&text)).unwrap_or(FALLBACK_MEMORY))
}

/// `MemTotal:  16318436 kB` in `/proc/meminfo`'s text, in bytes.
fn mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut words = line["MemTotal:".len()..].split_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    let unit = match words.next() {
        Some("kB") => 1024,
        None => 1,
        Some(_) => return None,
    };
    value.checked_mul(unit).filter(|&b| b > 0)
}

/// Parses a size such as `4G`, `512M`, `1.5G`, `64K` or `1000000` (bytes). The
/// suffixes are binary (K = 1024) and may end in `B` or `iB` (`4GB`, `4GiB`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let unit_start = lower.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(lower.len());
    let (number, unit) = lower.split_at(unit_start);
    let scale: u64 = match unit.trim_start() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return Err(format!("`{t}` is not a size: write a number of bytes with an optional K, M, G or T suffix, such as `512M` or `4G`")),
    };
    let value: f64 = number.parse().map_err(|_| format!("`{t}` is not a size: write a number such as `512M` or `4G`"))?;
    let bytes = value * scale as f64;
    if !(1.0..=(1u64 << 52) as f64).contains(&bytes) {
        return Err(format!("`{t}` is out of range: the budget must be from 1 byte to 4096T, such as `512M` or `4G`"));
    }
    Ok(bytes as u64)
}

/// A byte count for messages: `6.0 GiB (6442450944 bytes)`.
pub fn show_bytes(bytes: u128) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {} ({bytes} bytes)", UNITS[unit])
    }
}

/// Refuses a plan whose tensors alive at once, at its peak, exceed the budget
/// (E0502), pointing at the largest tensor alive then. `value_nodes` maps each plan
/// value to the node of `prog` it computes ([`crate::schedule::schedule_traced`]).
pub fn check_peak(plan: &Plan, value_nodes: &[NodeId], prog: &Program, budget: Budget) -> Result<(), Diagnostic> {
    let peak = crate::schedule::peak::peak(plan);
    if peak.bytes <= budget.max_bytes as u128 {
        return Ok(());
    }
    let Some(v) = peak.largest else { return Ok(()) };
    let info = &plan.values[v.0 as usize];
    let span = value_nodes.get(v.0 as usize).map(|&n| prog.graph.meta(n).span).unwrap_or_default();
    let bytes = crate::schedule::peak::value_bytes(plan, v);
    Err(Diagnostic::new(
        Code::E0502,
        format!(
            "at its peak the program holds {} of tensors at once, more than {}",
            show_bytes(peak.bytes),
            budget.describe()
        ),
        span,
        format!("the largest tensor alive then: {} of {}, {}", shapes::show(&info.shape), info.dtype, show_bytes(bytes)),
    )
    .with_help("keep fewer large tensors alive at once (print or save them earlier), or raise the budget with `--max-memory SIZE` (for example `--max-memory 16G`) if the machine has the memory"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_suffixes_and_refuse_nonsense() {
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("512mib"), Ok(512 << 20));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("2TB"), Ok(2 << 40));
        for bad in ["", "G", "4X", "-1G", "0", "1e3", "4 G B", "99999999999T"] {
            assert!(parse_size(bad).is_err(), "`{bad}` must be refused");
        }
    }

    #[test]
    fn mem_total_reads_kilobytes_and_refuses_other_text() {
        assert_eq!(mem_total("MemFree: 5 kB\nMemTotal:       16318436 kB\n"), Some(16318436 * 1024));
        assert_eq!(mem_total("MemTotal: lots\n"), None);
        assert_eq!(mem_total("MemTotal: 0 kB\n"), None);
        assert_eq!(mem_total(""), None);
        assert!(physical_memory() > 0);
    }

    #[test]
    fn byte_counts_read_in_binary_units_with_the_exact_count() {
        assert_eq!(show_bytes(100), "100 bytes");
        assert_eq!(show_bytes(6 << 30), "6.0 GiB (6442450944 bytes)");
        assert_eq!(show_bytes(1536), "1.5 KiB (1536 bytes)");
    }
}
