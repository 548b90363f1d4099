//! Cases: opening, moving along the life the domain allows, codenames, notes and shredding.

use safepassage_domain::{CaseId, CaseKind, CaseState, Codename, ConversationId, Event, Role, Transition, UserId};
use uuid::Uuid;

use super::{sealed, Store};
use crate::error::StoreError;
use crate::model::{Body, CaseView, NoteKind, NoteView};
use crate::ops::Op;

impl Store {
    /// Opens a case, joining the conversation it came from.
    pub async fn open_case(
        &self,
        conversation: Option<ConversationId>,
        kind: CaseKind,
        by: UserId,
    ) -> Result<CaseId, StoreError> {
        self.insert_case(conversation, kind, by, Some(by)).await
    }

    /// Opens a case for the bot (an applicant registered in a flow): no one owns it yet, and
    /// its events name [`UserId::SYSTEM`] as the actor.
    pub async fn open_case_by_bot(&self, conversation: ConversationId, kind: CaseKind) -> Result<CaseId, StoreError> {
        self.insert_case(Some(conversation), kind, UserId::SYSTEM, None).await
    }

    async fn insert_case(
        &self,
        conversation: Option<ConversationId>,
        kind: CaseKind,
        by: UserId,
        assigned_to: Option<UserId>,
    ) -> Result<CaseId, StoreError> {
        let id = CaseId(Uuid::now_v7());
        let key_id = Uuid::now_v7();
        let (_, master_key_id, wrapped) = self.keys.new_data_key(key_id);
        let mut ops = vec![
            Op::InsertDataKey { id: key_id, purpose: "case", master_key_id, wrapped },
            Op::InsertCase { id, kind, key_id, assigned_to },
        ];
        let mut events = vec![Event::CaseOpened { case: id, kind, conversation, by }];
        if let Some(conversation) = conversation {
            ops.push(Op::JoinCase { conversation, case: id });
            events.push(Event::ConversationJoinedCase { conversation, case: id });
        }
        self.submit(ops, events).await?;
        Ok(id)
    }

    pub async fn case(&self, id: CaseId) -> Result<Option<CaseView>, StoreError> {
        self.backend.case(id).await
    }

    pub(super) async fn existing_case(&self, id: CaseId) -> Result<CaseView, StoreError> {
        self.backend.case(id).await?.ok_or(StoreError::NotFound("case"))
    }

    /// Moves a case if the domain allows it for this role; a concurrent move makes it conflict.
    pub async fn transition_case(
        &self,
        id: CaseId,
        transition: Transition,
        by: UserId,
        role: Role,
    ) -> Result<CaseState, StoreError> {
        let case = self.existing_case(id).await?;
        let event = case.as_domain().decide(transition, by, role)?;
        self.check_location_rule(id, case.state, transition).await?;
        let (to, close_reason) = match &event {
            Event::CaseAdvanced { to, .. } => (*to, None),
            Event::CaseClosed { reason, .. } => (CaseState::Closed, Some(*reason)),
            _ => return Err(StoreError::Conflict("unexpected decision")),
        };
        let op = Op::SetCaseState { id, from: case.state, to, close_reason };
        self.submit(vec![op], vec![event]).await?;
        Ok(to)
    }

    pub async fn set_group_composition(
        &self,
        id: CaseId,
        size: u32,
        officers: u32,
        by: UserId,
        role: Role,
    ) -> Result<(), StoreError> {
        let case = self.existing_case(id).await?;
        let event = case.as_domain().decide_composition(size, officers, by, role)?;
        self.submit(vec![Op::SetComposition { id, size, officers }], vec![event]).await?;
        Ok(())
    }

    /// Gives a case its codename: shown once to the applicant, stored only as a slow keyed hash.
    pub async fn issue_codename(&self, id: CaseId) -> Result<Codename, StoreError> {
        let case = self.existing_case(id).await?;
        if case.has_codename {
            return Err(StoreError::Conflict("the case already has a codename"));
        }
        // A collision among 10^15 codenames is rare; a few tries make it vanishingly so.
        for _ in 0..4 {
            let codename = random_codename()?;
            let hash = self.hash_codename(&codename).await?;
            let op = Op::SetCodename { id, hash };
            match self.submit(vec![op], vec![Event::CodenameIssued { case: id }]).await {
                Ok(_) => return Ok(codename),
                Err(StoreError::Conflict(_)) | Err(StoreError::Database(_)) => {
                    if self.existing_case(id).await?.has_codename {
                        return Err(StoreError::Conflict("the case already has a codename"));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict("could not find a free codename"))
    }

    /// A new codename for a case, hashed, to commit with the message that gives it
    /// ([`Store::flow_step`]): the applicant gets the codename exactly when the case gets it.
    /// Refused when the case has one already.
    pub async fn prepare_codename(&self, id: CaseId) -> Result<(Codename, PreparedCodename), StoreError> {
        if self.existing_case(id).await?.has_codename {
            return Err(StoreError::Conflict("the case already has a codename"));
        }
        let codename = random_codename()?;
        let hash = self.hash_codename(&codename).await?;
        Ok((codename, PreparedCodename { case: id, hash }))
    }

    /// Argon2 is slow by design: it runs off the async threads.
    pub(super) async fn hash_codename(&self, codename: &Codename) -> Result<[u8; 32], StoreError> {
        let keys = self.keys.clone();
        let digits = zeroize::Zeroizing::new(codename.digits().to_owned());
        Ok(tokio::task::spawn_blocking(move || keys.codename.hash(&digits)).await?)
    }

    /// Joins a conversation to the case a codename belongs to. `None` says only "no".
    pub async fn join_by_codename(
        &self,
        conversation: ConversationId,
        codename: &Codename,
    ) -> Result<Option<CaseId>, StoreError> {
        let hash = self.hash_codename(codename).await?;
        let Some(case) = self.backend.case_by_codename(hash).await? else {
            return Ok(None);
        };
        let op = Op::JoinCase { conversation, case };
        self.submit(vec![op], vec![Event::ConversationJoinedCase { conversation, case }]).await?;
        Ok(Some(case))
    }

    /// Adds a sealed note to a case. Locations are location reports now
    /// ([`Store::record_location`]); location notes written before them still read.
    pub async fn add_note(&self, case: CaseId, kind: NoteKind, author: UserId, text: &str) -> Result<Uuid, StoreError> {
        if kind == NoteKind::Location {
            return Err(StoreError::Conflict("a location is recorded as a location report"));
        }
        let view = self.existing_case(case).await?;
        let key = self
            .keys
            .data_key(self.backend.as_ref(), view.key_id)
            .await?
            .ok_or(StoreError::Conflict("the case was shredded"))?;
        let id = Uuid::now_v7();
        let body_ct = sealed::seal_note(&key, &id, kind.as_str(), &author.0, text);
        let event = Event::CaseNoteAdded { case, note: id, by: author };
        self.submit(vec![Op::InsertNote { id, case, kind: kind.as_str(), author, body_ct }], vec![event]).await?;
        Ok(id)
    }

    pub async fn notes(&self, case: CaseId) -> Result<Vec<NoteView>, StoreError> {
        let raw = self.backend.notes(case).await?;
        let mut out = Vec::with_capacity(raw.len());
        for n in raw {
            let body = match n.key_alive {
                true => match self.keys.data_key(self.backend.as_ref(), n.key_id).await? {
                    Some(key) => {
                        let plain = sealed::open_note(&key, &n.id, n.kind.as_str(), &n.author, &n.body_ct)?;
                        Body::Text(String::from_utf8_lossy(&plain).into_owned())
                    }
                    None => Body::Shredded,
                },
                false => Body::Shredded,
            };
            out.push(NoteView { id: n.id, kind: n.kind, author: UserId(n.author), body, at_ms: n.at_ms });
        }
        Ok(out)
    }
}

/// A codename's hash waiting to be committed with the message that gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedCodename {
    pub(crate) case: CaseId,
    pub(crate) hash: [u8; 32],
}

impl PreparedCodename {
    pub fn case(&self) -> CaseId {
        self.case
    }
}

pub(super) fn random_codename() -> Result<Codename, StoreError> {
    let mut bytes = [0u8; 15];
    getrandom::getrandom(&mut bytes).map_err(|e| StoreError::Database(format!("no randomness: {e}")))?;
    // Rejection sampling keeps every digit uniform (256 is not a multiple of 10).
    let mut digits = [0u8; 15];
    for (i, b) in bytes.iter().enumerate() {
        let mut v = *b;
        while v >= 250 {
            let mut one = [0u8; 1];
            getrandom::getrandom(&mut one).map_err(|e| StoreError::Database(format!("no randomness: {e}")))?;
            v = one[0];
        }
        digits[i] = v % 10;
    }
    Ok(Codename::from_random_digits(digits))
}
