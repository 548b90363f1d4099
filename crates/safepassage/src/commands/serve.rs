//! `serve`: the public listener and the metrics listener, until SIGINT or SIGTERM.

use std::process::ExitCode;

use anyhow::Context;
use safepassage_store::Store;
use tokio::net::TcpListener;

use crate::settings::Settings;

pub async fn run(store: Store, settings: &Settings) -> anyhow::Result<ExitCode> {
    let listener =
        TcpListener::bind(settings.listen).await.with_context(|| format!("cannot listen on {}", settings.listen))?;
    let metrics = TcpListener::bind(settings.metrics_listen)
        .await
        .with_context(|| format!("cannot listen for metrics on {}", settings.metrics_listen))?;
    tracing::info!(listen = %settings.listen, metrics = %settings.metrics_listen, backend = store.backend_name(), "serving");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let state = safepassage_server::AppState::new(store.clone(), settings.server.clone());
    let app = safepassage_server::launch(listener, safepassage_server::app(state), until(stopped.clone()));
    let metrics_app = safepassage_server::launch(metrics, safepassage_server::metrics_router(store), until(stopped));
    let signal = async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        let _ = stop.send(true);
    };
    let (app, metrics_app, ()) = tokio::join!(app, metrics_app, signal);
    app?;
    metrics_app?;
    Ok(ExitCode::SUCCESS)
}

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
