//! Local stand-ins for integration and end-to-end tests: a real moto server
//! and `cargo lambda watch`, each on a free port on 127.0.0.1, each stopped
//! when its guard is dropped — also when the test fails.
//!
//! The tools come from the repository's `.venv/` (installed by `make test`);
//! a missing tool is a test failure with the command to fix it, never a skip.

mod barrier;
mod events;
mod http;
mod logs;
mod mcp;
mod router;
mod runtime_api;

pub use barrier::{BarrierEndpoint, EMPTY_LIST_BUCKETS};
pub use events::{
    agent_api_event, agent_function_event, context, gateway_context, gateway_tool_call, task_event,
    with_body, with_prompt_session_attributes, with_session_attributes,
};
pub use http::{HttpMessage, aws_json, moto_auth, read_message, send};
pub use logs::CapturedLogs;
pub use mcp::{McpTarget, mcp_client, mcp_stdio_raw, mcp_stdio_session};
pub use router::LambdaRouter;
pub use runtime_api::{FunctionExit, RuntimeApiStub, StubAnswer, StubInvocation, StubbedFunction};

use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// A tool from `.venv/bin`, or a clear failure saying how to install it.
pub fn venv_tool(name: &str) -> PathBuf {
    let path = repo_root().join(".venv/bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: run `make test` (it installs the test tools into .venv/)",
        path.display()
    );
    path
}

/// The example `name` of the crate whose test calls this, as `cargo test`
/// builds it beside the test binary (`target/<profile>/examples/`).
///
/// # Panics
///
/// When it is not built, with the command that builds it alone.
pub fn example_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe()
        .unwrap_or_else(|e| panic!("the test binary's path is unknown: {e}"));
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("{} is not in target/<profile>/deps", exe.display()));
    let path = profile.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is built by `cargo test` (alone: `cargo build --example {name}`)",
        path.display()
    );
    path
}

/// A port that was free a moment ago on 127.0.0.1, below the kernel's
/// ephemeral range and never handed out twice by this process.
///
/// Why not `bind(0)`: that returns an ephemeral port, and while a server is
/// still starting, a probe's own outgoing connection (or another test's) may
/// take that port as its source — Linux then "connects" the probe to itself,
/// the server's later `bind` fails, and the test meets "connection refused"
/// after a readiness check that passed.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    const FIRST: u16 = 20_000;
    const SPAN: u16 = 12_000; // 20000..32000, below 32768 (ip_local_port_range)
    // Test binaries run at the same time: start each at its own offset.
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let seed = (std::process::id() % u32::from(SPAN)) as u16;
    for _ in 0..SPAN {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = FIRST + (seed.wrapping_add(n.wrapping_mul(7))) % SPAN;
        if TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return port;
        }
    }
    panic!("no free port on 127.0.0.1 in {FIRST}..{}", FIRST + SPAN);
}

/// Whether a server now listens on `addr`: a connection whose far end is not
/// its own near end (see [`free_port`] on self-connection).
fn listening(addr: &SocketAddr) -> bool {
    TcpStream::connect_timeout(addr, Duration::from_millis(200))
        .is_ok_and(|s| s.local_addr().ok() != s.peer_addr().ok())
}

/// Waits until `child` listens on `port`. `Err` carries the child's stderr
/// when it exited first (a port taken between [`free_port`] and its `bind`).
fn wait_for_port(
    port: u16,
    child: &mut Child,
    what: &str,
    timeout: Duration,
) -> Result<(), String> {
    let started = Instant::now();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    while started.elapsed() < timeout {
        let exited = child.try_wait().ok().flatten();
        if exited.is_none() && listening(&addr) {
            return Ok(());
        }
        if let Some(status) = exited {
            let mut err = String::new();
            if let Some(mut stderr) = child.stderr.take() {
                let _ = stderr.read_to_string(&mut err);
            }
            return Err(format!(
                "{what} exited with {status} before listening on {port}: {err}"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not listen on 127.0.0.1:{port} within {timeout:?}");
}

/// Spawns the server `command(port)` builds (as its own process group) on
/// a [`free_port`] and waits until it listens; a server that exits first
/// (its port taken in between) is retried on another port. Its stderr is
/// drained from then on, so that a chatty server never blocks.
fn start_listening(
    what: &str,
    timeout: Duration,
    mut command: impl FnMut(u16) -> Command,
) -> (Child, u16) {
    let mut failures = Vec::new();
    for _ in 0..3 {
        let port = free_port();
        let mut command = command(port);
        command.stderr(Stdio::piped());
        let mut child = group_leader(&mut command)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        match wait_for_port(port, &mut child, what, timeout) {
            Ok(()) => {
                if let Some(stderr) = child.stderr.take() {
                    std::thread::spawn(move || BufReader::new(stderr).lines().for_each(drop));
                }
                return (child, port);
            }
            Err(failure) => {
                kill_group(&mut child);
                failures.push(failure);
            }
        }
    }
    panic!("{what} did not start: {}", failures.join("; "));
}

/// Kills a process group: the child was started as its own group leader.
fn kill_group(child: &mut Child) {
    let pgid = child.id().to_string();
    for signal in ["-TERM", "-KILL"] {
        let _ = Command::new("kill")
            .args([signal, "--", &format!("-{pgid}")])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let _ = child.wait();
}

fn group_leader(command: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    command.process_group(0)
}

/// A running moto server; stopped on drop.
pub struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    /// Starts `python -m moto.server` on a free port of 127.0.0.1.
    pub fn start() -> Self {
        Self::start_with_env(&[])
    }

    /// [`Moto::start`] with extra environment for the server (`MOTO_PORT`
    /// sends its Step Functions interpreter's calls elsewhere).
    pub fn start_with_env(env: &[(&str, String)]) -> Self {
        let python = venv_tool("python");
        let (child, port) = start_listening("moto server", Duration::from_secs(30), |port| {
            let mut command = Command::new(&python);
            command
                .envs(env.iter().map(|(k, v)| (k, v)))
                .args([
                    "-m",
                    "moto.server",
                    "-H",
                    "127.0.0.1",
                    "-p",
                    &port.to_string(),
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null());
            command
        });
        Self { child, port }
    }

    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        kill_group(&mut self.child);
    }
}

/// `cargo lambda watch` serving the workspace's functions; stopped on drop.
pub struct LambdaWatch {
    child: Child,
    port: u16,
    /// Removed on drop with the emulator.
    env_file: PathBuf,
}

impl LambdaWatch {
    /// Starts the Runtime API emulator on a free port of 127.0.0.1, with the
    /// given environment for the functions (written to an env file, since
    /// values may contain commas).
    pub fn start(env: &[(&str, String)]) -> Self {
        Self::start_in(&repo_root(), env)
    }

    /// [`LambdaWatch::start`] for the crate or workspace in `dir` (a crate
    /// outside this workspace, say).
    pub fn start_in(dir: &Path, env: &[(&str, String)]) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static WATCHES: AtomicU32 = AtomicU32::new(0);
        let env_file = std::env::temp_dir().join(format!(
            "actionkit-watch-{}-{}.env",
            std::process::id(),
            WATCHES.fetch_add(1, Ordering::Relaxed)
        ));
        // Quoted: the env-file parser refuses unquoted `=` (base64 padding).
        let text: String = env
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"\n", v.replace('"', "\\\"")))
            .collect();
        std::fs::write(&env_file, text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", env_file.display()));
        let cargo_lambda = venv_tool("cargo-lambda");
        let (child, port) =
            start_listening("cargo lambda watch", Duration::from_secs(60), |port| {
                let mut command = Command::new(&cargo_lambda);
                command
                    .args([
                        "lambda",
                        "watch",
                        // A test runs the functions as they were when it
                        // started: an edit elsewhere in the checkout must not
                        // rebuild them under a running test.
                        "--ignore-changes",
                        "--invoke-address",
                        "127.0.0.1",
                        "--invoke-port",
                        &port.to_string(),
                    ])
                    .arg("--env-file")
                    .arg(&env_file)
                    .current_dir(dir)
                    .env("PATH", path_with_venv())
                    .stdin(Stdio::null())
                    .stdout(Stdio::null());
                command
            });
        Self {
            child,
            port,
            env_file,
        }
    }

    /// The emulator's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `cargo lambda invoke FUNCTION --data-file FILE`: the function's
    /// response, or `Err` with what the emulator said for a function error
    /// (the emulator answers those with HTTP 500).
    pub fn invoke(&self, function: &str, data_file: &Path) -> Result<serde_json::Value, String> {
        self.invoke_with_client_context(function, data_file, None)
    }

    /// [`LambdaWatch::invoke`] with a client context (`--client-context-file`),
    /// as an AgentCore Gateway or a mobile SDK sends one.
    pub fn invoke_with_client_context(
        &self,
        function: &str,
        data_file: &Path,
        client_context_file: Option<&Path>,
    ) -> Result<serde_json::Value, String> {
        let mut command = Command::new(venv_tool("cargo-lambda"));
        command
            .args([
                "lambda",
                "invoke",
                function,
                "--invoke-address",
                "127.0.0.1",
                "--invoke-port",
            ])
            .arg(self.port.to_string())
            .arg("--data-file")
            .arg(data_file)
            .arg("--output-format")
            .arg("json");
        if let Some(file) = client_context_file {
            command.arg("--client-context-file").arg(file);
        }
        let output = command
            .current_dir(repo_root())
            .env("PATH", path_with_venv())
            .output()
            .unwrap_or_else(|e| panic!("cannot run cargo lambda invoke: {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        if output.status.success() {
            serde_json::from_str(stdout.trim())
                .map_err(|e| format!("invoke printed non-JSON ({e}): {stdout}"))
        } else {
            Err(format!(
                "{}{}",
                stdout,
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }
}

impl Drop for LambdaWatch {
    fn drop(&mut self) {
        kill_group(&mut self.child);
        let _ = std::fs::remove_file(&self.env_file);
    }
}

/// `PATH` with `.venv/bin` first, so cargo-lambda finds its own tools
/// (zig, which it cross-compiles with).
pub fn path_with_venv() -> String {
    let venv = repo_root().join(".venv/bin");
    match std::env::var("PATH") {
        Ok(path) => format!("{}:{path}", venv.display()),
        Err(_) => venv.display().to_string(),
    }
}

/// Compares `actual` with the committed JSON file at `path` (relative to
/// the repository root); with `UPDATE_SNAPSHOTS=1` it rewrites the file.
/// Committed schemas are checked for drift this way: the check is
/// [`actionkit::testing::check_json_snapshot`], the message names this
/// repository's `make schemas`.
#[track_caller]
pub fn assert_json_snapshot(path: &str, actual: &serde_json::Value) {
    if let Err(mismatch) = actionkit::testing::check_json_snapshot(repo_root().join(path), actual) {
        panic!("{mismatch}\n(`make schemas` rewrites every committed schema of this repository)");
    }
}

/// An AWS SDK client for a moto server: region `us-east-1`, static test
/// credentials, the server's endpoint. An optional closure adjusts the
/// config builder (S3 needs `force_path_style(true)`).
///
/// ```text
/// let kms = actionkit_testkit::moto_client!(aws_sdk_kms, moto.endpoint());
/// let s3 = actionkit_testkit::moto_client!(aws_sdk_s3, moto.endpoint(), |b| b.force_path_style(true));
/// ```
#[macro_export]
macro_rules! moto_client {
    ($krate:ident, $endpoint:expr) => {
        $crate::moto_client!($krate, $endpoint, |builder| builder)
    };
    ($krate:ident, $endpoint:expr, $adjust:expr) => {{
        let builder = $krate::Config::builder()
            .behavior_version($krate::config::BehaviorVersion::latest())
            .region($krate::config::Region::new("us-east-1"))
            .endpoint_url($endpoint)
            .credentials_provider($krate::config::Credentials::new(
                "testing", "testing", None, None, "moto",
            ));
        let adjust: fn($krate::config::Builder) -> $krate::config::Builder = $adjust;
        $krate::Client::from_conf(adjust(builder).build())
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_ports_are_outside_the_ephemeral_range_and_never_repeat() {
        let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
            .ok()
            .and_then(|text| {
                let mut parts = text.split_whitespace().map(str::parse::<u16>);
                Some((parts.next()?.ok()?, parts.next()?.ok()?))
            })
            .unwrap_or((32_768, 60_999));
        let ports: Vec<u16> = (0..500).map(|_| free_port()).collect();
        let distinct: std::collections::HashSet<_> = ports.iter().collect();
        assert_eq!(distinct.len(), ports.len(), "a port was handed out twice");
        assert!(
            ports.iter().all(|p| *p < range.0 || *p > range.1),
            "{ports:?} vs ephemeral {range:?}"
        );
    }

    #[test]
    fn a_server_that_cannot_bind_is_retried_on_another_port() {
        // The first port offered is taken: the server fails to bind and
        // exits, and the next attempt gets a fresh port.
        let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let taken_port = taken.local_addr().unwrap().port();
        let mut attempts = 0;
        let (mut child, port) =
            start_listening("python http.server", Duration::from_secs(30), |port| {
                attempts += 1;
                let port = if attempts == 1 { taken_port } else { port };
                let mut command = Command::new("python3");
                command
                    .args([
                        "-m",
                        "http.server",
                        "--bind",
                        "127.0.0.1",
                        &port.to_string(),
                    ])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null());
                command
            });
        kill_group(&mut child);
        assert_eq!(attempts, 2);
        assert_ne!(port, taken_port);
    }
}
