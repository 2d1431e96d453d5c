//! The stdio lines rmcp never answers, answered as JSON-RPC says.
//!
//! rmcp's stdio transport drops a line it cannot decode as a JSON-RPC
//! message: the client waits for an answer that never comes. Here every
//! stdin line is looked at first: text that is not JSON gets `-32700`, JSON
//! that is not a request object (a batch, a number, an object without
//! `jsonrpc: "2.0"` and a `method`) gets `-32600`; the rest goes to rmcp
//! (an oversized `tools/call` is answered there, with its id, as a tool
//! error naming the limit). A notification or response before `initialize`
//! is dropped, since rmcp would end the session on it. Both
//! kinds of answer reach stdout through one writer, a whole line at a time,
//! so they never interleave.

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;

/// Room in each in-process pipe between the filter, rmcp and the writer.
const PIPE_BYTES: usize = 64 * 1024;

/// What one stdin line is, as far as the filter cares.
#[derive(Debug, PartialEq)]
pub(crate) enum Line {
    /// Not a JSON-RPC message: answered with this error, never forwarded.
    Refused(Value),
    /// A request (`initialize` or not).
    Request { initialize: bool },
    /// A notification or a response: nothing answers it.
    Unanswered,
}

/// Sorts `line`: the JSON-RPC error answering it, or which kind of message
/// rmcp will read.
pub(crate) fn screen(line: &[u8]) -> Line {
    let message: Value = match serde_json::from_slice(line) {
        Ok(message) => message,
        Err(_) => {
            return Line::Refused(error(
                Value::Null,
                -32700,
                "Parse error: the line is not JSON.".into(),
            ));
        }
    };
    let Value::Object(fields) = &message else {
        let what = if message.is_array() {
            "a batch; send one message per line"
        } else {
            "not a JSON-RPC object"
        };
        return Line::Refused(error(
            Value::Null,
            -32600,
            format!("Invalid Request: {what}."),
        ));
    };
    let id = match fields.get("id") {
        Some(id @ (Value::String(_) | Value::Number(_))) => id.clone(),
        _ => Value::Null,
    };
    let is_response = fields.contains_key("result") || fields.contains_key("error");
    if fields.get("jsonrpc") != Some(&json!("2.0")) {
        return Line::Refused(error(
            id,
            -32600,
            "Invalid Request: `jsonrpc` must be \"2.0\".".into(),
        ));
    }
    match fields.get("method") {
        Some(Value::String(method)) if fields.contains_key("id") => Line::Request {
            initialize: method == "initialize",
        },
        Some(Value::String(_)) => Line::Unanswered,
        None if is_response => Line::Unanswered,
        _ => Line::Refused(error(
            id,
            -32600,
            "Invalid Request: `method` must be a string.".into(),
        )),
    }
}

async fn write_line<W: AsyncWrite + Unpin>(output: &mut W, answer: &Value) -> std::io::Result<()> {
    let mut text = answer.to_string().into_bytes();
    text.push(b'\n');
    output.write_all(&text).await
}

fn error(id: Value, code: i64, message: String) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// Puts the filter between `input`/`output` and rmcp: returns the reader
/// and writer rmcp serves on, and the task that pumps lines until `input`
/// ends and rmcp has written its last answer.
pub(crate) fn filtered<R, W>(
    input: R,
    output: W,
) -> (
    DuplexStream,
    DuplexStream,
    impl Future<Output = std::io::Result<()>>,
)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let (mut to_rmcp, rmcp_reads) = tokio::io::duplex(PIPE_BYTES);
    let (rmcp_writes, from_rmcp) = tokio::io::duplex(PIPE_BYTES);
    let (refusals, mut refused) = mpsc::unbounded_channel::<Value>();
    let read = async move {
        let mut lines = BufReader::new(input);
        let mut line = Vec::new();
        // Whether an `initialize` request has gone to rmcp.
        let mut initializing = false;
        loop {
            line.clear();
            if lines.read_until(b'\n', &mut line).await? == 0 {
                break;
            }
            let text = line.trim_ascii();
            if text.is_empty() {
                continue;
            }
            match screen(text) {
                Line::Refused(answer) => {
                    let _ = refusals.send(answer);
                    continue;
                }
                // rmcp ends the session on a notification or a response
                // before `initialize`; JSON-RPC answers neither, so it is
                // dropped (pings and other requests rmcp answers itself).
                Line::Unanswered if !initializing => {
                    tracing::debug!("MCP: a notification before initialize, ignored");
                    continue;
                }
                Line::Request { initialize: true } => initializing = true,
                Line::Request { .. } | Line::Unanswered => {}
            }
            to_rmcp.write_all(text).await?;
            to_rmcp.write_all(b"\n").await?;
        }
        // End of input: rmcp sees it, ends the session, and closes its side.
        to_rmcp.shutdown().await
    };
    let write = async move {
        let mut output = output;
        let mut answers = BufReader::new(from_rmcp);
        let mut line = Vec::new();
        let mut refusals_open = true;
        // Until rmcp closes its side: the session is over then.
        loop {
            tokio::select! {
                read = answers.read_until(b'\n', &mut line) => {
                    if read? == 0 {
                        break;
                    }
                    output.write_all(&line).await?;
                    line.clear();
                }
                answer = refused.recv(), if refusals_open => match answer {
                    Some(answer) => write_line(&mut output, &answer).await?,
                    None => refusals_open = false,
                },
            }
            output.flush().await?;
        }
        while let Ok(answer) = refused.try_recv() {
            write_line(&mut output, &answer).await?;
        }
        output.flush().await
    };
    let pump = async move {
        tokio::pin!(read, write);
        tokio::select! {
            // rmcp ended the session: what is left on stdin is not read.
            written = &mut write => written,
            read = &mut read => {
                read?;
                write.await
            }
        }
    };
    (rmcp_reads, rmcp_writes, pump)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_rmcp_would_drop_is_refused_by_code() {
        let cases: [(&[u8], Option<i64>); 9] = [
            (b"not json", Some(-32700)),
            (b"{\"jsonrpc\":\"2.0\"", Some(-32700)),
            (
                b"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
                Some(-32600),
            ),
            (b"42", Some(-32600)),
            (b"{\"id\":1,\"method\":\"ping\"}", Some(-32600)),
            (b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", Some(-32600)),
            (b"{\"jsonrpc\":\"2.0\",\"id\":1}", Some(-32600)),
            (b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", None),
            (b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", None),
        ];
        for (line, code) in cases {
            let code_of = match screen(line) {
                Line::Refused(answer) => Some(answer["error"]["code"].as_i64().unwrap_or(0)),
                _ => None,
            };
            assert_eq!(code_of, code, "{}", String::from_utf8_lossy(line));
        }
        let Line::Refused(id) = screen(b"{\"jsonrpc\":\"1.0\",\"id\":\"a\",\"method\":\"x\"}")
        else {
            panic!("a wrong jsonrpc version is refused");
        };
        assert_eq!(id["id"], "a");
    }

    #[test]
    fn requests_notifications_and_responses_are_told_apart() {
        let cases: [(&[u8], Line); 4] = [
            (
                b"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\"}",
                Line::Request { initialize: true },
            ),
            (
                b"{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"tools/list\"}",
                Line::Request { initialize: false },
            ),
            (
                b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                Line::Unanswered,
            ),
            (
                b"{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":1,\"message\":\"m\"}}",
                Line::Unanswered,
            ),
        ];
        for (line, kind) in cases {
            assert_eq!(screen(line), kind, "{}", String::from_utf8_lossy(line));
        }
    }
}
