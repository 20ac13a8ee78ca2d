//! The one hash of the verifier: 64-bit FNV-1a, stable across Rust versions
//! and platforms (unlike `std`'s hasher). It marks generated files (the hash
//! of a file's body in its header tells a hand edit) and fingerprints what a
//! verdict depends on ([`crate::cache`]). It guards against accidents, not
//! against an adversary.

const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// An FNV-1a hash, fed piece by piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(OFFSET_BASIS)
    }
}

impl Fnv1a {
    /// Adds bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(PRIME);
        }
    }

    /// The hash as 16 hex digits.
    pub fn hex(self) -> String {
        format!("{:016x}", self.0)
    }
}

/// The hash of `bytes`, as 16 hex digits.
pub fn of(bytes: &[u8]) -> String {
    let mut hash = Fnv1a::default();
    hash.write(bytes);
    hash.hex()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv1a() {
        // The published FNV-1a 64 test vectors.
        assert_eq!(of(b""), "cbf29ce484222325");
        assert_eq!(of(b"a"), "af63dc4c8601ec8c");
        let mut pieces = Fnv1a::default();
        pieces.write(b"a");
        pieces.write(b"");
        assert_eq!(pieces.hex(), of(b"a"));
    }
}
