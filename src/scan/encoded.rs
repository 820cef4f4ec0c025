//! Encoded text within a chunk: where the engine found an encoded form of a keyword (or a form
//! whose value is encoded), the region is decoded (`decode::encoded`) and scanned by the same
//! engine; what that reveals may be encoded again, and is decoded in turn, up to the depth
//! allowed. Every decoded byte maps back to the chunk, so a finding points at the encoded text;
//! its secret is the decoded one, with the chain of encodings undone. Decoded bytes per chunk
//! are bounded. Hands on matches (in chunk coordinates) and what they extracted.

use std::collections::HashSet;
use std::sync::Arc;

use crate::decode::decoded::Decoded;
use crate::decode::encoded::{Trigger, decode_at};
use crate::engine::{Engine, RawMatch, Scratch};
use crate::fasthash::FastHash;

/// Text a match took from a decoded view rather than from the chunk.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub secret: String,
    /// The rule's `id` group (the identifier the secret goes with).
    pub companion: Option<String>,
    /// The rule's `name` group (a variable name), for the detail line.
    pub name: Option<String>,
    /// The encodings undone to reach the secret, outermost first (`base64>hex`).
    pub decoded: Option<Arc<str>>,
}

/// What decoding a chunk ran into.
#[derive(Debug, Default)]
pub struct EncodedOutcome {
    /// Offsets (in the chunk) of values a rule's filter dropped as fake.
    pub rejected: Vec<usize>,
    /// Encoded text was left undecoded at the depth limit.
    pub too_deep: bool,
    /// Encoded text was left undecoded for the byte budget.
    pub over_budget: bool,
    /// A `data:` URI holds an archive, which is not opened.
    pub archive_uri: bool,
}

impl EncodedOutcome {
    /// What the user is told about the blob, if anything was left undecoded.
    pub fn note(&self, depth: usize) -> Option<String> {
        if self.too_deep {
            Some(format!(
                "encoded text nested deeper than {depth} levels: not decoded further \
                 (--max-decode-depth)"
            ))
        } else if self.archive_uri {
            Some("a data: URI holds an archive: not opened (save it as a file to scan it)".into())
        } else if self.over_budget {
            Some(
                "more encoded text than one chunk may decode (twice its size): the rest was \
                 not decoded"
                    .into(),
            )
        } else {
            None
        }
    }
}

/// Per-thread buffers for decoding, one per level, reused across chunks.
#[derive(Debug, Default)]
pub struct EncodedScan {
    levels: Vec<Decoded>,
    hits: Vec<(usize, u32)>,
    found: Vec<RawMatch>,
    /// (rule, secret start) of the chunk's matches, to add each secret once.
    known: HashSet<(u32, usize), FastHash>,
}

/// Bytes a region of an encoded run decodes to at most (a keyword's neighbourhood).
const REGION: usize = 6 * 1024;
/// Bytes a form whose value is encoded (a Kubernetes Secret, a Docker `auth`) decodes to at
/// most.
const FORM: usize = 64 * 1024;

impl EncodedScan {
    /// Decodes, level by level up to `max_depth`, what `raw_hits` (encoded keywords in
    /// `chunk`, from the engine's raw pass) point to, scans it with `engine`, and adds to
    /// `matches` what the chunk's own matches lack, each with its text in `extracted`.
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        &mut self,
        engine: &Engine,
        scratch: &mut Scratch,
        chunk: &[u8],
        raw_hits: &[(usize, u32)],
        max_depth: usize,
        matches: &mut Vec<RawMatch>,
        extracted: &mut Vec<Extracted>,
    ) -> EncodedOutcome {
        let mut outcome = EncodedOutcome::default();
        if raw_hits.is_empty() {
            return outcome;
        }
        if max_depth == 0 {
            return outcome;
        }
        // Decoded bytes per chunk: twice the chunk and 64 KiB, over all levels.
        let mut budget = chunk.len().saturating_mul(2).saturating_add(64 * 1024);
        self.hits.clear();
        self.hits.extend_from_slice(raw_hits);
        if self.levels.len() < max_depth {
            self.levels.resize_with(max_depth, Decoded::default);
        }
        let mut added = false;
        self.known.clear();
        (self.known).extend(matches.iter().map(|m| (m.rule, m.secret_start)));
        for level in 0..max_depth {
            let (before, rest) = self.levels.split_at_mut(level);
            let out = &mut rest[0];
            out.clear();
            let input: Option<&Decoded> = before.last();
            let text = input.map_or(chunk, |d| &d.bytes[..]);
            for &(at, index) in &self.hits {
                if budget == 0 {
                    outcome.over_budget = true;
                    break;
                }
                if out.covers(at) {
                    continue;
                }
                let chain = input
                    .and_then(|d| d.region(at))
                    .map_or("", |r| r.chain.as_str());
                let trigger = engine.derived(index).trigger;
                let cap = match trigger {
                    Trigger::Context(_) => FORM,
                    _ => REGION,
                };
                let from = out.bytes.len();
                let depth_left = max_depth - level;
                decode_at(text, at, trigger, chain, depth_left, cap.min(budget), out);
                budget = budget.saturating_sub(out.bytes.len() - from);
                // Offsets into the level below become offsets into the chunk.
                if let Some(below) = input {
                    for s in &mut out.source[from..] {
                        *s = below.source.get(*s).copied().unwrap_or(0);
                    }
                }
            }
            outcome.too_deep |= out.too_deep;
            outcome.archive_uri |= out.archive_uri;
            if out.bytes.is_empty() {
                break;
            }
            self.found.clear();
            engine.find(&out.bytes, scratch, &mut self.found);
            let chunk_at = |at: usize| out.source.get(at).copied().unwrap_or(0).min(chunk.len());
            outcome
                .rejected
                .extend(scratch.rejected.iter().map(|&(_, at)| chunk_at(at)));
            for m in &self.found {
                let start = chunk_at(m.secret_start);
                if !self.known.insert((m.rule, start)) {
                    continue;
                }
                let text = |(s, e): (usize, usize)| {
                    String::from_utf8_lossy(&out.bytes[s..e.min(out.bytes.len())]).into_owned()
                };
                extracted.push(Extracted {
                    secret: text((m.secret_start, m.secret_end)),
                    companion: m.id.map(text),
                    name: m.name.map(text),
                    decoded: out
                        .region(m.secret_start)
                        .map(|r| Arc::from(r.chain.as_str())),
                });
                let end = chunk_at(m.secret_end.saturating_sub(1)) + 1;
                matches.push(RawMatch {
                    match_start: chunk_at(m.match_start).min(start),
                    secret_start: start,
                    secret_end: end.max(start),
                    name: None,
                    id: None,
                    extracted: Some(extracted.len() as u32 - 1),
                    ..*m
                });
                added = true;
            }
            // What this level reveals encoded again is the next level's work.
            self.hits.clear();
            self.hits.extend_from_slice(scratch.encoded_hits());
            if self.hits.is_empty() {
                break;
            }
            if level + 1 == max_depth {
                outcome.too_deep = true;
            }
        }
        if added {
            matches.sort_by_key(|m| (m.secret_start, m.rule));
        }
        outcome
    }
}
