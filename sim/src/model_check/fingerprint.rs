//! The 64-bit fingerprint of a state: a [`Hasher`] built for the model checker's many small
//! writes. Derived `Hash` impls write a byte for a flag, an `isize` for each enum variant and
//! a `usize` for each length; this hasher packs such small values into bytes and mixes only
//! each full 64-bit word (a folded 128-bit multiply, as wyhash and aHash do), so a state of a
//! hundred fields costs a few dozen multiplies. The seeds are fixed: a state has the same
//! fingerprint in every run, so counts never vary between runs.

use std::hash::{Hash, Hasher};

/// The multiplier each word is mixed with (odd, with well-spread bits: the fractional part of
/// the golden ratio).
const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;
/// The state before any word is absorbed (digits of pi).
const START: u64 = 0x243f_6a88_85a3_08d3;
/// The multiplier of the final mix (more digits of pi).
const FINAL: u64 = 0x1319_8a2e_0370_7344;

/// The high and low halves of the 128-bit product, folded together.
fn folded_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

/// The fingerprint of `value`.
pub fn fingerprint<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = Fingerprinter::default();
    value.hash(&mut hasher);
    hasher.finish()
}

/// A hasher for fingerprints: bits are packed into a pending word, which is mixed into the
/// state once full. Small integers (below 128) written as `usize`, `isize` or `u64` take one
/// byte; larger ones a marker byte and eight bytes, so the encoding stays prefix-free.
#[derive(Clone, Debug)]
pub struct Fingerprinter {
    state: u64,
    pending: u64,
    /// Bits of `pending` in use (always below 64).
    filled: u32,
}

impl Default for Fingerprinter {
    fn default() -> Self {
        Fingerprinter {
            state: START,
            pending: 0,
            filled: 0,
        }
    }
}

impl Fingerprinter {
    #[inline(always)]
    fn absorb(&mut self, word: u64) {
        self.state = folded_multiply(self.state ^ word, MULTIPLIER);
    }

    /// Appends `value`, of `bits` bits (8, 16, 32 or 64; no bit of `value` above them is set).
    #[inline(always)]
    fn push(&mut self, value: u64, bits: u32) {
        let room = 64 - self.filled;
        if bits < room {
            self.pending |= value << self.filled;
            self.filled += bits;
        } else {
            // The word fills up: `room` bits of `value` complete it, the rest start the next.
            let word = self.pending | value << self.filled;
            self.absorb(word);
            self.pending = if room == 64 { 0 } else { value >> room };
            self.filled = bits - room;
        }
    }

    /// Appends an integer: one byte below 128, else the marker byte and all eight bytes.
    #[inline(always)]
    fn push_small(&mut self, value: u64) {
        if value < 0x80 {
            self.push(value, 8);
        } else {
            self.push(0xff, 8);
            self.push(value, 64);
        }
    }
}

impl Hasher for Fingerprinter {
    fn finish(&self) -> u64 {
        let mut last = self.clone();
        last.absorb(self.pending);
        last.absorb(u64::from(self.filled));
        folded_multiply(last.state, FINAL).rotate_left(23) ^ last.state
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.push(u64::from_le_bytes(word), 64);
        }
        for &byte in chunks.remainder() {
            self.push(u64::from(byte), 8);
        }
    }

    #[inline(always)]
    fn write_u8(&mut self, value: u8) {
        self.push(u64::from(value), 8);
    }

    #[inline(always)]
    fn write_u16(&mut self, value: u16) {
        self.push(u64::from(value), 16);
    }

    #[inline(always)]
    fn write_u32(&mut self, value: u32) {
        self.push(u64::from(value), 32);
    }

    #[inline(always)]
    fn write_u64(&mut self, value: u64) {
        self.push_small(value);
    }

    #[inline(always)]
    fn write_usize(&mut self, value: usize) {
        self.push_small(value as u64);
    }

    #[inline(always)]
    fn write_isize(&mut self, value: isize) {
        self.push_small(value as u64);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    const PINNED: u64 = 6_196_841_430_579_771_774;

    #[test]
    fn equal_values_have_equal_fingerprints_in_every_run() {
        let value = (3u8, vec![1u64, 1 << 40], Some("text"), -5i64);
        assert_eq!(fingerprint(&value), fingerprint(&value.clone()));
        // Fixed seeds: this figure never changes between runs or machines.
        assert_eq!(fingerprint(&value), PINNED);
    }

    #[test]
    fn nearby_values_all_differ() {
        // Small structured values, as states are: every one of them gets its own fingerprint.
        let mut prints = HashSet::new();
        let mut count = 0;
        for a in 0u64..40 {
            for b in 0u8..20 {
                for c in [
                    None,
                    Some(0u64),
                    Some(1),
                    Some(127),
                    Some(128),
                    Some(1 << 33),
                ] {
                    for flag in [false, true] {
                        prints.insert(fingerprint(&(a, b, c, flag, vec![b; usize::from(b % 3)])));
                        count += 1;
                    }
                }
            }
        }
        assert_eq!(prints.len(), count);
    }

    #[test]
    fn the_encoding_is_prefix_free_across_word_boundaries() {
        // A value split over two words, a value just below and at the one-byte limit, and
        // trailing bytes of different lengths all tell apart.
        let prints: HashSet<u64> = [
            fingerprint(&[7u8; 7][..]),
            fingerprint(&[7u8; 8][..]),
            fingerprint(&[7u8; 9][..]),
            fingerprint(&(0u8, 127u64)),
            fingerprint(&(0u8, 128u64)),
            fingerprint(&(0u8, 255u64)),
            fingerprint(&(0u8, u64::MAX)),
            fingerprint(&(0u8, 0u8)),
            fingerprint(&0u8),
            fingerprint(&(1u8, 0u8)),
            fingerprint(&()),
        ]
        .into_iter()
        .collect();
        assert_eq!(prints.len(), 11);
    }

    #[test]
    fn every_bit_of_a_word_matters() {
        let base = fingerprint(&(1u64 << 50, 9u32));
        for bit in 0..64 {
            let flipped = fingerprint(&((1u64 << 50) ^ (1 << bit), 9u32));
            assert_ne!(flipped, base, "bit {bit}");
            // Each flip changes about half the fingerprint's bits.
            let changed = (flipped ^ base).count_ones();
            assert!(
                (12..=52).contains(&changed),
                "bit {bit}: {changed} bits changed"
            );
        }
    }
}
