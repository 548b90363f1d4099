//! Location reports: recorded by staff on a case or sent by an applicant from a conversation,
//! the place sealed under the case's data key (or the conversation's while it has no case), read
//! back newest first. Reports an applicant sent before their conversation joined a case show on
//! the case from the moment it joins (they stay sealed under the conversation's key, which
//! shredding the case destroys as well).

use safepassage_domain::location_report::check_move;
use safepassage_domain::{
    CaseError, CaseId, CaseState, ConversationId, Event, LocationReport, LocationSource, Place, Transition, UserId,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::sealed::{self, LocationBinding};
use super::Store;
use crate::backend::RawLocationReport;
use crate::error::StoreError;
use crate::ops::Op;

/// At most this many reports are read for one case or conversation.
const REPORTS_LIMIT: i64 = 500;

/// A location report as read: the place when its key is alive, `shredded` when it is gone.
#[derive(Debug, Clone, PartialEq)]
pub struct LocationView {
    pub id: Uuid,
    /// The case it was recorded on; None for an applicant's report sent before the
    /// conversation had a case.
    pub case: Option<CaseId>,
    /// The applicant's conversation that sent it (None when staff recorded it).
    pub conversation: Option<ConversationId>,
    pub source: LocationSource,
    /// The member of staff who recorded it (None when the applicant sent it).
    pub recorded_by: Option<UserId>,
    /// When the place was true.
    pub true_at_ms: i64,
    /// When it was recorded.
    pub at_ms: i64,
    /// A point (both set), or None for words or a shredded report.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<u32>,
    /// Words that are not coordinates.
    pub text: Option<String>,
    pub shredded: bool,
}

impl LocationView {
    pub fn point(&self) -> Option<(f64, f64)> {
        self.lat.zip(self.lon)
    }
}

/// What is sealed: the place, nothing else.
#[derive(Serialize, Deserialize)]
struct SealedPlace {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lon: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    accuracy_m: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

impl SealedPlace {
    fn of(place: &Place) -> SealedPlace {
        match place {
            Place::Point { lat, lon, accuracy_m, .. } => {
                SealedPlace { lat: Some(*lat), lon: Some(*lon), accuracy_m: *accuracy_m, text: None }
            }
            Place::Described(text) => SealedPlace { lat: None, lon: None, accuracy_m: None, text: Some(text.clone()) },
        }
    }
}

impl Store {
    /// Records a report a member of staff made on a case (typed, from a call, relayed). Refused
    /// on a finished or shredded case.
    pub async fn record_location(&self, case: CaseId, report: &LocationReport, by: UserId) -> Result<Uuid, StoreError> {
        let view = self.existing_case(case).await?;
        if !view.state.is_open() {
            return Err(CaseError::Finished(view.state).into());
        }
        self.insert_location(Some(case), None, view.key_id, report, Some(by)).await
    }

    /// Records a report the applicant sent in a conversation. When the conversation belongs to a
    /// case the report is the case's (sealed under its key); otherwise it stays with the
    /// conversation, sealed under the conversation's key, and shows on the conversation's page
    /// and, once the conversation joins a case, on the case. Returns the report and its case.
    pub async fn record_applicant_location(
        &self,
        conversation: ConversationId,
        report: &LocationReport,
    ) -> Result<(Uuid, Option<CaseId>), StoreError> {
        let view = self.backend.conversation(conversation).await?.ok_or(StoreError::NotFound("conversation"))?;
        let (case, key_id) = match view.case {
            Some(case) => (Some(case), self.existing_case(case).await?.key_id),
            None => (None, view.key_id),
        };
        let id = self.insert_location(case, Some(conversation), key_id, report, None).await?;
        Ok((id, case))
    }

    async fn insert_location(
        &self,
        case: Option<CaseId>,
        conversation: Option<ConversationId>,
        key_id: Uuid,
        report: &LocationReport,
        by: Option<UserId>,
    ) -> Result<Uuid, StoreError> {
        let key = self
            .keys
            .data_key(self.backend.as_ref(), key_id)
            .await?
            .ok_or(StoreError::Conflict("the case was shredded"))?;
        let id = Uuid::now_v7();
        let recorder = recorder_of(by.map(|u| u.0), conversation.map(|c| c.0));
        let source = report.source.as_str();
        let binding = LocationBinding { source, recorder: &recorder, true_at_ms: report.true_at_ms };
        let body = zeroize::Zeroizing::new(
            serde_json::to_vec(&SealedPlace::of(&report.place))
                .map_err(|_| StoreError::Database("a place could not be written".into()))?,
        );
        let body_ct = sealed::seal_location(&key, &id, &binding, &body);
        let op = Op::InsertLocationReport {
            id,
            case,
            conversation,
            key_id,
            source,
            recorded_by: by,
            true_at_ms: report.true_at_ms,
            body_ct,
        };
        let event = Event::LocationReported { case, report: id, source: report.source, by, conversation };
        self.submit(vec![op], vec![event]).await?;
        Ok(id)
    }

    /// A case's reports, newest true time first (shredded ones say so).
    pub async fn locations(&self, case: CaseId) -> Result<Vec<LocationView>, StoreError> {
        let raw = self.backend.case_location_reports(case, REPORTS_LIMIT).await?;
        self.open_locations(raw).await
    }

    /// The newest report of a case (by the time it was true), if any.
    pub async fn newest_location(&self, case: CaseId) -> Result<Option<LocationView>, StoreError> {
        let raw = self.backend.case_location_reports(case, 1).await?;
        Ok(self.open_locations(raw).await?.into_iter().next())
    }

    /// The reports an applicant sent in a conversation, newest first.
    pub async fn conversation_locations(&self, conversation: ConversationId) -> Result<Vec<LocationView>, StoreError> {
        let raw = self.backend.conversation_location_reports(conversation, REPORTS_LIMIT).await?;
        self.open_locations(raw).await
    }

    /// Checks the location rule of a move (`located` needs a report) before the domain's rules.
    pub(super) async fn check_location_rule(
        &self,
        case: CaseId,
        from: CaseState,
        transition: Transition,
    ) -> Result<(), StoreError> {
        // Counting is needed only for a move the rule concerns.
        if check_move(from, transition, 0).is_err() {
            let reports = self.backend.case_location_reports(case, 1).await?.len();
            check_move(from, transition, reports)?;
        }
        Ok(())
    }

    async fn open_locations(&self, raw: Vec<RawLocationReport>) -> Result<Vec<LocationView>, StoreError> {
        let mut out = Vec::with_capacity(raw.len());
        for r in raw {
            let source: LocationSource =
                r.source.parse().map_err(|_| StoreError::Database("unknown location source".into()))?;
            let key = match r.key_alive {
                true => self.keys.data_key(self.backend.as_ref(), r.key_id).await?,
                false => None,
            };
            let recorder = recorder_of(r.recorded_by, r.conversation);
            let place = match key {
                Some(key) => {
                    let binding =
                        LocationBinding { source: source.as_str(), recorder: &recorder, true_at_ms: r.true_at_ms };
                    let plain = sealed::open_location(&key, &r.id, &binding, &r.body_ct)?;
                    let place = serde_json::from_slice::<SealedPlace>(&plain)
                        .map_err(|_| StoreError::Database("a sealed place is not understood".into()))?;
                    Some(place)
                }
                None => None,
            };
            let shredded = place.is_none();
            let place = place.unwrap_or(SealedPlace { lat: None, lon: None, accuracy_m: None, text: None });
            out.push(LocationView {
                id: r.id,
                case: r.case.map(CaseId),
                conversation: r.conversation.map(ConversationId),
                source,
                recorded_by: r.recorded_by.map(UserId),
                true_at_ms: r.true_at_ms,
                at_ms: r.at_ms,
                lat: place.lat,
                lon: place.lon,
                accuracy_m: place.accuracy_m,
                text: place.text,
                shredded,
            });
        }
        Ok(out)
    }
}

/// Who recorded a report, as bound into its seal: the user, else the conversation.
fn recorder_of(by: Option<Uuid>, conversation: Option<Uuid>) -> Uuid {
    by.or(conversation).unwrap_or(Uuid::nil())
}
