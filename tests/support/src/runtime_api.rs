//! A stand-in for the Lambda Runtime API, for tests that need to control
//! the invocation headers exactly (the client context, as real Lambda sends
//! it: JSON text, where `cargo lambda watch` sends base64). It serves the
//! queued invocations on `/next`, records every answer, and answers `410
//! Gone` once the queue is empty, which ends any runtime's loop.

use std::collections::VecDeque;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::http::{HttpMessage, serve_loopback};

/// One invocation to hand out.
#[derive(Debug, Clone)]
pub struct StubInvocation {
    /// The request id.
    pub request_id: String,
    /// The `Lambda-Runtime-Client-Context` header, if any.
    pub client_context: Option<String>,
    /// The event.
    pub body: String,
}

/// What the runtime posted back for an invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StubAnswer {
    /// The request id it answered.
    pub request_id: String,
    /// `response` or `error`.
    pub kind: String,
    /// The posted body.
    pub body: String,
}

#[derive(Default)]
struct Shared {
    queue: VecDeque<StubInvocation>,
    answers: Vec<StubAnswer>,
}

/// The stub server; it serves until the process ends.
pub struct RuntimeApiStub {
    port: u16,
    shared: Arc<Mutex<Shared>>,
}

impl RuntimeApiStub {
    /// Starts serving `invocations` on a free port of 127.0.0.1.
    pub fn start(invocations: Vec<StubInvocation>) -> Self {
        let shared = Arc::new(Mutex::new(Shared {
            queue: invocations.into(),
            answers: Vec::new(),
        }));
        let state = Arc::clone(&shared);
        let port = serve_loopback(move |request| {
            let path = request.start.split_whitespace().nth(1).unwrap_or_default();
            respond(path, request.text(), &state)
        });
        Self { port, shared }
    }

    /// Runs a function binary against the stub until it exits (or `limit`
    /// passes: then it is killed), and returns its exit status (`None` when
    /// killed) and what it answered.
    pub fn run_function(
        &self,
        binary: &Path,
        limit: Duration,
    ) -> (Option<ExitStatus>, Vec<StubAnswer>) {
        let mut child = Command::new(binary)
            .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{}", self.port))
            .env("AWS_LAMBDA_FUNCTION_NAME", "stubbed")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_REGION", "us-east-1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let started = Instant::now();
        let status = loop {
            if let Ok(Some(status)) = child.try_wait() {
                break Some(status);
            }
            if started.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let answers = self
            .shared
            .lock()
            .map(|s| s.answers.clone())
            .unwrap_or_default();
        (status, answers)
    }
}

fn respond(path: &str, body: String, state: &Mutex<Shared>) -> Vec<u8> {
    let Ok(mut shared) = state.lock() else {
        return http(500, &[], "");
    };
    if path.ends_with("/runtime/invocation/next") {
        return match shared.queue.pop_front() {
            Some(inv) => {
                let mut headers = vec![
                    ("Lambda-Runtime-Aws-Request-Id", inv.request_id.clone()),
                    ("Lambda-Runtime-Deadline-Ms", "4102444800000".to_owned()),
                    (
                        "Lambda-Runtime-Invoked-Function-Arn",
                        "arn:aws:lambda:us-east-1:123456789012:function:stubbed".to_owned(),
                    ),
                ];
                if let Some(context) = inv.client_context {
                    headers.push(("Lambda-Runtime-Client-Context", context));
                }
                http(200, &headers, &inv.body)
            }
            None => http(410, &[], r#"{"errorMessage":"no more invocations"}"#),
        };
    }
    if let Some(rest) = path.strip_prefix("/2018-06-01/runtime/invocation/")
        && let Some((request_id, kind)) = rest.split_once('/')
    {
        shared.answers.push(StubAnswer {
            request_id: request_id.to_owned(),
            kind: kind.to_owned(),
            body,
        });
        return http(202, &[], r#"{"status":"OK"}"#);
    }
    http(404, &[], "")
}

fn http(status: u16, headers: &[(&str, String)], body: &str) -> Vec<u8> {
    let mut all = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    all.extend(headers.iter().map(|(n, v)| ((*n).to_owned(), v.clone())));
    HttpMessage {
        start: format!("HTTP/1.1 {status} X"),
        headers: all,
        body: body.as_bytes().to_vec(),
    }
    .to_bytes()
}
