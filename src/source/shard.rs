//! `--shard K/N`: the K-th of N deterministic parts of a scan's work, so that N jobs of a CI
//! matrix, GitLab `parallel:` or a Kubernetes Indexed Job each scan a part, and `sealant merge`
//! puts their reports together. Files go by a hash of their canonical path (an archive stays
//! whole with its file), git blobs by their id, commit messages by the commit's id: the parts
//! are disjoint and cover everything, and a part never opens what another part reads.

use crate::error::{Error, Result};

/// One part of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    pub total: u32,
}

impl Shard {
    /// Whether this part takes the work named `key` (a canonical path, a blob or commit id).
    pub fn takes(&self, key: &str) -> bool {
        // FNV-1a: stable across platforms and releases, which `std`'s hasher is not.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in key.as_bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        h % u64::from(self.total) == u64::from(self.index - 1)
    }

    /// Parses `K/N` (1 ≤ K ≤ N).
    pub fn parse(s: &str) -> Result<Shard> {
        let bad = || {
            Error::new(format!(
                "--shard {s:?}: expected K/N with 1 <= K <= N (e.g. 2/8), or `auto`"
            ))
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let total: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > total {
            return Err(bad());
        }
        Ok(Shard { index, total })
    }

    /// The part a job runner assigns, from its own variables: `SEALANT_SHARD` (`K/N`), GitLab's
    /// `CI_NODE_INDEX`/`CI_NODE_TOTAL` (1-based), a Kubernetes Indexed Job's
    /// `JOB_COMPLETION_INDEX` (0-based) with `total` (`--shard-total`) or `SEALANT_SHARD_TOTAL`,
    /// or `SEALANT_SHARD_INDEX` (0-based, as GitHub's `strategy.job-index`) with
    /// `SEALANT_SHARD_TOTAL` (`strategy.job-total`).
    pub fn from_env(var: &dyn Fn(&str) -> Option<String>, total: Option<u32>) -> Result<Shard> {
        if let Some(s) = var("SEALANT_SHARD") {
            return Shard::parse(&s);
        }
        let number = |name: &str| -> Result<Option<u32>> {
            var(name)
                .map(|v| {
                    v.trim().parse::<u32>().map_err(|_| {
                        Error::new(format!("{name}={v:?} is not a number (--shard auto)"))
                    })
                })
                .transpose()
        };
        let total = match total {
            Some(t) => Some(t),
            None => number("SEALANT_SHARD_TOTAL")?,
        };
        if let (Some(k), Some(n)) = (number("CI_NODE_INDEX")?, number("CI_NODE_TOTAL")?) {
            return Shard::parse(&format!("{k}/{n}"));
        }
        for zero_based in ["JOB_COMPLETION_INDEX", "SEALANT_SHARD_INDEX"] {
            if let Some(i) = number(zero_based)? {
                let n = total.ok_or_else(|| {
                    Error::new(format!(
                        "--shard auto: {zero_based} is set but the number of parts is not: \
                         give --shard-total N or SEALANT_SHARD_TOTAL"
                    ))
                })?;
                return Shard::parse(&format!("{}/{n}", i + 1));
            }
        }
        Err(Error::new(
            "--shard auto found no job index: set SEALANT_SHARD=K/N, or run under GitLab \
             `parallel:` (CI_NODE_INDEX/CI_NODE_TOTAL), a Kubernetes Indexed Job \
             (JOB_COMPLETION_INDEX with --shard-total), or a GitHub matrix with \
             SEALANT_SHARD_INDEX/SEALANT_SHARD_TOTAL from strategy.job-index/job-total",
        ))
    }
}

/// Whether `shard` (none: the whole scan) takes `key`.
pub fn takes(shard: Option<Shard>, key: &str) -> bool {
    shard.is_none_or(|s| s.takes(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_disjoint_and_cover_everything() {
        for n in [1, 2, 3, 7] {
            for i in 0..1000 {
                let key = format!("src/file{i}.js");
                let owners = (1..=n)
                    .filter(|&k| Shard { index: k, total: n }.takes(&key))
                    .count();
                assert_eq!(owners, 1, "{key} in {n} parts");
            }
        }
    }

    #[test]
    fn runner_variables() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let gitlab = env(&[("CI_NODE_INDEX", "2"), ("CI_NODE_TOTAL", "5")]);
        assert_eq!(
            Shard::from_env(&gitlab, None).ok(),
            Some(Shard { index: 2, total: 5 })
        );
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0")]);
        assert_eq!(
            Shard::from_env(&k8s, Some(4)).ok(),
            Some(Shard { index: 1, total: 4 })
        );
        assert!(Shard::from_env(&k8s, None).is_err());
        let github = env(&[("SEALANT_SHARD_INDEX", "6"), ("SEALANT_SHARD_TOTAL", "7")]);
        assert_eq!(
            Shard::from_env(&github, None).ok(),
            Some(Shard { index: 7, total: 7 })
        );
        assert!(Shard::from_env(&env(&[]), None).is_err());
        assert!(Shard::parse("0/3").is_err() && Shard::parse("4/3").is_err());
    }
}
