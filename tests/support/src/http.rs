//! Just enough HTTP/1.1 over `std::net` for the test harness: one request
//! per connection (`Connection: close`), bodies by `Content-Length` or
//! chunked. Used to talk to moto's JSON APIs and to route between moto and
//! the Lambda emulator, without an SDK per service in the tests.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::Duration;

/// A parsed HTTP message: the first line, the headers and the body.
#[derive(Debug, Clone, Default)]
pub struct HttpMessage {
    /// `GET /path HTTP/1.1`, or `HTTP/1.1 200 OK`.
    pub start: String,
    /// Header names and values, as sent.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl HttpMessage {
    /// A header's value (names compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The status code of a response.
    pub fn status(&self) -> u16 {
        self.start
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The message as bytes, with `Content-Length` set and no
    /// `Transfer-Encoding` or `Connection` (the body is whole).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{}\r\n", self.start).into_bytes();
        for (name, value) in &self.headers {
            let lower = name.to_ascii_lowercase();
            if ["content-length", "transfer-encoding", "connection"].contains(&lower.as_str()) {
                continue;
            }
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                self.body.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&self.body);
        out
    }
}

/// Reads one HTTP message from `reader`; `None` at end of stream.
pub fn read_message(reader: &mut impl BufRead) -> Option<HttpMessage> {
    let mut start = String::new();
    if reader.read_line(&mut start).ok()? == 0 {
        return None;
    }
    let mut message = HttpMessage {
        start: start.trim_end().to_owned(),
        ..HttpMessage::default()
    };
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            message
                .headers
                .push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let chunked = message
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            if size == 0 {
                break;
            }
            message.body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = message.header("content-length") {
        let mut body = vec![0; length.parse().ok()?];
        reader.read_exact(&mut body).ok()?;
        message.body = body;
    } else if message.start.starts_with("HTTP/") {
        // A response without a length ends with the connection.
        reader.read_to_end(&mut message.body).ok()?;
    }
    Some(message)
}

/// Serves on a free port of 127.0.0.1 until the process ends: each
/// connection gets a thread, and `answer` turns each request read on it into
/// the response bytes. Returns the port.
pub fn serve_loopback(answer: impl Fn(HttpMessage) -> Vec<u8> + Send + Sync + 'static) -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap_or_else(|e| panic!("no free port on 127.0.0.1: {e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let answer = std::sync::Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let answer = std::sync::Arc::clone(&answer);
            std::thread::spawn(move || {
                let Ok(mut writer) = stream.try_clone() else {
                    return;
                };
                let mut reader = BufReader::new(stream);
                // Keep-alive clients (a Lambda runtime) send several requests.
                while let Some(request) = read_message(&mut reader) {
                    if writer.write_all(&answer(request)).is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

/// Sends `request` to 127.0.0.1:`port` on a new connection and returns the
/// response (or `Err` when the peer does not answer in time).
pub fn send(port: u16, request: &HttpMessage) -> Result<HttpMessage, String> {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))
        .map_err(|e| format!("connect 127.0.0.1:{port}: {e}"))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(120)));
    let mut request = request.clone();
    request
        .headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("host"));
    request
        .headers
        .push(("Host".into(), format!("127.0.0.1:{port}")));
    stream
        .write_all(&request.to_bytes())
        .map_err(|e| format!("write to {port}: {e}"))?;
    read_message(&mut BufReader::new(stream)).ok_or_else(|| format!("no answer from {port}"))
}

/// A SigV4-shaped `Authorization` header naming `service`: moto reads the
/// service and region from it (it does not check the signature).
pub fn moto_auth(service: &str) -> (String, String) {
    (
        "Authorization".into(),
        format!(
            "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"
        ),
    )
}

/// One call of an AWS JSON-protocol API (`X-Amz-Target`) of `service`, as
/// moto serves them: `Ok(body)` on 2xx, `Err((status, body))` otherwise.
pub fn aws_json(
    port: u16,
    service: &str,
    target: &str,
    body: &serde_json::Value,
) -> Result<serde_json::Value, (u16, String)> {
    let request = HttpMessage {
        start: "POST / HTTP/1.1".into(),
        headers: vec![
            ("X-Amz-Target".into(), target.into()),
            ("Content-Type".into(), "application/x-amz-json-1.0".into()),
            moto_auth(service),
        ],
        body: body.to_string().into_bytes(),
    };
    let response = send(port, &request).map_err(|e| (0, e))?;
    if (200..300).contains(&response.status()) {
        Ok(serde_json::from_slice(&response.body).unwrap_or(serde_json::Value::Null))
    } else {
        Err((response.status(), response.text()))
    }
}
