//! The bench's staff: accounts with a known password and TOTP secret (as the demo makes them,
//! `store.create_user`), and logging in over HTTP with password and code, as a browser does.

use anyhow::Context;
use safepassage_domain::{Role, UserId};
use safepassage_store::Store;

/// Every bench account has this password; the database is thrown away after the run.
const PASSWORD: &str = "bench-console-password-7f3a";
/// Specialists besides the measured one, who hold the rest of the cases.
pub const OTHER_SPECIALISTS: usize = 10;

/// Who acts in the seeded world.
#[derive(Debug, Clone)]
pub struct Cast {
    /// The one whose queue, cases and case pages are measured.
    pub me: UserId,
    pub others: Vec<UserId>,
    pub operator: UserId,
    /// Measured for the unassigned list; approves plans.
    pub coordinator: UserId,
    /// Hands plans off (four eyes: not the approver).
    pub coordinator2: UserId,
    pub operations: UserId,
}

pub const ME: &str = "bench-specialist";
pub const COORDINATOR: &str = "bench-coordinator";

fn secret(name: &str) -> Vec<u8> {
    format!("bench-totp-secret-{name}-0123456789").into_bytes()
}

pub(crate) async fn create(store: &Store, role: Role, name: &str) -> anyhow::Result<UserId> {
    let hash = tokio::task::spawn_blocking(|| safepassage_keys::password::hash(PASSWORD)).await?;
    Ok(store.create_user(name, role, hash, &secret(name)).await?)
}

impl Cast {
    pub async fn create(store: &Store) -> anyhow::Result<Cast> {
        let mut others = Vec::with_capacity(OTHER_SPECIALISTS);
        for i in 0..OTHER_SPECIALISTS {
            others.push(create(store, Role::Specialist, &format!("bench-specialist-{i:02}")).await?);
        }
        Ok(Cast {
            me: create(store, Role::Specialist, ME).await?,
            others,
            operator: create(store, Role::Operator, "bench-operator").await?,
            coordinator: create(store, Role::Coordinator, COORDINATOR).await?,
            coordinator2: create(store, Role::Coordinator, "bench-coordinator2").await?,
            operations: create(store, Role::Operations, "bench-operations").await?,
        })
    }
}

/// Logs `name` in through the console's login form; returns the `Cookie` header value of its
/// session.
pub async fn login(base: &str, name: &str) -> anyhow::Result<String> {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let page = client.get(format!("{base}/console/login")).send().await?;
    let nonce = cookies(&page);
    let html = page.text().await?;
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .context("the login form has no csrf field")?
        .to_owned();
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret(name), None, name.to_owned())
        .map_err(|e| anyhow::anyhow!("TOTP: {e}"))?;
    let code = totp.generate_current()?;
    let form = [("csrf", csrf.as_str()), ("username", name), ("password", PASSWORD), ("totp", code.as_str())];
    let response = client.post(format!("{base}/console/login")).header("Cookie", nonce).form(&form).send().await?;
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
    anyhow::ensure!(
        response.status() == 303 && !location.starts_with("/console/login"),
        "login of {name} refused ({} to {location})",
        response.status()
    );
    let session = cookies(&response);
    anyhow::ensure!(session.contains("sp_staff="), "login of {name} set no session cookie");
    Ok(session)
}

/// The `name=value` pairs a response sets, as one `Cookie` header value.
fn cookies(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|c| c.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}
