//! Lets moto's Step Functions interpreter call real functions: moto sends
//! every service call its state machines make to `localhost:$MOTO_PORT`;
//! pointing `MOTO_PORT` at this router sends Lambda Invoke calls to `cargo
//! lambda watch` (which serves the Invoke API) and everything else (SQS,
//! S3, ...) back to moto.
//!
//! The emulator answers a function error with HTTP 500, where real Lambda
//! answers 200 with `X-Amz-Function-Error: Unhandled`; the router restores
//! Lambda's form, so that Step Functions sees the function's own error name
//! (`VendorEnrichment.InvalidInput`), as it would on AWS.

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use crate::http::{HttpMessage, send, serve_loopback};

/// The router; it serves until the process ends (its upstreams go away with
/// their guards).
pub struct LambdaRouter {
    port: u16,
    moto: Arc<AtomicU16>,
    lambda: Arc<AtomicU16>,
}

impl LambdaRouter {
    /// Listens on a free port of 127.0.0.1; set the upstreams with
    /// [`LambdaRouter::route`] once they run.
    pub fn start() -> Self {
        let moto = Arc::new(AtomicU16::new(0));
        let lambda = Arc::new(AtomicU16::new(0));
        let (m, l) = (Arc::clone(&moto), Arc::clone(&lambda));
        let port = serve_loopback(move |request| {
            forward(request, m.load(Ordering::SeqCst), l.load(Ordering::SeqCst)).to_bytes()
        });
        Self { port, moto, lambda }
    }

    /// The router's port (moto's `MOTO_PORT`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where calls go: Lambda Invoke to `lambda_port`, the rest to `moto_port`.
    pub fn route(&self, moto_port: u16, lambda_port: u16) {
        self.moto.store(moto_port, Ordering::SeqCst);
        self.lambda.store(lambda_port, Ordering::SeqCst);
    }
}

fn forward(mut request: HttpMessage, moto: u16, lambda: u16) -> HttpMessage {
    let path = request
        .start
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let function = path
        .strip_prefix("/2015-03-31/functions/")
        .and_then(|rest| rest.strip_suffix("/invocations"));
    let Some(function) = function else {
        return send(moto, &request).unwrap_or_else(|e| bad_gateway(&e));
    };
    // `arn:aws:lambda:REGION:ACCOUNT:function:NAME` (URL-encoded) → NAME.
    let decoded = function.replace("%3A", ":").replace("%3a", ":");
    let name = decoded.rsplit(':').next().unwrap_or_default();
    request.start = format!("POST /2015-03-31/functions/{name}/invocations HTTP/1.1");
    match send(lambda, &request) {
        Ok(mut response) => {
            let failed = response.status() == 500;
            response.start = "HTTP/1.1 200 OK".into();
            response.headers = vec![
                ("Content-Type".into(), "application/json".into()),
                ("X-Amz-Executed-Version".into(), "$LATEST".into()),
            ];
            if failed {
                response
                    .headers
                    .push(("X-Amz-Function-Error".into(), "Unhandled".into()));
            }
            response
        }
        Err(e) => bad_gateway(&e),
    }
}

fn bad_gateway(why: &str) -> HttpMessage {
    HttpMessage {
        start: "HTTP/1.1 502 Bad Gateway".into(),
        headers: vec![("Content-Type".into(), "text/plain".into())],
        body: why.as_bytes().to_vec(),
    }
}
