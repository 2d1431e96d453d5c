//! AES-256-GCM with a random 96-bit nonce per message (aws-lc-rs).

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};

/// A 256-bit key.
pub type Key = [u8; 32];

/// Random bytes from the system's CSPRNG.
pub fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    // SystemRandom only fails when the OS has no entropy source at all.
    if SystemRandom::new().fill(&mut out).is_err() {
        unreachable!("the system random source failed");
    }
    out
}

fn key(bytes: &Key) -> LessSafeKey {
    match UnboundKey::new(&AES_256_GCM, bytes) {
        Ok(k) => LessSafeKey::new(k),
        Err(_) => unreachable!("a 32-byte key is always a valid AES-256 key"),
    }
}

/// Encrypts `plaintext` bound to `aad`; returns (nonce, ciphertext ‖ tag).
pub fn seal(k: &Key, aad: &[u8], plaintext: &[u8]) -> ([u8; NONCE_LEN], Vec<u8>) {
    let nonce = random::<NONCE_LEN>();
    (nonce, seal_with_nonce(k, nonce, aad, plaintext))
}

/// [`seal`] with a given nonce: for known-answer tests only; a nonce must
/// never repeat under one key.
pub fn seal_with_nonce(k: &Key, nonce: [u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut data = plaintext.to_vec();
    if key(k)
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut data,
        )
        .is_err()
    {
        unreachable!("AES-GCM sealing fails only for inputs over 64 GiB");
    }
    data
}

/// Decrypts and authenticates; `None` when the key, nonce, AAD or data is wrong.
pub fn open(k: &Key, nonce: &[u8], aad: &[u8], ciphertext: &[u8]) -> Option<Vec<u8>> {
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut data = ciphertext.to_vec();
    let plain = key(k)
        .open_in_place(nonce, Aad::from(aad), &mut data)
        .ok()?;
    Some(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::{hex, unhex};

    fn b(h: &str) -> Vec<u8> {
        unhex(h).unwrap()
    }

    /// The AES-256 cases of the GCM specification's test vectors
    /// (McGrew & Viega, used by NIST CAVP): test cases 13, 14, 15 and 16.
    #[test]
    fn nist_aes_256_gcm_vectors() {
        let zero = [0u8; 32];
        assert_eq!(
            hex(&seal_with_nonce(&zero, [0; 12], b"", b"")),
            "530f8afbc74536b9a963b4f1c4cb738b"
        );
        assert_eq!(
            hex(&seal_with_nonce(&zero, [0; 12], b"", &[0u8; 16])),
            "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"
        );
        let k: Key = b("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
            .try_into()
            .unwrap();
        let iv: [u8; 12] = b("cafebabefacedbaddecaf888").try_into().unwrap();
        let p15 = b(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
        );
        assert_eq!(
            hex(&seal_with_nonce(&k, iv, b"", &p15)),
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015adb094dac5d93471bdec1a502270e3cc6c"
        );
        let p16 = &p15[..60];
        let aad = b("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        assert_eq!(
            hex(&seal_with_nonce(&k, iv, &aad, p16)),
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f66276fc6ece0f4e1768cddf8853bb2d551b"
        );
        assert_eq!(
            open(&k, &iv, &aad, &seal_with_nonce(&k, iv, &aad, p16)).unwrap(),
            p16
        );
    }

    #[test]
    fn tampering_is_detected() {
        let k = random::<32>();
        let (nonce, ct) = seal(&k, b"ctx", b"secret");
        assert_eq!(open(&k, &nonce, b"ctx", &ct).unwrap(), b"secret");
        assert!(open(&k, &nonce, b"other ctx", &ct).is_none());
        let mut flipped = ct.clone();
        flipped[0] ^= 1;
        assert!(open(&k, &nonce, b"ctx", &flipped).is_none());
        let mut tag = ct.clone();
        let last = tag.len() - 1;
        tag[last] ^= 0x80;
        assert!(open(&k, &nonce, b"ctx", &tag).is_none());
        assert!(open(&k, &nonce, b"ctx", &ct[..ct.len() - 1]).is_none());
        assert!(open(&random::<32>(), &nonce, b"ctx", &ct).is_none());
        assert!(open(&k, &nonce[..11], b"ctx", &ct).is_none());
    }
}
