//! Webhook signature verification: `t=<unix seconds>,v1=<hex HMAC-SHA256>`
//! over `"<t>.<payload>"`, compared in constant time, with a timestamp
//! tolerance against replay.

use actionkit::ActionError;
use aws_lc_rs::hmac;

use crate::digest::unhex;
use crate::error::{invalid, signature_mismatch, stale_timestamp};

/// A header longer than this is refused before parsing.
const MAX_HEADER_CHARS: usize = 4096;

/// A parsed signature header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// The signed timestamp.
    pub timestamp: i64,
    /// Every `v1` signature (secrets rotate: several may be present).
    pub signatures: Vec<Vec<u8>>,
}

/// Parses `t=...,v1=...[,v1=...]`; unknown schemes (`v0=`) are ignored.
pub fn parse_header(header: &str) -> Result<SignatureHeader, ActionError> {
    if header.len() > MAX_HEADER_CHARS {
        return Err(invalid("The signature header is too long."));
    }
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            return Err(invalid(
                "The signature header must be `t=<timestamp>,v1=<hex>`: a part has no `=`.",
            ));
        };
        match key.trim() {
            "t" => {
                if timestamp.is_some() {
                    return Err(invalid("The signature header has two timestamps."));
                }
                let t: i64 = value.trim().parse().map_err(|_| {
                    invalid("The signature timestamp `t` must be whole seconds since 1970.")
                })?;
                timestamp = Some(t);
            }
            "v1" => {
                let bytes = unhex(value.trim())
                    .filter(|b| b.len() == 32)
                    .ok_or_else(|| {
                        invalid("A `v1` signature must be 64 hex characters (HMAC-SHA256).")
                    })?;
                signatures.push(bytes);
            }
            "" => return Err(invalid("The signature header has an empty key.")),
            _ => {}
        }
    }
    let timestamp =
        timestamp.ok_or_else(|| invalid("The signature header has no timestamp `t=`."))?;
    if signatures.is_empty() {
        return Err(invalid("The signature header has no `v1=` signature."));
    }
    Ok(SignatureHeader {
        timestamp,
        signatures,
    })
}

/// Verifies `header` over `payload` with `secret` at time `now`.
pub fn verify(
    secret: &[u8],
    payload: &[u8],
    header: &str,
    now: i64,
    tolerance_seconds: i64,
) -> Result<i64, ActionError> {
    let parsed = parse_header(header)?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let mut signed = Vec::with_capacity(payload.len() + 21);
    signed.extend_from_slice(parsed.timestamp.to_string().as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(payload);
    // `hmac::verify` compares in constant time.
    let matches = parsed
        .signatures
        .iter()
        .any(|sig| hmac::verify(&key, &signed, sig).is_ok());
    if !matches {
        return Err(signature_mismatch());
    }
    let age = now - parsed.timestamp;
    if age.abs() > tolerance_seconds {
        return Err(stale_timestamp(age, tolerance_seconds));
    }
    Ok(parsed.timestamp)
}

/// The header a sender would produce (for tests and the demo).
pub fn sign(secret: &[u8], payload: &[u8], timestamp: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let mut signed = timestamp.to_string().into_bytes();
    signed.push(b'.');
    signed.extend_from_slice(payload);
    format!(
        "t={timestamp},v1={}",
        crate::digest::hex(hmac::sign(&key, &signed).as_ref())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::hex;

    #[test]
    fn rfc4231_hmac_sha256_vectors() {
        let case = |key: &[u8], data: &[u8]| {
            hex(hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data).as_ref())
        };
        // Test case 1.
        assert_eq!(
            case(&[0x0b; 20], b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // Test case 2.
        assert_eq!(
            case(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 3.
        assert_eq!(
            case(&[0xaa; 20], &[0xdd; 50]),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        );
        // Test case 6 (a key longer than the block size).
        assert_eq!(
            case(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn valid_stale_and_mismatched_signatures() {
        let secret = b"whsec_test";
        let payload = br#"{"invoice":"INV-1"}"#;
        let header = sign(secret, payload, 1_700_000_000);
        assert_eq!(
            verify(secret, payload, &header, 1_700_000_100, 300).unwrap(),
            1_700_000_000
        );
        assert_eq!(
            verify(secret, payload, &header, 1_700_000_400, 300)
                .unwrap_err()
                .name(),
            "StaleTimestamp"
        );
        assert_eq!(
            verify(secret, payload, &header, 1_699_999_000, 300)
                .unwrap_err()
                .name(),
            "StaleTimestamp"
        );
        assert_eq!(
            verify(b"other", payload, &header, 1_700_000_000, 300)
                .unwrap_err()
                .name(),
            "SignatureMismatch"
        );
        assert_eq!(
            verify(secret, b"{}", &header, 1_700_000_000, 300)
                .unwrap_err()
                .name(),
            "SignatureMismatch"
        );
        // A rotated secret: any matching v1 counts.
        let rotated = format!("{},v1={}", header, "00".repeat(32));
        assert!(verify(secret, payload, &rotated, 1_700_000_000, 300).is_ok());
        // The timestamp is signed: changing it breaks the signature.
        let moved = header.replacen("1700000000", "1700000100", 1);
        assert_eq!(
            verify(secret, payload, &moved, 1_700_000_100, 300)
                .unwrap_err()
                .name(),
            "SignatureMismatch"
        );
    }

    #[test]
    fn malformed_headers_in_every_part() {
        let sig = "ab".repeat(32);
        for header in [
            String::new(),
            "garbage".into(),
            format!("v1={sig}"),
            "t=1700000000".into(),
            format!("t=soon,v1={sig}"),
            format!("t=1.5,v1={sig}"),
            "t=1700000000,v1=xyz".to_string(),
            format!("t=1700000000,v1={}", &sig[..62]),
            format!("t=1700000000,v1={sig}00"),
            format!("t=1,t=2,v1={sig}"),
            format!("=1,v1={sig}"),
            format!("t=1700000000,,v1={sig}"),
            format!("t=99999999999999999999,v1={sig}"),
            format!("t=1,v1={}", "a".repeat(5000)),
        ] {
            let err = verify(b"k", b"p", &header, 1_700_000_000, 300).unwrap_err();
            assert_eq!(err.name(), "InvalidInput", "{header:?}");
        }
    }
}
