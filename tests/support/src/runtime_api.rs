//! A stand-in for the Lambda Runtime API, for tests that need to control
//! the invocation headers exactly (the client context, as real Lambda sends
//! it: JSON text, where `cargo lambda watch` sends base64). It serves the
//! queued invocations on `/next`, records every answer, and answers `410
//! Gone` once the queue is empty, which ends any runtime's loop (or, with
//! [`RuntimeApiStub::start_with`]'s `hold_when_empty`, holds `/next` open
//! as Lambda does, until the runtime is stopped).
//!
//! It also records when the first `/next` and the first answer arrived,
//! for the cold-start benchmark, and how many invocations were handed out
//! and not yet answered at most (for the concurrency tests).

use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
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
    queue: VecDeque<(StubInvocation, Vec<(String, String)>)>,
    answers: Vec<StubAnswer>,
    hold_when_empty: bool,
    in_flight: usize,
    max_in_flight: usize,
    first_next: Option<Instant>,
    first_answer: Option<Instant>,
}

/// The stub server; it serves until the process ends (a `/next` it holds
/// open is released when the stub is dropped).
pub struct RuntimeApiStub {
    port: u16,
    shared: Arc<Mutex<Shared>>,
    closed: Arc<AtomicBool>,
}

impl Drop for RuntimeApiStub {
    fn drop(&mut self) {
        self.closed.store(true, Ordering::SeqCst);
    }
}

/// A function binary running against the stub; killed when dropped.
pub struct StubbedFunction {
    child: Child,
    /// When the process was spawned.
    pub spawned: Instant,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

/// How a function run against the stub ended.
#[derive(Debug)]
pub struct FunctionExit {
    /// The exit status, `None` when it had to be killed.
    pub status: Option<ExitStatus>,
    /// Everything it printed on stdout (JSON logs, EMF metrics).
    pub stdout: String,
    /// Everything it printed on stderr.
    pub stderr: String,
}

impl StubbedFunction {
    /// Sends SIGTERM, as Lambda does before it stops an environment.
    pub fn terminate(&self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
    }

    /// Waits until the process exits (or `limit` passes: then it is killed).
    pub fn wait(mut self, limit: Duration) -> FunctionExit {
        let started = Instant::now();
        let status = loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                break Some(status);
            }
            if started.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        // The reader threads end with the pipes; give them a moment.
        std::thread::sleep(Duration::from_millis(50));
        let text = |b: &Mutex<Vec<u8>>| {
            b.lock()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        };
        FunctionExit {
            status,
            stdout: text(&self.stdout),
            stderr: text(&self.stderr),
        }
    }
}

impl Drop for StubbedFunction {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn collect(mut pipe: impl Read + Send + 'static) -> Arc<Mutex<Vec<u8>>> {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buffer);
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut chunk) {
            if n == 0 {
                break;
            }
            if let Ok(mut b) = sink.lock() {
                b.extend_from_slice(&chunk[..n]);
            }
        }
    });
    buffer
}

impl RuntimeApiStub {
    /// Starts serving `invocations` on a free port of 127.0.0.1.
    pub fn start(invocations: Vec<StubInvocation>) -> Self {
        Self::start_with(
            invocations.into_iter().map(|i| (i, Vec::new())).collect(),
            false,
        )
    }

    /// Starts serving `invocations`, each with extra `/next` response
    /// headers (e.g. `Lambda-Runtime-Trace-Id`, or a deadline that replaces
    /// the default one). With `hold_when_empty`, an empty queue holds
    /// `/next` open (as Lambda does between invocations) instead of
    /// answering `410 Gone`.
    pub fn start_with(
        invocations: Vec<(StubInvocation, Vec<(String, String)>)>,
        hold_when_empty: bool,
    ) -> Self {
        let shared = Arc::new(Mutex::new(Shared {
            queue: invocations.into(),
            hold_when_empty,
            ..Shared::default()
        }));
        let closed = Arc::new(AtomicBool::new(false));
        let state = Arc::clone(&shared);
        let stop = Arc::clone(&closed);
        let port = serve_loopback(move |request| {
            let path = request.start.split_whitespace().nth(1).unwrap_or_default();
            respond(path, request.text(), &state, &stop)
        });
        Self {
            port,
            shared,
            closed,
        }
    }

    /// The `AWS_LAMBDA_RUNTIME_API` value of this stub.
    pub fn endpoint(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Starts a function binary against the stub, with the Lambda
    /// environment variables and `env` (which may override them); stdout
    /// and stderr are collected.
    pub fn spawn(&self, binary: &Path, env: &[(&str, String)]) -> StubbedFunction {
        let mut command = Command::new(binary);
        command
            .env("AWS_LAMBDA_RUNTIME_API", self.endpoint())
            .env("AWS_LAMBDA_FUNCTION_NAME", "stubbed")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_REGION", "us-east-1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let spawned = Instant::now();
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let stdout = child.stdout.take().map(collect).unwrap_or_default();
        let stderr = child.stderr.take().map(collect).unwrap_or_default();
        StubbedFunction {
            child,
            spawned,
            stdout,
            stderr,
        }
    }

    /// What was answered so far, in the order it arrived.
    pub fn answers(&self) -> Vec<StubAnswer> {
        self.shared
            .lock()
            .map(|s| s.answers.clone())
            .unwrap_or_default()
    }

    /// The most invocations handed out and not yet answered at one time.
    pub fn max_in_flight(&self) -> usize {
        self.shared.lock().map(|s| s.max_in_flight).unwrap_or(0)
    }

    /// When the first `/next` and the first answer arrived.
    pub fn first_next_and_answer(&self) -> (Option<Instant>, Option<Instant>) {
        self.shared
            .lock()
            .map(|s| (s.first_next, s.first_answer))
            .unwrap_or_default()
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

fn respond(path: &str, body: String, state: &Mutex<Shared>, closed: &AtomicBool) -> Vec<u8> {
    let Ok(mut shared) = state.lock() else {
        return http(500, &[], "");
    };
    if path.ends_with("/runtime/invocation/next") {
        shared.first_next.get_or_insert_with(Instant::now);
        while shared.queue.is_empty() && shared.hold_when_empty {
            drop(shared);
            if closed.load(Ordering::SeqCst) {
                return http(410, &[], r#"{"errorMessage":"stub closed"}"#);
            }
            std::thread::sleep(Duration::from_millis(10));
            shared = match state.lock() {
                Ok(s) => s,
                Err(_) => return http(500, &[], ""),
            };
        }
        return match shared.queue.pop_front() {
            Some((inv, extra)) => {
                shared.in_flight += 1;
                shared.max_in_flight = shared.max_in_flight.max(shared.in_flight);
                let mut headers: Vec<(String, String)> = vec![
                    (
                        "Lambda-Runtime-Aws-Request-Id".into(),
                        inv.request_id.clone(),
                    ),
                    (
                        "Lambda-Runtime-Deadline-Ms".into(),
                        "4102444800000".to_owned(),
                    ),
                    (
                        "Lambda-Runtime-Invoked-Function-Arn".into(),
                        "arn:aws:lambda:us-east-1:123456789012:function:stubbed".to_owned(),
                    ),
                ];
                if let Some(context) = inv.client_context {
                    headers.push(("Lambda-Runtime-Client-Context".into(), context));
                }
                for (name, value) in extra {
                    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
                    headers.push((name, value));
                }
                let headers: Vec<(&str, String)> = headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.clone()))
                    .collect();
                http(200, &headers, &inv.body)
            }
            None => http(410, &[], r#"{"errorMessage":"no more invocations"}"#),
        };
    }
    if let Some(rest) = path.strip_prefix("/2018-06-01/runtime/invocation/")
        && let Some((request_id, kind)) = rest.split_once('/')
    {
        shared.first_answer.get_or_insert_with(Instant::now);
        shared.in_flight = shared.in_flight.saturating_sub(1);
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
