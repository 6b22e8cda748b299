//! Writing an output file (`--save`, `savefig`) without harming what the path
//! names. A regular file (or a new one) is replaced atomically: the contents go to
//! a temporary file in the same directory, which is then renamed over it, so a
//! failed or interrupted write leaves the old file whole. A symbolic link is
//! followed, so that its target is replaced and the link stays. A path naming
//! something that is not a regular file (`/dev/null`, a FIFO, a terminal) is
//! written into, as a shell's `>` would, instead of being replaced by a file:
//! the contents are made in a temporary file first and then copied in.
//! Temporary files are registered ([`cleanup`]), so that SIGINT or SIGTERM removes them.

pub mod cleanup;

use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// At most this many links are followed, as Linux's `ELOOP` limit.
const MAX_LINKS: usize = 40;

/// The path a write to `path` must reach: `path` itself, or the final target of
/// the chain of symbolic links it names (which need not exist yet).
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!("more than {MAX_LINKS} symbolic links to follow from `{}`", path.display())))
}

/// The directory a file is written in: the path's parent, or `.` for a bare file name.
pub fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes the file at `path` (through symbolic links) with `render`, which writes
/// the whole contents into the path it is given. `suffix` ends the temporary file's
/// name (an encoder may choose its format from it). A regular or new target is
/// replaced atomically; any other target is written into. `io_error` makes the
/// caller's error from a message about the file system.
pub fn write_via<E>(path: &Path, suffix: &str, render: impl FnOnce(&Path) -> Result<(), E>, io_error: impl Fn(String) -> E) -> Result<(), E> {
    let target = resolve(path).map_err(|e| io_error(format!("cannot follow `{}`: {e}", path.display())))?;
    let stream = matches!(std::fs::metadata(&target), Ok(meta) if !meta.is_file());
    // A stream's contents are made in the temporary directory: the target's own
    // directory (`/dev`, say) is no place for them.
    let dir = if stream { std::env::temp_dir() } else { dir_of(&target) };
    let tmp = temporary_path(&dir, &target, suffix);
    let guard = cleanup::Temporary::register(&tmp);
    let result = render(&tmp).and_then(|()| {
        if stream {
            copy_into(&tmp, &target).map_err(|e| io_error(format!("cannot write into `{}`: {e}", target.display())))
        } else {
            std::fs::rename(&tmp, &target).map_err(|e| io_error(format!("cannot move the file into `{}`: {e}", target.display())))
        }
    });
    if result.is_err() || stream {
        // The temporary file may or may not exist, depending on where writing failed.
        let _ = std::fs::remove_file(&tmp);
    }
    drop(guard);
    result
}

/// Copies the file `from` into the existing non-regular file `to`, without truncating
/// or replacing it (a device or a FIFO has nothing to truncate).
fn copy_into(from: &Path, to: &Path) -> io::Result<()> {
    let mut input = std::fs::File::open(from)?;
    let mut output = OpenOptions::new().write(true).open(to)?;
    io::copy(&mut input, &mut output)?;
    Ok(())
}

/// A fresh hidden file name in `dir`, after the target's name, this process and a counter.
fn temporary_path(dir: &Path, target: &Path, suffix: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".to_string());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{name}.{}.{n}.tmp{suffix}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("graphc-files-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write_text(path: &Path, text: &str) -> io::Result<()> {
        write_via(path, "", |tmp| std::fs::write(tmp, text), io::Error::other)
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_written_through_and_stays_a_link() {
        let dir = scratch("link");
        std::fs::write(dir.join("real.txt"), "old").unwrap();
        std::os::unix::fs::symlink("real.txt", dir.join("link.txt")).unwrap();
        write_text(&dir.join("link.txt"), "new").unwrap();
        assert!(std::fs::symlink_metadata(dir.join("link.txt")).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(dir.join("real.txt")).unwrap(), "new");
        // A dangling link creates its target.
        std::os::unix::fs::symlink("later.txt", dir.join("dangling.txt")).unwrap();
        write_text(&dir.join("dangling.txt"), "made").unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("later.txt")).unwrap(), "made");
        let mut names: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        assert_eq!(names, ["dangling.txt", "later.txt", "link.txt", "real.txt"], "no temporary file is left");
    }

    #[cfg(unix)]
    #[test]
    fn a_loop_of_links_is_an_error_not_a_hang() {
        let dir = scratch("loop");
        std::os::unix::fs::symlink("b", dir.join("a")).unwrap();
        std::os::unix::fs::symlink("a", dir.join("b")).unwrap();
        let e = write_text(&dir.join("a"), "x").unwrap_err();
        assert!(e.to_string().contains("symbolic links"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_into_not_replaced() {
        write_text(Path::new("/dev/null"), "discarded").unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file(), "/dev/null must stay a device");
    }

    #[test]
    fn a_failed_render_leaves_the_old_file_and_no_temporary() {
        let dir = scratch("failed");
        std::fs::write(dir.join("f.txt"), "old").unwrap();
        let r: io::Result<()> = write_via(
            &dir.join("f.txt"),
            "",
            |tmp| {
                std::fs::write(tmp, "half")?;
                Err(io::Error::other("render failed"))
            },
            io::Error::other,
        );
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(dir.join("f.txt")).unwrap(), "old");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    }
}
