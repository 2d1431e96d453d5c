//! The stdio lines rmcp never answers, answered as JSON-RPC says.
//!
//! rmcp's stdio transport drops a line it cannot decode as a JSON-RPC
//! message: the client waits for an answer that never comes. Here every
//! stdin line is looked at first: text that is not JSON gets `-32700`, JSON
//! that is not a request object (a batch, a number, an object without
//! `jsonrpc: "2.0"` and a `method`) gets `-32600`; the rest goes to rmcp
//! (an oversized `tools/call` is answered there, with its id, as a tool
//! error naming the limit). Both
//! kinds of answer reach stdout through one writer, a whole line at a time,
//! so they never interleave.

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;

/// Room in each in-process pipe between the filter, rmcp and the writer.
const PIPE_BYTES: usize = 64 * 1024;

/// The JSON-RPC error answering `line`, or `None` when rmcp should read it.
pub(crate) fn refusal(line: &[u8]) -> Option<Value> {
    let message: Value = match serde_json::from_slice(line) {
        Ok(message) => message,
        Err(_) => {
            return Some(error(
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
        return Some(error(
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
        return Some(error(
            id,
            -32600,
            "Invalid Request: `jsonrpc` must be \"2.0\".".into(),
        ));
    }
    match fields.get("method") {
        Some(Value::String(_)) => None,
        None if is_response => None,
        _ => Some(error(
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
        loop {
            line.clear();
            if lines.read_until(b'\n', &mut line).await? == 0 {
                break;
            }
            let text = line.trim_ascii();
            if text.is_empty() {
                continue;
            }
            match refusal(text) {
                Some(answer) => {
                    let _ = refusals.send(answer);
                }
                None => {
                    to_rmcp.write_all(text).await?;
                    to_rmcp.write_all(b"\n").await?;
                }
            }
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
            let answer = refusal(line);
            assert_eq!(
                answer
                    .as_ref()
                    .map(|a| a["error"]["code"].as_i64().unwrap_or(0)),
                code,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        let id = refusal(b"{\"jsonrpc\":\"1.0\",\"id\":\"a\",\"method\":\"x\"}").unwrap();
        assert_eq!(id["id"], "a");
    }
}
