#![doc = include_str!("../README.md")]

pub mod api;
pub mod appeals;
pub mod auth;
pub mod availability;
pub mod collaborators;
pub mod config;
pub mod deals;
pub mod demo;
pub mod error;
pub mod follow_ups;
pub mod handover;
pub mod i18n;
pub mod identity;
pub mod jobs;
pub mod leads;
pub mod leaves;
pub mod merge;
pub mod notifications;
pub mod ownership;
pub mod pages;
pub mod pools;
pub mod routing;
pub mod simulator;
pub mod state;
pub mod tabular;

pub use config::ServerConfig;
pub use state::{AppState, Clock};

use axum::Router;
use kehu_store::{Store, StoreError};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

/// A built Kehu server: migrated store, bound listener, ready to run.
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Store(#[from] StoreError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
}

impl Server {
    /// Connects and migrates the database, and binds the listener (port 0 picks a free one).
    pub async fn build(config: ServerConfig) -> Result<Server, StartError> {
        let store = Store::connect(&config.database_url).await?;
        store.migrate().await?;
        Self::with_store(config, store, Clock::System).await
    }

    /// Builds on an already-open store with a chosen clock (tests, the demo command).
    pub async fn with_store(
        config: ServerConfig,
        store: Store,
        clock: Clock,
    ) -> Result<Server, StartError> {
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| StartError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let state = AppState {
            store,
            clock,
            config: Arc::new(config),
            throttles: Arc::new(Mutex::new(Default::default())),
            intake_limits: Arc::default(),
        };
        Ok(Server { listener, state })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| self.state.config.listen)
    }

    /// The state handlers see (for tests and the CLI).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

/// The whole application: API, pages, assets, with error rendering and request logging.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::router())
        .merge(pages::router(state.clone()))
        .layer(axum::middleware::from_fn(log_internal_errors))
        .with_state(state)
}

/// Logs internal errors once, at the boundary, with the request line.
async fn log_internal_errors(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (method, uri) = (req.method().clone(), req.uri().clone());
    let resp = next.run(req).await;
    if let Some(detail) = resp.extensions().get::<error::InternalDetail>() {
        tracing::error!(%method, %uri, status = %resp.status(), error = %detail.0, "request failed");
    }
    resp
}
