//! The duress phrase of a case: kept only as a MAC of its normal form under the case's own data
//! key, bound to the case; a message that carries it flags the case, and nothing else changes,
//! so the conversation goes on as if nothing happened.

use safepassage_domain::duress::{candidates, DuressPhrase};
use safepassage_domain::{CaseId, Event};
use safepassage_keys::DataKey;

use super::Store;
use crate::error::StoreError;
use crate::ops::Op;

/// What the MAC binds the phrase to, before the case's id and the phrase.
const DURESS_MAC: &[u8] = b"cases.duress_mac\0";

fn phrase_mac(key: &DataKey, case: CaseId, normal: &str) -> [u8; 32] {
    let mut input = Vec::with_capacity(DURESS_MAC.len() + 16 + normal.len());
    input.extend_from_slice(DURESS_MAC);
    input.extend_from_slice(case.0.as_bytes());
    input.extend_from_slice(normal.as_bytes());
    key.mac(&input)
}

impl Store {
    /// Keeps the phrase the applicant agreed for a case, replacing an earlier one.
    pub async fn agree_duress_phrase(&self, case: CaseId, phrase: &DuressPhrase) -> Result<(), StoreError> {
        let view = self.backend.case(case).await?.ok_or(StoreError::NotFound("case"))?;
        let key = self
            .keys
            .data_key(self.backend.as_ref(), view.key_id)
            .await?
            .ok_or(StoreError::Conflict("the case was shredded"))?;
        let mac = phrase_mac(&key, case, &phrase.normal);
        let words = u32::try_from(phrase.words).map_err(|_| StoreError::Conflict("phrase too long"))?;
        self.submit(vec![Op::SetDuressPhrase { case, mac, words }], vec![Event::DuressPhraseAgreed { case }]).await?;
        Ok(())
    }

    /// Whether an applicant's message carries the case's agreed phrase (anywhere in it); when
    /// it does, the case is flagged, with an event each time it is written.
    pub async fn check_duress(&self, case: CaseId, message: &str) -> Result<bool, StoreError> {
        let Some(view) = self.backend.case(case).await? else { return Ok(false) };
        let Some((mac, words)) = view.duress else { return Ok(false) };
        let Some(key) = self.keys.data_key(self.backend.as_ref(), view.key_id).await? else { return Ok(false) };
        if !candidates(message, words).iter().any(|c| phrase_mac(&key, case, c) == mac) {
            return Ok(false);
        }
        self.submit(vec![Op::FlagDuress { case }], vec![Event::CaseFlaggedUnderDuress { case }]).await?;
        Ok(true)
    }
}
