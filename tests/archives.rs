//! Archives: nested chains, corrupt and hostile inputs (truncated zips, bombs, deep nesting,
//! path tricks, empty archives, symlinks in tars), all generated here.

mod common;
use common::*;

fn warnings(v: &serde_json::Value) -> String {
    v["warnings"].to_string()
}

#[test]
fn key_three_archives_deep_and_env_in_archive() {
    let dir = tempdir();
    let props = format!("stripe.key={LIVE_KEY}\n");
    let jar = zip_bytes(&[("config/stripe.properties", props.as_bytes(), true)]);
    let app = zip_bytes(&[
        ("lib/pay.jar", &jar, false),
        ("config/.env", b"DB_HOST=db\n", true),
        ("README.txt", b"nothing here", true),
    ]);
    let tar = tar_bytes(&[("release/app.zip", &app)], &[]);
    write(dir.path(), "release.tgz", gz_bytes(&tar));
    let (v, out) = json_scan(dir.path(), &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        summary_rows(&v),
        vec![
            "high env-file.exposed release.tgz!release/app.zip!config/.env:1 source",
            "critical stripe.secret-key.live release.tgz!release/app.zip!lib/pay.jar!config/stripe.properties:1 source",
        ]
    );
    assert_eq!(v["findings"][1]["column"], 12);
    assert_eq!(v["summary"]["archives"], 1);
    assert_eq!(v["summary"]["archive_members"], 3);
    assert_eq!(warnings(&v), "[]");
}

#[test]
fn mobile_packages_are_mobile_app_exposure() {
    let dir = tempdir();
    let apk = zip_bytes(&[(
        "assets/config.json",
        format!("{{\"k\":\"{RESTRICTED_KEY}\"}}").as_bytes(),
        true,
    )]);
    write(dir.path(), "app-release.apk", &apk);
    let (v, _) = json_scan(dir.path(), &[]);
    assert_eq!(
        summary_rows(&v),
        vec!["critical stripe.restricted-key.live app-release.apk!assets/config.json:1 mobile-app"]
    );
    assert!(
        v["findings"][0]["remediation"]
            .as_str()
            .is_some_and(|r| r.starts_with("Already public (mobile-app)"))
    );
}

#[test]
fn truncated_zip_yields_its_complete_members() {
    let dir = tempdir();
    let filler = vec![b'x'; 4000];
    let full = zip_bytes(&[
        ("a.txt", format!("{LIVE_KEY}\n").as_bytes(), true),
        ("b.txt", &filler, true),
        ("c.txt", format!("{RESTRICTED_KEY}\n").as_bytes(), true),
    ]);
    // Cut inside the last member: no central directory, c.txt incomplete.
    let cut = full.len() - 150;
    write(dir.path(), "cut.zip", &full[..cut]);
    let (v, out) = json_scan(dir.path(), &[]);
    assert_eq!(code(&out), 1);
    let rows = summary_rows(&v);
    assert_eq!(
        rows[0],
        "critical stripe.secret-key.live cut.zip!a.txt:1 source"
    );
    assert!(warnings(&v).contains("local headers"), "{}", warnings(&v));
}

#[test]
fn zip_bomb_is_cut_off_quickly() {
    let dir = tempdir();
    let zeros = vec![0u8; 256 * 1024 * 1024];
    let bomb = zip_bytes(&[
        ("zeros.bin", &zeros, true),
        ("after.txt", LIVE_KEY.as_bytes(), true),
    ]);
    drop(zeros);
    assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
    write(dir.path(), "bomb.zip", &bomb);
    let started = std::time::Instant::now();
    let out = run_within(dir.path(), &["scan", "--format", "json"], 60);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(warnings(&v).contains("ratio limit"), "{}", warnings(&v));
    // The member after the bomb is still read.
    assert_eq!(
        summary_rows(&v),
        vec!["critical stripe.secret-key.live bomb.zip!after.txt:1 source"]
    );
    // Bounded: at most 200 × its compressed size (about 50 MiB) was inflated, not 256 MiB.
    let scanned = v["summary"]["bytes_scanned"].as_u64().unwrap_or(u64::MAX);
    assert!(scanned < 64 * 1024 * 1024, "{v}");
    assert!(started.elapsed().as_secs() < 30);
    // A tighter member limit applies too.
    let (v, _) = json_scan(
        dir.path(),
        &[
            "--max-inflate-ratio",
            "100000",
            "--max-entry-bytes",
            "2000000",
        ],
    );
    assert!(warnings(&v).contains("size limit"), "{}", warnings(&v));
}

#[test]
fn deep_nesting_stops_at_the_depth_limit() {
    let dir = tempdir();
    let mut blob = zip_bytes(&[("key.txt", LIVE_KEY.as_bytes(), true)]);
    for _ in 0..100 {
        blob = zip_bytes(&[("inner.zip", &blob, false)]);
    }
    write(dir.path(), "deep.zip", &blob);
    let out = run_within(dir.path(), &["scan", "--format", "json"], 60);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        warnings(&v).contains("nested deeper than 8 levels"),
        "{}",
        warnings(&v)
    );
    assert!(summary_rows(&v).is_empty());
    // With a limit high enough, the key is found 101 archives down.
    let (v, _) = json_scan(dir.path(), &["--max-archive-depth", "200"]);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(1));
    assert!(
        v["findings"][0]["path"]
            .as_str()
            .is_some_and(|p| p.matches('!').count() == 101)
    );
}

#[test]
fn path_tricks_empty_archives_and_tar_symlinks() {
    let dir = tempdir();
    write(
        dir.path(),
        "evil.zip",
        zip_bytes(&[
            ("../../etc/cron.d/job", LIVE_KEY.as_bytes(), true),
            ("/abs/key", RESTRICTED_KEY.as_bytes(), false),
        ]),
    );
    write(dir.path(), "empty.zip", zip_bytes(&[]));
    write(
        dir.path(),
        "links.tar",
        tar_bytes(
            &[("real.cfg", format!("k={TEST_KEY}").as_bytes())],
            &[("passwd", "/etc/passwd"), ("loop", "loop")],
        ),
    );
    let (v, out) = json_scan(dir.path(), &[]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        summary_rows(&v),
        vec![
            "critical stripe.secret-key.live evil.zip!../../etc/cron.d/job:1 source",
            "critical stripe.restricted-key.live evil.zip!/abs/key:1 source",
            "low stripe.secret-key.test links.tar!real.cfg:1 source",
        ]
    );
    // Nothing was extracted anywhere.
    assert!(!dir.path().join("etc").exists());
    assert_eq!(v["summary"]["archives"], 3);
}

#[test]
fn unsupported_compression_is_a_warning_naming_the_member() {
    let dir = tempdir();
    let mut z = zip_bytes(&[
        ("odd.bin", b"payload bytes", false),
        ("ok.txt", LIVE_KEY.as_bytes(), false),
    ]);
    // Set odd.bin's compression method to 99 (AES) in its local and central headers.
    z[8] = 99;
    let cd = z
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("central directory");
    z[cd + 10] = 99;
    write(dir.path(), "odd.zip", &z);
    let (v, _) = json_scan(dir.path(), &[]);
    assert!(warnings(&v).contains("odd.zip!odd.bin"), "{}", warnings(&v));
    assert_eq!(
        summary_rows(&v),
        vec!["critical stripe.secret-key.live odd.zip!ok.txt:1 source"]
    );
}

#[test]
fn gzip_bzip2_xz_and_zstd_streams() {
    let dir = tempdir();
    write(
        dir.path(),
        "bundle.js.gz",
        gz_bytes(format!("var k='{LIVE_KEY}';").as_bytes()),
    );
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    std::io::Write::write_all(&mut bz, format!("{RESTRICTED_KEY}\n").as_bytes()).expect("bz");
    write(dir.path(), "dump.sql.bz2", bz.finish().expect("bz"));
    write(
        dir.path(),
        "notes.txt.xz",
        xz_bytes(format!("{TEST_KEY}\n").as_bytes()),
    );
    let zst = ruzstd::encoding::compress_to_vec(
        std::io::Cursor::new(format!("token={PUBLISHABLE_KEY}\n")),
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    write(dir.path(), "cache.json.zst", &zst);
    let (v, _) = json_scan(dir.path(), &[]);
    assert_eq!(
        summary_rows(&v),
        vec![
            "critical stripe.secret-key.live bundle.js.gz!bundle.js:1 source",
            "info stripe.publishable-key.live cache.json.zst!cache.json:1 source",
            "critical stripe.restricted-key.live dump.sql.bz2!dump.sql:1 source",
            "low stripe.secret-key.test notes.txt.xz!notes.txt:1 source",
        ]
    );
}

#[test]
fn bad_crc_and_encrypted_members_are_warnings() {
    let dir = tempdir();
    let mut z = zip_bytes(&[
        (
            "flipped.txt",
            b"some stored text that will be corrupted",
            false,
        ),
        ("locked.txt", b"secret", false),
        ("fine.txt", LIVE_KEY.as_bytes(), false),
    ]);
    // Corrupt one byte of flipped.txt's stored data: its CRC no longer matches.
    let data = z
        .windows(9)
        .position(|w| w == b"some stor")
        .expect("stored data");
    z[data] = b'S';
    // Mark locked.txt encrypted (general-purpose flag bit 0) in both of its headers.
    let local = z
        .windows(10)
        .position(|w| w == b"locked.txt")
        .expect("local name")
        - 30;
    z[local + 6] |= 1;
    let central = z
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x01\x02")
        .map(|(i, _)| i)
        .nth(1)
        .expect("second central header");
    z[central + 8] |= 1;
    write(dir.path(), "mixed.zip", &z);
    let (v, _) = json_scan(dir.path(), &[]);
    let w = warnings(&v);
    assert!(w.contains("mixed.zip!flipped.txt"), "{w}");
    assert!(w.contains("mixed.zip!locked.txt"), "{w}");
    assert_eq!(
        summary_rows(&v),
        vec!["critical stripe.secret-key.live mixed.zip!fine.txt:1 source"]
    );
}

#[test]
fn crx3_extensions_are_read_after_their_header() {
    let dir = tempdir();
    let zip = zip_bytes(&[(
        "background.js",
        format!("const k='{RESTRICTED_KEY}';").as_bytes(),
        true,
    )]);
    let header = vec![0x12u8; 37]; // the signed header (protobuf), opaque to sealant
    let mut crx = b"Cr24".to_vec();
    crx.extend_from_slice(&3u32.to_le_bytes());
    crx.extend_from_slice(&(header.len() as u32).to_le_bytes());
    crx.extend_from_slice(&header);
    crx.extend_from_slice(&zip);
    write(dir.path(), "extension.crx", &crx);
    let (v, _) = json_scan(dir.path(), &[]);
    assert_eq!(
        summary_rows(&v),
        vec!["critical stripe.restricted-key.live extension.crx!background.js:1 source"]
    );
}

#[test]
fn archives_piped_to_standard_input() {
    let dir = tempdir();
    let apk = zip_bytes(&[(
        "assets/app.json",
        format!("{{\"k\":\"{LIVE_KEY}\"}}").as_bytes(),
        true,
    )]);
    let out = run_with_stdin(dir.path(), &["scan", "--format", "json", "-"], &apk);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        summary_rows(&v),
        vec!["critical stripe.secret-key.live <stdin>!assets/app.json:1 source"]
    );
    let tgz = gz_bytes(&tar_bytes(
        &[("site/.env", format!("K={RESTRICTED_KEY}\n").as_bytes())],
        &[],
    ));
    let out = run_with_stdin(dir.path(), &["scan", "--format", "json", "-"], &tgz);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        summary_rows(&v),
        vec![
            "high env-file.exposed <stdin>!site/.env:1 source",
            "critical stripe.restricted-key.live <stdin>!site/.env:1 source",
        ]
    );
}

/// Compression streams (gzip, here) are held to the inflate-ratio limit too, counted on the
/// compressed bytes read so far.
#[test]
fn gzip_bomb_is_cut_off_by_the_ratio_limit() {
    let dir = tempdir();
    let zeros = vec![0u8; 100 * 1024 * 1024];
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut e, &zeros).expect("gzip");
    let bomb = e.finish().expect("gzip");
    drop(zeros);
    // About 1,000 to 1: five times the default ratio limit.
    assert!(bomb.len() < 200 * 1024, "{} bytes", bomb.len());
    write(dir.path(), "zeros.gz", &bomb);
    let out = run_within(dir.path(), &["scan", "--format", "json"], 60);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(warnings(&v).contains("ratio limit"), "{}", warnings(&v));
    let scanned = v["summary"]["bytes_scanned"].as_u64().unwrap_or(u64::MAX);
    assert!(scanned < 16 * 1024 * 1024, "{v}");
}

/// The member limit holds for each member of a `.tgz`, not for the tar stream as a whole: a
/// release tarball larger than one member may be is read to its end.
#[test]
fn tgz_members_each_get_the_member_limit() {
    let dir = tempdir();
    let filler = "x".repeat(900);
    let tgz = gz_bytes(&tar_bytes(
        &[
            ("a.txt", filler.as_bytes()),
            ("b.txt", filler.as_bytes()),
            ("c.txt", filler.as_bytes()),
            ("late.env", format!("K={LIVE_KEY}\n").as_bytes()),
        ],
        &[],
    ));
    write(dir.path(), "release.tgz", &tgz);
    let (v, _) = json_scan(dir.path(), &["--max-entry-bytes", "1000", "."]);
    assert_eq!(
        summary_rows(&v),
        vec!["critical stripe.secret-key.live ./release.tgz!late.env:1 source"],
        "{}",
        warnings(&v)
    );
}

fn xz_bytes(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut w = liblzma::write::XzEncoder::new(Vec::new(), 1);
    w.write_all(data).expect("xz");
    w.finish().expect("xz")
}

/// xz streams through the same limits as the other compressors (an xz of 256 MiB of zeros
/// stops at the ratio limit, in bounded memory, with a warning), and every stream of a file
/// made of several is read.
#[test]
fn xz_is_streamed_under_the_limits_and_every_stream_is_read() {
    let dir = tempdir();
    let mut two = xz_bytes(format!("a={LIVE_KEY}\n").as_bytes());
    two.extend(xz_bytes(format!("b={RESTRICTED_KEY}\n").as_bytes()));
    write(dir.path(), "two.log.xz", two);
    write(dir.path(), "zeros.xz", xz_bytes(&vec![0u8; 256 << 20]));
    let (v, out) = json_scan(dir.path(), &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        summary_rows(&v),
        vec![
            "critical stripe.secret-key.live two.log.xz!two.log:1 source",
            "critical stripe.restricted-key.live two.log.xz!two.log:2 source",
        ]
    );
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("zeros.xz") && warnings.contains("ratio limit"),
        "{warnings}"
    );
}

/// Nested zips held in memory are bounded along the chain, not per level: a third large level
/// is read from its local headers instead of being held too, and its key is still found.
#[test]
fn nested_zips_in_memory_are_bounded_along_the_chain() {
    let dir = tempdir();
    let filler = |mb: usize| vec![b'.'; mb << 20];
    let inner = zip_bytes(&[
        ("key.env", format!("K={LIVE_KEY}\n").as_bytes(), false),
        ("filler3.bin", &filler(40), false),
    ]);
    let middle = zip_bytes(&[
        ("inner.zip", &inner, false),
        ("filler2.bin", &filler(12), false),
    ]);
    let outer = zip_bytes(&[
        ("middle.zip", &middle, false),
        ("filler1.bin", &filler(10), false),
    ]);
    let top = zip_bytes(&[("outer.zip", &outer, false)]);
    write(dir.path(), "top.zip", top);
    let (v, out) = json_scan(dir.path(), &["top.zip"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let paths: Vec<String> = rule_paths(&v).into_iter().map(|(_, p)| p).collect();
    assert!(
        paths.contains(&"top.zip!outer.zip!middle.zip!inner.zip!key.env".to_string()),
        "{paths:?}"
    );
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("top.zip!outer.zip!middle.zip!inner.zip")
            && warnings.contains("already hold"),
        "{warnings}"
    );
}
