//! The operations: each a Step Functions task, and the ones that make
//! sense for an agent (digest, pseudonymize) also an action group.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use actionkit::{ActionError, Body, FromInvocation, Invocation, Json, Operation, Resolver, State};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::digest::sha256_hex;
use crate::error::{duplicate_key, invalid};
use crate::fields;
use crate::jcs::{StrictJsonError, canonicalize, has_duplicate_keys, parse_strict};
use crate::keys::{Context, KeyProvider, WrappedKey, check_context};
use crate::paths::FieldPath;
use crate::pseudonymize::{
    Reidentified, SealedVault, Tokenizer, check_label, open_vault, reidentify_json,
    reidentify_text, seal_vault, vault_context,
};
use crate::secrets::SecretSource;

/// The action group's name.
pub const ACTION_GROUP: &str = "CryptoPreprocess";
/// The largest document accepted (after any S3 offload).
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;
/// The default and largest signature timestamp tolerance.
const DEFAULT_TOLERANCE: i64 = 300;
const MAX_TOLERANCE: i64 = 3600;
/// Most fields one call may name.
const MAX_FIELDS: usize = 1000;

/// Built once at cold start.
#[derive(Debug)]
pub struct AppState {
    /// Where data keys come from.
    pub keys: KeyProvider,
    /// The webhook signing secret.
    pub webhook_secret: SecretSource,
    /// The key of the pseudonymization tokens.
    pub token_key: SecretSource,
}

type Shared = State<Arc<AppState>>;

/// What to hash: exactly one of `text`, `base64` or `json`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DigestRequest {
    /// Text, hashed as UTF-8.
    pub text: Option<String>,
    /// Bytes, base64-encoded.
    pub base64: Option<String>,
    /// A JSON document, hashed in RFC 8785 canonical form (equal documents hash equal). A string is read as the document's JSON text (Bedrock agents send every value as a string); an object with the same key twice is refused (DuplicateKey).
    #[schema(value_type = Option<Object>)]
    pub json: Option<Value>,
}

/// A SHA-256 digest.
#[derive(Debug, Serialize, ToSchema)]
pub struct DigestResult {
    /// Always SHA-256.
    pub algorithm: String,
    /// The digest, lower-case hex.
    pub sha256: String,
    /// RFC8785 when a JSON document was canonicalized first.
    pub canonicalization: Option<String>,
    /// How many bytes were hashed.
    pub bytes: usize,
}

/// A webhook delivery to verify.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifyRequest {
    /// The raw request body as received (exactly: not re-serialized).
    pub payload: Option<String>,
    /// Or the raw body, base64-encoded.
    pub payload_base64: Option<String>,
    /// The signature header, `t=<unix seconds>,v1=<hex HMAC-SHA256>`.
    pub signature_header: String,
    /// Seconds a timestamp may be away from now (default 300, at most 3600).
    pub tolerance_seconds: Option<i64>,
}

/// A verified delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyResult {
    /// Always true: a failed check is an error.
    pub verified: bool,
    /// The signed timestamp.
    pub timestamp: i64,
    /// SHA-256 of the payload, for audit.
    pub payload_sha256: String,
}

/// A document to pseudonymize: `text`, or a JSON `document` with `fields`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PseudonymizeRequest {
    /// The document's id: bound into the vault, which then opens only for this document.
    pub document_id: String,
    /// Free text.
    pub text: Option<String>,
    /// A JSON document: every string is scanned; `fields` are replaced whole.
    #[schema(value_type = Option<Object>)]
    pub document: Option<Value>,
    /// Field paths to replace whole, with their token label, e.g. {"customer.name": "NAME"}.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Extra encryption context, e.g. {"execution_id": "..."}.
    #[serde(default)]
    pub context: Context,
}

/// The pseudonymized document and its sealed vault.
#[derive(Debug, Serialize, ToSchema)]
pub struct PseudonymizeResult {
    /// The document id.
    pub document_id: String,
    /// The text with tokens in place of personal data.
    pub text: Option<String>,
    /// The JSON document with tokens in place of personal data.
    #[schema(value_type = Option<Object>)]
    pub document: Option<Value>,
    /// The token vault, envelope-encrypted: safe to pass through the workflow.
    pub vault: SealedVault,
    /// The encryption context the vault is sealed under (the given context with document_id and purpose): not personal data; pass it to reidentify as `context`.
    pub context: Context,
    /// Tokens made, per type.
    pub counts: BTreeMap<String, usize>,
    /// Where the data key came from (`local-not-for-production` outside AWS).
    pub key_provider: String,
}

/// Model output to re-identify.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReidentifyRequest {
    /// The document id the vault was made for.
    pub document_id: String,
    /// Text with tokens.
    pub text: Option<String>,
    /// A JSON document with tokens.
    #[schema(value_type = Option<Object>)]
    pub document: Option<Value>,
    /// The vault from pseudonymize.
    pub vault: SealedVault,
    /// The same extra context as at pseudonymize, or the `context` pseudonymize returned.
    #[serde(default)]
    pub context: Context,
}

/// The restored output and what could not be restored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReidentifyResult {
    /// The text with originals in place of tokens.
    pub text: Option<String>,
    /// The JSON document with originals in place of tokens.
    #[schema(value_type = Option<Object>)]
    pub document: Option<Value>,
    /// What was replaced, and the tokens left alone.
    #[serde(flatten)]
    pub report: Reidentified,
}

/// Fields to encrypt.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EncryptFieldsRequest {
    /// The JSON document.
    #[schema(value_type = Object)]
    pub document: Value,
    /// Field paths, e.g. ["customer.iban", "items.*.card"].
    pub fields: Vec<String>,
    /// The encryption context, e.g. {"execution_id": "...", "document_id": "INV-42"}; decryption needs the same.
    pub context: Context,
}

/// The document with encrypted fields, and the wrapped data key.
#[derive(Debug, Serialize, ToSchema)]
pub struct EncryptFieldsResult {
    /// The document; encrypted fields hold {"$enc", "nonce", "ciphertext"}.
    #[schema(value_type = Object)]
    pub document: Value,
    /// The data key, wrapped: pass it to decrypt_fields.
    pub key: WrappedKey,
    /// How many values were encrypted.
    pub encrypted: usize,
    /// Paths that selected nothing.
    pub missing_fields: Vec<String>,
    /// Where the data key came from.
    pub key_provider: String,
}

/// Fields to decrypt.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecryptFieldsRequest {
    /// The document from encrypt_fields.
    #[schema(value_type = Object)]
    pub document: Value,
    /// The wrapped data key from encrypt_fields.
    pub key: WrappedKey,
    /// The same encryption context.
    pub context: Context,
}

/// The document restored.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecryptFieldsResult {
    /// The document with every encrypted field decrypted.
    #[schema(value_type = Object)]
    pub document: Value,
    /// How many fields were decrypted.
    pub decrypted: usize,
}

/// The resolver: six tasks, two agent operations.
pub fn resolver(state: Arc<AppState>) -> Resolver<Arc<AppState>> {
    Resolver::with_state(ACTION_GROUP, state)
        .info(
            "Crypto preprocessing",
            "1.0.0",
            "Digest documents and keep personal data out of model calls by pseudonymizing it.",
        )
        .error_prefix("CryptoPreprocess")
        .post(
            "/digest",
            Operation::new("Compute the SHA-256 digest of a text, of base64 bytes, or of a JSON document in RFC 8785 canonical form (equal documents give equal digests).")
                .operation_id("digest"),
            digest,
        )
        .post(
            "/pseudonymize",
            Operation::new("Replace personal data (e-mail addresses, phone numbers, IBANs, card numbers, IP addresses, and listed JSON fields) with stable tokens such as <EMAIL_1f3a9c2b>, and return the encrypted token vault.")
                .operation_id("pseudonymize"),
            pseudonymize,
        )
        .task("digest", digest)
        .task("verify_signature", verify_signature)
        .task("pseudonymize", pseudonymize)
        .task("reidentify", reidentify)
        .task("encrypt_fields", encrypt_fields)
        .task("decrypt_fields", decrypt_fields)
}

fn check_size(what: &str, len: usize) -> Result<(), ActionError> {
    if len > MAX_DOCUMENT_BYTES {
        return Err(invalid(format!(
            "`{what}` is {len} bytes; at most {MAX_DOCUMENT_BYTES} are accepted (offload larger ones to S3 in smaller parts)."
        )));
    }
    Ok(())
}

fn check_document_id(id: &str) -> Result<(), ActionError> {
    if id.is_empty() || id.len() > 128 || id.chars().any(char::is_control) {
        return Err(invalid(
            "`document_id` must be 1 to 128 printable characters.",
        ));
    }
    Ok(())
}

/// Exactly one of `text` and `document`.
fn one_of<'a>(text: &'a Option<String>, document: &'a Option<Value>) -> Result<(), ActionError> {
    match (text, document) {
        (Some(t), None) if t.is_empty() => {
            Err(invalid("`text` is empty: there is nothing to process."))
        }
        (Some(t), None) => check_size("text", t.len()),
        (None, Some(d)) => check_size("document", d.to_string().len()),
        _ => Err(invalid("Give exactly one of `text` and `document`.")),
    }
}

/// Refuses an input whose JSON text has an object with the same key twice,
/// which the parsed input can no longer show (the last value silently
/// wins). For an agent the document is inside a string, checked when it is
/// parsed; a task input read from the payload store is checked as stored.
struct UniqueKeys;

impl<S> FromInvocation<S> for UniqueKeys {
    fn from_invocation(invocation: &Invocation<'_>, _: &S) -> Result<Self, ActionError> {
        if has_duplicate_keys(invocation.input_text()) {
            return Err(duplicate_key());
        }
        Ok(UniqueKeys)
    }
}

async fn digest(
    _: UniqueKeys,
    Body(req): Body<DigestRequest>,
) -> Result<Json<DigestResult>, ActionError> {
    let (bytes, canonicalization) = match (req.text, req.base64, req.json) {
        (Some(text), None, None) => (text.into_bytes(), None),
        (None, Some(b64), None) => (
            B64.decode(b64.trim().as_bytes())
                .map_err(|_| invalid("`base64` is not valid base64."))?,
            None,
        ),
        (None, None, Some(json)) => {
            let document = match json {
                // The JSON text of the document (always so from a Bedrock agent):
                // hashed as the document it encodes, duplicate keys refused.
                Value::String(text) => {
                    check_size("json", text.len())?;
                    parse_strict(&text).map_err(|e| match e {
                        StrictJsonError::DuplicateKey => duplicate_key(),
                        syntax => invalid(format!(
                            "`json` is a string, so it must hold a JSON document: {syntax}."
                        )),
                    })?
                }
                document => document,
            };
            (
                canonicalize(&document)
                    .map_err(|e| invalid(e.to_string()))?
                    .into_bytes(),
                Some("RFC8785".to_owned()),
            )
        }
        _ => return Err(invalid("Give exactly one of `text`, `base64` and `json`.")),
    };
    check_size("input", bytes.len())?;
    Ok(Json(DigestResult {
        algorithm: "SHA-256".into(),
        sha256: sha256_hex(&bytes),
        canonicalization,
        bytes: bytes.len(),
    }))
}

async fn verify_signature(
    State(app): Shared,
    Body(req): Body<VerifyRequest>,
) -> Result<Json<VerifyResult>, ActionError> {
    let payload = match (req.payload, req.payload_base64) {
        (Some(p), None) => p.into_bytes(),
        (None, Some(b)) => B64
            .decode(b.trim().as_bytes())
            .map_err(|_| invalid("`payload_base64` is not valid base64."))?,
        _ => {
            return Err(invalid(
                "Give exactly one of `payload` and `payload_base64`.",
            ));
        }
    };
    check_size("payload", payload.len())?;
    let tolerance = req.tolerance_seconds.unwrap_or(DEFAULT_TOLERANCE);
    if !(1..=MAX_TOLERANCE).contains(&tolerance) {
        return Err(invalid(format!(
            "`tolerance_seconds` must be between 1 and {MAX_TOLERANCE}."
        )));
    }
    let secret = app.webhook_secret.get().await?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let timestamp =
        crate::signature::verify(&secret, &payload, &req.signature_header, now, tolerance)?;
    Ok(Json(VerifyResult {
        verified: true,
        timestamp,
        payload_sha256: sha256_hex(&payload),
    }))
}

async fn pseudonymize(
    State(app): Shared,
    Body(req): Body<PseudonymizeRequest>,
) -> Result<Json<PseudonymizeResult>, ActionError> {
    check_document_id(&req.document_id)?;
    one_of(&req.text, &req.document)?;
    if req.fields.len() > MAX_FIELDS {
        return Err(invalid(format!(
            "At most {MAX_FIELDS} fields may be listed."
        )));
    }
    if req.text.is_some() && !req.fields.is_empty() {
        return Err(invalid(
            "`fields` apply to a JSON `document`, not to `text`.",
        ));
    }
    let fields = req
        .fields
        .iter()
        .map(|(path, label)| {
            check_label(label)?;
            Ok((FieldPath::parse(path)?, label.clone()))
        })
        .collect::<Result<Vec<_>, ActionError>>()?;
    let context = vault_context(&req.document_id, &req.context);
    check_context(&context)?;
    let token_key = app.token_key.get().await?;
    let mut tokenizer = Tokenizer::new(&token_key);
    let text = req.text.map(|t| tokenizer.text(&t));
    let document = match req.document {
        Some(mut doc) => {
            tokenizer.json(&mut doc, &fields)?;
            Some(doc)
        }
        None => None,
    };
    let counts = tokenizer.counts().clone();
    let vault = seal_vault(&app.keys, &tokenizer.into_vault(), &context).await?;
    Ok(Json(PseudonymizeResult {
        document_id: req.document_id,
        text,
        document,
        vault,
        context,
        counts,
        key_provider: app.keys.name().to_owned(),
    }))
}

async fn reidentify(
    State(app): Shared,
    Body(req): Body<ReidentifyRequest>,
) -> Result<Json<ReidentifyResult>, ActionError> {
    check_document_id(&req.document_id)?;
    one_of(&req.text, &req.document)?;
    let context = vault_context(&req.document_id, &req.context);
    let vault = open_vault(&app.keys, &req.vault, &context).await?;
    let mut report = Reidentified::default();
    let text = req.text.map(|t| reidentify_text(&t, &vault, &mut report));
    let document = req.document.map(|mut d| {
        reidentify_json(&mut d, &vault, &mut report);
        d
    });
    Ok(Json(ReidentifyResult {
        text,
        document,
        report,
    }))
}

fn parse_fields(fields: &[String]) -> Result<Vec<FieldPath>, ActionError> {
    if fields.is_empty() || fields.len() > MAX_FIELDS {
        return Err(invalid(format!(
            "`fields` must list 1 to {MAX_FIELDS} field paths."
        )));
    }
    fields.iter().map(|f| FieldPath::parse(f)).collect()
}

async fn encrypt_fields(
    State(app): Shared,
    Body(req): Body<EncryptFieldsRequest>,
) -> Result<Json<EncryptFieldsResult>, ActionError> {
    check_context(&req.context)?;
    check_size("document", req.document.to_string().len())?;
    let paths = parse_fields(&req.fields)?;
    let (data_key, wrapped) = app.keys.generate(&req.context).await?;
    let mut document = req.document;
    let (encrypted, missing_fields) =
        fields::encrypt(&mut document, &paths, &data_key, &req.context)?;
    Ok(Json(EncryptFieldsResult {
        document,
        key: wrapped,
        encrypted,
        missing_fields,
        key_provider: app.keys.name().to_owned(),
    }))
}

async fn decrypt_fields(
    State(app): Shared,
    Body(req): Body<DecryptFieldsRequest>,
) -> Result<Json<DecryptFieldsResult>, ActionError> {
    check_context(&req.context)?;
    check_size("document", req.document.to_string().len())?;
    let data_key = app.keys.unwrap(&req.key, &req.context).await?;
    let mut document = req.document;
    let decrypted = fields::decrypt(&mut document, &data_key, &req.context)?;
    Ok(Json(DecryptFieldsResult {
        document,
        decrypted,
    }))
}
