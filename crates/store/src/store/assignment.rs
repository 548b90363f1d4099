//! Who holds a case: coordinators give cases to specialists. The coordinators' "unassigned" list
//! is every open case no specialist holds yet.

use safepassage_domain::{Assignment, CaseError, CaseId, Role, UserId};

use super::Store;
use crate::error::StoreError;
use crate::model::{AccountStatus, CaseView};
use crate::ops::Op;

impl Store {
    /// Gives a case to a specialist (first or again), as the domain allows: the change of owner
    /// and its `CaseAssigned` event are one job. A case that changed hands meanwhile conflicts.
    pub async fn assign_case(&self, id: CaseId, to: UserId, by: UserId, by_role: Role) -> Result<(), StoreError> {
        let case = self.existing_case(id).await?;
        let target = self.user(to).await?.ok_or(StoreError::Case(CaseError::NotASpecialist))?;
        let assignment =
            Assignment { to, to_role: target.role, to_active: target.status == AccountStatus::Active, by, by_role };
        let event = case.as_domain().decide_assignment(case.assigned_to, assignment)?;
        self.submit(vec![Op::AssignCase { id, from: case.assigned_to, to }], vec![event]).await?;
        Ok(())
    }

    /// Open cases held by no specialist: the bot's registrations and the cases operators opened.
    pub async fn unassigned_cases(&self, limit: i64) -> Result<Vec<CaseView>, StoreError> {
        self.backend.unassigned_cases(limit).await
    }

    /// Active specialist accounts, by name: whom a case can be given to.
    pub async fn assignable_specialists(&self) -> Result<Vec<(UserId, String)>, StoreError> {
        Ok(self
            .users()
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Specialist && u.status == AccountStatus::Active)
            .map(|u| (u.id, u.name))
            .collect())
    }
}
