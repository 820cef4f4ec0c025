//! The keyword filter's first tests on CPUs with AVX-512 VBMI, done in registers: each byte of
//! a 3-byte window is reduced to one of 16 classes (a map per byte position, from
//! [`CLASS_MAPS`]), and the window passes a test when some anchor window has the same three
//! classes. A window must pass two such tests with independent maps; 64 positions are tested
//! with a few table permutes and no memory lookups, and only the positions that pass both
//! (about one in a hundred in text) are looked up further. It decides nothing: every anchor
//! window passes by construction, so the filter finds what it finds without it, only sooner.

use super::class_maps::CLASS_MAPS;

/// Classes per byte position.
const CLASSES: usize = 16;
/// Independent class tests a window must pass.
const TESTS: usize = CLASS_MAPS.len();

/// Bytes a block's loads read: 64 windows of 3 bytes.
pub(crate) const BLOCK_READ: usize = 64 + 2;
/// Blocks tested by one call of [`ClassTest::scan`] (4 KiB of text).
pub(crate) const BATCH: usize = 64;
/// Room for the blocks one call of [`ClassTest::scan`] may pass (each block's slot is
/// written before its answer is known, at an index below the number of blocks tested).
pub(crate) const PASSED: usize = BATCH;

#[derive(Debug, Clone)]
pub(crate) struct ClassTest {
    /// For each byte position, the classes of each byte value below 0x80 under both tests
    /// (the first test's in the low 4 bits, the second's in the high 4), relabelled from
    /// [`CLASS_MAPS`] so that bytes from 0x80 up are class 0 in both: the SIMD code looks up
    /// both tests' classes with one permute and zeroes the others, and its loop's tables fit
    /// in registers.
    maps: [[u8; 128]; 3],
    /// For each test and each pair of first and second classes (`c0 << 4 | c1`), the third
    /// classes that some anchor has with them: classes 0–7 as bits of `rows[t][0]`, 8–15 of
    /// `rows[t][1]`.
    rows: [[[u8; 256]; 2]; TESTS],
}

impl ClassTest {
    /// The tests for the anchor windows `anchors` (each in the low 3 bytes of a word).
    pub(crate) fn new(anchors: impl IntoIterator<Item = u32>) -> Self {
        let maps = std::array::from_fn(|p| {
            std::array::from_fn(|b| {
                let [first, second] = [0, 1].map(|t| {
                    let map = &CLASS_MAPS[t][p];
                    // Swapping two classes changes no answer: the rows use these maps too.
                    match map[b] {
                        c if c == map[128] => 0,
                        0 => map[128],
                        c => c,
                    }
                });
                first | second << 4
            })
        });
        let mut test = ClassTest {
            maps,
            rows: [[[0; 256]; 2]; TESTS],
        };
        for w in anchors {
            for t in 0..TESTS {
                let (row, pair, bit) = test.cell(t, w);
                test.rows[t][row][pair] |= bit;
            }
        }
        test
    }

    /// Test `t`'s class of byte `b` at position `p` of a window.
    #[inline(always)]
    fn class(&self, t: usize, p: usize, b: u8) -> u8 {
        self.maps[p]
            .get(usize::from(b))
            .map_or(0, |c| c >> (4 * t) & 0x0f)
    }

    /// Test `t`'s row and bit for the window in `word`'s low 3 bytes.
    fn cell(&self, t: usize, word: u32) -> (usize, usize, u8) {
        let [b0, b1, b2, _] = word.to_le_bytes();
        let pair = usize::from(self.class(t, 0, b0) << 4 | self.class(t, 1, b1));
        let third = self.class(t, 2, b2);
        (usize::from(third >= 8), pair, 1 << (third & 7))
    }

    /// Whether the window in `word`'s low 3 bytes passes the class tests (what the SIMD code
    /// computes).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn passes(&self, word: u32) -> bool {
        (0..TESTS).all(|t| {
            let (row, pair, bit) = self.cell(t, word);
            self.rows[t][row][pair] & bit != 0
        })
    }

    /// Tests the windows of up to [`BATCH`] blocks of 64 from `at`, while a block's
    /// [`BLOCK_READ`] bytes stay in `hay`; for each block with windows that pass, puts its
    /// offset from `at` and their mask (bit i: the window at the block's start + i) in
    /// `passed`, in order. Returns where the untested rest begins and how many blocks it put.
    ///
    /// # Safety
    /// The CPU must have AVX-512 F, BW and VBMI ([`available`]).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    #[inline(never)]
    pub(crate) unsafe fn scan(
        &self,
        hay: &[u8],
        mut at: usize,
        passed: &mut [(u32, u64); PASSED],
    ) -> (usize, usize) {
        use std::arch::x86_64::*;
        /// A test's rows (low and high third classes), each as four 64-byte tables.
        type Rows = [[__m512i; 4]; 2];
        let load = |bytes: &[u8]| {
            debug_assert!(bytes.len() >= 64);
            // SAFETY: `bytes` holds at least 64 bytes.
            unsafe { _mm512_loadu_si512(bytes.as_ptr() as *const __m512i) }
        };
        // Each position's map: bytes 0–63 and 64–127.
        let maps = self
            .maps
            .each_ref()
            .map(|m| (load(&m[..64]), load(&m[64..])));
        let rows: [Rows; TESTS] = self.rows.each_ref().map(|rows| {
            rows.each_ref().map(|r| {
                [
                    load(&r[..64]),
                    load(&r[64..128]),
                    load(&r[128..192]),
                    load(&r[192..]),
                ]
            })
        });
        // `bit_of[i]`: bit `i % 8`, for `vpermb`, which reads only an index's low 6 bits.
        let bit_of: [u8; 64] = std::array::from_fn(|i| 1 << (i % 8));
        let bit_of = load(&bit_of);
        let high_nibble = _mm512_set1_epi8(0xf0_u8 as i8);
        let bit_3 = _mm512_set1_epi8(0x08);
        // A 256-byte table looked up by every byte of `index` (`high`: its top bits).
        let lookup = |t: &[__m512i; 4], index: __m512i, high: __mmask64| {
            let below = _mm512_permutex2var_epi8(t[0], index, t[1]);
            let above = _mm512_permutex2var_epi8(t[2], index, t[3]);
            _mm512_mask_blend_epi8(high, below, above)
        };
        // The windows that pass a test: `pair` holds each window's first two classes
        // (`c0 << 4 | c1`), `third_high` which hold a third class from 8 up, and `third` the
        // third class in its low 3 bits.
        let test = |rows: &Rows, pair: __m512i, third_high: __mmask64, third: __m512i| {
            let high = _mm512_movepi8_mask(pair);
            let row = _mm512_mask_blend_epi8(
                third_high,
                lookup(&rows[0], pair, high),
                lookup(&rows[1], pair, high),
            );
            _mm512_test_epi8_mask(row, _mm512_permutexvar_epi8(third, bit_of))
        };
        let start = at;
        let end = hay
            .len()
            .saturating_sub(BLOCK_READ - 1)
            .min(at + 64 * BATCH);
        let mut n = 0;
        while at < end {
            let block = &hay[at..at + BLOCK_READ];
            let v = [load(block), load(&block[1..]), load(&block[2..])];
            // Both tests' classes of the bytes at each position of the windows.
            let c = [0, 1, 2].map(|p| {
                let (lo, hi) = maps[p];
                _mm512_maskz_permutex2var_epi8(!_mm512_movepi8_mask(v[p]), lo, v[p], hi)
            });
            // The first test's classes are the low 4 bits of `c`, the second's the high 4.
            // Shifting 16-bit lanes brings a neighbour's bits in; bit-selecting (0xca: a ? b : c)
            // by `high_nibble` keeps them out.
            let first = test(
                &rows[0],
                _mm512_ternarylogic_epi32::<0xca>(high_nibble, _mm512_slli_epi16::<4>(c[0]), c[1]),
                _mm512_test_epi8_mask(c[2], bit_3),
                c[2],
            );
            let second = test(
                &rows[1],
                _mm512_ternarylogic_epi32::<0xca>(high_nibble, c[0], _mm512_srli_epi16::<4>(c[1])),
                _mm512_movepi8_mask(c[2]),
                _mm512_srli_epi16::<4>(c[2]),
            );
            let pass = first & second;
            // Written whatever the answer, kept only when some window passed: no branch.
            passed[n] = ((at - start) as u32, pass);
            n += usize::from(pass != 0);
            at += 64;
        }
        (at, n)
    }
}

/// Whether this CPU can run [`ClassTest::scan`].
pub(crate) fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512vbmi")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

const _: () = assert!(TESTS == 2 && CLASS_MAPS[0][0].len() == 129 && CLASSES == 16);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_give_classes_below_16() {
        for map in CLASS_MAPS.iter().flatten() {
            assert!(map.iter().all(|&c| usize::from(c) < CLASSES));
        }
    }

    #[test]
    fn every_anchor_passes_and_the_simd_test_agrees_with_the_scalar_one() {
        let anchors: Vec<u32> = [&b"k_l"[..], b"AKI", b"\xe2\x80\x9c", b"%5F", b"Twi"]
            .iter()
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], 0]))
            .collect();
        let test = ClassTest::new(anchors.iter().copied());
        for &a in &anchors {
            assert!(test.passes(a));
        }
        if !available() {
            return;
        }
        // Every byte value at every position of a window, next to the anchors.
        let mut hay: Vec<u8> = (0..=255u8).chain(0..=255).collect();
        for w in [&b"k_l"[..], b"xAKIy", b"\xe2\x80\x9c", b"%5F", b"Twi"] {
            hay.extend_from_slice(w);
            hay.extend((0..=255u8).rev());
        }
        let mut seen = vec![false; hay.len()];
        let mut passed = [(0, 0); PASSED];
        // SAFETY: `available` said the CPU has what `scan` needs.
        let (rest, n) = unsafe { test.scan(&hay, 0, &mut passed) };
        assert!(passed[..n].is_sorted());
        for &(block, mut mask) in &passed[..n] {
            while mask != 0 {
                seen[block as usize + mask.trailing_zeros() as usize] = true;
                mask &= mask - 1;
            }
        }
        assert!(rest + BLOCK_READ > hay.len() && rest % 64 == 0);
        for (i, &s) in seen.iter().enumerate().take(rest) {
            let w = u32::from_le_bytes([hay[i], hay[i + 1], hay[i + 2], 0]);
            assert_eq!(s, test.passes(w), "position {i}");
        }
        assert!(seen.iter().filter(|&&s| s).count() >= anchors.len());
    }

    fn builtin_anchors() -> Vec<u32> {
        let rules = crate::rules::RuleSet::builtin().expect("built-in rules load");
        let engine = crate::engine::Engine::new(rules).expect("engine builds");
        let mut windows: Vec<u32> = engine.prefilter.anchor_windows().collect();
        windows.sort_unstable();
        windows.dedup();
        windows
    }

    #[test]
    fn every_builtin_anchor_passes() {
        let anchors = builtin_anchors();
        let test = ClassTest::new(anchors.iter().copied());
        assert!(anchors.len() > 1000, "{}", anchors.len());
        for w in anchors {
            assert!(test.passes(w), "{:06x}", w);
        }
    }

    /// Prints the built-in rules' anchor windows for scripts/class-maps.py.
    #[test]
    #[ignore]
    fn print_builtin_anchor_windows() {
        for w in builtin_anchors() {
            println!("anchor {:06x}", w);
        }
    }
}
