//! Harness: a server on an ephemeral port with a fresh store, and staff accounts with known
//! passwords and TOTP secrets.

mod basics;
mod case_assignment;
mod case_holding;
mod chat_api;
mod chat_flows;
mod chat_pages;
mod chat_returning;
mod chat_session_end;
mod codename_guesses;
mod console;
mod console_accounts;
mod console_flows;
mod console_login_limits;
mod console_need_to_know;
mod console_roles;
mod console_russian;
mod console_work;
mod exit_plan;
mod figures;
mod flow_webhooks;
pub mod location;
mod location_flow;
mod one_person_three_channels;
mod rate_limits;
mod safe_exit_walk;
mod screening;
mod shredding;
mod telegram;
pub mod telegram_user;
mod voice;

use safepassage_domain::{Role, UserId};
use safepassage_keys::MasterKey;
use safepassage_server::{AppState, ServerConfig};
use safepassage_store::{KeySource, Store, StoreConfig};

#[allow(dead_code)]
pub struct TestServer {
    pub base: String,
    pub state: AppState,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Where a test server keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    Sqlite,
    Postgres,
}

/// A staff account the tests can log in with.
#[allow(dead_code)]
pub struct Staff {
    pub id: UserId,
    pub name: String,
    pub password: String,
    pub totp_secret: Vec<u8>,
}

#[allow(dead_code)]
impl Staff {
    /// The TOTP code valid now.
    pub fn totp_now(&self) -> String {
        totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, self.totp_secret.clone(), None, "t".into())
            .unwrap()
            .generate_current()
            .unwrap()
    }
}

#[allow(dead_code)]
impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with(ServerConfig::default()).await
    }

    pub async fn start_with(config: ServerConfig) -> TestServer {
        TestServer::start_on(Database::Sqlite, config).await
    }

    /// A server on `database`: a fresh SQLite file, or a fresh schema in the PostgreSQL on
    /// 127.0.0.1:5432 (or `SAFEPASSAGE_TEST_POSTGRES_URL`).
    pub async fn start_on(database: Database, config: ServerConfig) -> TestServer {
        TestServer::start_on_at(database, |_| config).await
    }

    /// `start_on` with the settings made once the server's address (`http://127.0.0.1:PORT`)
    /// is known: a voice line's public URL is the server's own in tests.
    pub async fn start_on_at(database: Database, config: impl FnOnce(&str) -> ServerConfig) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = config(&base);
        let dir = tempfile::tempdir().unwrap();
        let url = match database {
            Database::Sqlite => format!("sqlite:{}", dir.path().join("test.db").display()),
            Database::Postgres => {
                let base = std::env::var("SAFEPASSAGE_TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let pool = sqlx::PgPool::connect(&base).await.unwrap();
                sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&pool).await.unwrap();
                pool.close().await;
                let sep = if base.contains('?') { '&' } else { '?' };
                format!("{base}{sep}options=-csearch_path%3D{schema}")
            }
        };
        let mut store_config = StoreConfig::new(url, KeySource::Hex(MasterKey::generate().to_hex()));
        store_config.fast_codename_hash = true;
        let store = Store::open(store_config).await.unwrap();
        let state = AppState::new(store, config);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = safepassage_server::app(state.clone());
        tokio::spawn(safepassage_server::launch(listener, app, async {
            let _ = stopped.await;
        }));
        TestServer { base, state, _dir: dir, _stop: stop }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A staff account with a known password and TOTP secret.
    pub async fn staff(&self, role: Role, name: &str) -> Staff {
        let password = format!("pw-{name}-correct-horse");
        let totp_secret = format!("totp-secret-{name}-0123456789").into_bytes();
        let hash = safepassage_keys::password::hash(&password);
        let id = self.state.store.create_user(name, role, hash, &totp_secret).await.unwrap();
        Staff { id, name: name.to_owned(), password, totp_secret }
    }
}

/// A client that keeps cookies and never follows redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A new web conversation whose applicant asked the intake for a person ("оператор"), so it
/// waits in the operators' queue: ((), the conversation as stored now, the bot's first
/// messages).
#[allow(dead_code)]
pub async fn queued_chat(
    state: &AppState,
    language: safepassage_domain::Language,
) -> ((), safepassage_store::ConversationView, Vec<safepassage_store::MessageView>) {
    let (_, conversation, messages) = state.start_web_chat(language).await.unwrap();
    state.applicant_says(&conversation, "оператор").await.unwrap();
    let conversation = state.store.conversation(conversation.id).await.unwrap().unwrap();
    assert_eq!(conversation.status, safepassage_store::ConversationStatus::Queued);
    ((), conversation, messages)
}
