//! A codename issued from the console by the case's holder: a new random codename replaces
//! the stored hash (the old one stops working at the commit), and is returned once.

use safepassage_domain::{CaseId, Codename, Role, UserId};

use super::cases::random_codename;
use super::Store;
use crate::error::StoreError;
use crate::ops::Op;

impl Store {
    /// Issues (or re-issues) a case's codename for its holder, as the domain allows. The hash
    /// and the `CodenameIssuedByStaff` event are one job; the codename is returned to be shown
    /// once and is kept nowhere in clear.
    pub async fn issue_codename_by_staff(&self, id: CaseId, by: UserId, role: Role) -> Result<Codename, StoreError> {
        let case = self.existing_case(id).await?;
        if case.shredded {
            return Err(StoreError::Conflict("the case was shredded"));
        }
        let event = case.as_domain().decide_codename_by_staff(case.assigned_to, case.has_codename, by, role)?;
        // A collision among 10^15 codenames is rare; a few tries make it vanishingly so.
        for _ in 0..4 {
            let codename = random_codename()?;
            let hash = self.hash_codename(&codename).await?;
            match self.submit(vec![Op::ReplaceCodename { id, hash }], vec![event.clone()]).await {
                Ok(_) => return Ok(codename),
                Err(StoreError::Conflict("codename in use")) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict("could not find a free codename"))
    }
}
