//! Where a benchmark writes: a fresh SQLite file in a temporary directory, or a fresh schema in
//! the local PostgreSQL server (dropped afterwards).

use anyhow::Context;
use safepassage_keys::MasterKey;
use safepassage_store::{KeySource, StoreConfig};

pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

pub struct Target {
    pub backend: Backend,
    pub url: String,
    base_url: String,
    schema: Option<String>,
    _dir: tempfile::TempDir,
}

impl Target {
    pub async fn create(backend: Backend, postgres_url: Option<String>) -> anyhow::Result<Target> {
        let dir = tempfile::tempdir()?;
        match backend {
            Backend::Sqlite => {
                let url = format!("sqlite:{}", dir.path().join("bench.db").display());
                Ok(Target { backend, base_url: url.clone(), url, schema: None, _dir: dir })
            }
            Backend::Postgres => {
                let base = postgres_url
                    .or_else(|| std::env::var("SAFEPASSAGE_TEST_POSTGRES_URL").ok())
                    .unwrap_or_else(|| DEFAULT_POSTGRES.into());
                let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
                let pool = sqlx::PgPool::connect(&base).await.context("cannot reach PostgreSQL")?;
                sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&pool).await?;
                pool.close().await;
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
                Ok(Target { backend, url, base_url: base, schema: Some(schema), _dir: dir })
            }
        }
    }

    pub fn store_config(&self) -> StoreConfig {
        let mut config = StoreConfig::new(self.url.clone(), KeySource::Hex(MasterKey::generate().to_hex()));
        config.fast_codename_hash = true;
        config
    }

    /// Leaves the SQLite file (its temporary directory) or the PostgreSQL schema in place, to
    /// be measured again.
    pub fn keep(self) {
        let _ = self._dir.keep();
    }

    pub async fn drop_schema(&self) -> anyhow::Result<()> {
        if let Some(schema) = &self.schema {
            let pool = sqlx::PgPool::connect(&self.base_url).await?;
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&pool).await?;
            pool.close().await;
        }
        Ok(())
    }
}
