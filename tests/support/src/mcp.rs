//! MCP servers driven by the official MCP Python SDK (`tests/mcp/drive.py`,
//! run with `.venv/bin/python`), and raw JSON-RPC lines over stdio for what
//! a well-behaved client never sends.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{repo_root, venv_tool};

/// Where the MCP server is.
#[derive(Debug, Clone, Copy)]
pub enum McpTarget<'a> {
    /// A binary started with `args`, spoken to on stdio, with `env` added
    /// to the test's environment.
    Stdio {
        /// The server binary.
        command: &'a Path,
        /// Its arguments (`--mcp-stdio` for actionkit functions).
        args: &'a [&'a str],
        /// Extra environment for the server.
        env: &'a [(&'a str, String)],
    },
    /// A Streamable HTTP endpoint.
    Http(&'a str),
}

/// A child process killed on drop, so a failing test stops it too.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the official client against `target`: initialize, `tools/list`,
/// then each call of `calls` (`[{"name", "arguments"}]`). Returns the
/// driver's report: `protocol_version`, `server_info`, `tools` and one
/// `results` entry per call (`is_error`/`text`/`structured`, `error` for a
/// JSON-RPC error, `client_error` when the SDK refused the answer).
///
/// # Panics
///
/// When the driver fails or takes longer than two minutes.
pub fn mcp_client(target: McpTarget<'_>, calls: &Value) -> Value {
    let mut command = Command::new(venv_tool("python"));
    command.arg(repo_root().join("tests/mcp/drive.py"));
    match target {
        McpTarget::Stdio {
            command: bin,
            args,
            env,
        } => {
            command.arg("stdio").arg(bin).args(args);
            command.envs(env.iter().map(|(k, v)| (k, v)));
        }
        McpTarget::Http(url) => {
            command.args(["http", url]);
        }
    }
    let scenario = serde_json::json!({ "calls": calls }).to_string();
    let (status, stdout, stderr) =
        run_with_input(command, scenario.as_bytes(), Duration::from_secs(120));
    assert!(status, "the MCP client failed:\n{stderr}\n{stdout}");
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("the MCP client printed no report ({e}):\n{stdout}\n{stderr}"))
}

/// An actionkit function binary as an MCP server over stdio: runs
/// [`mcp_client`] against `bin --mcp-stdio` with `env`, checks that its
/// `tools/list` is what `bin --tool-schema` prints (the Gateway tool schema),
/// and returns the report.
///
/// # Panics
///
/// When the client fails, `--tool-schema` fails, or the two tool lists
/// differ.
pub fn mcp_stdio_session(bin: &Path, env: &[(&str, String)], calls: &Value) -> Value {
    let report = mcp_client(
        McpTarget::Stdio {
            command: bin,
            args: &["--mcp-stdio"],
            env,
        },
        calls,
    );
    let out = Command::new(bin)
        .arg("--tool-schema")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} --tool-schema: {e}", bin.display()));
    assert!(
        out.status.success(),
        "{} --tool-schema failed: {}",
        bin.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let schema: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("--tool-schema printed no JSON: {e}"));
    assert_eq!(
        report["tools"], schema,
        "tools/list is the Gateway tool schema"
    );
    report
}

/// Writes `lines` (raw JSON-RPC, one per line, as a stdio client would) to
/// `command --mcp-stdio`, closes stdin, and returns every line the server
/// wrote to stdout (parsed) and whether it exited successfully.
///
/// # Panics
///
/// When the server cannot be started, prints a line that is not JSON-RPC, or
/// takes longer than a minute.
pub fn mcp_stdio_raw(
    command: &Path,
    env: &[(&str, String)],
    lines: &[String],
) -> (Vec<Value>, bool) {
    let mut cmd = Command::new(command);
    cmd.arg("--mcp-stdio").envs(env.iter().map(|(k, v)| (k, v)));
    let mut input = lines.join("\n").into_bytes();
    input.push(b'\n');
    let (status, stdout, stderr) = run_with_input(cmd, &input, Duration::from_secs(60));
    let answers = stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let message: Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("stdout carries a non-JSON line ({e}): {l}\n{stderr}"));
            // A JSON log line on stdout would parse too: stdout is the protocol's alone.
            assert_eq!(
                message["jsonrpc"], "2.0",
                "stdout carries a non-JSON-RPC line: {l}"
            );
            message
        })
        .collect();
    (answers, status)
}

/// Runs `command` with `input` on stdin; returns (success, stdout, stderr).
fn run_with_input(mut command: Command, input: &[u8], limit: Duration) -> (bool, String, String) {
    command
        .current_dir(repo_root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = Guard(
        command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}")),
    );
    let mut stdin = child.0.stdin.take();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        if let Some(stdin) = stdin.as_mut() {
            let _ = stdin.write_all(&input);
        }
        // Dropped here: stdin closes, as a client ending its session.
    });
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(pipe) = pipe {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
            text
        })
    };
    let out = drain(child.0.stdout.take().map(|p| Box::new(p) as _));
    let err = drain(child.0.stderr.take().map(|p| Box::new(p) as _));
    let started = Instant::now();
    let status = loop {
        match child.0.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < limit => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                drop(child);
                panic!("{command:?} did not finish within {limit:?}");
            }
        }
    };
    let _ = writer.join();
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    (status.success(), stdout, stderr)
}
