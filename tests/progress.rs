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

#[test]
fn progress_is_drawn_in_a_terminal_and_cleared() {
    let Some(tmux) = tool(
        on_path("tmux"),
        "tmux",
        ".ci/run installs it: apt-get install tmux",
    ) else {
        return;
    };
    let socket = format!("sealant-progress-{}", std::process::id());
    let tmux_cmd = |args: &[&str]| {
        Command::new(&tmux)
            .args(["-L", &socket])
            .args(args)
            .env("TERM", "xterm-256color")
            .output()
            .expect("tmux runs")
    };
    let script = format!(
        "{}; echo SCAN-ENDED; sleep 60",
        slow_scan(3, "--color never")
    );
    let started = tmux_cmd(&[
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
        &script,
    ]);
    assert!(started.status.success(), "{}", stderr(&started));
    let pane = || stdout(&tmux_cmd(&["capture-pane", "-p", "-t", "t"]));
    // While the scan waits for its input, the progress line is there.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut during = String::new();
    while Instant::now() < deadline && !during.contains("scanning:") {
        std::thread::sleep(Duration::from_millis(200));
        during = pane();
    }
    let mut after = pane();
    while Instant::now() < deadline && !after.contains("SCAN-ENDED") {
        std::thread::sleep(Duration::from_millis(200));
        after = pane();
    }
    tmux_cmd(&["kill-server"]);
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
