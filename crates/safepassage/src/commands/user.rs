//! `user add`: a staff account with a one-time password and a TOTP enrolment URI.

use std::process::ExitCode;

use anyhow::Context;
use safepassage_domain::Role;
use safepassage_store::Store;
use totp_rs::{Algorithm, TOTP};

pub const TOTP_ISSUER: &str = "Safe Passage";

pub async fn add(store: &Store, role: &str, name: &str) -> anyhow::Result<ExitCode> {
    let role: Role = role.parse()?;
    let password = one_time_password()?;
    let secret = random_bytes::<20>()?;
    let (id, uri) = create(store, role, name, &password, &secret).await?;
    println!("user {name} ({role}) created: {id}");
    println!("one-time password: {password}");
    println!("TOTP enrolment URI: {uri}");
    Ok(ExitCode::SUCCESS)
}

/// Creates an account; returns its id and TOTP enrolment URI.
pub async fn create(
    store: &Store,
    role: Role,
    name: &str,
    password: &str,
    totp_secret: &[u8],
) -> anyhow::Result<(safepassage_domain::UserId, String)> {
    validate_name(name)?;
    let uri = totp(name, totp_secret)?.get_url();
    let password = zeroize::Zeroizing::new(password.to_owned());
    let hash = tokio::task::spawn_blocking(move || safepassage_keys::password::hash(&password)).await?;
    let id = store.create_user(name, role, hash, totp_secret).await.context("cannot create the user")?;
    Ok((id, uri))
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
