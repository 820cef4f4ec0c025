//! Leaks by how frameworks build and serve: public env-var prefixes, Angular environments,
//! Next.js client components, exposed and committed .env files, debug flags, source maps,
//! and the exposure context on every finding. Fixtures: `fixtures/frameworks/`.

mod common;
use common::*;

fn rows_under(dir: &std::path::Path, sub: &str) -> (Vec<String>, serde_json::Value) {
    let (v, _) = json_scan(dir, &[sub]);
    (summary_rows(&v), v)
}

#[test]
fn vite_project_and_its_dist() {
    let dir = fixture_copy("frameworks");
    let (rows, v) = rows_under(dir.path(), "vite-app");
    assert_eq!(
        rows,
        vec![
            "info stripe.publishable-key.live vite-app/.env:2 source",
            "critical frontend.public-env-secret vite-app/.env:3 source",
            "high env-file.exposed vite-app/dist/.env:1 public-bundle",
            "critical frontend.public-env-secret vite-app/dist/.env:1 public-bundle",
            "critical stripe.secret-key.live vite-app/dist/assets/index-7f3a9c.js:1 public-bundle",
            "info stripe.publishable-key.live vite-app/dist/assets/index-7f3a9c.js:1 public-bundle",
            "low sourcemap.published vite-app/dist/assets/index-7f3a9c.js.map:1 public-bundle",
            "critical stripe.secret-key.live vite-app/dist/assets/index-7f3a9c.js.map:1 public-bundle",
            "high frontend.secret-named-public-var vite-app/src/pay.ts:4 source",
            "critical frontend.public-env-secret vite-app/vite.config.ts:5 source",
        ]
    );
    let findings = v["findings"].as_array().expect("findings");
    // The key behind VITE_STRIPE_SECRET_KEY is reported as what it is and where it goes, once
    // (the public name is part of that finding, not one of its own).
    let inlined = &findings[1];
    assert_eq!(
        inlined["detail"],
        "Stripe live secret key assigned to VITE_STRIPE_SECRET_KEY: the frontend build inlines it into the JavaScript every visitor downloads."
    );
    assert!(
        inlined["secret"]
            .as_str()
            .is_some_and(|s| s.starts_with("sk_live_51HF…"))
    );
    // Public findings say the key is already public.
    let bundled = &findings[4];
    assert!(
        bundled["remediation"]
            .as_str()
            .is_some_and(|r| r.starts_with("Already public (public-bundle)")),
        "{bundled}"
    );
    // The source map's key was split by a JSON escape (sk_\u006cive_…) and is still found.
    let mapped = &findings[7];
    assert_eq!(mapped["column"], 173);
    // Names are not secrets: shown in full.
    assert_eq!(findings[8]["secret"], "VITE_STRIPE_SECRET_KEY");
}

#[test]
fn minified_bundle_outside_build_dirs_is_public() {
    let dir = tempdir();
    let bundle = format!(
        "!function(){{{}var k=\"{LIVE_KEY}\"}}();\n",
        "var a=function(e){return e+1};".repeat(100)
    );
    write(dir.path(), "assets/vendor.min.js", &bundle);
    let (v, _) = json_scan(dir.path(), &[]);
    assert_eq!(
        summary_rows(&v),
        vec!["critical stripe.secret-key.live assets/vendor.min.js:1 public-bundle"]
    );
    let out = run(dir.path(), &["scan"]);
    assert!(
        stdout(&out).contains("(public-bundle: already public)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn laravel_tree() {
    let dir = fixture_copy("frameworks");
    let (rows, _) = rows_under(dir.path(), "laravel");
    assert_eq!(
        rows,
        vec![
            "high debug.env-app-debug laravel/.env:3 source",
            "critical stripe.secret-key.live laravel/.env:5 source",
            // debug flags in test-only env files: info at most; .env.example: nothing
            "info debug.env-app-debug laravel/.env.testing:2 source",
            "medium debug.laravel-ignition laravel/composer.json:6 source",
            "high debug.laravel-config laravel/config/app.php:7 source",
            "high env-file.exposed laravel/public/.env:1 web-root",
            "high debug.env-app-debug laravel/public/.env:3 web-root",
            "critical stripe.secret-key.live laravel/public/.env:5 web-root",
        ]
    );
}

#[test]
fn python_rails_wordpress_android_debug_flags() {
    let dir = fixture_copy("frameworks");
    let mut rows = Vec::new();
    for sub in ["django", "flask", "rails", "wordpress", "android"] {
        rows.extend(rows_under(dir.path(), sub).0);
    }
    assert_eq!(
        rows,
        vec![
            "info debug.django django/blog/settings/dev.py:3 source",
            "high debug.django django/shop/settings.py:4 source",
            "high debug.flask flask/app.py:6 source",
            "high debug.rails-local-requests rails/config/environments/production.rb:2 source",
            "high debug.wordpress-display wordpress/wp-config.php:3 source",
            "info debug.android-debuggable android/app/src/debug/AndroidManifest.xml:2 source",
            "high debug.android-debuggable android/app/src/main/AndroidManifest.xml:2 source",
        ]
    );
    // Info findings never fail a run by default.
    let dev = run(dir.path(), &["scan", "django/blog"]);
    assert_eq!(code(&dev), 0, "{}", stdout(&dev));
}

#[test]
fn angular_and_nextjs() {
    let dir = fixture_copy("frameworks");
    let mut rows = rows_under(dir.path(), "angular").0;
    rows.extend(rows_under(dir.path(), "nextjs").0);
    assert_eq!(
        rows,
        vec![
            "critical frontend.angular-environment-secret angular/src/environments/environment.prod.ts:4 source",
            "info stripe.publishable-key.live angular/src/environments/environment.ts:3 source",
            "high nextjs.client-component-server-env nextjs/app/checkout/Pay.tsx:8 source",
        ]
    );
}

#[test]
fn committed_env_files_are_findings_ignored_ones_are_not() {
    let dir = tempdir();
    git(dir.path(), &["init", "-q"]);
    write(dir.path(), ".gitignore", ".env.local\n");
    write(dir.path(), ".env", "DATABASE_HOST=db\n");
    write(dir.path(), ".env.example", "DATABASE_HOST=\n");
    write(dir.path(), ".env.local", "DATABASE_HOST=localhost\n");
    write(dir.path(), ".env.staging", "DATABASE_HOST=staging\n");
    git(dir.path(), &["add", ".env", ".env.example", ".gitignore"]);
    git(
        dir.path(),
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "init",
        ],
    );
    // .env.staging exists but is not tracked; .env.local is ignored.
    let (v, out) = json_scan(dir.path(), &["--no-ignore"]);
    assert_eq!(
        summary_rows(&v),
        vec!["high env-file.committed .env:1 source"]
    );
    assert_eq!(code(&out), 1);
    // Outside a git work tree nothing is "committed".
    let plain = tempdir();
    write(plain.path(), ".env", "DATABASE_HOST=db\n");
    let (v, _) = json_scan(plain.path(), &[]);
    assert!(summary_rows(&v).is_empty());
}

#[test]
fn server_side_env_reads_and_placeholders_are_quiet() {
    let dir = tempdir();
    write(
        dir.path(),
        "app/api/route.ts",
        "const k = process.env.STRIPE_SECRET_KEY;\n",
    );
    write(
        dir.path(),
        "config/services.php",
        "'secret' => env('STRIPE_SECRET'),\n",
    );
    write(
        dir.path(),
        ".env.production",
        "APP_DEBUG=false\nSTRIPE_SECRET_KEY=sk_live_your_secret_key_here\n",
    );
    write(
        dir.path(),
        "web/checkout.js",
        "Stripe('pk_live_' + 'REPLACE_AT_DEPLOY');\n",
    );
    write(dir.path(), "settings.py", "DEBUG = False\n");
    let (v, out) = json_scan(dir.path(), &[]);
    assert!(summary_rows(&v).is_empty(), "{:?}", summary_rows(&v));
    assert_eq!(code(&out), 0);
}
