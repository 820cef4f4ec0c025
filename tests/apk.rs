//! Mobile packages and formats that hide strings: DEX string tables, compiled Android XML,
//! resource tables (UTF-8 and UTF-16 pools), binary plists in IPAs, UTF-16LE text in any
//! binary. The inputs are built here (`sealant::decode::build`), not committed.

mod common;
use common::*;

use sealant::decode::build;

/// A 99-character key body: the whole key is 107 bytes, so DEX stores its length as the
/// byte 0x6b, `k`, right before `sk_live_…`.
const KEY_107: &str = "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";

fn apk() -> Vec<u8> {
    assert_eq!(KEY_107.len(), 107);
    let dex = build::dex(&["Lcom/shop/Checkout;", KEY_107, "pay"]);
    // The raw bytes really do glue the length byte to the key.
    assert!(dex.windows(9).any(|w| w == b"ksk_live_"));
    let manifest = build::manifest(&["application", "debuggable", RESTRICTED_KEY], true);
    let arsc_utf8 = build::table(
        &["Shop", "pk_test_TYooMQauvdEDq54NiTphI7jx", TEST_KEY],
        true,
    );
    zip_bytes(&[
        ("AndroidManifest.xml", &manifest, true),
        ("classes.dex", &dex, true),
        ("resources.arsc", &arsc_utf8, false),
        ("res/raw/notes.txt", b"nothing", true),
    ])
}

#[test]
fn apk_internals_are_decoded() {
    let dir = tempdir();
    write(dir.path(), "app-release.apk", apk());
    let (v, out) = json_scan(dir.path(), &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        summary_rows(&v),
        vec![
            // Lines in binaries count the 0x0a bytes before the string: not meaningful, but
            // stable; the byte offset is what locates it.
            "critical stripe.restricted-key.live app-release.apk!AndroidManifest.xml:2 mobile-app",
            "high debug.android-debuggable app-release.apk!AndroidManifest.xml:2 mobile-app",
            "critical stripe.secret-key.live app-release.apk!classes.dex:2 mobile-app",
            "info stripe.publishable-key.test app-release.apk!resources.arsc:1 mobile-app",
            "low stripe.secret-key.test app-release.apk!resources.arsc:1 mobile-app",
        ]
    );
    let findings = v["findings"].as_array().expect("findings");
    // The whole key, not `ksk_live_…` or a prefix; the offset points into the DEX.
    let (_, out) = json_scan(dir.path(), &["--show-secrets"]);
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(shown["findings"][2]["secret"], KEY_107);
    assert!(
        findings[2]["byte_offset"]
            .as_u64()
            .is_some_and(|o| o > 0x70)
    );
    assert!(
        v["warnings"].as_array().is_some_and(|w| w.is_empty()),
        "{v}"
    );
}

#[test]
fn resource_table_utf16_pool_and_aab_nesting() {
    let dir = tempdir();
    let arsc16 = build::table(&["Shop", RESTRICTED_KEY], false);
    // An AAB keeps resources per module; and a release zip holds it.
    let aab = zip_bytes(&[("base/resources.arsc", &arsc16, false)]);
    write(
        dir.path(),
        "release.zip",
        zip_bytes(&[("app.aab", &aab, false)]),
    );
    let (v, _) = json_scan(dir.path(), &[]);
    assert_eq!(
        summary_rows(&v),
        vec![
            "critical stripe.restricted-key.live release.zip!app.aab!base/resources.arsc:1 mobile-app"
        ]
    );
}

#[test]
fn ipa_binary_plist() {
    let dir = tempdir();
    let plist = build::plist(
        &[
            ("API_KEY", "AIzaSyD8xHq2Lk7Vw3Rb9Tn4Mp6Qs1Uy5Xc0Zj8"),
            ("STRIPE", LIVE_KEY),
        ],
        true,
    );
    let ipa = zip_bytes(&[("Payload/Shop.app/GoogleService-Info.plist", &plist, true)]);
    write(dir.path(), "Shop.ipa", ipa);
    let (v, _) = json_scan(dir.path(), &[]);
    assert_eq!(
        summary_rows(&v),
        vec![
            "medium gcp.api-key Shop.ipa!Payload/Shop.app/GoogleService-Info.plist:1 mobile-app",
            "critical stripe.secret-key.live Shop.ipa!Payload/Shop.app/GoogleService-Info.plist:1 mobile-app",
        ]
    );
}

#[test]
fn one_secret_seen_raw_and_decoded_is_reported_once() {
    let dir = tempdir();
    // ASCII plist strings are readable raw too: the raw match and the decoded one coincide.
    let plist = build::plist(&[("STRIPE", LIVE_KEY)], false);
    write(dir.path(), "Info.plist", &plist);
    let (v, _) = json_scan(dir.path(), &[]);
    assert_eq!(
        summary_rows(&v),
        vec!["critical stripe.secret-key.live Info.plist:1 source"]
    );
}

#[test]
fn utf16le_strings_in_binaries() {
    let dir = tempdir();
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    exe.extend(std::iter::repeat_n(0u8, 64));
    for c in format!("Bearer {RESTRICTED_KEY}").bytes() {
        exe.extend_from_slice(&[c, 0]);
    }
    exe.extend_from_slice(&[0, 0, 0xff, 0xfe]);
    write(dir.path(), "bin/Shop.Payments.dll", &exe);
    let (v, _) = json_scan(dir.path(), &[]);
    assert_eq!(
        summary_rows(&v),
        vec!["critical stripe.restricted-key.live bin/Shop.Payments.dll:1 source"]
    );
    // The offset is where the UTF-16 text starts in the file.
    assert_eq!(v["findings"][0]["byte_offset"], 72 + 14);
}

#[test]
fn corrupt_decodable_files_are_warnings() {
    let dir = tempdir();
    let mut dex = build::dex(&["abc"]);
    dex[0x38..0x3C].copy_from_slice(&u32::MAX.to_le_bytes());
    write(dir.path(), "classes.dex", &dex);
    let mut arsc = build::table(&["x"], true);
    arsc[4..8].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    write(dir.path(), "resources.arsc", &arsc);
    let out = run(dir.path(), &["scan"]);
    assert_eq!(code(&out), 0);
    let err = stderr(&out);
    assert!(err.contains("classes.dex: DEX not fully decoded"), "{err}");
    assert!(
        err.contains("resources.arsc: Android resource table not fully decoded"),
        "{err}"
    );
}
