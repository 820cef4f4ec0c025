//! `sealant install-hook`: writes a git pre-commit hook that runs `sealant scan --staged`.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// The hook script. It runs the sealant that installed it (or, if that binary has moved, the
/// one on PATH), so it works whether or not sealant is on PATH.
fn script(binary: &str) -> String {
    format!(
        "#!/bin/sh\n\
         # Installed by `sealant install-hook`: scans what is staged for secrets before each\n\
         # commit. To commit anyway, deliberately: git commit --no-verify\n\
         sealant='{binary}'\n\
         [ -x \"$sealant\" ] || sealant=sealant\n\
         exec \"$sealant\" scan --staged\n"
    )
}

/// Installs the hook in the repository around the current directory; refuses to replace an
/// existing one unless `force`.
pub fn install(force: bool) -> Result<i32> {
    let out = Command::new("git")
        .args(["rev-parse", "--git-path", "hooks/pre-commit"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| Error::new(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(Error::new(
            "not inside a git repository: run `sealant install-hook` from your repository",
        ));
    }
    let hook = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim_end());
    if hook.exists() && !force {
        return Err(Error::new(format!(
            "{} already exists; not replaced (use --force to replace it, or call \
             `sealant scan --staged` from it yourself)",
            hook.display()
        )));
    }
    let binary = std::env::current_exe()
        .map(|p| p.display().to_string().replace('\'', "'\\''"))
        .unwrap_or_else(|_| "sealant".to_string());
    if let Some(dir) = hook.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::new(format!("cannot create {}: {e}", dir.display())))?;
    }
    std::fs::write(&hook, script(&binary))
        .map_err(|e| Error::new(format!("cannot write {}: {e}", hook.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::new(format!("cannot make {} executable: {e}", hook.display())))?;
    }
    eprintln!(
        "sealant: installed {}: every commit is scanned first (bypass once with git commit --no-verify)",
        hook.display()
    );
    Ok(0)
}
