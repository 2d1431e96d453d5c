//! A Lambda function URL request (payload format 2.0) answered in the
//! function URL's response format: the MCP endpoint with feature `mcp`,
//! HTTP 501 without.

use std::time::Instant;

use base64::Engine as _;
use lambda_runtime::Context;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use crate::event::UrlRequest;
use crate::resolver::Resolver;

impl<S: Clone + Send + Sync + 'static> Resolver<S> {
    /// Answers a function URL request with a function URL response
    /// (`statusCode`, `headers`, `body`): never a Lambda error.
    pub(crate) async fn answer_url(
        &self,
        request: UrlRequest,
        context: &Context,
        started: Instant,
    ) -> Box<RawValue> {
        let method = request.method.clone();
        let path = crate::fit::label_excerpt(&request.path);
        let response = self.url_response(request, context).await;
        tracing::info!(
            mode = "url",
            %method,
            %path,
            status = response.status().as_u16(),
            duration_us = started.elapsed().as_micros() as u64,
            response_bytes = response.body().len(),
            "function URL request answered"
        );
        let mut headers = Map::new();
        for (name, value) in response.headers() {
            if let Ok(value) = value.to_str() {
                headers.insert(name.as_str().to_owned(), Value::String(value.to_owned()));
            }
        }
        let (body, base64) = match String::from_utf8(response.body().clone()) {
            Ok(text) => (text, false),
            Err(e) => (
                base64::engine::general_purpose::STANDARD.encode(e.as_bytes()),
                true,
            ),
        };
        let answer = json!({
            "statusCode": response.status().as_u16(),
            "headers": headers,
            "body": body,
            "isBase64Encoded": base64,
            // Optional for Lambda; emulators (`cargo lambda watch`) read
            // the response as API Gateway's type, where it is not.
            "cookies": [],
        });
        // Serializer output, hence valid JSON.
        RawValue::from_string(answer.to_string()).unwrap_or_default()
    }

    #[cfg(feature = "mcp")]
    async fn url_response(
        &self,
        request: UrlRequest,
        context: &Context,
    ) -> http::Response<Vec<u8>> {
        use super::http::plain;
        let Some(body) = request.body else {
            return plain(
                http::StatusCode::BAD_REQUEST,
                "Bad Request: the body is marked base64 but is not base64.",
            );
        };
        let uri = if request.query.is_empty() {
            request.path
        } else {
            format!("{}?{}", request.path, request.query)
        };
        let mut builder = http::Request::builder()
            .method(request.method.as_str())
            .uri(uri);
        let mut has_host = false;
        for (name, value) in &request.headers {
            has_host |= name.eq_ignore_ascii_case("host");
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !has_host {
            builder = builder.header("host", "lambda-url");
        }
        match builder.body(body) {
            Ok(request) => self.mcp_http(request, context).await,
            Err(_) => plain(
                http::StatusCode::BAD_REQUEST,
                "Bad Request: the method, path or a header is not valid HTTP.",
            ),
        }
    }

    #[cfg(not(feature = "mcp"))]
    async fn url_response(
        &self,
        _request: UrlRequest,
        _context: &Context,
    ) -> http::Response<Vec<u8>> {
        let mut response = http::Response::new(
            b"Not Implemented: this function is built without actionkit's `mcp` feature, \
              so it serves no HTTP requests."
                .to_vec(),
        );
        *response.status_mut() = http::StatusCode::NOT_IMPLEMENTED;
        response
    }
}
