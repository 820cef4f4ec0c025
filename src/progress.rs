//! Progress on stderr during a long scan (`--progress`): files and bytes scanned, archives
//! opened, findings so far and the current rate, redrawn ten times a second by a thread that
//! only reads the scan's counters. Nothing is drawn for a scan that ends within the first
//! half second, and the line is cleared before the report and summary are written.

use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::diagnostics::Stats;
use crate::words::plural;

/// How long a scan runs before progress appears.
const DELAY: Duration = Duration::from_millis(500);
const TICK: Duration = Duration::from_millis(100);

/// Draws progress until the scan drops the other end of `stop` (which wakes this thread at
/// once: the scan never waits for a tick). `always`: draw even when stderr is not a terminal.
pub fn run(stats: &Stats, stop: Receiver<()>, always: bool) {
    let stopped = |wait| !matches!(stop.recv_timeout(wait), Err(RecvTimeoutError::Timeout));
    let begun = Instant::now();
    if stopped(DELAY) {
        return;
    }
    let target = if always {
        ProgressDrawTarget::term_like_with_hz(Box::new(console::Term::stderr()), 10)
    } else {
        ProgressDrawTarget::stderr_with_hz(10)
    };
    let bar = ProgressBar::with_draw_target(None, target);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    // The rate is measured from the scan's start: the first line drawn already shows it (the
    // bytes of the first half second are not "0 B/s").
    let mut last = (begun, 0);
    let mut rate = 0.0;
    loop {
        let bytes = stats.bytes.load(Ordering::Relaxed);
        let now = Instant::now();
        let secs = now.duration_since(last.0).as_secs_f64();
        if secs >= 0.5 {
            rate = (bytes - last.1.min(bytes)) as f64 / secs;
            last = (now, bytes);
        }
        bar.set_message(line(stats, bytes, rate));
        bar.tick();
        if stopped(TICK) {
            break;
        }
    }
    bar.finish_and_clear();
}

/// `12,345 files, 1.2 GiB (340.5 MiB/s), 3 archives, 2 findings`.
fn line(stats: &Stats, bytes: u64, rate: f64) -> String {
    let files = stats.files.load(Ordering::Relaxed);
    let archives = stats.archives.load(Ordering::Relaxed);
    let findings = stats.findings.load(Ordering::Relaxed);
    let requests = stats.requests.load(Ordering::Relaxed);
    if requests > 0 {
        return format!(
            "probing: {}, {} ({}) scanned, {}",
            plural(requests, "request"),
            plural(files, "answer"),
            human_bytes(bytes),
            plural(findings, "finding")
        );
    }
    format!(
        "scanning: {}, {} ({}/s), {}, {}",
        plural(files, "file"),
        human_bytes(bytes),
        human_bytes(rate as u64),
        plural(archives, "archive"),
        plural(findings, "finding")
    )
}

/// `1536` → `1.5 KiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}
