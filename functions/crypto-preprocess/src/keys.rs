//! Data keys for envelope encryption: from AWS KMS (GenerateDataKey,
//! AES-256, with the encryption context bound in), or — locally only — from
//! a master key in the environment or a file, clearly reported as not for
//! production.

use std::collections::BTreeMap;

use actionkit::ActionError;
use aws_sdk_kms::Client;
use aws_sdk_kms::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::aead::{self, Key};
use crate::error::{decrypt_failed, invalid, key_unavailable};
use crate::jcs::canonicalize;

/// An encryption context: non-secret facts (execution id, document id)
/// bound into every ciphertext; decryption needs exactly the same ones.
pub type Context = BTreeMap<String, String>;

/// Where data keys come from.
#[derive(Debug, Clone)]
pub enum KeyProvider {
    /// AWS KMS with this key id, alias or ARN.
    Kms {
        /// The KMS client.
        client: Client,
        /// The key.
        key_id: String,
    },
    /// A local master key: for development and the demo, never production.
    Local {
        /// The master key.
        master: Key,
    },
}

/// A wrapped data key, as it travels next to the ciphertexts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WrappedKey {
    /// `aws-kms`, or `local-not-for-production`.
    pub provider: String,
    /// The KMS key id (or `local`).
    pub key_id: String,
    /// The data key, encrypted under the master key (base64).
    pub wrapped_key: String,
}

/// The provider names in [`WrappedKey::provider`].
const KMS: &str = "aws-kms";
const LOCAL: &str = "local-not-for-production";

/// The RFC 8785 form of an encryption context: the bytes every ciphertext
/// bound to it authenticates (data keys, vaults, fields).
pub(crate) fn canonical_context(context: &Context) -> String {
    // A map of strings always serializes and canonicalizes.
    let value = serde_json::to_value(context).unwrap_or_default();
    canonicalize(&value).unwrap_or_default()
}

fn context_aad(context: &Context) -> Vec<u8> {
    canonical_context(context).into_bytes()
}

/// KMS errors: the data is wrong (final) or KMS is (retryable).
fn kms_error<
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
>(
    what: &str,
    err: aws_sdk_kms::error::SdkError<E, R>,
) -> ActionError {
    match err.code() {
        Some(
            "InvalidCiphertextException" | "IncorrectKeyException" | "InvalidKeyUsageException",
        ) => decrypt_failed(what).with_log_detail(format!("{}", DisplayErrorContext(&err))),
        _ => key_unavailable(format!("KMS: {}", DisplayErrorContext(&err))),
    }
}

impl KeyProvider {
    /// How this provider is reported in outputs.
    pub fn name(&self) -> &'static str {
        match self {
            KeyProvider::Kms { .. } => KMS,
            KeyProvider::Local { .. } => LOCAL,
        }
    }

    /// A new AES-256 data key bound to `context`.
    pub async fn generate(&self, context: &Context) -> Result<(Key, WrappedKey), ActionError> {
        match self {
            KeyProvider::Kms { client, key_id } => {
                let out = client
                    .generate_data_key()
                    .key_id(key_id)
                    .key_spec(DataKeySpec::Aes256)
                    .set_encryption_context(Some(context.clone().into_iter().collect()))
                    .send()
                    .await
                    .map_err(|e| kms_error("the data key", e))?;
                let plain: Key = out
                    .plaintext()
                    .and_then(|b| b.as_ref().try_into().ok())
                    .ok_or_else(|| {
                        key_unavailable("GenerateDataKey returned no 32-byte plaintext")
                    })?;
                let wrapped = out
                    .ciphertext_blob()
                    .map(|b| B64.encode(b.as_ref()))
                    .unwrap_or_default();
                Ok((
                    plain,
                    WrappedKey {
                        provider: KMS.into(),
                        key_id: out.key_id().unwrap_or(key_id).to_owned(),
                        wrapped_key: wrapped,
                    },
                ))
            }
            KeyProvider::Local { master } => {
                let data_key = aead::random::<32>();
                let (nonce, ct) = aead::seal(master, &context_aad(context), &data_key);
                let mut blob = nonce.to_vec();
                blob.extend_from_slice(&ct);
                Ok((
                    data_key,
                    WrappedKey {
                        provider: LOCAL.into(),
                        key_id: "local".into(),
                        wrapped_key: B64.encode(blob),
                    },
                ))
            }
        }
    }

    /// The plaintext data key of `wrapped`, if `context` is the one it was made with.
    pub async fn unwrap(
        &self,
        wrapped: &WrappedKey,
        context: &Context,
    ) -> Result<Key, ActionError> {
        let blob = B64
            .decode(wrapped.wrapped_key.as_bytes())
            .map_err(|_| invalid("`wrapped_key` is not valid base64."))?;
        if wrapped.provider != self.name() {
            return Err(decrypt_failed("The data key").with_log_detail(format!(
                "wrapped by {}, this function uses {}",
                wrapped.provider,
                self.name()
            )));
        }
        match self {
            KeyProvider::Kms { client, key_id } => {
                let out = client
                    .decrypt()
                    .key_id(key_id)
                    .ciphertext_blob(Blob::new(blob))
                    .set_encryption_context(Some(context.clone().into_iter().collect()))
                    .send()
                    .await
                    .map_err(|e| kms_error("The data key", e))?;
                out.plaintext()
                    .and_then(|b| b.as_ref().try_into().ok())
                    .ok_or_else(|| decrypt_failed("The data key"))
            }
            KeyProvider::Local { master } => {
                if blob.len() < 12 {
                    return Err(decrypt_failed("The data key"));
                }
                aead::open(master, &blob[..12], &context_aad(context), &blob[12..])
                    .and_then(|k| k.try_into().ok())
                    .ok_or_else(|| decrypt_failed("The data key"))
            }
        }
    }
}

/// Decodes a base64 master key of exactly 32 bytes.
pub fn parse_master_key(text: &str) -> Result<Key, String> {
    B64.decode(text.trim().as_bytes())
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| "a master key must be 32 bytes, base64-encoded".to_owned())
}

/// Checks a caller's encryption context: a few short, printable entries.
pub fn check_context(context: &Context) -> Result<(), ActionError> {
    if context.is_empty() || context.len() > 8 {
        return Err(invalid(
            "`context` must hold 1 to 8 entries, e.g. {\"document_id\": \"INV-42\", \"execution_id\": \"...\"}.",
        ));
    }
    for (k, v) in context {
        if k.is_empty()
            || k.len() > 64
            || v.len() > 256
            || k.chars().chain(v.chars()).any(char::is_control)
        {
            return Err(invalid(
                "`context` keys must be 1 to 64 characters and values at most 256, without control characters.",
            ));
        }
    }
    Ok(())
}
