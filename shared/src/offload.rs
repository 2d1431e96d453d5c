//! Large Step Functions payloads through S3: a state's input and output are
//! limited to 256 KiB, so a task reads a `{"payload_ref": ...}` input from
//! S3 and writes an output over the threshold to S3, returning the
//! reference. The next state (or the next task) passes the reference on.

use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ActionError;

/// Where a payload was put.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayloadRef {
    /// The S3 bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// The payload's size in bytes.
    pub bytes: usize,
}

impl PayloadRef {
    /// The JSON a task returns in place of a large output:
    /// `{"payload_ref": {"bucket", "key", "bytes"}}`.
    pub fn to_value(&self) -> Value {
        serde_json::json!({ "payload_ref": self })
    }

    /// Reads a reference from a task input of exactly that shape.
    pub fn from_input(input: &Value) -> Option<Result<Self, ActionError>> {
        let Value::Object(map) = input else {
            return None;
        };
        if map.len() != 1 {
            return None;
        }
        let reference = map.get("payload_ref")?;
        Some(serde_json::from_value(reference.clone()).map_err(|_| {
            ActionError::new(
                400,
                "InvalidInput",
                "`payload_ref` must be {\"bucket\": ..., \"key\": ..., \"bytes\": ...}.",
            )
        }))
    }
}

/// A boxed future of a store operation.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ActionError>> + Send + 'a>>;

/// Stores large payloads: S3 in Lambda, anything in tests.
pub trait PayloadStore: Send + Sync {
    /// Reads the payload `reference` points to.
    fn get<'a>(&'a self, reference: &'a PayloadRef) -> StoreFuture<'a, Vec<u8>>;
    /// Writes `bytes` under a key derived from `name` and returns where.
    fn put<'a>(&'a self, name: &'a str, bytes: Vec<u8>) -> StoreFuture<'a, PayloadRef>;
}

#[cfg(feature = "s3")]
mod s3 {
    use aws_sdk_s3::Client;
    use aws_sdk_s3::error::DisplayErrorContext;
    use aws_sdk_s3::primitives::ByteStream;

    use super::{PayloadRef, PayloadStore, StoreFuture};
    use crate::error::ActionError;

    /// Payloads in one S3 bucket, under one prefix. Reads are refused
    /// outside that bucket and prefix: a reference in untrusted input cannot
    /// make the function read other objects.
    #[derive(Debug, Clone)]
    pub struct S3PayloadStore {
        client: Client,
        bucket: String,
        prefix: String,
        max_bytes: usize,
    }

    impl S3PayloadStore {
        /// The store `PAYLOAD_BUCKET` (and `PAYLOAD_PREFIX`, else
        /// `default_prefix`) name, or `None` when no bucket is set.
        pub fn from_env(client: Client, default_prefix: &str, max_bytes: usize) -> Option<Self> {
            let bucket = std::env::var("PAYLOAD_BUCKET")
                .ok()
                .filter(|b| !b.trim().is_empty())?;
            let prefix =
                std::env::var("PAYLOAD_PREFIX").unwrap_or_else(|_| default_prefix.to_owned());
            Some(Self::new(client, bucket, prefix, max_bytes))
        }

        /// A store in `bucket` under `prefix` (e.g. `payloads/`), reading at
        /// most `max_bytes` per payload.
        pub fn new(
            client: Client,
            bucket: impl Into<String>,
            prefix: impl Into<String>,
            max_bytes: usize,
        ) -> Self {
            Self {
                client,
                bucket: bucket.into(),
                prefix: prefix.into(),
                max_bytes,
            }
        }
    }

    fn unavailable(what: &str, detail: String) -> ActionError {
        ActionError::new(
            503,
            "PayloadStoreUnavailable",
            format!("The payload store could not {what}; retry later."),
        )
        .with_log_detail(detail)
    }

    impl PayloadStore for S3PayloadStore {
        fn get<'a>(&'a self, reference: &'a PayloadRef) -> StoreFuture<'a, Vec<u8>> {
            Box::pin(async move {
                if reference.bucket != self.bucket
                    || !reference.key.starts_with(&self.prefix)
                    || reference.key.contains("..")
                {
                    return Err(ActionError::new(
                        403,
                        "Forbidden",
                        "`payload_ref` points outside this function's payload bucket and prefix.",
                    ));
                }
                if reference.bytes > self.max_bytes {
                    return Err(ActionError::new(
                        400,
                        "InvalidInput",
                        format!(
                            "The referenced payload is {} bytes; at most {} are read.",
                            reference.bytes, self.max_bytes
                        ),
                    ));
                }
                let out = self
                    .client
                    .get_object()
                    .bucket(&self.bucket)
                    .key(&reference.key)
                    .send()
                    .await
                    .map_err(|e| match e.as_service_error() {
                        Some(s) if s.is_no_such_key() => ActionError::new(
                            404,
                            "NotFound",
                            "The referenced payload does not exist (expired or never written).",
                        ),
                        _ => unavailable(
                            "read the payload",
                            format!("GetObject: {}", DisplayErrorContext(&e)),
                        ),
                    })?;
                let bytes = out
                    .body
                    .collect()
                    .await
                    .map_err(|e| unavailable("read the payload", e.to_string()))?
                    .into_bytes();
                if bytes.len() > self.max_bytes {
                    return Err(ActionError::new(
                        400,
                        "InvalidInput",
                        "The referenced payload is larger than this function reads.",
                    ));
                }
                Ok(bytes.to_vec())
            })
        }

        fn put<'a>(&'a self, name: &'a str, bytes: Vec<u8>) -> StoreFuture<'a, PayloadRef> {
            Box::pin(async move {
                let key = format!("{}{name}", self.prefix);
                let size = bytes.len();
                self.client
                    .put_object()
                    .bucket(&self.bucket)
                    .key(&key)
                    .content_type("application/json")
                    .body(ByteStream::from(bytes))
                    .send()
                    .await
                    .map_err(|e| {
                        unavailable(
                            "write the payload",
                            format!("PutObject: {}", DisplayErrorContext(&e)),
                        )
                    })?;
                Ok(PayloadRef {
                    bucket: self.bucket.clone(),
                    key,
                    bytes: size,
                })
            })
        }
    }
}

#[cfg(feature = "s3")]
pub use s3::S3PayloadStore;
