//! Nothing re-leaked: a key in an archive member's name, a PAX path, a directory name or a
//! variable name is printed redacted in every format, warnings and baselines included, unless
//! `--show-secrets`.

mod common;
use common::*;

fn leaky_names(dir: &std::path::Path) {
    // A zip member named after a key, holding another key (so there is a finding there).
    write(
        dir,
        "names.zip",
        zip_bytes(&[(
            &format!("keys/{LIVE_KEY}.txt"),
            format!("r={RESTRICTED_KEY}\n").as_bytes(),
            true,
        )]),
    );
    // A tar whose long member path (a PAX/GNU record) holds a key.
    write(
        dir,
        "long.tar",
        tar_bytes(
            &[(
                &format!("{}/{LIVE_KEY}/.env", "d".repeat(120)),
                format!("K={RESTRICTED_KEY}\n").as_bytes(),
            )],
            &[],
        ),
    );
    // A directory named after a key.
    write(
        dir,
        &format!("{LIVE_KEY}/config.env"),
        format!("R={RESTRICTED_KEY}\n"),
    );
    // A variable whose name holds the key (the detail line names it).
    write(
        dir,
        "app/.env",
        format!("VITE_{LIVE_KEY}={RESTRICTED_KEY}\n"),
    );
}

#[test]
fn no_format_prints_a_key_from_a_name() {
    let dir = tempdir();
    leaky_names(dir.path());
    for format in ["text", "json", "sarif", "gitlab"] {
        let out = run(dir.path(), &["scan", "--format", format, "."]);
        assert_eq!(code(&out), 1, "{format}: {}", stderr(&out));
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!all.contains(LIVE_KEY), "{format} printed the key:\n{all}");
        assert!(
            !all.contains(RESTRICTED_KEY),
            "{format} printed the key:\n{all}"
        );
        assert!(
            all.contains("sk_live_51u8…vUC"),
            "{format}: redacted form expected"
        );
    }
    // Asked for, they are shown.
    let out = run(
        dir.path(),
        &["scan", "--show-secrets", "--format", "json", "."],
    );
    assert!(stdout(&out).contains(LIVE_KEY));
    // A baseline holds no key, not even in a path; it still suppresses the findings.
    let out = run(dir.path(), &["scan", "--write-baseline", "b.json", "."]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("b.json")).expect("baseline");
    assert!(
        !text.contains(LIVE_KEY) && !text.contains(RESTRICTED_KEY),
        "{text}"
    );
    assert_eq!(
        code(&run(dir.path(), &["scan", "--baseline", "b.json", "."])),
        0
    );
}
