//! Any contact from a case's applicant: the case's last contact, and its holder told at once.

use safepassage_store::StoreError;

use crate::Conversations;

impl Conversations {
    /// Any contact from the applicant of a case: recorded as the case's last contact (clearing
    /// an overdue contact), and its holder's console is told at once.
    pub async fn applicant_contact(&self, case: safepassage_domain::CaseId) -> Result<(), StoreError> {
        self.store.record_contact(case).await?;
        let holder = self.store.case_wait(case).await?.and_then(|w| w.holder);
        self.hub.case_signal(crate::hub::CaseSignal { case, holder, kind: crate::hub::CaseSignalKind::Contact });
        Ok(())
    }
}
