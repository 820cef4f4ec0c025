//! Scans one blob — a file, standard input, an archive member, a git blob, a message — through
//! the engine in bounded, overlapping chunks, with the decoded views its format calls for, and
//! turns the engine's matches into findings with line and column (lines carrying an allow
//! marker dropped, copies past the listing bounds counted). Memory per blob is bounded by the
//! chunk size, whatever the blob's size or line length. Hands on findings and a [`BlobOutcome`].

use std::io::{self, Read};
use std::sync::Arc;

use crate::decode::jwt;
use crate::decode::view::View;
use crate::engine::{Engine, RawMatch, Scratch};
use crate::exposure::{self, Exposure};
use crate::finding::{Finding, FindingCounts, Severity, remediation_for};
use crate::policy::inline::AllowMarkers;
use crate::scan::chunk::{Position, fill, utf16_units};
use crate::scan::encoded::{EncodedScan, Extracted};
use crate::scan::views::ViewKind;
use crate::source::root::BlobName;

/// Bytes read and searched at a time.
pub const CHUNK_SIZE: usize = 8 * 1024 * 1024;
/// Largest blob decoded whole (DEX, binary XML, resource tables, binary plists).
pub const DECODE_LIMIT: usize = 32 * 1024 * 1024;

/// What became of one blob.
#[derive(Debug, Default)]
pub struct BlobOutcome {
    /// Bytes read and searched.
    pub bytes: u64,
    /// A read error that cut the blob short (what was read before it was still searched).
    pub error: Option<io::Error>,
    /// The first chunk was judged not worth scanning by the caller's check (media files).
    pub skipped: bool,
    /// Where the blob ends up, judged from its path and first chunk.
    pub exposure: Exposure,
    /// Findings dropped because their line carries an allow marker (`sealant:allow`).
    pub allowed_inline: u64,
    /// Values a rule's filter dropped as fake (placeholders, low entropy, default values).
    pub filtered: u64,
    /// Something the user should know about this blob (a format not fully decoded).
    pub note: Option<String>,
    /// Findings counted but not listed, by severity: copies of one secret past
    /// [`MAX_COPIES`] in this blob, and any past [`MAX_LISTED_PER_BLOB`].
    pub unlisted: FindingCounts,
}

/// Encodings nested in one another undone by default (`--max-decode-depth`).
pub const DEFAULT_DECODE_DEPTH: usize = 3;

/// Copies of one secret (same rule) listed per blob; the rest are counted.
pub const MAX_COPIES: u32 = 50;
/// Findings listed per blob (a file made of keys); the rest are counted.
pub const MAX_LISTED_PER_BLOB: usize = 10_000;

/// Per-thread blob scanner; reuses its buffers across blobs.
pub struct BlobScanner<'e> {
    engine: &'e Engine,
    /// Comment markers that accept a finding on their line.
    allow: &'e AllowMarkers,
    scratch: Scratch,
    buf: Vec<u8>,
    matches: Vec<RawMatch>,
    /// Decoded view of the current chunk (source maps) and the matches found in it.
    view: View,
    view_matches: Vec<RawMatch>,
    /// Where the raw scan of the current chunk found keywords (for decoders).
    keywords: Vec<usize>,
    /// Where the raw scan of the current chunk found encoded keywords.
    encoded_hits: Vec<(usize, u32)>,
    /// Decoding of encoded text (base64, hex, escapes), and how deep it may go.
    encoded: EncodedScan,
    decode_depth: usize,
    /// Text of the current chunk's matches found in decoded views.
    extracted: Vec<Extracted>,
    chunk_size: usize,
    /// Copies of each (rule, secret) seen in the current blob.
    copies: std::collections::HashMap<(Arc<str>, String), u32>,
    /// Bytes of look-behind a chunk keeps before the first match it owns.
    context: usize,
    /// Bytes each chunk shares with the next.
    overlap: usize,
    /// The exposure of the last directory a blob came from (files of one directory come
    /// together).
    exposure_cache: exposure::ExposureCache,
    /// Set by [`BlobScanner::start`]: the first chunk is in `buf`; whether the blob ended
    /// there, and the read error that cut it short, if any.
    started: Option<(bool, Option<io::Error>)>,
}

impl<'e> BlobScanner<'e> {
    pub fn new(engine: &'e Engine, allow: &'e AllowMarkers) -> Self {
        Self::with_chunk_size(engine, allow, CHUNK_SIZE)
    }

    /// A scanner with a custom chunk size (tests use small chunks to exercise the seams).
    pub fn with_chunk_size(engine: &'e Engine, allow: &'e AllowMarkers, chunk_size: usize) -> Self {
        let (before, after) = engine.reach();
        let context = before + 1;
        let overlap = 2 * context + after + 1;
        BlobScanner {
            engine,
            allow,
            scratch: Scratch::default(),
            buf: Vec::new(),
            matches: Vec::new(),
            view: View::default(),
            view_matches: Vec::new(),
            keywords: Vec::new(),
            encoded_hits: Vec::new(),
            encoded: EncodedScan::default(),
            decode_depth: DEFAULT_DECODE_DEPTH,
            extracted: Vec::new(),
            chunk_size: chunk_size.max(overlap * 2),
            copies: Default::default(),
            context,
            overlap,
            exposure_cache: Default::default(),
            started: None,
        }
    }

    /// How many encodings nested in one another are undone (0: none).
    pub fn set_decode_depth(&mut self, depth: usize) {
        self.decode_depth = depth;
    }

    /// Reads the blob's first chunk, which decides what the blob is (see [`Self::head`]); then
    /// either [`Self::scan_started`] scans the blob, or [`Self::take_head`] hands the bytes
    /// back (an archive, to be opened instead).
    pub fn start(&mut self, reader: &mut dyn Read) {
        self.buf.clear();
        self.started = Some(match fill(reader, &mut self.buf, self.chunk_size) {
            Ok(eof) => (eof, None),
            Err(e) => (true, Some(e)),
        });
    }

    /// The first chunk read by [`Self::start`].
    pub fn head(&self) -> &[u8] {
        &self.buf
    }

    /// Whether the first chunk ended in a read error.
    pub fn start_failed(&self) -> Option<&io::Error> {
        self.started.as_ref().and_then(|(_, e)| e.as_ref())
    }

    /// The first chunk's bytes, for a blob that is not to be scanned as it is (an archive).
    pub fn take_head(&mut self) -> Vec<u8> {
        self.started = None;
        std::mem::take(&mut self.buf)
    }

    /// Reads `reader` to the end and appends its findings to `out`, labelled with `name`.
    /// `skip` sees the first chunk and may decline the blob (e.g. an image found by content).
    pub fn scan(
        &mut self,
        reader: &mut dyn Read,
        name: &BlobName,
        skip: &dyn Fn(&[u8]) -> bool,
        out: &mut Vec<Finding>,
    ) -> BlobOutcome {
        self.start(reader);
        self.scan_started(reader, name, skip, out)
    }

    /// [`Self::scan`] for a blob whose first chunk [`Self::start`] has read.
    pub fn scan_started(
        &mut self,
        reader: &mut dyn Read,
        name: &BlobName,
        skip: &dyn Fn(&[u8]) -> bool,
        out: &mut Vec<Finding>,
    ) -> BlobOutcome {
        let mut outcome = BlobOutcome::default();
        let mut pos = Position::default();
        self.copies.clear();
        let listed_before = out.len();
        self.scratch.clear_file_candidates();
        let mut started = self.started.take();
        if started.is_none() {
            self.buf.clear();
        }
        let mut first = true;
        let mut view_kind = ViewKind::None;
        loop {
            let filled = match started.take() {
                Some(first_chunk) => first_chunk,
                None => match fill(reader, &mut self.buf, self.chunk_size) {
                    Ok(eof) => (eof, None),
                    Err(e) => (true, Some(e)),
                },
            };
            let mut eof = filled.0;
            if let Some(e) = filled.1 {
                outcome.error = Some(e);
            }
            if first {
                first = false;
                if skip(&self.buf) {
                    outcome.skipped = true;
                    return outcome;
                }
                outcome.exposure = if name.third_party {
                    Exposure::Source
                } else {
                    exposure::classify_cached(
                        &mut self.exposure_cache,
                        &name.above,
                        &name.canonical,
                        &self.buf,
                    )
                };
                self.engine
                    .prepare(&name.canonical, &self.buf, &mut self.scratch);
                view_kind = ViewKind::choose(&name.canonical, &self.buf);
                if let ViewKind::Structured(format) = view_kind
                    && !eof
                {
                    // Structured formats are decoded whole: read the rest, up to the limit.
                    eof = match fill(reader, &mut self.buf, DECODE_LIMIT + 1) {
                        Ok(eof) => eof,
                        Err(e) => {
                            outcome.error = Some(e);
                            true
                        }
                    };
                    if !eof {
                        outcome.note = Some(format!(
                            "{} larger than {} MiB: scanned as raw bytes, not decoded",
                            format.name(),
                            DECODE_LIMIT >> 20
                        ));
                        view_kind = ViewKind::None;
                    }
                }
            }
            let fresh = self.buf.len() - if pos.offset == 0 { 0 } else { self.overlap };
            outcome.bytes += fresh as u64;
            let own_from = if pos.offset == 0 { 0 } else { self.context };
            let own_to = if eof {
                self.buf.len()
            } else {
                self.buf.len() - self.overlap + self.context
            };
            self.matches.clear();
            self.extracted.clear();
            self.engine
                .find(&self.buf, &mut self.scratch, &mut self.matches);
            outcome.filtered += (self.scratch.rejected.iter())
                .filter(|(_, at)| (own_from..own_to).contains(at))
                .count() as u64;
            self.encoded_hits.clear();
            (self.encoded_hits).extend_from_slice(self.scratch.encoded_hits());
            self.keywords.clear();
            self.keywords.extend(self.scratch.keyword_positions());
            let (exact, note) = view_kind.decode(&self.buf, &self.keywords, &mut self.view);
            if let Some(note) = note {
                outcome.note = Some(note);
            }
            self.scan_view(exact);
            let decoded = self.encoded.run(
                self.engine,
                &mut self.scratch,
                &self.buf,
                &self.encoded_hits,
                self.decode_depth,
                &mut self.matches,
                &mut self.extracted,
            );
            outcome.filtered += (decoded.rejected.iter())
                .filter(|at| (own_from..own_to).contains(at))
                .count() as u64;
            if outcome.note.is_none() {
                outcome.note = decoded.note(self.decode_depth);
            }
            let chunk_from = out.len();
            outcome.allowed_inline += self.emit(pos, own_from..own_to, name, outcome.exposure, out);
            self.fold(out, chunk_from, listed_before, &mut outcome.unlisted);
            if eof {
                return outcome;
            }
            let keep_from = self.buf.len() - self.overlap;
            let dropped = &self.buf[..keep_from];
            pos.lines += memchr::memchr_iter(b'\n', dropped).count() as u64;
            if let Some(nl) = memchr::memrchr(b'\n', dropped) {
                pos.line_start = pos.offset + nl as u64 + 1;
            }
            pos.offset += keep_from as u64;
            self.buf.copy_within(keep_from.., 0);
            self.buf.truncate(self.overlap);
        }
    }

    /// Keeps memory bounded whatever the blob holds: of the findings from `from` on, copies of
    /// a secret past [`MAX_COPIES`] and findings past [`MAX_LISTED_PER_BLOB`] are counted in
    /// `unlisted` (by severity) and dropped from `out`.
    fn fold(
        &mut self,
        out: &mut Vec<Finding>,
        from: usize,
        blob_from: usize,
        unlisted: &mut FindingCounts,
    ) {
        let mut kept = from;
        for i in from..out.len() {
            let f = &out[i];
            let over = kept - blob_from >= MAX_LISTED_PER_BLOB || {
                let n = self
                    .copies
                    .entry((Arc::clone(&f.rule_id), f.secret.clone()))
                    .or_insert(0);
                *n += 1;
                !f.secret.is_empty() && *n > MAX_COPIES
            };
            if over {
                unlisted.add(f.severity);
            } else {
                out.swap(kept, i);
                kept += 1;
            }
        }
        out.truncate(kept);
    }

    /// File rules whose paths match the blob last scanned.
    pub fn file_rule_candidates(&self) -> &[u32] {
        self.scratch.file_candidates()
    }

    /// Scans the decoded view of the current chunk and adds what only it reveals to the
    /// chunk's matches, with offsets mapped back to the chunk. A secret that both the raw bytes
    /// and the view show is reported once.
    fn scan_view(&mut self, exact: bool) {
        if !self.view.changed() {
            return;
        }
        self.view_matches.clear();
        self.engine
            .find(&self.view.bytes, &mut self.scratch, &mut self.view_matches);
        let mut added = false;
        for m in &self.view_matches {
            // Clamped: a match may run into the newline the view puts after each string.
            let map = |at: usize| self.view.source_offset(at).min(self.buf.len());
            let start = map(m.secret_start);
            let text = |(s, e): (usize, usize)| {
                String::from_utf8_lossy(&self.view.bytes[s..e]).into_owned()
            };
            let found = RawMatch {
                match_start: map(m.match_start),
                secret_start: start,
                secret_end: map(m.secret_end).max(start),
                name: m.name.map(|(s, e)| (map(s), map(e))),
                extracted: Some(self.extracted.len() as u32),
                ..*m
            };
            let extracted = Extracted {
                secret: text((m.secret_start, m.secret_end)),
                companion: m.id.map(text),
                name: None,
                decoded: None,
            };
            // One secret is one finding, as in the raw scan: a secret starting where the raw
            // bytes already found one (under any rule: a placement rule there holds the key) is
            // known.
            let known = (self.matches.iter()).position(|r| r.secret_start == start);
            if let Some(i) = known {
                // Strings cut at their table's lengths (`exact`) end a secret where the program
                // ends it: a shorter one there replaces what ran on into the next string.
                let len = |r: &RawMatch| match r.extracted {
                    Some(x) => self.extracted.get(x as usize).map_or(0, |x| x.secret.len()),
                    None => r.secret_end - r.secret_start,
                };
                let same_rule = self.matches[i].rule == m.rule;
                if exact && same_rule && extracted.secret.len() < len(&self.matches[i]) {
                    self.extracted.push(extracted);
                    self.matches[i] = found;
                }
                continue;
            }
            self.extracted.push(extracted);
            self.matches.push(found);
            added = true;
        }
        if added {
            self.matches.sort_by_key(|m| (m.secret_start, m.rule));
        }
    }

    /// Turns the matches of the current chunk that start in `owned` into findings.
    fn emit(
        &self,
        pos: Position,
        owned: std::ops::Range<usize>,
        name: &BlobName,
        exposure: Exposure,
        out: &mut Vec<Finding>,
    ) -> u64 {
        let mut allowed = 0;
        let mut cursor = 0;
        let mut lines = pos.lines;
        let mut line_start = pos.line_start;
        // Per line, worked out once however many matches it holds (a file of one long line
        // full of keys): whether it carries an allow marker, and UTF-16 units up to a point.
        let mut line_allowed: Option<bool> = None;
        let mut units: Option<(usize, u64)> = None;
        for m in &self.matches {
            if !owned.contains(&m.match_start) {
                continue;
            }
            let upto = &self.buf[cursor..m.secret_start];
            let newlines = memchr::memchr_iter(b'\n', upto).count() as u64;
            if newlines > 0 {
                lines += newlines;
                line_allowed = None;
                units = None;
                if let Some(nl) = memchr::memrchr(b'\n', upto) {
                    line_start = pos.offset + (cursor + nl) as u64 + 1;
                }
            }
            cursor = m.secret_start;
            let offset = pos.offset + m.secret_start as u64;
            let allow = *line_allowed
                .get_or_insert_with(|| self.allow.line_allows(&self.buf, m.secret_start));
            if allow {
                allowed += 1;
                continue;
            }
            let mut f = self.finding(m, pos, lines + 1, offset - line_start + 1, name, exposure);
            // UTF-16 column, as SARIF counts by default; from the chunk when the line starts in
            // it (else the byte column stands in).
            if let Some(from) = line_start.checked_sub(pos.offset) {
                let (at, n) = units.unwrap_or((from as usize, 0));
                let n = n + utf16_units(&self.buf[at..m.secret_start]);
                units = Some((m.secret_start, n));
                f.column_utf16 = n + 1;
            }
            out.push(f);
        }
        allowed
    }

    /// Builds the finding for match `m` of the current chunk.
    fn finding(
        &self,
        m: &RawMatch,
        pos: Position,
        line: u64,
        column: u64,
        name: &BlobName,
        exposure: Exposure,
    ) -> Finding {
        let rule = self.engine.rule(m.rule);
        let inner = m.inner.map(|i| self.engine.rule(i));
        // A placement rule (`value_from_rules`) says where a secret sits; how severe the finding
        // is follows the secret: a test key in a bundle is low, a live one critical.
        let severity = if m.documented || m.info {
            Severity::Info
        } else {
            inner.map_or(rule.severity, |i| i.severity)
        };
        let remediation = match inner {
            Some(inner) => format!("{} {}", rule.remediation, inner.remediation),
            None => rule.remediation.clone(),
        };
        let text = |(s, e): (usize, usize)| String::from_utf8_lossy(&self.buf[s..e]).into_owned();
        let extracted = m.extracted.and_then(|i| self.extracted.get(i as usize));
        let var_name = match extracted.and_then(|x| x.name.clone()) {
            Some(n) => n,
            None => m.name.map(text).unwrap_or_default(),
        };
        let detail = rule.detail.as_ref().map(|t| {
            t.replace("{name}", &var_name)
                .replace("{inner}", inner.map_or("", |r| r.title.as_str()))
        });
        // A JWT says what it is: algorithm, issuer, expiry.
        let detail = detail.or_else(|| {
            let token = match extracted {
                Some(x) => x.secret.as_bytes(),
                None => self.buf.get(m.secret_start..m.secret_end)?,
            };
            (rule.jwt).then(|| jwt::Token::read(token).map(|t| t.describe(jwt::now())))?
        });
        Finding {
            rule_id: Arc::from(rule.id.as_str()),
            title: Arc::from(rule.title.as_str()),
            severity,
            confidence: m.confidence,
            remediation: Arc::from(remediation_for(
                severity,
                exposure,
                rule.redact,
                &remediation,
            )),
            path: Arc::clone(&name.shown),
            canonical: Arc::clone(&name.canonical),
            occurrence: 0,
            line,
            column,
            column_utf16: column,
            byte_offset: pos.offset + m.secret_start as u64,
            secret: match extracted {
                Some(x) => x.secret.clone(),
                None => text((m.secret_start, m.secret_end)),
            },
            documented: m.documented,
            exposure,
            detail,
            redact: rule.redact,
            provenance: None,
            recorded: None,
            companion: match extracted {
                Some(x) => x.companion.clone(),
                None => m.id.map(text),
            },
            decoded: extracted.and_then(|x| x.decoded.clone()),
            verification: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    const KEY: &str = "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"; // sealant:allow test key

    fn scan(engine: &Engine, chunk: usize, data: &[u8]) -> Vec<Finding> {
        let allow = AllowMarkers::default();
        let mut s = BlobScanner::with_chunk_size(engine, &allow, chunk);
        let mut out = Vec::new();
        let outcome = s.scan(&mut &data[..], &BlobName::plain("t"), &|_| false, &mut out);
        assert_eq!(outcome.bytes, data.len() as u64);
        out
    }

    /// Keys placed at every distance from chunk seams are each found once, with the same
    /// line, column and offset as a single-chunk scan gives.
    #[test]
    fn chunk_seams_neither_lose_nor_duplicate() {
        let engine = Engine::new(RuleSet::builtin().expect("rules")).expect("engine");
        let mut data = Vec::new();
        let mut expected = Vec::new();
        let mut i = 0;
        while data.len() < 300_000 {
            let filler = "x".repeat(i * 37 % 3000);
            data.extend_from_slice(filler.as_bytes());
            data.extend_from_slice(if i % 3 == 0 { b"\n" } else { b" " });
            expected.push(data.len() as u64);
            // Distinct keys: copies of one key past MAX_COPIES are counted, not listed.
            data.extend_from_slice(format!("{}{i:04}", &KEY[..KEY.len() - 4]).as_bytes());
            data.push(b'\n');
            i += 1;
        }
        let whole = scan(&engine, usize::MAX / 4, &data);
        let offsets: Vec<u64> = whole.iter().map(|f| f.byte_offset).collect();
        assert_eq!(offsets, expected);
        let small = scan(&engine, 1, &data);
        let key = |f: &Finding| (f.byte_offset, f.line, f.column);
        assert_eq!(
            small.iter().map(key).collect::<Vec<_>>(),
            whole.iter().map(key).collect::<Vec<_>>()
        );
    }

    #[test]
    fn line_and_column_are_one_based_bytes() {
        let engine = Engine::new(RuleSet::builtin().expect("rules")).expect("engine");
        let data = format!("a\nbé x={KEY}\n");
        let f = scan(&engine, CHUNK_SIZE, data.as_bytes());
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].line, f[0].column, f[0].byte_offset), (2, 7, 8));
        // `bé x=`: 5 characters before the key, 6 bytes.
        assert_eq!(f[0].column_utf16, 6);
    }
}
