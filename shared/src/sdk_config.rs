//! The AWS SDK configuration, loaded without reading the platform's
//! certificate store at cold start.
//!
//! `aws_config::load_defaults` builds the SDK's default HTTPS client, which
//! loads the platform's root certificates as it is selected (on Debian the
//! bundle plus every file of `/etc/ssl/certs`) and parses them again for
//! each connector it builds. In a Lambda function that is several
//! milliseconds of every cold start. [`aws_sdk_config`] instead builds one
//! HTTPS client, with Mozilla's root certificates compiled into the binary
//! (already parsed), and hands it to `aws_config` so that nothing in the
//! loading chain builds another.
//!
//! The platform's store is still used when the operator asks for it: with
//! `SSL_CERT_FILE` or `SSL_CERT_DIR` set, the roots are read from there (and
//! only there), as OpenSSL and the SDK's default client do. Set one of them
//! for a corporate proxy's or a private CA's certificate, for example
//! `SSL_CERT_FILE=/etc/pki/tls/certs/ca-bundle.crt`.
//!
//! With a proxy configured (`HTTPS_PROXY`, `HTTP_PROXY` or `ALL_PROXY`, any
//! case), the client is the SDK's own connector instead, which tunnels
//! through the proxy (and honours `NO_PROXY`) and trusts the platform's
//! store, as `aws_config::load_defaults` would.

use std::borrow::Cow;
use std::collections::HashMap;
use std::error::Error as StdError;
use std::ffi::OsStr;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_config::environment::{
    EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider,
};
use aws_config::meta::region::ProvideRegion;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use aws_smithy_runtime_api::client::connection::{CaptureSmithyConnection, ConnectionMetadata};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::ErrorKind;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{CaptureConnection, HttpConnector as TcpConnector};
use hyper_util::client::legacy::connect::{HttpInfo, capture_connection};
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// The environment variables that select the platform's certificate store.
const CERT_FILE_VAR: &str = "SSL_CERT_FILE";
const CERT_DIR_VAR: &str = "SSL_CERT_DIR";
/// The proxy variables the SDK's connector reads (hyper-util's matcher).
const PROXY_VARS: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Why the AWS SDK's HTTPS client cannot be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SdkConfigError {
    /// `SSL_CERT_FILE` or `SSL_CERT_DIR` is set, but no root certificate
    /// could be loaded from it: every HTTPS call would fail.
    #[error("SSL_CERT_FILE / SSL_CERT_DIR is set but holds no usable root certificate{0}")]
    NoPlatformRoots(String),
    /// rustls refused the TLS configuration (a build fault).
    #[error("the TLS configuration cannot be built: {0}")]
    Tls(String),
}

/// Loads the AWS SDK configuration as `aws_config::load_defaults` does
/// (region, credentials, retry and timeout settings from the environment
/// and profile files), with the HTTPS client of [`aws_https_client`]: no
/// certificate file is read at cold start unless `SSL_CERT_FILE` or
/// `SSL_CERT_DIR` asks for the platform's store.
///
/// Call it once, at cold start, and build every SDK client from the result.
///
/// When the environment holds the region (`AWS_REGION` or
/// `AWS_DEFAULT_REGION`) or usable keys (`AWS_ACCESS_KEY_ID` with
/// `AWS_SECRET_ACCESS_KEY`), as it does on Lambda, they are taken from
/// there directly: the default chains would stop at the same link, so the
/// result is the same, without building the chains' other providers.
///
/// ```no_run
/// # async fn start() -> std::process::ExitCode {
/// let sdk = match actionkit::aws_sdk_config().await {
///     Ok(sdk) => sdk,
///     Err(e) => return actionkit::init_error("MyFunction.InvalidConfig", &e.to_string()).await,
/// };
/// let s3 = aws_sdk_s3::Client::from_conf(
///     aws_sdk_s3::config::Builder::from(&sdk)
///         .interceptor(actionkit::TraceHeader)
///         .build(),
/// );
/// # let _ = s3;
/// # std::process::ExitCode::SUCCESS
/// # }
/// ```
///
/// # Errors
///
/// [`SdkConfigError::NoPlatformRoots`] when the platform's store is asked
/// for and empty or unreadable.
pub async fn aws_sdk_config() -> Result<SdkConfig, SdkConfigError> {
    let http_client = aws_https_client()?;
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client);
    // Lambda puts the region and the role's keys in the environment, where
    // the default chains look first. Taking them from there directly gives
    // the same answer without building the rest of the chains (an STS
    // client, IMDS clients, the SSO and container providers): about a
    // third of a millisecond of every cold start. Without them, the
    // default chains run as usual.
    if let Some(region) = region_from_env().await {
        loader = loader.region(region);
    }
    if let Some(credentials) = credentials_from_env().await {
        loader = loader.credentials_provider(credentials);
    }
    Ok(loader.load().await)
}

/// The environment's region provider, when the default region chain's
/// first link (`AWS_REGION`, then `AWS_DEFAULT_REGION`) answers. Like
/// [`credentials_from_env`], the provider is asked rather than its rules
/// re-implemented.
async fn region_from_env() -> Option<EnvironmentVariableRegionProvider> {
    let provider = EnvironmentVariableRegionProvider::new();
    let answered = provider.region().await.is_some();
    answered.then_some(provider)
}

/// The environment's credentials provider, when the default credentials
/// chain's first link would give credentials (it stops there): asked, not
/// re-implemented, so that both read the same variables the same way.
async fn credentials_from_env() -> Option<EnvironmentVariableCredentialsProvider> {
    let provider = EnvironmentVariableCredentialsProvider::new();
    let answered = provider.provide_credentials().await.is_ok();
    answered.then_some(provider)
}

/// The HTTPS client [`aws_sdk_config`] gives the SDK, for a loader of your
/// own (`aws_config::defaults(..).region(..).http_client(..)`).
///
/// It trusts Mozilla's root certificates, compiled in (the `webpki-roots`
/// set), or with `SSL_CERT_FILE` / `SSL_CERT_DIR` set, the certificates
/// found there; with a proxy variable set, it is the SDK's own connector
/// (see the module docs). TLS is rustls on aws-lc-rs with the cipher suites the SDK's
/// own client allows; HTTP/2 is offered, plain `http://` endpoints (a local
/// emulator) work too. The SDK's connect and read timeouts apply; a
/// connector is kept per timeout pair, each with its connection pool.
///
/// ```
/// # fn main() -> Result<(), actionkit::SdkConfigError> {
/// let loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
///     .region(aws_config::Region::new("eu-central-1"))
///     .http_client(actionkit::aws_https_client()?);
/// # let _ = loader;
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// As [`aws_sdk_config`].
pub fn aws_https_client() -> Result<SharedHttpClient, SdkConfigError> {
    let proxied = PROXY_VARS
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()));
    let roots = TrustRoots::select(
        std::env::var_os(CERT_FILE_VAR).as_deref(),
        std::env::var_os(CERT_DIR_VAR).as_deref(),
        proxied,
    );
    if roots == TrustRoots::Proxied {
        return Ok(proxied_client());
    }
    let tls = Arc::new(tls_config(roots.store()?)?);
    Ok(SharedHttpClient::new(HttpsClient {
        tls,
        connectors: Arc::new(Mutex::new(HashMap::new())),
    }))
}

/// Which root certificates the client trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TrustRoots {
    /// Mozilla's roots, compiled in: nothing to read or parse.
    Compiled,
    /// `SSL_CERT_FILE` / `SSL_CERT_DIR`, read through `rustls-native-certs`
    /// (which then reads only those).
    Platform,
    /// A proxy is configured: the SDK's own connector, with its own trust
    /// store (the platform's).
    Proxied,
}

impl TrustRoots {
    /// The choice for the values of `SSL_CERT_FILE` and `SSL_CERT_DIR`, and
    /// whether a proxy variable is set: an operator who sets either
    /// certificate variable (to a non-empty value) wants that store; a
    /// proxy needs the SDK's connector.
    fn select(cert_file: Option<&OsStr>, cert_dir: Option<&OsStr>, proxied: bool) -> Self {
        let set = |value: Option<&OsStr>| value.is_some_and(|v| !v.is_empty());
        if proxied {
            Self::Proxied
        } else if set(cert_file) || set(cert_dir) {
            Self::Platform
        } else {
            Self::Compiled
        }
    }

    fn store(self) -> Result<rustls::RootCertStore, SdkConfigError> {
        match self {
            Self::Compiled => Ok(compiled_roots()),
            Self::Platform | Self::Proxied => {
                let loaded = rustls_native_certs::load_native_certs();
                let mut store = rustls::RootCertStore::empty();
                let (valid, _invalid) = store.add_parsable_certificates(loaded.certs);
                if valid == 0 {
                    let why = match loaded.errors.first() {
                        Some(e) => format!(" ({e})"),
                        None => String::new(),
                    };
                    return Err(SdkConfigError::NoPlatformRoots(why));
                }
                if !loaded.errors.is_empty() {
                    tracing::warn!(errors = ?loaded.errors, "some root certificates could not be loaded");
                }
                Ok(store)
            }
        }
    }
}

/// The SDK's default HTTPS connector (as aws-smithy-runtime builds it for
/// behavior version latest), with proxies from the environment.
fn proxied_client() -> SharedHttpClient {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    use aws_smithy_http_client::{Builder, ConnectorBuilder, proxy::ProxyConfig};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

fn compiled_roots() -> rustls::RootCertStore {
    rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

/// rustls on aws-lc-rs (the provider the SDK's own client uses), limited
/// to the SDK client's cipher suites.
fn tls_config(roots: rustls::RootCertStore) -> Result<rustls::ClientConfig, SdkConfigError> {
    const SUITES: [rustls::CipherSuite; 7] = [
        rustls::CipherSuite::TLS13_AES_256_GCM_SHA384,
        rustls::CipherSuite::TLS13_AES_128_GCM_SHA256,
        rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        rustls::CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        rustls::CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        rustls::CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    provider
        .cipher_suites
        .retain(|suite| SUITES.contains(&suite.suite()));
    Ok(
        rustls::ClientConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| SdkConfigError::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// Connect and read timeout: the SDK asks for a connector per pair.
type TimeoutKey = (Option<Duration>, Option<Duration>);

/// The SDK's `HttpClient`: one TLS configuration, a connector per timeout
/// pair.
#[derive(Clone)]
struct HttpsClient {
    tls: Arc<rustls::ClientConfig>,
    connectors: Arc<Mutex<HashMap<TimeoutKey, SharedHttpConnector>>>,
}

impl fmt::Debug for HttpsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpsClient").finish_non_exhaustive()
    }
}

impl HttpClient for HttpsClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let key = (settings.connect_timeout(), settings.read_timeout());
        // The map holds only finished connectors: a panic cannot leave it half-written.
        let mut connectors = self
            .connectors
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        connectors
            .entry(key)
            .or_insert_with(|| SharedHttpConnector::new(Connector::new(&self.tls, key)))
            .clone()
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        Some(ConnectorMetadata::new("hyper", Some(Cow::Borrowed("1.x"))))
    }
}

/// A hyper client (its own connection pool) with the timeouts of one key.
struct Connector {
    client: Client<HttpsConnector<TcpConnector>, SdkBody>,
    read_timeout: Option<Duration>,
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connector")
            .field("read_timeout", &self.read_timeout)
            .finish_non_exhaustive()
    }
}

impl Connector {
    fn new(tls: &rustls::ClientConfig, (connect_timeout, read_timeout): TimeoutKey) -> Self {
        let mut tcp = TcpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(connect_timeout);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls.clone())
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(tcp);
        let client = Client::builder(TokioExecutor::new())
            // Idle pooled connections expire only with a timer.
            .pool_timer(TokioTimer::new())
            .build(https);
        Self {
            client,
            read_timeout,
        }
    }
}

impl HttpConnector for Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let mut request = match request.try_into_http1x() {
            Ok(request) => request,
            Err(e) => return HttpConnectorFuture::ready(Err(ConnectorError::user(e.into()))),
        };
        // The SDK's retries poison a connection that failed mid-request.
        let captured = capture_connection(&mut request);
        if let Some(capture) = request.extensions().get::<CaptureSmithyConnection>() {
            capture.set_connection_retriever(move || connection_metadata(&captured));
        }
        let response = self.client.request(request);
        let read_timeout = self.read_timeout;
        HttpConnectorFuture::new(async move {
            let response = match read_timeout {
                Some(limit) => match tokio::time::timeout(limit, response).await {
                    Ok(response) => response,
                    Err(elapsed) => return Err(ConnectorError::timeout(elapsed.into())),
                },
                None => response.await,
            };
            match response {
                Ok(response) => HttpResponse::try_from(response.map(SdkBody::from_body_1_x))
                    .map_err(|e| ConnectorError::other(e.into(), None)),
                Err(e) => Err(classify(e)),
            }
        })
    }
}

fn connection_metadata(captured: &CaptureConnection) -> Option<ConnectionMetadata> {
    let connected = captured.connection_metadata();
    let connected = connected.as_ref()?;
    let mut extras = http::Extensions::new();
    connected.get_extras(&mut extras);
    let info = extras.get::<HttpInfo>();
    let poison = captured.clone();
    let mut metadata = ConnectionMetadata::builder()
        .proxied(connected.is_proxied())
        .poison_fn(move || {
            if let Some(connected) = poison.connection_metadata().as_ref() {
                connected.poison();
            }
        });
    metadata
        .set_local_addr(info.map(HttpInfo::local_addr))
        .set_remote_addr(info.map(HttpInfo::remote_addr));
    Some(metadata.build())
}

/// The error and everything under it; an `io::Error`'s next is its payload
/// (its `source()` skips the payload, where hyper-rustls puts rustls's error).
fn chain<'a>(
    error: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |&error| {
        match error.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
            None => error.source(),
        }
    })
}

/// What the SDK's retry strategy needs to know of a failed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// TLS refused the peer (an untrusted certificate, a wrong name): not
    /// retried, it would fail again.
    Refused,
    Timeout,
    User,
    /// The connection failed or closed: retried.
    Io,
    /// The response was cut short: retried.
    Transient,
    Other,
}

impl Failure {
    /// The failure `error` (and what it wraps) is; `connect` when hyper-util
    /// says it happened while connecting.
    fn of(error: &(dyn StdError + 'static), connect: bool) -> Self {
        if chain(error).any(|e| e.is::<rustls::Error>()) {
            return Self::Refused;
        }
        let timed_out = chain(error).any(|e| {
            e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        });
        if timed_out {
            return Self::Timeout;
        }
        if let Some(hyper) = chain(error).find_map(|e| e.downcast_ref::<hyper::Error>()) {
            if hyper.is_timeout() {
                return Self::Timeout;
            }
            if hyper.is_user() {
                return Self::User;
            }
            if hyper.is_closed() || hyper.is_canceled() {
                return Self::Io;
            }
            if hyper.is_incomplete_message() {
                return Self::Transient;
            }
        }
        let refused_stream = chain(error).any(|e| {
            e.downcast_ref::<h2::Error>().is_some_and(|h2| {
                h2.is_go_away()
                    || (h2.is_reset() && h2.reason() == Some(h2::Reason::REFUSED_STREAM))
            })
        });
        if refused_stream || connect || chain(error).any(|e| e.is::<std::io::Error>()) {
            return Self::Io;
        }
        Self::Other
    }
}

fn classify(error: hyper_util::client::legacy::Error) -> ConnectorError {
    let failure = Failure::of(&error, error.is_connect());
    let error = error.into();
    match failure {
        Failure::Refused | Failure::Other => ConnectorError::other(error, None),
        Failure::Timeout => ConnectorError::timeout(error),
        Failure::User => ConnectorError::user(error),
        Failure::Io => ConnectorError::io(error),
        Failure::Transient => ConnectorError::other(error, Some(ErrorKind::TransientError)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_roots_unless_the_operator_names_a_store_or_a_proxy() {
        let path = OsStr::new("/etc/ssl/certs/ca-certificates.crt");
        let dir = OsStr::new("/etc/ssl/certs");
        let empty = OsStr::new("");
        let select = |file, dir| TrustRoots::select(file, dir, false);
        assert_eq!(select(None, None), TrustRoots::Compiled);
        assert_eq!(select(Some(empty), Some(empty)), TrustRoots::Compiled);
        assert_eq!(select(Some(path), None), TrustRoots::Platform);
        assert_eq!(select(None, Some(dir)), TrustRoots::Platform);
        assert_eq!(select(Some(empty), Some(dir)), TrustRoots::Platform);
        assert_eq!(select(Some(path), Some(dir)), TrustRoots::Platform);
        // A proxy takes the SDK's connector, whatever the certificates.
        assert_eq!(TrustRoots::select(None, None, true), TrustRoots::Proxied);
        assert_eq!(
            TrustRoots::select(Some(path), None, true),
            TrustRoots::Proxied
        );
    }

    #[test]
    fn compiled_roots_include_amazon_root_ca_1() {
        let roots = compiled_roots();
        assert!(roots.roots.len() > 100, "{} roots", roots.roots.len());
        // The subject is DER: the common name appears as its UTF-8 bytes.
        let amazon = b"Amazon Root CA 1";
        assert!(
            roots.roots.iter().any(|anchor| anchor
                .subject
                .as_ref()
                .windows(amazon.len())
                .any(|w| w == amazon)),
            "no Amazon Root CA 1 among the compiled roots"
        );
    }

    #[test]
    fn the_tls_configuration_builds_with_the_compiled_roots() {
        let config = tls_config(compiled_roots());
        assert!(config.is_ok(), "{config:?}");
    }

    #[test]
    fn a_refused_certificate_is_not_retried_and_a_reset_is() {
        // hyper-rustls nests rustls's error two io::Errors deep.
        let refused = std::io::Error::other(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        ));
        assert_eq!(Failure::of(&refused, true), Failure::Refused);
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert_eq!(Failure::of(&reset, false), Failure::Io);
        let timed_out = std::io::Error::other(std::io::Error::from(std::io::ErrorKind::TimedOut));
        assert_eq!(Failure::of(&timed_out, true), Failure::Timeout);
        let other = std::fmt::Error;
        assert_eq!(Failure::of(&other, false), Failure::Other);
        assert_eq!(Failure::of(&other, true), Failure::Io);
    }
}

#[cfg(test)]
mod wire {
    //! The client against a local HTTP server: an SDK call goes out and
    //! its answer comes back; a server that never answers is a timeout.

    use std::time::Duration;

    use aws_sdk_s3::config::{Credentials, Region};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    const LIST: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <ListAllMyBucketsResult><Buckets><Bucket><Name>probe</Name></Bucket></Buckets>\
        </ListAllMyBucketsResult>";

    fn s3(endpoint: String, read_timeout: Option<Duration>) -> aws_sdk_s3::Client {
        let Ok(http) = super::aws_https_client() else {
            panic!("the client builds with the compiled-in roots");
        };
        s3_with(http, endpoint, read_timeout)
    }

    fn s3_with(
        http: aws_smithy_runtime_api::client::http::SharedHttpClient,
        endpoint: String,
        read_timeout: Option<Duration>,
    ) -> aws_sdk_s3::Client {
        let mut timeouts = aws_sdk_s3::config::timeout::TimeoutConfig::builder();
        if let Some(t) = read_timeout {
            timeouts = timeouts.read_timeout(t);
        }
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "test"))
            .endpoint_url(endpoint)
            .force_path_style(true)
            .timeout_config(timeouts.build())
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
            .http_client(http)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// A server that answers one ListBuckets; its task returns the request.
    async fn list_buckets_server()
    -> std::io::Result<(String, tokio::task::JoinHandle<std::io::Result<String>>)> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await?;
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = socket.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{LIST}",
                LIST.len()
            );
            socket.write_all(answer.as_bytes()).await?;
            Ok::<_, std::io::Error>(String::from_utf8_lossy(&request).into_owned())
        });
        Ok((endpoint, server))
    }

    #[tokio::test]
    async fn an_sdk_call_round_trips_over_plain_http() -> Result<(), Box<dyn std::error::Error>> {
        let (endpoint, server) = list_buckets_server().await?;
        let out = s3(endpoint, None).list_buckets().send().await?;
        let names: Vec<_> = out.buckets().iter().filter_map(|b| b.name()).collect();
        assert_eq!(names, ["probe"]);
        let request = server.await??;
        assert!(
            request.starts_with("GET /?x-id=ListBuckets HTTP/1.1"),
            "{request}"
        );
        assert!(
            request
                .to_ascii_lowercase()
                .contains("authorization: aws4-hmac-sha256")
        );
        Ok(())
    }

    #[tokio::test]
    async fn the_proxy_capable_client_round_trips_too() -> Result<(), Box<dyn std::error::Error>> {
        // No proxy variable is set here, so nothing is intercepted.
        let (endpoint, server) = list_buckets_server().await?;
        let out = s3_with(super::proxied_client(), endpoint, None)
            .list_buckets()
            .send()
            .await?;
        assert_eq!(out.buckets().len(), 1);
        server.await??;
        Ok(())
    }

    #[tokio::test]
    async fn a_server_that_never_answers_is_a_timeout() -> Result<(), Box<dyn std::error::Error>> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        // Accepts and holds the connection, never answering.
        let _server = tokio::spawn(async move {
            let held = listener.accept().await;
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(held);
        });
        let started = std::time::Instant::now();
        let result = s3(endpoint, Some(Duration::from_millis(200)))
            .list_buckets()
            .send()
            .await;
        let Err(error) = result else {
            panic!("a server that never answers gave an answer");
        };
        let timed_out = matches!(
            &error,
            aws_sdk_s3::error::SdkError::DispatchFailure(f) if f.is_timeout()
        ) || matches!(&error, aws_sdk_s3::error::SdkError::TimeoutError(_));
        assert!(timed_out, "{error:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        Ok(())
    }
}
