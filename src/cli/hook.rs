//! `sealant install-hook`: writes a git pre-commit hook that runs `sealant scan --staged`, or
//! (`--pre-push`) a pre-push hook that scans the history of the commits being pushed.

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

/// The pre-push hook. git hands it `<local ref> <local id> <remote ref> <remote id>` lines on
/// standard input: for each pushed ref it scans the commits the remote does not have — the
/// range from the remote's id, or for a new branch every commit no remote-tracking ref of this
/// remote reaches — and blocks the push when sealant fails.
fn pre_push_script(binary: &str) -> String {
    format!(
        "#!/bin/sh\n\
         # Installed by `sealant install-hook --pre-push`: scans the commits being pushed for\n\
         # secrets. To push anyway, deliberately: git push --no-verify\n\
         sealant='{binary}'\n\
         [ -x \"$sealant\" ] || sealant=sealant\n\
         SEALANT_HOOK=pre-push; export SEALANT_HOOK\n\
         remote=\"$1\"\n\
         zero=$(git hash-object --stdin </dev/null | tr '0-9a-f' '0')\n\
         status=0\n\
         while read -r local_ref local_id remote_ref remote_id; do\n\
         \t[ \"$local_id\" = \"$zero\" ] && continue\n\
         \tif [ \"$remote_id\" = \"$zero\" ] || ! git cat-file -e \"$remote_id^{{commit}}\" 2>/dev/null; then\n\
         \t\t\"$sealant\" scan --history -- \"$local_id\" --not --remotes=\"$remote\" || status=1\n\
         \telse\n\
         \t\t\"$sealant\" scan --history -- \"$remote_id..$local_id\" || status=1\n\
         \tfi\n\
         done\n\
         exit $status\n"
    )
}

/// Installs the hook (pre-commit, or pre-push with `pre_push`) in the repository around the
/// current directory; refuses to replace an existing one unless `force`.
pub fn install(force: bool, pre_push: bool) -> Result<i32> {
    let name = if pre_push { "pre-push" } else { "pre-commit" };
    let out = Command::new("git")
        .args(["rev-parse", "--git-path", &format!("hooks/{name}")])
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
    let text = if pre_push {
        pre_push_script(&binary)
    } else {
        script(&binary)
    };
    std::fs::write(&hook, text)
        .map_err(|e| Error::new(format!("cannot write {}: {e}", hook.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::new(format!("cannot make {} executable: {e}", hook.display())))?;
    }
    if pre_push {
        eprintln!(
            "sealant: installed {}: every push is scanned first (bypass once with git push --no-verify)",
            hook.display()
        );
    } else {
        eprintln!(
            "sealant: installed {}: every commit is scanned first (bypass once with git commit --no-verify)",
            hook.display()
        );
    }
    Ok(0)
}
