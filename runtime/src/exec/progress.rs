//! The progress line of a long loop: after a loop has run for about a second,
//! stderr shows the iterations done, the rate and the time left, updated a few
//! times a second, and the line is cleared when the loop ends. Only when stderr
//! is a terminal (never in a pipe or a file, so captured output is unchanged),
//! and only for one loop at a time (the outermost that runs long), so that
//! nested loops do not fight over the line. A loop that a `break` may end
//! shows the iterations done and the rate, with its bound as the most it may
//! run (a `while` loop's, without a bound).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Set while a loop owns the progress line.
static SHOWING: AtomicBool = AtomicBool::new(false);

/// How long a loop runs before it shows progress, and how often the line changes.
const DELAY: Duration = Duration::from_secs(1);
const EVERY: Duration = Duration::from_millis(200);

pub(super) struct Progress {
    trip: u64,
    /// Whether a `break` may end the loop before `trip` iterations.
    may_break: bool,
    started: Instant,
    last: Option<Instant>,
    /// Whether this loop may show a line (stderr is a terminal, the loop runs more than once).
    enabled: bool,
    owns: bool,
}

impl Progress {
    pub(super) fn start(trip: u64, may_break: bool) -> Progress {
        let enabled = trip > 1 && std::io::stderr().is_terminal();
        Progress { trip, may_break, started: Instant::now(), last: None, enabled, owns: false }
    }

    /// Called before iteration `done` (the number of iterations finished).
    pub(super) fn tick(&mut self, done: u64) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let elapsed = now - self.started;
        if elapsed < DELAY || self.last.is_some_and(|l| now - l < EVERY) {
            return;
        }
        if !self.owns {
            if SHOWING.swap(true, Ordering::SeqCst) {
                self.enabled = false;
                return;
            }
            self.owns = true;
        }
        self.last = Some(now);
        let rate = done as f64 / elapsed.as_secs_f64();
        let line = match (self.may_break, self.trip >= i64::MAX as u64) {
            (true, true) => format!("loop: {done} iterations, {rate:.1}/s"),
            (true, false) => format!("loop: {done} iterations (at most {}), {rate:.1}/s", self.trip),
            (false, _) => {
                let left = if rate > 0.0 { (self.trip - done) as f64 / rate } else { 0.0 };
                format!("loop: {done}/{} iterations, {rate:.1}/s, {left:.0} s left", self.trip)
            }
        };
        let _ = write!(std::io::stderr(), "\r\x1b[K{line}");
    }

    /// Clears the line if this loop showed one.
    pub(super) fn finish(&mut self) {
        if self.owns {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
            SHOWING.store(false, Ordering::SeqCst);
            self.owns = false;
        }
    }
}
