//! Temporary files are removed when SIGINT or SIGTERM ends the process mid-write.
//!
//! A signal handler may only call async-signal-safe functions, so it cannot lock a
//! mutex or free memory: the registry is a fixed array of atomic pointers to
//! NUL-terminated paths, which the handler reads and `unlink`s. A path's memory is
//! never freed (a handler on another thread may be reading it); a run writes one
//! temporary file per `--save` and `savefig`, so this leaks a few bytes per file.

use std::ffi::CString;
use std::path::Path;
use std::sync::atomic::{AtomicPtr, Ordering};

/// How many temporary files can be registered at once (more are written, unregistered).
const SLOTS: usize = 64;

static REGISTRY: [AtomicPtr<std::ffi::c_char>; SLOTS] = [const { AtomicPtr::new(std::ptr::null_mut()) }; SLOTS];

/// A registered temporary file: removed by the signal handler until dropped.
pub struct Temporary {
    slot: Option<usize>,
}

impl Temporary {
    /// Registers `path` for removal on SIGINT or SIGTERM.
    pub fn register(path: &Path) -> Temporary {
        let Some(c) = c_path(path) else { return Temporary { slot: None } };
        let ptr = c.into_raw();
        for (i, slot) in REGISTRY.iter().enumerate() {
            if slot.compare_exchange(std::ptr::null_mut(), ptr, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                return Temporary { slot: Some(i) };
            }
        }
        // SAFETY: `ptr` came from `CString::into_raw` above and was stored nowhere.
        drop(unsafe { CString::from_raw(ptr) });
        Temporary { slot: None }
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        // The path's memory is leaked on purpose (see the module's doc).
        if let Some(i) = self.slot {
            REGISTRY[i].store(std::ptr::null_mut(), Ordering::SeqCst);
        }
    }
}

#[cfg(unix)]
fn c_path(path: &Path) -> Option<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes()).ok()
}

#[cfg(not(unix))]
fn c_path(path: &Path) -> Option<CString> {
    CString::new(path.to_str()?.as_bytes()).ok()
}

/// Installs the handler for SIGINT and SIGTERM: it removes every registered
/// temporary file, then ends the process by the same signal (so that the shell
/// sees an interrupted process, exit status 130 or 143). Call once, before writing.
#[cfg(unix)]
pub fn remove_temporaries_on_signals() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: `on_signal` is an `extern "C" fn(c_int)` that calls only
        // async-signal-safe functions (atomic loads, unlink, signal, raise);
        // the sigaction struct is zeroed and then fully set up before use.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// Other systems keep their default handling (and may leave a temporary file).
#[cfg(not(unix))]
pub fn remove_temporaries_on_signals() {}

#[cfg(unix)]
extern "C" fn on_signal(signal: libc::c_int) {
    for slot in &REGISTRY {
        let path = slot.load(Ordering::SeqCst);
        if !path.is_null() {
            // SAFETY: a non-null slot holds a NUL-terminated path that is never freed.
            unsafe { libc::unlink(path) };
        }
    }
    // SAFETY: restoring the default action and re-raising are async-signal-safe.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}
