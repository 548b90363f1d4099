//! Staff accounts: password hashes as given (Argon2id PHC strings), TOTP secrets sealed, and the
//! account's life (pending → active ↔ disabled, reset back to pending), each change an event.

use std::time::Duration;

use safepassage_domain::{Event, Role, UserId};
use uuid::Uuid;

use super::{bound_to, Store};
use crate::backend::RawUser;
use crate::error::StoreError;
use crate::model::{AccountStatus, UserRecord};
use crate::ops::Op;

const TOTP_SECRET: &str = "users.totp_ct";
const TOTP_PENDING: &str = "users.totp_pending_ct";

impl Store {
    /// An active account with a password and TOTP secret already set: for tests, the demo and
    /// tools that enrol people by other means. Administrators make pending accounts.
    pub async fn create_user(
        &self,
        name: &str,
        role: Role,
        password_hash: String,
        totp_secret: &[u8],
    ) -> Result<UserId, StoreError> {
        self.insert_user(name, role, password_hash, totp_secret, AccountStatus::Active, 0).await
    }

    /// A pending account: its one-time password (hashed) works until `expires_ms` and only to
    /// choose a password and enrol TOTP; nobody but its owner ever sees the TOTP secret.
    pub async fn create_pending_user(
        &self,
        name: &str,
        role: Role,
        one_time_hash: String,
        expires_ms: i64,
    ) -> Result<UserId, StoreError> {
        self.insert_user(name, role, one_time_hash, &[], AccountStatus::Pending, expires_ms).await
    }

    async fn insert_user(
        &self,
        name: &str,
        role: Role,
        password_hash: String,
        totp_secret: &[u8],
        status: AccountStatus,
        password_expires_ms: i64,
    ) -> Result<UserId, StoreError> {
        if self.backend.user_by_name(name).await?.is_some() {
            return Err(StoreError::Conflict("a user with this name exists"));
        }
        let id = UserId(Uuid::now_v7());
        let totp_ct = self.keys.staff.seal(&bound_to(TOTP_SECRET, &id.0), totp_secret);
        let op = Op::InsertUser {
            id,
            name: name.to_owned(),
            role,
            password_hash,
            totp_ct,
            status: status.as_str(),
            password_expires_ms,
        };
        self.submit(vec![op], vec![Event::UserCreated { user: id, role }]).await?;
        Ok(id)
    }

    pub async fn user_by_name(&self, name: &str) -> Result<Option<UserRecord>, StoreError> {
        self.backend.user_by_name(name).await?.map(|u| self.open_user(u)).transpose()
    }

    pub async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        self.backend.user(id).await?.map(|u| self.open_user(u)).transpose()
    }

    /// Counts a login attempt before its password is checked, atomically: true if the attempt
    /// may go on, false if the account is locked (then nothing changed). The attempt that
    /// reaches `max_failures` locks the account for `lockout`; a successful login
    /// (`start_session`) clears the count.
    pub async fn claim_login_attempt(
        &self,
        user: UserId,
        max_failures: i64,
        lockout: Duration,
    ) -> Result<bool, StoreError> {
        let lockout_ms = i64::try_from(lockout.as_millis()).unwrap_or(i64::MAX / 4);
        match self.submit(vec![Op::ClaimLoginAttempt { user, max_failures, lockout_ms }], Vec::new()).await {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Records a refused login on an account (the attempt was already counted).
    pub async fn login_failed(&self, user: UserId) -> Result<(), StoreError> {
        self.submit(Vec::new(), vec![Event::UserLoginFailed { user }]).await?;
        Ok(())
    }

    /// Keeps a new TOTP secret for the owner to confirm (`None`: forgets it).
    pub async fn set_pending_totp(&self, user: UserId, secret: Option<&[u8]>) -> Result<(), StoreError> {
        let sealed = secret.map(|s| self.keys.staff.seal(&bound_to(TOTP_PENDING, &user.0), s));
        // Its owner just proved the password (or logged in): the failure count starts again.
        let op = update(user, |u| {
            u.totp_pending_ct = Some(sealed);
            u.unlock = true;
        });
        self.submit(vec![op], Vec::new()).await?;
        Ok(())
    }

    /// The owner of a pending account chose a password and confirmed `secret` with a code: the
    /// account is active, and its sessions (opened with the one-time password) end.
    pub async fn activate_user(&self, user: UserId, password_hash: String, secret: &[u8]) -> Result<(), StoreError> {
        let totp_ct = self.keys.staff.seal(&bound_to(TOTP_SECRET, &user.0), secret);
        let op = update(user, |u| {
            u.if_status = Some(AccountStatus::Pending.as_str());
            u.status = Some(AccountStatus::Active.as_str());
            u.password = Some((password_hash, 0));
            u.totp_ct = Some(totp_ct);
            u.totp_pending_ct = Some(None);
            u.unlock = true;
        });
        let ops = vec![op, Op::DeleteUserSessions { user, except: None }];
        self.submit(ops, vec![Event::UserActivated { user }]).await?;
        Ok(())
    }

    /// The owner changed their password; their other sessions end.
    pub async fn change_password(
        &self,
        user: UserId,
        password_hash: String,
        keep_session: [u8; 32],
    ) -> Result<(), StoreError> {
        let op = update(user, |u| {
            u.if_status = Some(AccountStatus::Active.as_str());
            u.password = Some((password_hash, 0));
            u.unlock = true;
        });
        let ops = vec![op, Op::DeleteUserSessions { user, except: Some(keep_session) }];
        self.submit(ops, vec![Event::UserPasswordChanged { user }]).await?;
        Ok(())
    }

    /// The owner confirmed a new TOTP secret with a code; their other sessions end.
    pub async fn enrol_totp(&self, user: UserId, secret: &[u8], keep_session: [u8; 32]) -> Result<(), StoreError> {
        let totp_ct = self.keys.staff.seal(&bound_to(TOTP_SECRET, &user.0), secret);
        let op = update(user, |u| {
            u.if_status = Some(AccountStatus::Active.as_str());
            u.totp_ct = Some(totp_ct);
            u.totp_pending_ct = Some(None);
        });
        let ops = vec![op, Op::DeleteUserSessions { user, except: Some(keep_session) }];
        self.submit(ops, vec![Event::UserTotpEnrolled { user }]).await?;
        Ok(())
    }

    /// Shuts an account off: it cannot log in, and its sessions end at once.
    pub async fn disable_user(&self, user: UserId, by: UserId) -> Result<(), StoreError> {
        let op = update(user, |u| u.status = Some(AccountStatus::Disabled.as_str()));
        let ops = vec![op, Op::DeleteUserSessions { user, except: None }];
        self.submit(ops, vec![Event::UserDisabled { user, by }]).await?;
        Ok(())
    }

    /// Lets a disabled account in again: active if it has TOTP enrolled, else pending.
    pub async fn enable_user(&self, user: UserId, by: UserId) -> Result<(), StoreError> {
        let record = self.user(user).await?.ok_or(StoreError::NotFound("user"))?;
        let to = if record.totp_secret.is_empty() { AccountStatus::Pending } else { AccountStatus::Active };
        let op = update(user, |u| {
            u.if_status = Some(AccountStatus::Disabled.as_str());
            u.status = Some(to.as_str());
        });
        self.submit(vec![op], vec![Event::UserEnabled { user, by }]).await?;
        Ok(())
    }

    /// Lifts a lock-out (and clears the failure count).
    pub async fn unlock_user(&self, user: UserId, by: UserId) -> Result<(), StoreError> {
        self.submit(vec![update(user, |u| u.unlock = true)], vec![Event::UserUnlocked { user, by }]).await?;
        Ok(())
    }

    /// Back to pending with a new one-time password: the old password, the TOTP secret and
    /// every session are gone.
    pub async fn reset_user(
        &self,
        user: UserId,
        one_time_hash: String,
        expires_ms: i64,
        by: UserId,
    ) -> Result<(), StoreError> {
        let empty = self.keys.staff.seal(&bound_to(TOTP_SECRET, &user.0), &[]);
        let op = update(user, |u| {
            u.status = Some(AccountStatus::Pending.as_str());
            u.password = Some((one_time_hash, expires_ms));
            u.totp_ct = Some(empty);
            u.totp_pending_ct = Some(None);
            u.unlock = true;
        });
        let ops = vec![op, Op::DeleteUserSessions { user, except: None }];
        self.submit(ops, vec![Event::UserReset { user, by }]).await?;
        Ok(())
    }

    /// A new role; the account's sessions end at once (its pages were drawn for the old one).
    pub async fn set_role(&self, user: UserId, role: Role, by: UserId) -> Result<(), StoreError> {
        let from = self.user(user).await?.ok_or(StoreError::NotFound("user"))?.role;
        let op = update(user, |u| u.role = Some(role));
        let ops = vec![op, Op::DeleteUserSessions { user, except: None }];
        self.submit(ops, vec![Event::UserRoleChanged { user, from, to: role, by }]).await?;
        Ok(())
    }

    pub(super) fn open_user(&self, u: RawUser) -> Result<UserRecord, StoreError> {
        let totp_secret = self.keys.staff.open(&bound_to(TOTP_SECRET, &u.id), &u.totp_ct)?;
        let totp_pending =
            u.totp_pending_ct.map(|ct| self.keys.staff.open(&bound_to(TOTP_PENDING, &u.id), &ct)).transpose()?;
        let status = AccountStatus::parse(&u.status)
            .ok_or_else(|| StoreError::Database(format!("unknown account status {:?}", u.status)))?;
        Ok(UserRecord {
            id: UserId(u.id),
            name: u.name,
            role: u.role.parse().map_err(|e: safepassage_domain::ParseError| StoreError::Database(e.to_string()))?,
            password_hash: u.password_hash,
            totp_secret,
            failed_logins: u.failed_logins,
            locked_until_ms: u.locked_until_ms,
            status,
            password_expires_ms: u.password_expires_ms,
            totp_pending,
        })
    }
}

/// The fields of an `UpdateUser` op to change; the rest stay as they are.
struct UserUpdate {
    if_status: Option<&'static str>,
    status: Option<&'static str>,
    role: Option<Role>,
    password: Option<(String, i64)>,
    totp_ct: Option<Vec<u8>>,
    totp_pending_ct: Option<Option<Vec<u8>>>,
    unlock: bool,
}

fn update(user: UserId, change: impl FnOnce(&mut UserUpdate)) -> Op {
    let mut u = UserUpdate {
        if_status: None,
        status: None,
        role: None,
        password: None,
        totp_ct: None,
        totp_pending_ct: None,
        unlock: false,
    };
    change(&mut u);
    Op::UpdateUser {
        user,
        if_status: u.if_status,
        status: u.status,
        role: u.role,
        password: u.password,
        totp_ct: u.totp_ct,
        totp_pending_ct: u.totp_pending_ct,
        unlock: u.unlock,
    }
}
