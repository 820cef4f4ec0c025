//! The keyword filter's table lookups with AVX2: 32 windows at a time, with gathers.

use super::{BLOCK, KeywordHit, TrigramFilter};
use crate::engine::window::HASH_BITS;

impl TrigramFilter {
    /// [`Self::find_scalar`] with AVX2: four unaligned loads give the 32 windows of a block
    /// as 4 × 8 words, which are looked up with gathers.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn find_avx2<'k>(
        &self,
        hay: &[u8],
        mut at: usize,
        keyword: impl Fn(u32) -> &'k [u8] + Copy,
        out: &mut Vec<KeywordHit>,
    ) -> usize {
        use std::arch::x86_64::*;
        let low5 = _mm256_set1_epi32(31);
        let table = self.bits.as_ptr() as *const i32;
        while at + BLOCK + 3 <= hay.len() {
            let mut mask = 0u32;
            for k in 0..4 {
                // SAFETY: at + k + 32 <= at + BLOCK + 3 <= hay.len().
                let v = unsafe { _mm256_loadu_si256(hay.as_ptr().add(at + k) as *const __m256i) };
                // The window in the top 3 bytes (`mix`).
                let x = _mm256_slli_epi32::<8>(v);
                let index = _mm256_srli_epi32::<{ 32 - HASH_BITS as i32 + 5 }>(x);
                let shift =
                    _mm256_and_si256(_mm256_srli_epi32::<{ 32 - HASH_BITS as i32 }>(x), low5);
                // SAFETY: every index is below 2^(HASH_BITS - 5) = TABLE_WORDS.
                let words = unsafe { _mm256_i32gather_epi32::<4>(table, index) };
                let hit = _mm256_slli_epi32::<31>(_mm256_srlv_epi32(words, shift));
                // Lane j of load k is the window at position 4j + k.
                let lanes = _mm256_movemask_ps(_mm256_castsi256_ps(hit)) as u32;
                mask |= lanes << (8 * k);
            }
            if mask != 0 {
                self.confirm(hay, at, unspread(mask).into(), keyword, out);
            }
            at += BLOCK;
        }
        at
    }
}

/// Bit 8k + j (lane j of load k: position 4j + k) moved to bit 4j + k.
#[inline(always)]
fn unspread(mask: u32) -> u32 {
    spread(mask) | spread(mask >> 8) << 1 | spread(mask >> 16) << 2 | spread(mask >> 24) << 3
}

/// Bits 0..8 of `lanes` moved to bits 0, 4, 8, …, 28.
#[inline(always)]
fn spread(lanes: u32) -> u32 {
    let mut x = lanes & 0xff;
    x = (x | (x << 12)) & 0x000F_000F;
    x = (x | (x << 6)) & 0x0303_0303;
    (x | (x << 3)) & 0x1111_1111
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_places_lane_bits() {
        assert_eq!(spread(0b1000_0001), (1 << 28) | 1);
        assert_eq!(spread(0xff), 0x1111_1111);
        // Lane j of answer m is position 4j + m.
        for m in 0..4 {
            for j in 0..8 {
                assert_eq!(unspread(1 << (8 * m + j)), 1 << (4 * j + m), "m {m} j {j}");
            }
        }
        assert_eq!(unspread(u32::MAX), u32::MAX);
    }
}
