//! `serve`: the public listener, the console's own listener when it has one, and the metrics
//! listener, until SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use safepassage_store::Store;
use tokio::net::TcpListener;

use crate::settings::Settings;

/// The public, the console and the metrics listener, bound. Port 0 picks a free port;
/// `addresses` tells which.
pub struct Listeners {
    public: TcpListener,
    console: Option<TcpListener>,
    metrics: TcpListener,
}

/// Where each listener was bound.
pub struct Addresses {
    pub public: SocketAddr,
    pub console: Option<SocketAddr>,
    pub metrics: SocketAddr,
}

impl Listeners {
    pub async fn bind(settings: &Settings) -> anyhow::Result<Self> {
        let public = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let console = match settings.console_listen {
            Some(at) => {
                Some(TcpListener::bind(at).await.with_context(|| format!("cannot listen for the console on {at}"))?)
            }
            None => None,
        };
        let metrics = TcpListener::bind(settings.metrics_listen)
            .await
            .with_context(|| format!("cannot listen for metrics on {}", settings.metrics_listen))?;
        Ok(Self { public, console, metrics })
    }

    /// The addresses as bound.
    pub fn addresses(&self) -> anyhow::Result<Addresses> {
        let console = self.console.as_ref().map(TcpListener::local_addr).transpose()?;
        Ok(Addresses { public: self.public.local_addr()?, console, metrics: self.metrics.local_addr()? })
    }
}

impl Addresses {
    /// The line `serve` and `demo` print last: where the chat, the console and the metrics are.
    pub fn line(&self, what: &str) -> String {
        let console = match self.console {
            Some(console) => format!("http://{console}/console"),
            None => format!("http://{}/console", self.public),
        };
        format!("{what} at http://{}/ (console on {console}; metrics on http://{}/metrics)", self.public, self.metrics)
    }
}

/// `serve` itself: binds, says where on standard output, serves.
pub async fn run(store: Store, settings: &Settings) -> anyhow::Result<ExitCode> {
    let listeners = Listeners::bind(settings).await?;
    println!("{}", listeners.addresses()?.line("Safe Passage"));
    serve(store, settings, listeners).await
}

/// Serves on listeners already bound until SIGINT or SIGTERM.
pub async fn serve(store: Store, settings: &Settings, listeners: Listeners) -> anyhow::Result<ExitCode> {
    let at = listeners.addresses()?;
    let console_at = at.console.map(|a| a.to_string()).unwrap_or_else(|| "public listener".to_owned());
    tracing::info!(listen = %at.public, console = %console_at, metrics = %at.metrics, backend = store.backend_name(), "serving");
    let Listeners { public: listener, console, metrics } = listeners;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let state = safepassage_server::AppState::new(store.clone(), settings.server.clone());
    // The flow library on top of the shipped flows, then kept current: an import from the
    // command line or another node reaches this one within seconds.
    if let Err(e) = state.reload_flows().await {
        tracing::error!(error = %e, "the flow library does not load; running the shipped flows");
    }
    if let Err(e) = state.reload_figures_mapping().await {
        tracing::error!(error = %e, "the figures mapping does not load; counting with the shipped mapping");
    }
    tokio::spawn(safepassage_server::watch_flow_library(state.conversations.clone(), FLOW_LIBRARY_EVERY));
    // Flows waiting for an answer time out and expire on their own clock.
    tokio::spawn(safepassage_server::run_flow_timers(state.conversations.clone(), FLOW_TIMER_EVERY));
    // What the retention settings no longer keep is crypto-shredded on its own clock.
    tokio::spawn(safepassage_server::run_retention_timer(state.clone(), RETENTION_EVERY));
    let (public_router, console_server) = match console {
        Some(console) => {
            let router = safepassage_server::console_app(state.clone());
            let server = safepassage_server::launch(console, router, until(stopped.clone()));
            (safepassage_server::public_app(state), Some(server))
        }
        None => (safepassage_server::app(state), None),
    };
    let app = safepassage_server::launch(listener, public_router, until(stopped.clone()));
    let console_app = async {
        match console_server {
            Some(server) => server.await,
            None => Ok(()),
        }
    };
    let metrics_app = safepassage_server::launch(metrics, safepassage_server::metrics_router(store), until(stopped));
    let servers = async { tokio::try_join!(app, console_app, metrics_app).map(|_| ()) };
    tokio::pin!(servers);
    tokio::select! {
        result = &mut servers => result?,
        () = shutdown_signal() => {
            tracing::info!("shutting down");
            let _ = stop.send(true);
            // Open event streams never end by themselves: give requests in flight a moment,
            // then stop. Every acknowledged write is already committed.
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut servers).await.is_err() {
                tracing::info!("connections still open after the grace period; closing them");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

const FLOW_TIMER_EVERY: std::time::Duration = std::time::Duration::from_secs(5);
const RETENTION_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);
const FLOW_LIBRARY_EVERY: std::time::Duration = std::time::Duration::from_secs(5);
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

async fn until(mut stopped: tokio::sync::watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
