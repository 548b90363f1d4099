//! Staff sessions: the database keeps only a hash of each session token, so a copy of the
//! database gives no way into the console.

use safepassage_domain::{Event, UserId};

use super::Store;
use crate::error::StoreError;
use crate::model::{StaffSession, UserRecord};
use crate::ops::Op;

impl Store {
    /// Records a successful login and its new session in one step.
    pub async fn start_session(&self, token_hash: [u8; 32], user: UserId) -> Result<(), StoreError> {
        let ops = vec![
            Op::SetLoginState { user, failed_logins: 0, locked_until_ms: 0 },
            Op::InsertSession { token_hash, user },
        ];
        self.submit(ops, vec![Event::UserLoggedIn { user }]).await?;
        Ok(())
    }

    pub async fn session(&self, token_hash: [u8; 32]) -> Result<Option<StaffSession>, StoreError> {
        self.backend.session(token_hash).await
    }

    /// Moves a session's idle clock on (callers do it at most once a minute per session).
    pub async fn touch_session(&self, token_hash: [u8; 32]) -> Result<(), StoreError> {
        self.submit(vec![Op::TouchSession { token_hash }], Vec::new()).await?;
        Ok(())
    }

    /// Ends a session: logout, or idle timeout (then `user` is None and no event is written).
    pub async fn end_session(&self, token_hash: [u8; 32], user: Option<UserId>) -> Result<(), StoreError> {
        let events = user.map(|user| vec![Event::UserLoggedOut { user }]).unwrap_or_default();
        self.submit(vec![Op::DeleteSession { token_hash }], events).await?;
        Ok(())
    }

    /// Every staff account, for the admin pages.
    pub async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        self.backend.users().await?.into_iter().map(|u| self.open_user(u)).collect()
    }
}
