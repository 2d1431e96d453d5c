//! Envelope encryption of chosen JSON fields: one data key per call, each
//! field AES-256-GCM encrypted with the encryption context and its own path
//! as associated data, so a ciphertext moved to another field, document or
//! execution does not decrypt.

use actionkit::ActionError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

use crate::aead::{self, Key};
use crate::error::{decrypt_failed, invalid};
use crate::keys::{Context, canonical_context};
use crate::paths::FieldPath;

/// The marker of an encrypted field.
const MARKER: &str = "$enc";
const VERSION: &str = "aes-256-gcm/v1";

fn aad(context: &Context, path: &str) -> Vec<u8> {
    [
        canonical_context(context).as_bytes(),
        b"\0",
        path.as_bytes(),
    ]
    .concat()
}

/// Encrypts every value the paths select; returns (encrypted, paths that selected nothing).
pub fn encrypt(
    doc: &mut Value,
    paths: &[FieldPath],
    key: &Key,
    context: &Context,
) -> Result<(usize, Vec<String>), ActionError> {
    let mut encrypted = 0;
    let mut missing = Vec::new();
    for path in paths {
        let n = path.visit_mut(doc, &mut |concrete, value| {
            if value.get(MARKER).is_some() {
                return Err(invalid(format!("`{concrete}` is already encrypted.")));
            }
            let plaintext = serde_json::to_vec(value).map_err(|e| ActionError::internal(e.to_string()))?;
            let (nonce, ciphertext) = aead::seal(key, &aad(context, concrete), &plaintext);
            *value = json!({MARKER: VERSION, "nonce": B64.encode(nonce), "ciphertext": B64.encode(ciphertext)});
            Ok(())
        })?;
        if n == 0 {
            missing.push(path.as_str().to_owned());
        }
        encrypted += n;
    }
    Ok((encrypted, missing))
}

/// Decrypts every encrypted field of `doc` (wherever it is), verifying
/// that it belongs at its path under `context`.
pub fn decrypt(doc: &mut Value, key: &Key, context: &Context) -> Result<usize, ActionError> {
    let mut path = Vec::new();
    walk(doc, &mut path, key, context)
}

fn walk(
    value: &mut Value,
    path: &mut Vec<String>,
    key: &Key,
    context: &Context,
) -> Result<usize, ActionError> {
    match value {
        Value::Object(map) if map.contains_key(MARKER) => {
            let concrete = path.join(".");
            if map.get(MARKER).and_then(Value::as_str) != Some(VERSION) {
                return Err(invalid(format!(
                    "`{concrete}` has an unknown encryption format."
                )));
            }
            let field = |name: &str| -> Result<Vec<u8>, ActionError> {
                map.get(name)
                    .and_then(Value::as_str)
                    .and_then(|s| B64.decode(s).ok())
                    .ok_or_else(|| {
                        invalid(format!(
                            "`{concrete}.{name}` is missing or not valid base64."
                        ))
                    })
            };
            let (nonce, ciphertext) = (field("nonce")?, field("ciphertext")?);
            let plain = aead::open(key, &nonce, &aad(context, &concrete), &ciphertext)
                .ok_or_else(|| decrypt_failed(&format!("The field `{concrete}`")))?;
            *value = serde_json::from_slice(&plain)
                .map_err(|_| decrypt_failed(&format!("The field `{concrete}`")))?;
            Ok(1)
        }
        Value::Object(map) => {
            let mut n = 0;
            for (k, child) in map.iter_mut() {
                path.push(k.clone());
                n += walk(child, path, key, context)?;
                path.pop();
            }
            Ok(n)
        }
        Value::Array(items) => {
            let mut n = 0;
            for (i, child) in items.iter_mut().enumerate() {
                path.push(i.to_string());
                n += walk(child, path, key, context)?;
                path.pop();
            }
            Ok(n)
        }
        _ => Ok(0),
    }
}
