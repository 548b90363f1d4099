//! UUIDs without a random source of our own: checking their shape, and making them from an
//! injected generator or from a name (so a migration gives the same flow on every load).

/// The generator the engine draws from: the caller seeds it, so runs can be replayed.
pub trait Rng {
    fn next_u64(&mut self) -> u64;
}

/// SplitMix64: small, fast and good enough for UUIDs and the random router; seeded by the caller.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }
}

impl Rng for SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Whether `s` is written as a UUID (8-4-4-4-12 hex digits, any version).
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 36 {
        return false;
    }
    b.iter().enumerate().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => *c == b'-',
        _ => c.is_ascii_hexdigit(),
    })
}

/// Formats 128 bits as a version 4 UUID (the version and variant bits are set).
pub fn uuid_from_bits(hi: u64, lo: u64) -> String {
    let hi = (hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
    let lo = (lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    // 8-4-4-4-12 lower-case hex digits, written directly: every event has a UUID, and the
    // formatting machinery costs more than the rest of making one.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (word, bits) in [(hi, 0..16), (lo, 16..32)] {
        for (i, n) in bits.enumerate() {
            if matches!(n, 8 | 12 | 16 | 20) {
                out.push('-');
            }
            let nibble = (word >> (60 - 4 * i)) & 0xF;
            out.push(char::from(HEX[usize::try_from(nibble).unwrap_or(0)]));
        }
    }
    out
}

/// A fresh UUID from the injected generator.
pub fn new_uuid(rng: &mut dyn Rng) -> String {
    let hi = rng.next_u64();
    let lo = rng.next_u64();
    uuid_from_bits(hi, lo)
}

/// A UUID derived from a name: the same name always gives the same UUID.
pub fn uuid_from_name(name: &str) -> String {
    // FNV-1a over the name, then two rounds of SplitMix to spread it over 128 bits.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut g = SplitMix64::new(h);
    let hi = g.next_u64();
    let lo = g.next_u64();
    uuid_from_bits(hi, lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_have_the_right_shape() {
        let mut g = SplitMix64::new(1);
        let u = new_uuid(&mut g);
        assert!(is_uuid(&u), "{u}");
        assert_eq!(&u[14..15], "4");
        assert!(!is_uuid("heh?"));
        assert!(is_uuid("01969b47-113b-76f8-95cf-9fca95f1c30a"));
        assert_eq!(uuid_from_name("a"), uuid_from_name("a"));
        assert_eq!(
            uuid_from_bits(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210),
            "01234567-89ab-4def-bedc-ba9876543210"
        );
        assert_eq!(uuid_from_bits(0, 0), "00000000-0000-4000-8000-000000000000");
        assert_ne!(uuid_from_name("a"), uuid_from_name("b"));
    }
}
