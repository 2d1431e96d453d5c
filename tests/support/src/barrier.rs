//! A local HTTP endpoint that records every request's headers and holds
//! each answer until a number of requests are in at once: what shows that
//! concurrent invocations made their calls at the same time, and with
//! which `X-Amzn-Trace-Id` each.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::http::{HttpMessage, serve_loopback};

/// An S3 `ListBuckets` answer with no buckets, for SDK clients pointed here.
pub const EMPTY_LIST_BUCKETS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>stub</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>"#;

#[derive(Default)]
struct State {
    requests: Vec<HttpMessage>,
    /// Requests received and not yet answered.
    pending: usize,
    /// Whether `parties` requests were pending at one time.
    met: bool,
}

/// The endpoint; it serves until the process ends.
pub struct BarrierEndpoint {
    port: u16,
    state: Arc<(Mutex<State>, Condvar)>,
}

impl BarrierEndpoint {
    /// Serves on a free port of 127.0.0.1: each request waits until
    /// `parties` requests are pending at once (or `patience` passes), then
    /// gets a 200 answer with `body` (XML).
    pub fn start(parties: usize, patience: Duration, body: &'static str) -> Self {
        let state = Arc::new((Mutex::new(State::default()), Condvar::new()));
        let shared = Arc::clone(&state);
        let port = serve_loopback(move |request| {
            let (lock, arrived) = &*shared;
            if let Ok(mut s) = lock.lock() {
                s.requests.push(request);
                s.pending += 1;
                if s.pending >= parties {
                    s.met = true;
                    arrived.notify_all();
                }
                if let Ok((mut s, _)) = arrived.wait_timeout_while(s, patience, |s| !s.met) {
                    s.pending -= 1;
                }
            }
            HttpMessage {
                start: "HTTP/1.1 200 OK".into(),
                headers: vec![
                    ("Content-Type".into(), "application/xml".into()),
                    ("x-amz-request-id".into(), "stub".into()),
                ],
                body: body.as_bytes().to_vec(),
            }
            .to_bytes()
        });
        Self { port, state }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<HttpMessage> {
        self.state
            .0
            .lock()
            .map(|s| s.requests.clone())
            .unwrap_or_default()
    }

    /// Whether all parties were in at once (the barrier was met, not
    /// waited out).
    pub fn met(&self) -> bool {
        self.state.0.lock().map(|s| s.met).unwrap_or(false)
    }
}
