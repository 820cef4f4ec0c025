//! Keys in compiled and packed binaries, built the way users build them: Hermes bytecode with
//! `hermesc` (npm `hermes-compiler`, which `.ci/run` installs) inside an APK, Java classes with
//! `javac` inside a jar, SQLite databases with Python's `sqlite3` (rows deleted too), `.pyc`
//! files with `py_compile`, and length-prefixed strings of unknown formats. Each finds the exact
//! key at the right path and byte offset, and a placeholder in each stays quiet.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A tool the test needs: found, or (outside CI) `None` with a note; under CI its absence
/// fails the test, naming what installs it.
fn hermesc() -> Option<PathBuf> {
    let p = repo_root()
        .join("target/hermes-tools/node_modules/hermes-compiler/hermesc/linux64-bin/hermesc");
    tool(
        p.exists().then_some(p),
        "hermesc",
        ".ci/run installs it: npm install --prefix target/hermes-tools hermes-compiler",
    )
}

/// (rule, full secret, path, byte offset) of each finding, secrets shown.
fn found(dir: &Path, target: &str) -> Vec<(String, String, String, u64)> {
    let (v, out) = json_scan(dir, &["--show-secrets", target]);
    assert!(code(&out) < 2, "{}", stderr(&out));
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["secret"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
                f["byte_offset"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect()
}

fn offset_of(data: &[u8], key: &str) -> u64 {
    data.windows(key.len())
        .position(|w| w == key.as_bytes())
        .expect("the key is in the artifact") as u64
}

const PLACEHOLDER: &str = "sk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

#[test]
#[cfg_attr(
    missing_hermesc,
    ignore = "needs hermesc: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn hermes_bundle_in_an_apk() {
    let Some(hermesc) = hermesc() else { return };
    let dir = tempdir();
    write(
        dir.path(),
        "index.js",
        format!(
            "const STRIPE = \"{LIVE_KEY}\";\nconst R = \"{RESTRICTED_KEY}\";\n\
             const P = \"{PLACEHOLDER}\";\n\
             function pay(x) {{ return fetch(\"https://api.stripe.com/v1/charges\", \
             {{headers: {{Authorization: \"Bearer \" + STRIPE, r: R, p: P}}, body: x}}); }}\n\
             globalThis.pay = pay;\n"
        ),
    );
    let out = Command::new(&hermesc)
        .args([
            "-emit-binary",
            "-O",
            "-out",
            "index.android.bundle",
            "index.js",
        ])
        .current_dir(dir.path())
        .output()
        .expect("hermesc runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let bundle = std::fs::read(dir.path().join("index.android.bundle")).expect("bundle");
    write(
        dir.path(),
        "app.apk",
        zip_bytes(&[("assets/index.android.bundle", &bundle, true)]),
    );
    let rows = found(dir.path(), "app.apk");
    let mut want = vec![
        (
            "stripe.secret-key.live".to_string(),
            LIVE_KEY.to_string(),
            "app.apk!assets/index.android.bundle".to_string(),
            offset_of(&bundle, LIVE_KEY),
        ),
        (
            "stripe.restricted-key.live".to_string(),
            RESTRICTED_KEY.to_string(),
            "app.apk!assets/index.android.bundle".to_string(),
            offset_of(&bundle, RESTRICTED_KEY),
        ),
    ];
    want.sort_by_key(|r| r.3);
    assert_eq!(rows, want);
}

#[test]
#[cfg_attr(
    missing_javac,
    ignore = "needs javac: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn java_class_in_a_jar() {
    let Some(javac) = tool(
        on_path("javac"),
        "javac",
        ".ci/run installs a JDK (apt-get install default-jdk-headless)",
    ) else {
        return;
    };
    let dir = tempdir();
    write(
        dir.path(),
        "Pay.java",
        format!(
            "public class Pay {{\n  static final String S = \"{LIVE_KEY}\";\n  \
             static final String P = \"{PLACEHOLDER}\";\n  \
             public static String key() {{ return S; }}\n  \
             public static String example() {{ return P; }}\n}}\n"
        ),
    );
    let out = Command::new(&javac)
        .args(["-d", "classes", "Pay.java"])
        .current_dir(dir.path())
        .output()
        .expect("javac runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let class = std::fs::read(dir.path().join("classes/Pay.class")).expect("class");
    let at = offset_of(&class, LIVE_KEY) as usize;
    // `\0k`: the u2 length, glued to the key.
    assert_eq!(&class[at - 2..at], &[0, LIVE_KEY.len() as u8]);
    write(
        dir.path(),
        "pay.jar",
        zip_bytes(&[("com/shop/Pay.class", &class, true)]),
    );
    assert_eq!(
        found(dir.path(), "pay.jar"),
        vec![(
            "stripe.secret-key.live".to_string(),
            LIVE_KEY.to_string(),
            "pay.jar!com/shop/Pay.class".to_string(),
            at as u64
        )]
    );
}

#[test]
fn sqlite_database_rows_live_and_deleted() {
    let dir = tempdir();
    // A dj-stripe-like key table among thousands of rows, and a key in a row deleted later
    // (its page goes to the freelist, its bytes stay in the file — SQLite's default; some
    // builds, this machine's Python among them, zero deleted content unless told not to).
    python(
        dir.path(),
        None,
        &format!(
            "import sqlite3\n\
             db = sqlite3.connect('db.sqlite3')\n\
             db.execute('pragma secure_delete = 0')\n\
             db.execute('create table djstripe_apikey (type text, livemode int, secret text, name text)')\n\
             db.execute('create table log (id integer primary key, line text)')\n\
             db.execute('insert into djstripe_apikey values (?, ?, ?, ?)', ('secret', 1, '{LIVE_KEY}', 'main'))\n\
             db.execute('insert into djstripe_apikey values (?, ?, ?, ?)', ('secret', 1, '{PLACEHOLDER}', 'docs'))\n\
             db.executemany('insert into log (line) values (?)', [('request %d ok' % i,) for i in range(5000)])\n\
             db.execute('create table old (k text)')\n\
             db.executemany('insert into old values (?)', [('{RESTRICTED_KEY}',)] + [('filler %d' % i,) for i in range(3000)])\n\
             db.commit()\n\
             db.execute('delete from old')\n\
             db.commit()\n"
        ),
        &[],
    );
    let data = std::fs::read(dir.path().join("db.sqlite3")).expect("db");
    let rows = found(dir.path(), "db.sqlite3");
    let live = offset_of(&data, LIVE_KEY);
    assert!(
        rows.contains(&(
            "stripe.secret-key.live".to_string(),
            LIVE_KEY.to_string(),
            "db.sqlite3".to_string(),
            live
        )),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.0 == "stripe.restricted-key.live" && r.1 == RESTRICTED_KEY),
        "the deleted row's key: {rows:?}"
    );
    assert!(rows.iter().all(|r| r.1 != PLACEHOLDER), "{rows:?}");
}

#[test]
fn python_bytecode() {
    let dir = tempdir();
    write(
        dir.path(),
        "settings.py",
        format!("STRIPE_SECRET_KEY = \"{LIVE_KEY}\"\nEXAMPLE = \"{PLACEHOLDER}\"\n"),
    );
    python(
        dir.path(),
        None,
        "import py_compile; py_compile.compile('settings.py', cfile='settings.pyc')",
        &[],
    );
    std::fs::remove_file(dir.path().join("settings.py")).expect("rm source");
    let data = std::fs::read(dir.path().join("settings.pyc")).expect("pyc");
    let at = offset_of(&data, LIVE_KEY) as usize;
    // A one-byte length glued to the key: `k` for 107 bytes.
    assert_eq!(data[at - 1], LIVE_KEY.len() as u8);
    assert_eq!(
        found(dir.path(), "settings.pyc"),
        vec![(
            "stripe.secret-key.live".to_string(),
            LIVE_KEY.to_string(),
            "settings.pyc".to_string(),
            at as u64
        )]
    );
}

#[test]
fn length_prefixed_strings_in_unknown_formats() {
    let dir = tempdir();
    // A protobuf-like record: tag, one-byte length (`k`), the key, the next field.
    let mut proto = vec![0u8, 0x01, 0x02, 0x0a, LIVE_KEY.len() as u8];
    proto.extend_from_slice(LIVE_KEY.as_bytes());
    proto.extend_from_slice(&[0x12, 0x04]);
    proto.extend_from_slice(b"main");
    // msgpack str8 of a placeholder: quiet.
    proto.extend_from_slice(&[0xd9, PLACEHOLDER.len() as u8]);
    proto.extend_from_slice(PLACEHOLDER.as_bytes());
    write(dir.path(), "state.bin", &proto);
    assert_eq!(
        found(dir.path(), "state.bin"),
        vec![(
            "stripe.secret-key.live".to_string(),
            LIVE_KEY.to_string(),
            "state.bin".to_string(),
            5
        )]
    );
}

/// Strings packed end to end end where the string table says: a key whose next string starts
/// with a letter (`…vUC` then `Tail99`) is reported whole and no longer, though a byte scan
/// alone runs on into the next string.
#[test]
fn hermes_strings_end_where_their_table_says() {
    let dir = tempdir();
    for size in [12, 16, 20] {
        let bundle = sealant::decode::build::hermes(
            &[
                "https://api.stripe.com/v1/",
                LIVE_KEY,
                "Tail99",
                "Authorization",
            ],
            &[],
            size,
        );
        write(dir.path(), "index.android.bundle", &bundle);
        let rows = found(dir.path(), "index.android.bundle");
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].1, LIVE_KEY, "header size {size}");
    }
}

/// Rows deleted in place — the cell left in a freeblock of a live page (its first bytes
/// overwritten), or in the page's unallocated area — still hold their values: a key there is
/// found whole, cut at its own length though its neighbours are glued to it. Databases are
/// written by SQLite itself (Python's sqlite3), with varied neighbours and row positions.
#[test]
fn sqlite_rows_deleted_in_place() {
    let dir = tempdir();
    let script = r#"
import sqlite3, sys
key, path, position, neighbour = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
c = sqlite3.connect(path)
c.execute("pragma secure_delete=off")
c.execute("create table keys(id integer primary key, name text, secret text, env text)")
rows = [(neighbour, "x" * 30 + str(i), "main") for i in range(20)]
rows.insert(position, (neighbour, key, "prod"))
c.executemany("insert into keys(name, secret, env) values (?, ?, ?)", rows)
c.commit()
c.execute("delete from keys where secret = ?", (key,))
c.commit()
c.close()
"#;
    for (i, (position, neighbour)) in [(10, "secret"), (20, "stripe_key"), (0, "k"), (5, "Key2")]
        .into_iter()
        .enumerate()
    {
        let db = dir.path().join(format!("app{i}.sqlite3"));
        let (position_arg, neighbour_arg) = (position.to_string(), neighbour.to_string());
        let db_arg = db.to_str().expect("utf-8 path");
        python(
            dir.path(),
            None,
            script,
            &[LIVE_KEY, db_arg, &position_arg, &neighbour_arg],
        );
        let bytes = std::fs::read(&db).expect("db");
        assert!(
            memchr::memmem::find(&bytes, LIVE_KEY.as_bytes()).is_some(),
            "the deleted key is still in the file"
        );
        let name = format!("app{i}.sqlite3");
        let rows = found(dir.path(), &name);
        assert_eq!(
            rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
            vec![LIVE_KEY],
            "row {position} after {neighbour:?}"
        );
    }
}

/// Protocol Buffers messages serialized by the protobuf library: a key in a string field sits
/// after its length (`k` for 107 bytes) and before the next field's tag (`R` for field 10):
/// found whole, nothing glued.
#[test]
#[cfg_attr(
    missing_py_protobuf,
    ignore = "needs python protobuf: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn protobuf_string_fields() {
    let Some(py) = tool(
        python_tools(),
        "python protobuf",
        ".ci/run installs it: pip install --target target/py-tools protobuf",
    ) else {
        return;
    };
    let dir = tempdir();
    let script = r#"
import sys
from google.protobuf import struct_pb2, descriptor_pb2
key, out = sys.argv[1], sys.argv[2]
s = struct_pb2.Struct()
s.fields["stripe"].string_value = key
s.fields["env"].string_value = "prod"
f = descriptor_pb2.FieldDescriptorProto(name=key, json_name="Rx9", number=3)
open(out + "/struct.pb", "wb").write(s.SerializeToString())
open(out + "/field.pb", "wb").write(f.SerializeToString())
"#;
    let out_dir = dir.path().to_str().expect("utf-8 path");
    python(dir.path(), Some(&py), script, &[LIVE_KEY, out_dir]);
    for name in ["struct.pb", "field.pb"] {
        let rows = found(dir.path(), name);
        assert_eq!(
            rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
            vec![LIVE_KEY],
            "{name}"
        );
    }
}

/// Python packages `.ci/run` installs into target/py-tools.
fn python_tools() -> Option<PathBuf> {
    let p = repo_root().join("target/py-tools");
    p.join("google/protobuf").is_dir().then_some(p)
}
