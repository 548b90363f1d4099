//! `user`: staff accounts from the command line. `add` and `reset` print a one-time password,
//! valid 24 hours, with which the owner chooses a password and enrols TOTP at the first login
//! (no administrator sees the TOTP secret); `disable`, `enable`, `unlock` and `role` as on the
//! console's users page. Every change is an event by the nil user (the command line).

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use safepassage_domain::{Role, UserId};
use safepassage_store::{Store, UserRecord};
use totp_rs::{Algorithm, TOTP};

use crate::cli::UserCommand;

pub const TOTP_ISSUER: &str = "Safe Passage";
/// How long a one-time password works (the console's is the same).
const ONE_TIME_VALID_MS: i64 = 24 * 60 * 60 * 1000;

pub async fn run(store: &Store, command: UserCommand) -> anyhow::Result<ExitCode> {
    let by = UserId::SYSTEM;
    match command {
        UserCommand::Add { role, name } => {
            let role: Role = role.parse()?;
            validate_name(&name)?;
            let (password, hash, expires) = new_one_time().await?;
            let id = store.create_pending_user(&name, role, hash, expires).await.context("cannot create the user")?;
            println!("user {name} ({role}) created: {id}");
            print_one_time(&password);
        }
        UserCommand::Reset { name } => {
            let user = named(store, &name).await?;
            let (password, hash, expires) = new_one_time().await?;
            store.reset_user(user.id, hash, expires, by).await?;
            println!("user {name} reset: password, TOTP and sessions revoked");
            print_one_time(&password);
        }
        UserCommand::Disable { name } => {
            store.disable_user(named(store, &name).await?.id, by).await?;
            println!("user {name} disabled; its sessions have ended");
        }
        UserCommand::Enable { name } => {
            store.enable_user(named(store, &name).await?.id, by).await.context("the account is not disabled")?;
            println!("user {name} enabled");
        }
        UserCommand::Unlock { name } => {
            store.unlock_user(named(store, &name).await?.id, by).await?;
            println!("user {name} unlocked");
        }
        UserCommand::Role { name, role } => {
            let role: Role = role.parse()?;
            store.set_role(named(store, &name).await?.id, role, by).await?;
            println!("user {name} is now {role}; its sessions have ended");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn named(store: &Store, name: &str) -> anyhow::Result<UserRecord> {
    store.user_by_name(name).await?.with_context(|| format!("no user named {name}"))
}

fn print_one_time(password: &str) {
    println!("one-time password: {password}");
    println!("valid for 24 hours: at the first login (name and this password, no code) the owner chooses");
    println!("a password and adds the account to an authenticator app");
}

/// A one-time password, its hash and when it stops working.
async fn new_one_time() -> anyhow::Result<(zeroize::Zeroizing<String>, String, i64)> {
    let password = zeroize::Zeroizing::new(one_time_password()?);
    let to_hash = password.clone();
    let hash = tokio::task::spawn_blocking(move || safepassage_keys::password::hash(&to_hash)).await?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
    Ok((password, hash, i64::try_from(now)?.saturating_add(ONE_TIME_VALID_MS)))
}

/// An active account with a known password and TOTP secret, for the demo (whose logins are
/// public knowledge) only; returns its id.
pub async fn create_active(
    store: &Store,
    role: Role,
    name: &str,
    password: &str,
    totp_secret: &[u8],
) -> anyhow::Result<UserId> {
    validate_name(name)?;
    let password = zeroize::Zeroizing::new(password.to_owned());
    let hash = tokio::task::spawn_blocking(move || safepassage_keys::password::hash(&password)).await?;
    store.create_user(name, role, hash, totp_secret).await.context("cannot create the user")
}

pub fn totp(name: &str, secret: &[u8]) -> anyhow::Result<TOTP> {
    TOTP::new(Algorithm::SHA1, 6, 1, 30, secret.to_vec(), Some(TOTP_ISSUER.to_owned()), name.to_owned())
        .map_err(|e| anyhow::anyhow!("TOTP setup failed: {e}"))
}

fn validate_name(name: &str) -> anyhow::Result<()> {
    let ok = (2..=64).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    anyhow::ensure!(ok, "a login name has 2 to 64 characters: letters, digits, '.', '_' or '-'");
    Ok(())
}

/// 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I): about 100 bits.
fn one_time_password() -> anyhow::Result<String> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = random_bytes::<40>()?;
    Ok(bytes
        .iter()
        .filter(|b| usize::from(**b) < 256 - 256 % ALPHABET.len())
        .take(20)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

fn random_bytes<const N: usize>() -> anyhow::Result<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::getrandom(&mut out).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(out)
}
