//! `sealant probe URL…`: a scan whose source is a deployed site. Its options become a scan's
//! (the same config, rules, baseline, reports and exit codes) with the site to probe in place
//! of paths.

use std::time::Duration;

use clap::Parser;

use crate::cli::args::{ProbeArgs, ScanArgs};
use crate::error::{Error, Result};
use crate::source::web::ProbeConfig;

/// `scan`'s options at their defaults, to fill in from the probe's.
#[derive(Parser)]
struct Defaults {
    #[command(flatten)]
    scan: ScanArgs,
}

pub fn run(args: ProbeArgs) -> Result<i32> {
    let mut scan = Defaults::try_parse_from(["probe"])
        .map_err(|e| Error::new(format!("cannot set up the probe: {e}")))?
        .scan;
    if !(args.rate >= 0.0 && args.rate.is_finite()) {
        return Err(Error::new(format!(
            "--rate {}: give requests per second, 0 or more (0: no limit)",
            args.rate
        )));
    }
    scan.probe = Some(ProbeConfig {
        urls: args.urls,
        max_requests: args.max_requests,
        concurrency: args.concurrency as usize,
        rate: args.rate,
        timeout: Duration::from_secs(args.timeout),
        max_response: args.max_response,
        headers: args.headers,
        well_known: !args.no_well_known,
    });
    scan.report = args.report;
    scan.config = args.config;
    scan.baseline = args.baseline;
    scan.write_baseline = args.write_baseline;
    scan.show_secrets = args.show_secrets;
    scan.verify = args.verify;
    scan.verify_options = args.verify_options;
    scan.rule_files = args.rule_files;
    scan.enable = args.enable;
    scan.disable = args.disable;
    scan.progress = args.progress;
    crate::cli::scan::run(scan)
}
