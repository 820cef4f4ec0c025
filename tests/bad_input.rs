//! Inputs that must neither crash nor stop a scan: empty and NUL-filled files, invalid UTF-8,
//! a single line far larger than the read chunk, with memory staying bounded.

mod common;
use common::*;

#[test]
fn empty_nul_filled_and_invalid_utf8_files() {
    let dir = tempdir();
    write(dir.path(), "empty.txt", "");
    write(dir.path(), "zeros.bin", vec![0u8; 3 * 1024 * 1024]);
    let mut bad = vec![0xff, 0xfe, 0xfd, b'\n', 0xc3, 0x28, b'='];
    bad.extend_from_slice(LIVE_KEY.as_bytes());
    bad.extend_from_slice(&[0xe2, 0x82]);
    write(dir.path(), "latin1.cfg", &bad);
    let (v, out) = json_scan(dir.path(), &[]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        rule_paths(&v),
        vec![(
            "stripe.secret-key.live".to_string(),
            "latin1.cfg".to_string()
        )]
    );
    assert_eq!(v["findings"][0]["line"], 2);
    assert_eq!(v["findings"][0]["column"], 4);
    assert_eq!(v["summary"]["files_scanned"], 3);
    assert_eq!(v["summary"]["warnings"], 0);
}

/// A minified bundle that is one 100 MB line, with keys on both sides of the 8 MiB chunk
/// seams, is scanned whole in bounded memory.
#[test]
fn one_huge_line_is_scanned_in_bounded_memory() {
    let dir = tempdir();
    let size = 100 * 1024 * 1024;
    let seam = 8 * 1024 * 1024;
    let offsets = [
        10,
        seam - 60,
        seam - 5,
        2 * seam - 200,
        size / 2,
        size - LIVE_KEY.len() - 1,
    ];
    // Written a megabyte at a time so that this test process never holds the file: a child's
    // ru_maxrss starts from its parent's high-water mark.
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(dir.path().join("bundle.min.js")).expect("create"),
    );
    let block = 1024 * 1024;
    for start in (0..size).step_by(block) {
        let mut piece = vec![b'a'; block];
        for &o in &offsets {
            for (i, b) in std::iter::once(b'"')
                .chain(LIVE_KEY.bytes())
                .chain(std::iter::once(b'"'))
                .enumerate()
            {
                let at = o - 1 + i;
                if (start..start + block).contains(&at) {
                    piece[at - start] = b;
                }
            }
        }
        std::io::Write::write_all(&mut file, &piece).expect("write");
    }
    drop(file);
    let (v, out) = json_scan(dir.path(), &["-j", "1"]);
    assert_eq!(code(&out), 1);
    let found: Vec<(u64, u64, u64)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["byte_offset"].as_u64().unwrap_or(0),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let expected: Vec<(u64, u64, u64)> = offsets
        .iter()
        .map(|&o| (o as u64, 1, o as u64 + 1))
        .collect();
    assert_eq!(found, expected);
    assert_eq!(v["summary"]["bytes_scanned"], size as u64);
    // ru_maxrss of waited-for children, in KiB on Linux: bounded by the chunk size, not by
    // the 100 MB file (every other child of this test binary is small too).
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a complete rusage into the pointer it is given.
    let usage = unsafe {
        assert_eq!(
            libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()),
            0
        );
        usage.assume_init()
    };
    assert!(
        usage.ru_maxrss < 64 * 1024,
        "peak RSS {} KiB",
        usage.ru_maxrss
    );
}

#[test]
fn many_keys_in_one_file_are_all_reported() {
    let dir = tempdir();
    let body: String = (0..5000).map(|i| format!("k{i}={LIVE_KEY}\n")).collect();
    write(dir.path(), "dump.txt", body);
    let (v, _) = json_scan(dir.path(), &[]);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(5000));
    assert_eq!(v["findings"][4999]["line"], 5000);
}

/// `--max-filesize` (and `[limits] max-filesize`): the rest of a larger file is not read, with
/// a warning naming it.
#[test]
fn max_filesize_reads_in_part_with_a_warning() {
    let dir = tempdir();
    let mut text = format!("early = '{LIVE_KEY}'\n");
    text.push_str(&"x".repeat(10_000));
    text.push_str(&format!("\nlate = '{RESTRICTED_KEY}'\n"));
    write(dir.path(), "big.txt", &text);
    let (v, _) = json_scan(dir.path(), &["--max-filesize", "5000", "."]);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert_eq!(rules, ["stripe.secret-key.live"]);
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("larger than --max-filesize"),
        "{warnings}"
    );
    write(
        dir.path(),
        ".sealant.toml",
        "[limits]\nmax-filesize = 5000\n",
    );
    let (v, _) = json_scan(dir.path(), &["."]);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(1));
    // By default the whole file is read.
    std::fs::remove_file(dir.path().join(".sealant.toml")).expect("rm");
    let (v, _) = json_scan(dir.path(), &["."]);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(2));
}

/// Nothing skipped in silence: an `.env` that starts like an MP3 tag is read (only nameless
/// files are taken for media by content), and two tar members with one name holding different
/// keys are two findings.
#[test]
fn media_lookalikes_and_duplicate_member_names_are_read() {
    let dir = tempdir();
    write(dir.path(), "app/.env", format!("ID3\nK={LIVE_KEY}\n"));
    write(dir.path(), "photo", b"GIF89a....binary image....");
    write(
        dir.path(),
        "twice.tar",
        tar_bytes(
            &[
                ("conf/keys.env", format!("A={LIVE_KEY}\n").as_bytes()),
                ("conf/keys.env", format!("A={RESTRICTED_KEY}\n").as_bytes()),
            ],
            &[],
        ),
    );
    let (v, _) = json_scan(dir.path(), &["."]);
    let rows: Vec<(String, String)> = rule_paths(&v);
    assert!(
        rows.contains(&(
            "stripe.secret-key.live".to_string(),
            "./app/.env".to_string()
        )),
        "{rows:?}"
    );
    let in_tar = rows
        .iter()
        .filter(|(r, p)| p.ends_with("twice.tar!conf/keys.env") && r.starts_with("stripe."))
        .count();
    assert_eq!(in_tar, 2, "{rows:?}");
    // The nameless image is still skipped as media.
    assert_eq!(v["summary"]["skipped"]["media"], 1);
}
