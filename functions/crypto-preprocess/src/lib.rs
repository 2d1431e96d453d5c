//! # crypto-preprocess
//!
//! Cryptographic pre- and post-processing around model calls, so that the
//! execution history and the model provider never see personal data in the
//! clear: SHA-256 digests (with RFC 8785 canonical JSON), webhook signature
//! verification, pseudonymization with an envelope-encrypted token vault,
//! re-identification, and envelope encryption of chosen JSON fields. All
//! cryptography is aws-lc-rs; keys come from AWS KMS and Secrets Manager.
//!
//! Errors are named `CryptoPreprocess.<Name>`. Only `KeyUnavailable`
//! (KMS or Secrets Manager throttling or down) is retryable;
//! `KeyUnusable` is a key or secret configured wrong, `DuplicateKey` a
//! digest document with a key given twice, and `InvalidInput`,
//! `SignatureMismatch`, `StaleTimestamp` and `DecryptFailed` are final too.

mod aead;
mod config;
mod detect;
mod digest;
mod error;
mod fields;
mod jcs;
mod keys;
mod paths;
mod pseudonymize;
mod routes;
mod secrets;
mod signature;

pub use config::{Config, ConfigError, KeySetting, SecretSetting};
pub use detect::{Finding, Kind, find, iban_is_valid, luhn_is_valid};
pub use digest::sha256_hex;
pub use jcs::{StrictJsonError, canonicalize, parse_strict};
pub use keys::{Context, KeyProvider, WrappedKey, parse_master_key};
pub use pseudonymize::{Reidentified, SealedVault, Tokenizer};
pub use routes::{ACTION_GROUP, AppState, MAX_DOCUMENT_BYTES, resolver};
pub use secrets::SecretSource;
pub use signature::{sign, verify};
