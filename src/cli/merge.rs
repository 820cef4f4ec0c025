//! `sealant merge`: the JSON reports of a sharded scan's parts combined into the report one
//! run would have written, with a baseline applied once to the whole.

use std::path::PathBuf;

use crate::cli::args::MergeArgs;
use crate::cli::config::ProjectConfig;
use crate::cli::output::{Output, emit};
use crate::cli::setup;
use crate::error::Result;
use crate::finding::FindingCounts;
use crate::policy::Policy;
use crate::policy::baseline::Baseline;
use crate::report;

pub fn run(args: MergeArgs) -> Result<i32> {
    let mut project = match &args.config {
        Some(c) => ProjectConfig::load(c)?,
        None => ProjectConfig::find(None, &[PathBuf::from(".")])?,
    };
    let engine = setup::build_engine(&mut project, &args.rule_files, &[], &[])?;
    let mut outcome = report::merge::merge(&args.parts)?;
    if let Some(path) = &args.baseline {
        let policy = Policy::new(&Default::default(), Some(Baseline::load(path)?), "merge")?;
        let applied = policy.apply(&mut outcome.findings, &Default::default());
        outcome.summary.suppressed.baseline += applied.baselined;
        let mut counts = FindingCounts::of(&outcome.findings);
        counts.merge(&outcome.summary.unlisted);
        outcome.summary.findings = counts;
    }
    let failed = emit(
        &outcome,
        &engine,
        &Output {
            report: &args.report,
            show_secrets: false,
            fail_on: setup::fail_on(args.report.fail_on, &project)?,
            streamed: false,
        },
    )?;
    Ok(i32::from(failed))
}
