//! Screening flags: any staff member within a case's need-to-know (checked by the caller) can
//! flag it as a possible provocation with a reason. The reason is sealed under the case's data
//! key, bound to the flag and its author, so it goes with the case when the case is shredded;
//! the event says only who flagged which case.

use safepassage_domain::screening::flag::{flag_reason, FlagError};
use safepassage_domain::{CaseId, Event, UserId};
use uuid::Uuid;

use super::{sealed, Store};
use crate::error::StoreError;
use crate::model::Body;
use crate::ops::Op;

/// A flag on a case, its reason opened (or shredded with the case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFlagView {
    pub id: Uuid,
    pub by: UserId,
    pub reason: Body,
    pub at_ms: i64,
}

impl Store {
    /// Flags a case as a possible provocation; refused with a conflict when the reason is
    /// empty or too long, or the case was shredded.
    pub async fn flag_case(&self, case: CaseId, by: UserId, reason: &str) -> Result<Uuid, StoreError> {
        let reason = flag_reason(reason).map_err(|e| match e {
            FlagError::Empty => StoreError::Conflict("a flag needs a reason"),
            FlagError::TooLong => StoreError::Conflict("the reason is too long"),
        })?;
        let view = self.existing_case(case).await?;
        let key = self
            .keys
            .data_key(self.backend.as_ref(), view.key_id)
            .await?
            .ok_or(StoreError::Conflict("the case was shredded"))?;
        let id = Uuid::now_v7();
        let reason_ct = sealed::seal_flag(&key, &id, &by.0, reason);
        let op = Op::InsertCaseFlag { id, case, by, reason_ct };
        self.submit(vec![op], vec![Event::CaseFlaggedSuspicious { case, by }]).await?;
        Ok(id)
    }

    /// The flags of a case, oldest first, their reasons opened.
    pub async fn case_flags(&self, case: CaseId) -> Result<Vec<CaseFlagView>, StoreError> {
        let raw = self.backend.case_flags(case).await?;
        let mut out = Vec::with_capacity(raw.len());
        for f in raw {
            let key = match f.key_alive {
                true => self.keys.data_key(self.backend.as_ref(), f.key_id).await?,
                false => None,
            };
            let reason = match key {
                Some(key) => {
                    let plain = sealed::open_flag(&key, &f.id, &f.by, &f.reason_ct)?;
                    Body::Text(String::from_utf8_lossy(&plain).into_owned())
                }
                None => Body::Shredded,
            };
            out.push(CaseFlagView { id: f.id, by: UserId(f.by), reason, at_ms: f.at_ms });
        }
        Ok(out)
    }
}
