//! Staff accounts: password hashes as given (Argon2id PHC strings), TOTP secrets sealed.

use safepassage_domain::{Event, Role, UserId};
use uuid::Uuid;

use super::{bound_to, Store};
use crate::backend::RawUser;
use crate::error::StoreError;
use crate::model::UserRecord;
use crate::ops::Op;

const TOTP_SECRET: &str = "users.totp_ct";

impl Store {
    pub async fn create_user(
        &self,
        name: &str,
        role: Role,
        password_hash: String,
        totp_secret: &[u8],
    ) -> Result<UserId, StoreError> {
        if self.backend.user_by_name(name).await?.is_some() {
            return Err(StoreError::Conflict("a user with this name exists"));
        }
        let id = UserId(Uuid::now_v7());
        let totp_ct = self.keys.staff.seal(&bound_to(TOTP_SECRET, &id.0), totp_secret);
        let op = Op::InsertUser { id, name: name.to_owned(), role, password_hash, totp_ct };
        self.submit(vec![op], vec![Event::UserCreated { user: id, role }]).await?;
        Ok(id)
    }

    pub async fn user_by_name(&self, name: &str) -> Result<Option<UserRecord>, StoreError> {
        self.backend.user_by_name(name).await?.map(|u| self.open_user(u)).transpose()
    }

    pub async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        self.backend.user(id).await?.map(|u| self.open_user(u)).transpose()
    }

    /// Records a login attempt and the account's lock-out state in one step.
    pub async fn record_login(
        &self,
        user: UserId,
        success: bool,
        failed_logins: i64,
        locked_until_ms: i64,
    ) -> Result<(), StoreError> {
        let event = if success { Event::UserLoggedIn { user } } else { Event::UserLoginFailed { user } };
        self.submit(vec![Op::SetLoginState { user, failed_logins, locked_until_ms }], vec![event]).await?;
        Ok(())
    }

    pub(super) fn open_user(&self, u: RawUser) -> Result<UserRecord, StoreError> {
        let totp_secret = self.keys.staff.open(&bound_to(TOTP_SECRET, &u.id), &u.totp_ct)?;
        Ok(UserRecord {
            id: UserId(u.id),
            name: u.name,
            role: u.role.parse().map_err(|e: safepassage_domain::ParseError| StoreError::Database(e.to_string()))?,
            password_hash: u.password_hash,
            totp_secret,
            failed_logins: u.failed_logins,
            locked_until_ms: u.locked_until_ms,
        })
    }
}
