//! Progress on long scans: drawn in a real terminal (a tmux pane) and cleared before the
//! report, never drawn into a pipe unless asked, never on stdout.

mod common;
use common::*;

use std::process::Command;
use std::time::{Duration, Instant};

/// A scan of standard input that takes `secs` seconds: the input arrives late.
fn slow_scan(secs: u32, args: &str) -> String {
    format!(
        "(sleep {secs}; echo k=\'{LIVE_KEY}\') | {} scan {args} -",
        bin()
    )
}

/// tmux, which `.ci/run` installs (missing outside CI: the test says so and returns).
fn tmux() -> Option<std::path::PathBuf> {
    tool(
        on_path("tmux"),
        "tmux",
        ".ci/run installs it: apt-get install tmux",
    )
}

/// A tmux server of its own (a socket named for the test), where a command runs in a pane.
struct Pane {
    tmux: std::path::PathBuf,
    socket: String,
}

impl Pane {
    /// Starts `script` (run by `sh -c`) in a 150×30 pane.
    fn start(tmux: std::path::PathBuf, socket: String, script: &str) -> Pane {
        let pane = Pane { tmux, socket };
        let started = pane.tmux(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "150",
            "-y",
            "30",
            "sh",
            "-c",
            script,
        ]);
        assert!(started.status.success(), "{}", stderr(&started));
        pane
    }

    fn tmux(&self, args: &[&str]) -> std::process::Output {
        Command::new(&self.tmux)
            .args(["-L", &self.socket])
            .args(args)
            .env("TERM", "xterm-256color")
            .output()
            .expect("tmux runs")
    }

    /// What the pane shows.
    fn text(&self) -> String {
        stdout(&self.tmux(&["capture-pane", "-p", "-t", "t"]))
    }

    /// What the pane shows once it shows `what` (or after 20 s).
    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = self.text();
        while Instant::now() < deadline && !seen.contains(what) {
            std::thread::sleep(Duration::from_millis(100));
            seen = self.text();
        }
        seen
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

#[test]
#[cfg_attr(
    missing_tmux,
    ignore = "needs tmux: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn progress_is_drawn_in_a_terminal_and_cleared() {
    let Some(tmux) = tmux() else { return };
    let script = format!(
        "{}; echo SCAN-ENDED; sleep 60",
        slow_scan(3, "--color never")
    );
    let pane = Pane::start(
        tmux,
        format!("sealant-progress-{}", std::process::id()),
        &script,
    );
    // While the scan waits for its input, the progress line is there.
    let during = pane.wait_for("scanning:");
    let after = pane.wait_for("SCAN-ENDED");
    drop(pane);
    assert!(
        during.contains("scanning: 0 files, 0 B") && during.contains("findings"),
        "no progress line while scanning:\n{during}"
    );
    assert!(
        after.contains("SCAN-ENDED"),
        "the scan did not end:\n{after}"
    );
    assert!(after.contains("Stripe live secret key"), "{after}");
    assert!(after.contains("sealant: scanned 1 file"), "{after}");
    assert!(
        !after.contains("scanning:"),
        "progress line left behind:\n{after}"
    );
}

#[test]
fn progress_stays_out_of_pipes_and_reports() {
    for (args, drawn) in [
        ("--format json", false),
        ("--format json --progress always", true),
        ("--progress never", false),
    ] {
        let out = Command::new("sh")
            .args(["-c", &slow_scan(1, args)])
            .output()
            .expect("sh runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.contains("scanning:"), drawn, "{args}: {err}");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("scanning:"),
            "{args}"
        );
        if args.contains("json") {
            let v: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("stdout is the JSON report alone");
            assert_eq!(v["findings"].as_array().map(Vec::len), Some(1));
        }
    }
}

/// `sealant verify` and `sealant scan -` with a terminal on standard input say what they wait
/// for, instead of a silent wait that looks like a hang; Ctrl-D ends the input.
#[test]
#[cfg_attr(
    missing_tmux,
    ignore = "needs tmux: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn waiting_for_standard_input_on_a_terminal_is_said() {
    let Some(tmux) = tmux() else { return };
    for (round, (args, expect)) in [
        ("verify", "reading the JSON report"),
        ("scan -", "reading the content to scan"),
    ]
    .into_iter()
    .enumerate()
    {
        let script = format!("{} {args}; echo ENDED-$?; sleep 60", bin());
        let socket = format!("sealant-stdin-{}-{round}", std::process::id());
        let pane = Pane::start(tmux.clone(), socket, &script);
        let waiting = pane.wait_for(expect);
        pane.tmux(&["send-keys", "-t", "t", "C-d"]);
        let ended = pane.wait_for("ENDED-");
        drop(pane);
        assert!(
            waiting.contains(expect) && waiting.contains("Ctrl-D"),
            "{args}:\n{waiting}"
        );
        assert!(
            ended.contains("ENDED-"),
            "{args} did not end on Ctrl-D:\n{ended}"
        );
    }
}
