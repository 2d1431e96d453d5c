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
    /// Starts listening for SIGTERM and SIGINT. When the signal handlers
    /// cannot be installed (no signal support), shutdown is never requested
    /// and the process ends as before, by being stopped.
    pub(crate) fn listen() -> Self {
        let (tx, requested) = watch::channel(false);
        tokio::spawn(async move {
            if let Some(signal) = signal().await {
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
async fn signal() -> Option<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let (mut term, mut int) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(term), Ok(int)) => (term, int),
        _ => {
            tracing::warn!("signal handlers unavailable: no graceful shutdown");
            return None;
        }
    };
    tokio::select! {
        _ = term.recv() => Some("SIGTERM"),
        _ = int.recv() => Some("SIGINT"),
    }
}

#[cfg(not(unix))]
async fn signal() -> Option<&'static str> {
    tokio::signal::ctrl_c().await.ok().map(|()| "Ctrl-C")
}
