//! Graceful shutdown: SIGTERM (what Lambda sends before it stops an
//! execution environment) and SIGINT (Ctrl-C locally) stop the workers from
//! taking new invocations; the runtime loop then lets the ones in flight
//! finish within the shutdown window.

use tokio::sync::watch;

/// A shutdown signal every worker can wait on; cloning is cheap.
#[derive(Debug, Clone)]
pub(crate) struct Shutdown {
    requested: watch::Receiver<bool>,
}

impl Shutdown {
    /// Starts listening for SIGTERM and SIGINT. The handlers are installed
    /// before this returns, so a signal that arrives during the first
    /// `/next` is already graceful. When they cannot be installed (no
    /// signal support), shutdown is never requested and the process ends as
    /// before, by being stopped.
    pub(crate) fn listen() -> Self {
        let (tx, requested) = watch::channel(false);
        let signals = Signals::install();
        tokio::spawn(async move {
            if let Some(signal) = signals.recv().await {
                tracing::info!(signal, "shutdown requested: no new invocations");
                let _ = tx.send(true);
            } else {
                // Keep the sender alive: a dropped sender is no request.
                std::future::pending::<()>().await;
            }
        });
        Self { requested }
    }

    /// Resolves once shutdown was requested (never, without signals).
    pub(crate) async fn requested(&self) {
        let mut requested = self.requested.clone();
        if requested.wait_for(|r| *r).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(unix)]
struct Signals(Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>);

#[cfg(unix)]
impl Signals {
    fn install() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(term), Ok(int)) => Self(Some((term, int))),
            _ => {
                tracing::warn!("signal handlers unavailable: no graceful shutdown");
                Self(None)
            }
        }
    }

    async fn recv(self) -> Option<&'static str> {
        let (mut term, mut int) = self.0?;
        tokio::select! {
            _ = term.recv() => Some("SIGTERM"),
            _ = int.recv() => Some("SIGINT"),
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> Self {
        Self
    }

    async fn recv(self) -> Option<&'static str> {
        tokio::signal::ctrl_c().await.ok().map(|()| "Ctrl-C")
    }
}
