//! Waiting and silence: when the applicant's next contact is expected, their last contact, and
//! whether they are back now. The domain decides what is overdue and what comes first.

use safepassage_domain::{CaseId, CaseState, NextContact, Role, UserId, Waiting};

use super::{now_ms, Store};
use crate::error::StoreError;
use crate::ops::Op;

/// How one case waits for its applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseWait {
    pub case: CaseId,
    pub state: CaseState,
    pub holder: Option<UserId>,
    /// When the case entered its state.
    pub state_since_ms: i64,
    pub last_contact_ms: Option<i64>,
    /// The date the holder set (cleared by a contact and by a move).
    pub next_contact_ms: Option<i64>,
    /// A conversation of the case waits in the queue: the applicant is back.
    pub returning: bool,
    /// When the applicant last reported "I have been deployed".
    pub deployed_reported_ms: Option<i64>,
}

impl CaseWait {
    pub fn waiting(&self) -> Waiting {
        Waiting {
            state: self.state,
            state_since_ms: self.state_since_ms,
            last_contact_ms: self.last_contact_ms,
            next_contact_ms: self.next_contact_ms,
        }
    }
}

impl Store {
    /// The holder (or a coordinator) expects the next contact in `days` days; returns the date.
    /// The date and its `NextContactSet` event are one job.
    pub async fn set_next_contact(&self, id: CaseId, days: u32, by: UserId, by_role: Role) -> Result<i64, StoreError> {
        let case = self.existing_case(id).await?;
        let request = NextContact { days, now_ms: now_ms(), by, by_role };
        let event = case.as_domain().decide_next_contact(case.assigned_to, request)?;
        let next_ms = match &event {
            safepassage_domain::Event::NextContactSet { at_ms, .. } => *at_ms,
            _ => return Err(StoreError::Conflict("unexpected decision")),
        };
        self.submit(vec![Op::SetNextContact { id, next_ms }], vec![event]).await?;
        Ok(next_ms)
    }

    /// The applicant made contact: records it as the last contact, clearing any overdue state.
    /// The message or join that is the contact is its own event; this changes only the case.
    pub async fn record_contact(&self, id: CaseId) -> Result<(), StoreError> {
        self.submit(vec![Op::RecordContact { id }], Vec::new()).await?;
        Ok(())
    }

    /// The applicant reported "I have been deployed" in `conversation` (a flow's result): the
    /// case remembers it with its `DeployedReported` event, for the holder to confirm.
    pub async fn report_deployed(
        &self,
        case: CaseId,
        conversation: safepassage_domain::ConversationId,
    ) -> Result<(), StoreError> {
        let event = safepassage_domain::Event::DeployedReported { case, conversation };
        self.submit(vec![Op::ReportDeployed { id: case }], vec![event]).await?;
        Ok(())
    }

    /// How open cases wait: those `holder` holds, or all of them (coordinators' silent list).
    pub async fn case_waits(&self, holder: Option<UserId>, limit: i64) -> Result<Vec<CaseWait>, StoreError> {
        self.backend.case_waits(holder, limit).await
    }

    pub async fn case_wait(&self, id: CaseId) -> Result<Option<CaseWait>, StoreError> {
        self.backend.case_wait(id).await
    }

    /// The archive: finished cases (`states` among closed and exited) whose last change falls
    /// in `[from_ms, to_ms)`, the newest first, one page.
    pub async fn archived_cases(
        &self,
        states: &'static [CaseState],
        range: (i64, i64),
        page: (i64, i64),
    ) -> Result<Vec<crate::model::CaseView>, StoreError> {
        if states.iter().any(|s| s.is_open()) || states.is_empty() || states.len() > 2 {
            return Err(StoreError::Conflict("the archive holds closed and exited cases only"));
        }
        let mut out = Vec::new();
        for id in self.backend.archived_cases(states, range, page).await? {
            if let Some(case) = self.backend.case(id).await? {
                out.push(case);
            }
        }
        Ok(out)
    }
}
