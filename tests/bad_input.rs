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

/// 5,000 distinct keys in one file are all listed (copies of one key past 50 are counted
/// instead: see `findings_past_the_bounds_are_counted_not_listed`).
#[test]
fn many_keys_in_one_file_are_all_reported() {
    let dir = tempdir();
    let stem = &LIVE_KEY[..LIVE_KEY.len() - 4];
    let body: String = (0..5000).map(|i| format!("k{i}={stem}{i:04}\n")).collect();
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

/// Replaces every occurrence of `from` with `to` (same length) in `data`.
fn patch(mut data: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut at = 0;
    while let Some(i) = data[at..].windows(from.len()).position(|w| w == from) {
        data[at + i..at + i + to.len()].copy_from_slice(to);
        at += i + to.len();
    }
    data
}

/// The rest of "nothing skipped in silence": each of these lost a planted key without a word.
/// Every key is now found, and what was odd about the container is a warning naming it.
#[test]
fn odd_containers_give_up_no_key() {
    let dir = tempdir();
    let key = |c: char| format!("k={LIVE_KEY}{c}\n");
    // Two zip entries with one name (the central directory's reader kept the last).
    let two = zip_bytes(&[
        ("a.txt", key('A').as_bytes(), true),
        ("b.txt", key('B').as_bytes(), true),
    ]);
    write(dir.path(), "dup.zip", patch(two, b"b.txt", b"a.txt"));
    // An entry named like a directory that carries data.
    write(
        dir.path(),
        "dirdata.zip",
        zip_bytes(&[("conf/", key('C').as_bytes(), false)]),
    );
    // Tar types GNU tar extracts as files: contiguous (`7`) and a vendor letter.
    for (name, t) in [("contig.tar", b'7'), ("vendor.tar", b'X')] {
        let data = key('T');
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::new(t));
        h.set_cksum();
        let mut b = tar::Builder::new(Vec::new());
        b.append_data(&mut h, "f.txt", data.as_bytes())
            .expect("tar");
        write(dir.path(), name, b.into_inner().expect("tar"));
    }
    // A second zstd frame.
    let frame = |s: &str| {
        ruzstd::encoding::compress_to_vec(
            std::io::Cursor::new(s.to_string()),
            ruzstd::encoding::CompressionLevel::Fastest,
        )
    };
    let mut zst = frame("first frame\n");
    zst.extend(frame(&key('Z')));
    write(dir.path(), "two.log.zst", zst);
    // Bytes after a gzip stream.
    let mut gz = gz_bytes(b"hello\n");
    gz.extend(key('G').as_bytes());
    write(dir.path(), "trail.log.gz", gz);
    // A small zip member whose checksum is wrong.
    let stored = zip_bytes(&[("s.txt", key('S').as_bytes(), false)]);
    let crc = crc32(key('S').as_bytes()).to_le_bytes();
    write(
        dir.path(),
        "badcrc.zip",
        patch(stored, &crc, &[0xde, 0xad, 0xbe, 0xef]),
    );
    // Archive magic followed by text.
    write(
        dir.path(),
        "notes.zip",
        format!("PK\x03\x04 not a zip at all {}", key('P')),
    );
    let mut fake_gz = b"\x1f\x8b not gzip either ".to_vec();
    fake_gz.extend(key('Q').as_bytes());
    write(dir.path(), "notes.gz", fake_gz);

    let (v, out) = json_scan(dir.path(), &["--show-secrets", "."]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let mut found: Vec<String> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "stripe.secret-key.live")
        .map(|f| {
            let secret = f["secret"].as_str().unwrap_or_default();
            let tag = secret.chars().last().unwrap_or('?');
            format!("{tag} {}", f["path"].as_str().unwrap_or_default())
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            "A ./dup.zip!a.txt",
            "B ./dup.zip!a.txt",
            "C ./dirdata.zip!conf/",
            "G ./trail.log.gz!trail.log",
            "P ./notes.zip",
            "Q ./notes.gz",
            "S ./badcrc.zip!s.txt",
            "T ./contig.tar!f.txt",
            "T ./vendor.tar!f.txt",
            "Z ./two.log.zst!two.log",
        ]
    );
    let warnings = v["warnings"].to_string();
    for (path, says) in [
        ("dup.zip", "share names"),
        ("trail.log.gz", "after the gzip stream"),
        ("badcrc.zip!s.txt", "scanned the"),
        ("notes.zip", "scanned as it is"),
        ("notes.gz", "scanned as it is"),
    ] {
        assert!(
            warnings.contains(path) && warnings.contains(says),
            "no warning for {path}: {warnings}"
        );
    }
}

/// CRC-32 (IEEE), as zip headers store it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A skipped member (media) is not counted among the scanned ones.
#[test]
fn summary_counts_scanned_members_only() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.zip",
        zip_bytes(&[
            ("a.png", b"\x89PNG\r\n\x1a\n....", false),
            ("b.txt", b"hello", false),
        ]),
    );
    let (v, _) = json_scan(dir.path(), &["m.zip"]);
    assert_eq!(v["summary"]["files_scanned"], 1);
    assert_eq!(v["summary"]["archive_members"], 1);
    assert_eq!(v["summary"]["skipped"]["media"], 1);
}

/// A tar whose long-name record is megabytes long: read as a member (scanned, under the member
/// limits), not held in memory as a name; the entry after it is still read.
#[test]
fn oversized_tar_name_records_are_members_not_names() {
    let dir = tempdir();
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    let body = format!("k={LIVE_KEY}\n");
    h.set_size(body.len() as u64);
    h.set_mode(0o644);
    let long = format!("d/{}.env", "n".repeat(2 << 20));
    b.append_data(&mut h, long, body.as_bytes()).expect("tar");
    write(dir.path(), "long.tar", b.into_inner().expect("tar"));
    let (v, out) = json_scan(dir.path(), &["long.tar"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(v["findings"][0]["rule_id"], "stripe.secret-key.live");
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("long.tar!@oversized-tar-header"),
        "{warnings}"
    );
}

/// Memory stays bounded whatever the input holds, and counts stay exact: copies of one secret
/// past 50 in a file, findings past 10,000 in a file and past 100,000 in a scan are counted
/// in the summary (and fail the run) but not listed.
#[test]
fn findings_past_the_bounds_are_counted_not_listed() {
    let dir = tempdir();
    let mut text = format!("k={LIVE_KEY}\n").repeat(120);
    text.push_str(&format!("r={RESTRICTED_KEY}\n"));
    write(dir.path(), "copies.env", text);
    let (v, out) = json_scan(dir.path(), &["copies.env"]);
    assert_eq!(code(&out), 1);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(51));
    assert_eq!(v["summary"]["findings"]["critical"], 121);
    assert_eq!(v["summary"]["unlisted"]["critical"], 70);

    // 12 files of 10,000 distinct keys: 120,000 findings, 100,000 listed.
    let many = tempdir();
    let alphabet: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
    for file in 0..12u64 {
        let mut body = String::new();
        for i in 0..10_000u64 {
            let mut n = file * 1_000_003 + i * 7_919 + 17;
            let tail: String = (0..24)
                .map(|_| {
                    n = n
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    alphabet[(n >> 33) as usize % alphabet.len()]
                })
                .collect();
            body.push_str(&format!("k=sk_live_51{tail}{}\n", &LIVE_KEY[40..]));
        }
        write(many.path(), &format!("f{file:02}.txt"), body);
    }
    let (v, out) = json_scan(many.path(), &["--fail-on", "critical", "."]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let listed = v["findings"].as_array().map_or(0, Vec::len);
    let critical = v["summary"]["findings"]["critical"].as_u64().unwrap_or(0);
    assert!(listed <= 100_000, "{listed} listed");
    assert_eq!(critical, 120_000);
    assert_eq!(
        v["summary"]["unlisted"]["critical"].as_u64().unwrap_or(0),
        critical - listed as u64
    );
    assert!(
        v["warnings"]
            .to_string()
            .contains("more than 100000 findings")
    );
}

/// A file that keeps growing while it is scanned: what it held when opened is scanned, the scan
/// ends (it does not chase the writer), and a warning names the file.
#[test]
fn a_growing_file_is_read_to_its_size_at_open_with_a_warning() {
    use std::io::Write as _;
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempdir();
    let path = dir.path().join("app.log");
    let mut file = std::fs::File::create(&path).expect("create");
    file.write_all(format!("key = '{LIVE_KEY}'\n").as_bytes())
        .expect("write");
    let filler = "x".repeat(64 * 1024 - 1) + "\n";
    for _ in 0..512 {
        file.write_all(filler.as_bytes()).expect("write");
    }
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    // Appends 64 KiB every millisecond (at most 1 GiB) until the scan is over.
    let writer = {
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            for _ in 0..16 * 1024 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                file.write_all(filler.as_bytes()).expect("append");
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        })
    };
    let out = run_within(dir.path(), &["scan", "--format", "json", "app.log"], 60);
    stop.store(true, Ordering::Relaxed);
    writer.join().expect("writer");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        rule_paths(&v),
        vec![("stripe.secret-key.live".to_string(), "app.log".to_string())]
    );
    let warnings = v["warnings"].as_array().expect("warnings");
    assert!(
        warnings.iter().any(|w| w["path"] == "app.log"
            && w["message"]
                .as_str()
                .is_some_and(|m| m.contains("grew while it was scanned"))),
        "{warnings:?}"
    );
}

/// A script or executable is looked at for an appended zip (a self-extracting installer); one
/// without a zip is not said to have grown: the look at its end leaves the file where its own
/// scan left it. (A plain `#!/bin/sh` script was reported as "grew while it was scanned".)
#[test]
fn a_script_without_an_appended_zip_did_not_grow() {
    let dir = tempdir();
    for (name, text) in [
        ("deploy.sh", "#!/bin/sh\necho deploying\n".to_string()),
        (
            "run",
            format!("#!/usr/bin/env bash\n{}\n", "# comment\n".repeat(800)),
        ),
        ("tool.exe", "MZ\u{0}\u{0}not really a program".to_string()),
    ] {
        write(dir.path(), name, text);
    }
    let out = run_within(dir.path(), &["scan", "--format", "json", "."], 60);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(v["warnings"], serde_json::json!([]), "{}", stderr(&out));
    assert_eq!(v["summary"]["files_scanned"], 3, "{v}");
}

/// A 971-byte corrupt xz stream found by `cargo fuzz` (target `archive`) that made the xz
/// decoder sealant used spin forever inside one read: the scan now ends at once, warns that
/// the stream is corrupt, and scans what was decoded.
#[test]
fn a_corrupt_xz_stream_cannot_hang_the_scan() {
    let dir = tempdir();
    let bytes =
        std::fs::read(repo_root().join("fixtures/hostile/xz-decoder-spin.xz")).expect("fixture");
    write(dir.path(), "logs.xz", bytes);
    let out = run_within(dir.path(), &["scan", "--format", "json", "."], 20);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let warned = (v["warnings"].as_array().into_iter().flatten())
        .any(|w| w.to_string().contains("logs.xz") && w.to_string().contains("lzma data error"));
    assert!(warned, "{}", v["warnings"]);
}

/// A corrupt bzip2 stream found by `cargo fuzz` (target `archive`, inside a 7z) on which the
/// pure-Rust bzip2 decoder indexed past an array inside an `extern "C"` function — a panic
/// that cannot unwind, so the whole scan aborted. The reference libbz2 now decodes bzip2: the
/// stream is a warning, and the file beside it is still scanned.
#[test]
fn a_corrupt_bzip2_stream_cannot_abort_the_scan() {
    let dir = tempdir();
    let bytes = std::fs::read(repo_root().join("fixtures/hostile/bzip2-decoder-panic.bz2"))
        .expect("fixture");
    write(dir.path(), "logs.bz2", bytes);
    write(
        dir.path(),
        "app.env",
        format!("STRIPE_SECRET_KEY={LIVE_KEY}\n"),
    );
    let out = run_within(dir.path(), &["scan", "--format", "json", "."], 20);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let warned = (v["warnings"].as_array().into_iter().flatten())
        .any(|w| w.to_string().contains("logs.bz2") && w.to_string().contains("bzip2"));
    assert!(warned, "{}", v["warnings"]);
    assert_eq!(
        v["findings"][0]["canonical_path"], "app.env",
        "{}",
        v["findings"]
    );
}
