//! What `sealant probe` reads from a site it does not trust: links taken from pages, scripts
//! and manifests (bounded in number, same-origin, followable kinds only), URLs resolved against
//! a base, and the site checks' proofs run over any body.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use sealant::rules::site::SiteCheck;
use sealant::source::web::links::{self, Kind, MAX_LINKS};
use sealant::source::web::url::Url;

static CHECKS: LazyLock<Vec<SiteCheck>> =
    LazyLock::new(|| SiteCheck::builtin().expect("the built-in site checks load"));

fuzz_target!(|data: &[u8]| {
    let Some(base) = Url::parse("https://shop.example.com/assets/index.js") else {
        return;
    };
    for (kind, ctype) in [
        (Kind::Page, "text/html"),
        (Kind::Script, "application/javascript"),
        (Kind::Manifest, "application/json"),
        (Kind::SourceMap, ""),
    ] {
        let found = links::links(&base, kind, ctype, data);
        assert!(found.len() <= MAX_LINKS);
        for u in &found {
            assert!(u.same_origin(&base), "{u} left the origin");
            assert!(Kind::of_link(u).is_some());
            assert!(u.path.starts_with('/'));
        }
    }
    let text = String::from_utf8_lossy(data);
    if let Some(u) = base.join(&text) {
        assert!(u.path.starts_with('/'));
        // Resolving again gives the same URL.
        assert_eq!(Url::parse(&u.to_string()).as_ref(), Some(&u));
    }
    for c in CHECKS.iter() {
        let _ = c.proves(data);
    }
});
