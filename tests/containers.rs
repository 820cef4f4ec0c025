//! Containers built by their real tools (`.ci/run` installs them): 7z (LZMA, LZMA2, BCJ,
//! BZip2, Deflate, stored; solid and not; inside a .tar.gz), Debian packages (`dpkg-deb`, xz
//! and zstd), RPM packages (`rpmbuild`: payload and `%post`), cpio (newc, odc, bin), LZ4
//! frames (`lz4`), a .NET assembly compiled by `mcs` and compressed as XALZ (liblz4, as
//! Xamarin does) inside an APK, and an MSI (`wixl`, an OLE compound file). Each holds a fresh
//! random key, found whole at its inner path; a placeholder stays quiet; a corrupt copy of each
//! warns and does not crash; a format sealant does not read is named.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn random_key() -> String {
    live_key(0)
}

const PLACEHOLDER: &str = "sk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

fn need(name: &str, package: &str) -> Option<PathBuf> {
    tool(
        on_path(name),
        name,
        &format!(".ci/run installs it: apt-get install {package}"),
    )
}

fn sh(dir: &Path, script: &str) {
    let out = Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// (path, secret) of each finding of a scan of `target` in `dir`, secrets shown.
fn found(dir: &Path, target: &str) -> (Vec<(String, String)>, serde_json::Value) {
    let (v, out) = json_scan(dir, &["--show-secrets", "--fail-on", "never", target]);
    assert!(code(&out) < 2, "{}", stderr(&out));
    let rows = (finding_fields(&v, &["path", "secret"]).into_iter())
        .map(|f| (f[0].clone(), f[1].clone()))
        .collect();
    (rows, v)
}

/// Every file of `dir`, corrupted (bytes flipped in its middle and its end cut), scans without
/// a crash, with a warning.
fn corrupt_copies_warn(dir: &Path, names: &[&str]) {
    for name in names {
        let mut bytes = std::fs::read(dir.join(name)).expect("read");
        let (mid, len) = (bytes.len() / 2, bytes.len());
        for b in &mut bytes[mid..(mid + 64).min(len)] {
            *b ^= 0x5a;
        }
        bytes.truncate(bytes.len() * 3 / 4);
        let broken = format!("broken-{name}");
        std::fs::write(dir.join(&broken), bytes).expect("write");
        let (v, out) = json_scan(dir, &["--fail-on", "never", &broken]);
        assert!(code(&out) < 2, "{broken}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{broken}");
        assert!(
            v["summary"]["warnings"].as_u64() > Some(0),
            "{broken}: no warning: {}",
            stderr(&out)
        );
    }
}

fn tree(dir: &Path, key: &str) {
    write(
        dir,
        "src/etc/app.conf",
        format!("STRIPE_SECRET_KEY={key}\n"),
    );
    write(
        dir,
        "src/etc/example.conf",
        format!("STRIPE_SECRET_KEY={PLACEHOLDER}\n"),
    );
    // Some bulk, so that solid blocks and compression have something to work on.
    for i in 0..20 {
        let text: String = (0..200)
            .map(|j| format!("line {i} {j} {}\n", i * j))
            .collect();
        write(dir, &format!("src/doc/{i}.txt"), text);
    }
}

#[test]
#[cfg_attr(
    missing_p7zip,
    ignore = "needs 7z: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn seven_zip_archives() {
    let Some(_) = need("7z", "p7zip-full") else {
        return;
    };
    let dir = tempdir();
    let key = random_key();
    tree(dir.path(), &key);
    let kinds = [
        ("lzma2.7z", "-m0=LZMA2 -mx=9"),
        ("lzma.7z", "-m0=LZMA"),
        ("bcj.7z", "-mf=BCJ -m0=LZMA2"),
        ("bzip2.7z", "-m0=BZip2"),
        ("deflate.7z", "-m0=Deflate"),
        ("stored.7z", "-m0=Copy"),
        ("nonsolid.7z", "-ms=off"),
        ("plainheader.7z", "-mhc=off"),
    ];
    for (name, opts) in kinds {
        sh(
            &dir.path().join("src"),
            &format!("7z a -bd -bso0 {opts} ../{name} ."),
        );
    }
    sh(dir.path(), "tar czf nested.tgz lzma2.7z");
    for (name, _) in kinds.iter().chain([&("nested.tgz", "")]) {
        let (rows, _) = found(dir.path(), name);
        let inner = if *name == "nested.tgz" {
            "nested.tgz!lzma2.7z!etc/app.conf".to_string()
        } else {
            format!("{name}!etc/app.conf")
        };
        assert_eq!(rows, vec![(inner, key.clone())], "{name}");
    }
    // Encrypted: named, not opened.
    sh(
        &dir.path().join("src"),
        "7z a -bd -bso0 -psecret -mhe=on ../locked.7z .",
    );
    let (_, out) = json_scan(dir.path(), &["--fail-on", "never", "locked.7z"]);
    assert!(stderr(&out).contains("encrypted"), "{}", stderr(&out));
    corrupt_copies_warn(dir.path(), &["lzma2.7z", "nonsolid.7z"]);
}

#[test]
#[cfg_attr(
    missing_dpkg,
    ignore = "needs dpkg-deb: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn debian_packages() {
    let Some(_) = need("dpkg-deb", "dpkg") else {
        return;
    };
    let dir = tempdir();
    let key = random_key();
    let token = format!("ghp_{}", &random_key()[10..46]);
    write(
        dir.path(),
        "pkg/DEBIAN/control",
        "Package: shop\nVersion: 1.0\nArchitecture: all\nMaintainer: A <a@example.com>\nDescription: x\n",
    );
    write(
        dir.path(),
        "pkg/DEBIAN/postinst",
        format!("#!/bin/sh\necho \"token={token}\" > /etc/shop/token\n"),
    );
    write(
        dir.path(),
        "pkg/etc/shop/app.conf",
        format!("STRIPE_SECRET_KEY={key}\n"),
    );
    write(
        dir.path(),
        "pkg/etc/shop/sample.conf",
        format!("KEY={PLACEHOLDER}\n"),
    );
    sh(dir.path(), "chmod 755 pkg/DEBIAN/postinst");
    for (name, z) in [
        ("shop.deb", "xz"),
        ("shop-zst.deb", "zstd"),
        ("shop-gz.deb", "gzip"),
    ] {
        sh(
            dir.path(),
            &format!("dpkg-deb -b -Z{z} pkg {name} >/dev/null"),
        );
        let ext = match z {
            "xz" => "xz",
            "zstd" => "zst",
            _ => "gz",
        };
        let (mut rows, v) = found(dir.path(), name);
        rows.sort();
        assert_eq!(
            rows,
            vec![
                (
                    format!("{name}!control.tar.{ext}!./postinst"),
                    token.clone()
                ),
                (
                    format!("{name}!data.tar.{ext}!./etc/shop/app.conf"),
                    key.clone()
                ),
            ],
            "{name}"
        );
        // debian-binary from the ar archive, the files from the two tars.
        assert_eq!(v["summary"]["containers"]["ar"], 1, "{}", v["summary"]);
        assert!(
            v["summary"]["containers"]["tar"].as_u64() >= Some(4),
            "{}",
            v["summary"]
        );
    }
    corrupt_copies_warn(dir.path(), &["shop.deb"]);
}

#[test]
#[cfg_attr(
    missing_rpmbuild,
    ignore = "needs rpmbuild: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn rpm_packages() {
    let Some(_) = need("rpmbuild", "rpm") else {
        return;
    };
    let dir = tempdir();
    let key = random_key();
    let token = format!("ghp_{}", &random_key()[10..46]);
    let top = dir.path().join("rpmbuild");
    write(
        dir.path(),
        "rpmbuild/SPECS/shop.spec",
        format!(
            "Name: shop\nVersion: 1.0\nRelease: 1\nSummary: x\nLicense: MIT\nBuildArch: noarch\n\
             %description\nx\n%install\nmkdir -p %{{buildroot}}/etc/shop\n\
             echo 'STRIPE_SECRET_KEY={key}' > %{{buildroot}}/etc/shop/app.conf\n\
             echo 'KEY={PLACEHOLDER}' > %{{buildroot}}/etc/shop/sample.conf\n\
             %post\necho 'token={token}' > /etc/shop/token\n\
             %files\n/etc/shop/app.conf\n/etc/shop/sample.conf\n"
        ),
    );
    for (name, payload) in [
        ("shop.rpm", "w9.xzdio"),
        ("shop-gz.rpm", "w9.gzdio"),
        ("shop-zst.rpm", "w19.zstdio"),
    ] {
        sh(
            dir.path(),
            &format!(
                "rpmbuild -bb --quiet --define '_topdir {}' --define '_binary_payload {payload}' \
                 rpmbuild/SPECS/shop.spec >/dev/null 2>&1 && cp rpmbuild/RPMS/noarch/*.rpm {name} && \
                 rm rpmbuild/RPMS/noarch/*.rpm",
                top.display()
            ),
        );
        let (mut rows, _) = found(dir.path(), name);
        rows.sort();
        assert_eq!(
            rows,
            vec![
                (format!("{name}!%post"), token.clone()),
                (format!("{name}!etc/shop/app.conf"), key.clone()),
            ],
            "{name}"
        );
    }
    corrupt_copies_warn(dir.path(), &["shop.rpm"]);
}

#[test]
#[cfg_attr(
    any(missing_cpio, missing_lz4),
    ignore = "needs cpio and lz4: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn cpio_and_lz4() {
    let (Some(_), Some(_)) = (need("cpio", "cpio"), need("lz4", "lz4")) else {
        return;
    };
    let dir = tempdir();
    let key = random_key();
    tree(dir.path(), &key);
    for format in ["newc", "crc", "odc", "bin"] {
        sh(
            &dir.path().join("src"),
            &format!("find . | cpio -o -H {format} --quiet > ../{format}.cpio"),
        );
        let name = format!("{format}.cpio");
        let (rows, _) = found(dir.path(), &name);
        assert_eq!(
            rows,
            vec![(format!("{name}!etc/app.conf"), key.clone())],
            "{name}"
        );
    }
    sh(
        dir.path(),
        "find src | cpio -o -H newc --quiet | gzip > initramfs.img",
    );
    let (rows, _) = found(dir.path(), "initramfs.img");
    assert_eq!(
        rows,
        vec![("initramfs.img!src/etc/app.conf".to_string(), key.clone())]
    );
    sh(
        dir.path(),
        "lz4 -q src/etc/app.conf app.conf.lz4 && tar cf - src | lz4 -q -B4 > src.tar.lz4",
    );
    let (rows, _) = found(dir.path(), "app.conf.lz4");
    assert_eq!(
        rows,
        vec![("app.conf.lz4!app.conf".to_string(), key.clone())]
    );
    let (rows, _) = found(dir.path(), "src.tar.lz4");
    assert_eq!(
        rows,
        vec![("src.tar.lz4!src/etc/app.conf".to_string(), key.clone())]
    );
    corrupt_copies_warn(dir.path(), &["newc.cpio", "src.tar.lz4"]);
}

/// What Xamarin and .NET MAUI ship in `assemblies/`: an assembly compressed as XALZ.
#[test]
#[cfg_attr(
    any(missing_mcs, missing_py_lz4),
    ignore = "needs mcs and python lz4: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn xalz_assemblies_in_an_apk() {
    let Some(_) = need("mcs", "mono-mcs") else {
        return;
    };
    let Some(py) = tool(
        {
            let p = repo_root().join("target/py-tools");
            p.join("lz4").is_dir().then_some(p)
        },
        "python lz4",
        ".ci/run installs it: pip install --target target/py-tools lz4",
    ) else {
        return;
    };
    let dir = tempdir();
    let key = random_key();
    write(
        dir.path(),
        "Pay.cs",
        format!(
            "namespace Shop {{ public static class Pay {{ public const string Key = \"{key}\"; \
             public static string Header() {{ return \"Bearer \" + Key; }} }} }}\n"
        ),
    );
    sh(dir.path(), "mcs -target:library -out:Pay.dll Pay.cs");
    python(
        dir.path(),
        Some(&py),
        "import lz4.block, struct, sys\n\
             d = open('Pay.dll', 'rb').read()\n\
             c = lz4.block.compress(d, store_size=False, mode='high_compression')\n\
             open('Pay.xalz', 'wb').write(b'XALZ' + struct.pack('<II', 3, len(d)) + c)\n",
        &[],
    );
    let xalz = std::fs::read(dir.path().join("Pay.xalz")).expect("xalz");
    write(
        dir.path(),
        "app.apk",
        zip_bytes(&[("assemblies/Pay.dll", &xalz, false)]),
    );
    let (rows, _) = found(dir.path(), "app.apk");
    assert!(!rows.is_empty(), "the key in the compressed assembly");
    for (path, secret) in &rows {
        assert_eq!(path, "app.apk!assemblies/Pay.dll!Pay.dll");
        assert_eq!(secret, &key, "whole, not what survived as LZ4 literals");
    }
    corrupt_copies_warn(dir.path(), &["Pay.xalz"]);
}

/// An MSI is an OLE compound file; a property's value sits in its string table.
#[test]
#[cfg_attr(
    missing_wixl,
    ignore = "needs wixl: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn msi_installers() {
    let Some(_) = need("wixl", "wixl") else {
        return;
    };
    let dir = tempdir();
    let key = random_key();
    write(
        dir.path(),
        "shop.wxs",
        format!(
            "<?xml version=\"1.0\"?>\n<Wix xmlns=\"http://schemas.microsoft.com/wix/2006/wi\">\n\
             <Product Id=\"*\" Name=\"Shop\" Language=\"1033\" Version=\"1.0.0\" Manufacturer=\"Acme\" \
             UpgradeCode=\"12345678-1234-1234-1234-123456789012\">\n\
             <Package InstallerVersion=\"200\" Compressed=\"yes\"/>\n\
             <Property Id=\"STRIPE_SECRET_KEY\" Value=\"{key}\"/>\n\
             <Property Id=\"SAMPLE\" Value=\"{PLACEHOLDER}\"/>\n\
             <Directory Id=\"TARGETDIR\" Name=\"SourceDir\"/>\n</Product>\n</Wix>\n"
        ),
    );
    sh(dir.path(), "wixl -o shop.msi shop.wxs");
    let (rows, _) = found(dir.path(), "shop.msi");
    assert_eq!(
        rows,
        vec![("shop.msi!!_StringData".to_string(), key.clone())]
    );
    corrupt_copies_warn(dir.path(), &["shop.msi"]);
}

/// A format sealant recognises but does not read is named in a warning and counted, and its
/// bytes are still scanned.
#[test]
fn unread_formats_are_named() {
    let dir = tempdir();
    let key = random_key();
    // A RAR 5 signature, then stored bytes holding a key.
    let mut rar = b"Rar!\x1a\x07\x01\x00".to_vec();
    rar.extend_from_slice(format!("\x00\x00stored: {key}\n").as_bytes());
    write(dir.path(), "bundle.rar", &rar);
    write(
        dir.path(),
        "in.zip",
        zip_bytes(&[("inner.rar", &rar, true)]),
    );
    let (v, out) = json_scan(dir.path(), &["--fail-on", "never"]);
    let err = stderr(&out);
    assert!(err.contains("not opened: RAR archive"), "{err}");
    assert_eq!(v["summary"]["unopened"], 2, "{}", v["summary"]);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(2), "{v}");
}
