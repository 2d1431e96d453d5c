//! The stdio lines rmcp never answers, answered as JSON-RPC says.
//!
//! rmcp's stdio transport drops a line it cannot decode as a JSON-RPC
//! message: the client waits for an answer that never comes. Here every
//! stdin line is looked at first: text that is not JSON gets `-32700`, JSON
//! that is not a request object (a batch, a number, an object without
//! `jsonrpc: "2.0"` and a `method`) gets `-32600`; the rest goes to rmcp
//! (an oversized `tools/call` is answered there, with its id, as a tool
//! error naming the limit). A notification or response before `initialize`
//! is dropped, since rmcp would end the session on it.
//!
//! What rmcp would misanswer is settled here too: every message is decoded
//! as rmcp decodes it, and one it cannot read (a request's `params` of the
//! wrong shape, an `id` that is a bool, an object, null or no integer) is
//! answered with its id when it is a request that has one (`-32602`;
//! rmcp would answer `-32600` with a null id) and dropped when it is a
//! notification or a response (rmcp would answer those, which JSON-RPC
//! forbids). A line longer than rmcp reads ([`MAX_LINE_BYTES`]; rmcp drops
//! it unanswered) is not buffered whole: it gets `-32600` with the id its
//! beginning names. A leading byte order mark is not part of the message.
//! Both
//! kinds of answer reach stdout through one writer, a whole line at a time,
//! so they never interleave.

// Only the `mcp` feature's stdio server runs the filter; its tests run
// without it too.
#![cfg_attr(not(feature = "mcp"), allow(dead_code))]

use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde_json::{Value, json};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream,
};
use tokio::sync::mpsc;

/// Room in each in-process pipe between the filter, rmcp and the writer.
const PIPE_BYTES: usize = 64 * 1024;

/// The longest line (its newline included) read: rmcp's own limit, past
/// which it drops a line unanswered.
pub(crate) const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;
#[cfg(feature = "mcp")]
const _: () = assert!(MAX_LINE_BYTES == rmcp::transport::async_rw::DEFAULT_MAX_LINE_LENGTH);

/// A method name is quoted back at most this long.
const MAX_QUOTED_METHOD: usize = 64;

/// What one stdin line is, as far as the filter cares.
#[derive(Debug, PartialEq)]
pub(crate) enum Line {
    /// Not a JSON-RPC message: answered with this error, never forwarded.
    Refused(Value),
    /// A request (`initialize` or not).
    Request { initialize: bool },
    /// A notification or a response: nothing answers it.
    Unanswered,
    /// A notification or a response rmcp cannot decode: dropped, since rmcp
    /// would answer it.
    Dropped,
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
        Some(id) if rmcp_reads_id(id) => id.clone(),
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
    let kind = match fields.get("method") {
        Some(Value::String(_)) if fields.get("id").is_some_and(|i| !rmcp_reads_id(i)) => {
            return Line::Refused(error(
                Value::Null,
                -32600,
                "Invalid Request: `id` must be a string or an integer.".into(),
            ));
        }
        Some(Value::String(method)) if fields.contains_key("id") => Line::Request {
            initialize: method == "initialize",
        },
        Some(Value::String(_)) => Line::Unanswered,
        None if is_response => Line::Unanswered,
        _ => {
            return Line::Refused(error(
                id,
                -32600,
                "Invalid Request: `method` must be a string.".into(),
            ));
        }
    };
    if rmcp_decodes(line) {
        return kind;
    }
    match (kind, fields.get("method")) {
        (Line::Request { .. }, Some(Value::String(method))) => Line::Refused(error(
            id,
            -32602,
            format!(
                "Invalid params: the `params` of `{}` do not have the shape the method takes.",
                crate::decode::truncate(method, MAX_QUOTED_METHOD)
            ),
        )),
        _ => Line::Dropped,
    }
}

/// Whether rmcp reads `id` as a request id (a string or an `i64`).
fn rmcp_reads_id(id: &Value) -> bool {
    match id {
        Value::String(_) => true,
        Value::Number(n) => n.as_i64().is_some(),
        _ => false,
    }
}

/// Whether rmcp decodes `line` as a client message (it answers one it
/// cannot with `-32600` and a null id, whatever it was).
#[cfg(feature = "mcp")]
fn rmcp_decodes(line: &[u8]) -> bool {
    serde_json::from_slice::<rmcp::model::ClientJsonRpcMessage>(line).is_ok()
}

#[cfg(not(feature = "mcp"))]
fn rmcp_decodes(_line: &[u8]) -> bool {
    true
}

/// The answer to a line longer than [`MAX_LINE_BYTES`], with the id its
/// first `prefix` bytes name (null when they name none rmcp reads).
fn oversized(prefix: &[u8]) -> Value {
    let id = leading_id(prefix)
        .filter(rmcp_reads_id)
        .unwrap_or(Value::Null);
    error(
        id,
        -32600,
        format!(
            "Invalid Request: the line is longer than {MAX_LINE_BYTES} bytes, the most read. \
             Send less data, or a reference to it."
        ),
    )
}

/// The `id` member of the object `text` begins with, read member by member
/// up to it (the text may be cut anywhere after it).
fn leading_id(text: &[u8]) -> Option<Value> {
    struct LeadingId<'a>(&'a mut Option<Value>);
    impl<'de> Visitor<'de> for LeadingId<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON-RPC object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                if key == "id" {
                    *self.0 = Some(map.next_value::<Value>()?);
                    return Ok(());
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }
    let mut id = None;
    let mut reader = serde_json::Deserializer::from_slice(text);
    // The error the cut (or the early return) makes is expected.
    let _ = serde::Deserializer::deserialize_map(&mut reader, LeadingId(&mut id));
    id
}

/// Reads one line into `line` (cleared first), its newline included, but
/// never more than `max` bytes of it: `Some(true)` for a whole line,
/// `Some(false)` for a longer one (consumed to its end, `line` holding its
/// first `max` bytes), `None` at the end of input.
async fn read_line<R: AsyncBufRead + Unpin>(
    input: &mut R,
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<bool>> {
    line.clear();
    let mut whole = true;
    loop {
        let available = input.fill_buf().await?;
        if available.is_empty() {
            return Ok((!line.is_empty()).then_some(whole));
        }
        let newline = available.iter().position(|b| *b == b'\n');
        let take = newline.map_or(available.len(), |i| i + 1);
        if whole {
            let room = max - line.len();
            whole = take <= room;
            line.extend_from_slice(&available[..take.min(room)]);
        }
        input.consume(take);
        if newline.is_some() {
            return Ok(Some(whole));
        }
    }
}

/// `line` without surrounding ASCII whitespace (a CRLF's `\r` included)
/// and a leading UTF-8 byte order mark.
fn trimmed(line: &[u8]) -> &[u8] {
    let line = line.trim_ascii();
    line.strip_prefix(b"\xef\xbb\xbf".as_slice())
        .map_or(line, <[u8]>::trim_ascii)
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
            let Some(whole) = read_line(&mut lines, &mut line, MAX_LINE_BYTES).await? else {
                break;
            };
            if !whole {
                tracing::warn!(
                    max = MAX_LINE_BYTES,
                    "MCP: a line too long to read, refused"
                );
                let _ = refusals.send(oversized(&line));
                continue;
            }
            let text = trimmed(&line);
            if text.is_empty() {
                continue;
            }
            match screen(text) {
                Line::Refused(answer) => {
                    let _ = refusals.send(answer);
                    continue;
                }
                Line::Dropped => {
                    tracing::debug!("MCP: a notification or response rmcp cannot read, ignored");
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

    fn code_and_id(line: &[u8]) -> Option<(i64, Value)> {
        match screen(line) {
            Line::Refused(answer) => Some((
                answer["error"]["code"].as_i64().unwrap_or(0),
                answer["id"].clone(),
            )),
            _ => None,
        }
    }

    /// rmcp reads a string or an `i64` as a request id and answers anything
    /// else with a null id after the fact: refused here, as JSON-RPC says.
    #[test]
    fn request_ids_rmcp_cannot_read_are_invalid_requests() {
        for id in [
            "true",
            "false",
            "null",
            "{}",
            r#"{"a":1}"#,
            "[1]",
            "1.5",
            "1.0",
            "1e3",
            "9223372036854775808",
            "-9223372036854775809",
        ] {
            let line = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#);
            assert_eq!(
                code_and_id(line.as_bytes()),
                Some((-32600, Value::Null)),
                "{line}"
            );
        }
        for id in ["0", "-1", "9223372036854775807", r#""""#, r#""\u00e9 x""#] {
            let line = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#);
            assert_eq!(
                screen(line.as_bytes()),
                Line::Request { initialize: false },
                "{line}"
            );
        }
    }

    /// What rmcp cannot decode is answered with its id when it is a request
    /// (rmcp would say `-32600` with a null id) and dropped otherwise (rmcp
    /// would answer a notification).
    #[cfg(feature = "mcp")]
    #[test]
    fn messages_rmcp_cannot_decode_are_answered_with_their_id_or_dropped() {
        for (line, id) in [
            (
                r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":5}"#,
                json!(4),
            ),
            (
                r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":[]}"#,
                json!(0),
            ),
        ] {
            assert_eq!(code_and_id(line.as_bytes()), Some((-32602, id)), "{line}");
        }
        for line in [
            r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":7}"#,
            r#"{"jsonrpc":"2.0","id":true,"result":{}}"#,
        ] {
            assert_eq!(screen(line.as_bytes()), Line::Dropped, "{line}");
        }
        // An unknown method is rmcp's to answer (method not found), unless
        // rmcp cannot read it (MCP's `params` are an object).
        let line = br#"{"jsonrpc":"2.0","id":1,"method":"x/y","params":{"a":[1]}}"#;
        assert_eq!(screen(line), Line::Request { initialize: false });
        let line = br#"{"jsonrpc":"2.0","id":1,"method":"x/y","params":[1]}"#;
        assert_eq!(code_and_id(line), Some((-32602, json!(1))));
    }

    #[test]
    fn a_byte_order_mark_and_crlf_are_not_the_message() {
        let line = b"\xef\xbb\xbf {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n";
        assert_eq!(
            trimmed(line),
            br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
        );
        assert_eq!(screen(trimmed(line)), Line::Request { initialize: false });
        assert_eq!(trimmed(b"\xef\xbb\xbf\r\n"), b"");
        // Invalid UTF-8 is not JSON text.
        assert_eq!(
            code_and_id(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"x\":\"\xff\"}"),
            Some((-32700, Value::Null))
        );
    }

    #[test]
    fn the_id_of_a_cut_line_is_read_from_its_beginning() {
        let cases: [(&[u8], Option<Value>); 6] = [
            (
                br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"x":"aaa"#,
                Some(json!(7)),
            ),
            (
                br#"{"method":"tools/call","params":{"a":[1,{"b":2}]},"id":"k","x"#,
                Some(json!("k")),
            ),
            (
                br#"{"jsonrpc":"2.0","method":"tools/call","params":{"x":"aaa"#,
                None,
            ),
            (br#"{"jsonrpc":"2.0","id":tr"#, None),
            (b"[1,2", None),
            (b"", None),
        ];
        for (text, id) in cases {
            assert_eq!(leading_id(text), id, "{}", String::from_utf8_lossy(text));
        }
        assert_eq!(oversized(br#"{"id":true,"#)["id"], Value::Null);
        assert_eq!(oversized(br#"{"id":3,"#)["id"], 3);
    }

    /// A line past [`MAX_LINE_BYTES`] is answered (with its id) without
    /// being forwarded, and the lines after it are read as usual.
    #[tokio::test(flavor = "current_thread")]
    async fn an_oversized_line_is_refused_with_its_id_and_the_next_is_read() {
        let mut input = br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"t","arguments":{"x":""#.to_vec();
        input.resize(MAX_LINE_BYTES + 10, b'a');
        input.extend_from_slice(b"\"}}}\r\n");
        input.extend_from_slice(
            b"\xef\xbb\xbf{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"initialize\"}",
        );
        let (output, mut answers) = tokio::io::duplex(1 << 20);
        let (mut rmcp_reads, rmcp_writes, pump) = filtered(input.as_slice(), output);
        let forwarded = async move {
            let mut forwarded = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut rmcp_reads, &mut forwarded)
                .await
                .unwrap();
            // Input read to its end: rmcp "ends the session".
            drop(rmcp_writes);
            forwarded
        };
        let (pumped, forwarded) = tokio::join!(pump, forwarded);
        pumped.unwrap();
        assert_eq!(
            forwarded,
            b"{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"initialize\"}\n"
        );
        let mut text = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut answers, &mut text)
            .await
            .unwrap();
        let answer: Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(answer["id"], 7);
        assert_eq!(answer["error"]["code"], -32600);
        assert!(text.len() < 300, "{text}");
    }
}
