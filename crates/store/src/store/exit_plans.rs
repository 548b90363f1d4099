//! The exit path: plans written, submitted, approved or returned (four eyes), their instructions
//! sent to the applicant, the hand-off to operations, operations' reports, the exit and its
//! outcome. The domain decides every step (`exit_plan`, `handoff`, `outcome`); each write and its
//! event are one job, guarded so that concurrent decisions cannot both win. Everything a plan,
//! a comment or an abort's reason says is sealed under the case's data key.

use safepassage_domain::{
    Actor, CaseId, CaseState, Event, MessageId, OperationsStatus, OutcomeFact, PlanContent, PlanError, PlanFacts,
    PlanStatus, Role, Sender, UserId,
};
use uuid::Uuid;

use super::{now_ms, sealed, Store};
use crate::error::StoreError;
use crate::exit_ops::{ExitOp, PlanToApprove, RawPlan};
use crate::model::{Body, CaseView, MessageView};
use crate::ops::Op;

/// One version of a plan, opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanView {
    pub id: Uuid,
    pub case: CaseId,
    pub version: u32,
    pub status: PlanStatus,
    pub author: UserId,
    /// The coordinator who approved or returned it.
    pub reviewer: Option<UserId>,
    /// What the plan says; None once the case was shredded.
    pub content: Option<PlanContent>,
    /// Why it was returned.
    pub comment: Option<Body>,
    pub created_ms: i64,
    pub submitted_ms: Option<i64>,
    pub decided_ms: Option<i64>,
    pub handed_off_ms: Option<i64>,
}

impl PlanView {
    pub fn facts(&self) -> PlanFacts {
        PlanFacts {
            plan: self.id,
            version: self.version,
            status: self.status,
            author: self.author,
            reviewer: self.reviewer,
        }
    }
}

/// One report of operations on a hand-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportView {
    pub id: Uuid,
    pub plan: Uuid,
    pub status: OperationsStatus,
    pub by: UserId,
    /// An abort's reason.
    pub reason: Option<Body>,
    pub at_ms: i64,
}

/// One fact of an exit's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutcomeView {
    pub fact: OutcomeFact,
    pub by: UserId,
    pub at_ms: i64,
}

fn actor(by: UserId, role: Role) -> Actor {
    Actor { id: by, role }
}

impl Store {
    /// Saves a new version of a case's plan (a draft). At `plan_approved` this withdraws the
    /// approval and the case goes back to `located` in the same commit.
    pub async fn save_plan(
        &self,
        case: CaseId,
        content: &PlanContent,
        by: UserId,
        role: Role,
    ) -> Result<(Uuid, u32), StoreError> {
        let view = self.existing_case(case).await?;
        let plans = self.plans(case).await?;
        let newest = plans.first().map(PlanView::facts);
        let id = Uuid::now_v7();
        let event =
            view.as_domain().decide_plan_draft(view.assigned_to, newest.as_ref(), content, id, actor(by, role))?;
        let Event::PlanDrafted { version, withdraws_approval, .. } = event else {
            return Err(StoreError::Conflict("unexpected decision"));
        };
        let key = self.case_key(&view).await?;
        let body = serde_json::to_vec(content).map_err(|_| StoreError::Conflict("the plan cannot be written"))?;
        let body_ct = sealed::seal_plan(&key, &id, &case.0, version, &by.0, &body);
        let mut ops =
            vec![Op::Exit(ExitOp::InsertPlan { id, case, version, author: by, body_ct, case_state: view.state })];
        if withdraws_approval {
            ops.push(Op::SetCaseState {
                id: case,
                from: CaseState::PlanApproved,
                to: CaseState::Located,
                close_reason: None,
            });
        }
        self.submit(ops, vec![event]).await?;
        Ok((id, version))
    }

    /// The author submits the newest draft for a coordinator's approval.
    pub async fn submit_plan(&self, case: CaseId, by: UserId, role: Role) -> Result<(), StoreError> {
        let view = self.existing_case(case).await?;
        let plans = self.plans(case).await?;
        let newest = plans.first().map(PlanView::facts);
        let event = view.as_domain().decide_plan_submit(newest.as_ref(), actor(by, role))?;
        let Some(plan) = newest else { return Err(StoreError::Plan(PlanError::NoPlan)) };
        let op = ExitOp::SetPlanStatus {
            id: plan.plan,
            from: PlanStatus::Draft,
            to: PlanStatus::Submitted,
            reviewer: None,
            comment_ct: None,
        };
        self.submit(vec![Op::Exit(op)], vec![event]).await?;
        Ok(())
    }

    /// A coordinator who did not write it approves plan `plan`: the case moves to
    /// `plan_approved`. Of two coordinators approving at once, one wins and one conflicts.
    pub async fn approve_plan(&self, case: CaseId, plan: Uuid, by: UserId, role: Role) -> Result<(), StoreError> {
        let (view, facts, newest) = self.plan_facts(case, plan).await?;
        let event = view.as_domain().decide_plan_approve(&facts, newest, actor(by, role))?;
        let ops = vec![
            Op::Exit(ExitOp::SetPlanStatus {
                id: plan,
                from: PlanStatus::Submitted,
                to: PlanStatus::Approved,
                reviewer: Some(by),
                comment_ct: None,
            }),
            Op::SetCaseState { id: case, from: CaseState::Located, to: CaseState::PlanApproved, close_reason: None },
        ];
        self.submit(ops, vec![event]).await?;
        Ok(())
    }

    /// A coordinator sends plan `plan` back to its author with a comment (sealed).
    pub async fn return_plan(
        &self,
        case: CaseId,
        plan: Uuid,
        comment: &str,
        by: UserId,
        role: Role,
    ) -> Result<(), StoreError> {
        let (view, facts, newest) = self.plan_facts(case, plan).await?;
        let event = view.as_domain().decide_plan_return(&facts, newest, comment, actor(by, role))?;
        let key = self.case_key(&view).await?;
        let comment_ct = sealed::seal_plan_comment(&key, &plan, &by.0, comment.trim());
        let op = ExitOp::SetPlanStatus {
            id: plan,
            from: PlanStatus::Submitted,
            to: PlanStatus::Returned,
            reviewer: Some(by),
            comment_ct: Some(comment_ct),
        };
        self.submit(vec![Op::Exit(op)], vec![event]).await?;
        Ok(())
    }

    /// Every version of a case's plan, newest first, opened.
    pub async fn plans(&self, case: CaseId) -> Result<Vec<PlanView>, StoreError> {
        let raw = self.backend.exit_plans(case).await?;
        let mut out = Vec::with_capacity(raw.len());
        for p in raw {
            out.push(self.open_plan(p).await?);
        }
        Ok(out)
    }

    /// Plans waiting for a coordinator, oldest submission first (ids only: nothing to open).
    pub async fn plans_to_approve(&self, limit: i64) -> Result<Vec<PlanToApprove>, StoreError> {
        self.backend.plans_to_approve(limit).await
    }

    /// Posts the approved plan's instructions to the applicant, as a staff message in the case's
    /// newest conversation, with the event that records the sending, in one commit. The caller
    /// publishes the returned message to whoever watches the conversation.
    pub async fn send_plan_instructions(
        &self,
        case: CaseId,
        by: UserId,
        role: Role,
    ) -> Result<MessageView, StoreError> {
        let view = self.existing_case(case).await?;
        let plans = self.plans(case).await?;
        let approved = plans.iter().find(|p| p.status == PlanStatus::Approved);
        let conversations = self.backend.conversations_of_case(case).await?;
        let conversation = conversations
            .iter()
            .max_by_key(|c| c.created_ms)
            .ok_or(StoreError::NotFound("conversation of the case"))?;
        let event = view.as_domain().decide_send_instructions(
            view.assigned_to,
            approved.map(PlanView::facts).as_ref(),
            conversation.id,
            actor(by, role),
        )?;
        let text = approved
            .and_then(|p| p.content.as_ref())
            .map(|c| c.instructions.clone())
            .ok_or(StoreError::Conflict("the case was shredded"))?;
        let key = self
            .keys
            .data_key(self.backend.as_ref(), conversation.key_id)
            .await?
            .ok_or(StoreError::Conflict("the conversation was shredded"))?;
        let id = MessageId(Uuid::now_v7());
        let sender = Sender::Staff;
        let body_ct = sealed::seal_message(&key, &id.0, sender, &text);
        let ops = vec![Op::InsertMessage { id, conversation: conversation.id, event_index: 0, sender, body_ct }];
        let events = vec![Event::MessageRecorded { conversation: conversation.id, message: id, sender }, event];
        let at_ms = now_ms();
        let seqs = self.submit(ops, events).await?;
        let seq = seqs.first().copied().ok_or(StoreError::Conflict("message not recorded"))?;
        Ok(MessageView { id, conversation: conversation.id, seq, sender, body: Body::Text(text), at_ms })
    }

    /// A coordinator hands the approved plan to operations: the case moves to `handed_off`.
    pub async fn hand_off(&self, case: CaseId, by: UserId, role: Role) -> Result<(), StoreError> {
        let view = self.existing_case(case).await?;
        let plans = self.plans(case).await?;
        let newest = plans.first().map(PlanView::facts);
        let event = view.as_domain().decide_hand_off(newest.as_ref(), actor(by, role))?;
        let Some(plan) = newest else { return Err(StoreError::Plan(PlanError::NoPlan)) };
        let ops = vec![
            Op::Exit(ExitOp::MarkHandedOff { id: plan.plan }),
            Op::SetCaseState { id: case, from: CaseState::PlanApproved, to: CaseState::HandedOff, close_reason: None },
        ];
        self.submit(ops, vec![event]).await?;
        Ok(())
    }

    /// The plan operations hold now: the newest version, approved and handed off, while the case
    /// is at `handed_off`.
    pub async fn handed_off_plan(&self, case: CaseId) -> Result<Option<PlanView>, StoreError> {
        let view = self.existing_case(case).await?;
        if view.state != CaseState::HandedOff {
            return Ok(None);
        }
        let plans = self.plans(case).await?;
        Ok(plans.into_iter().next().filter(|p| p.status == PlanStatus::Approved && p.handed_off_ms.is_some()))
    }

    /// Operations report on the hand-off. An abort (with its reason, sealed) sends the case back
    /// to `located`, to its owner.
    pub async fn report_operations(
        &self,
        case: CaseId,
        status: OperationsStatus,
        reason: &str,
        by: UserId,
        role: Role,
    ) -> Result<(), StoreError> {
        let view = self.existing_case(case).await?;
        let plan = self.handed_off_plan(case).await?;
        let reports = match &plan {
            Some(p) => self.operations_reports(case).await?.into_iter().filter(|r| r.plan == p.id).collect(),
            None => Vec::new(),
        };
        let last = reports.last().map(|r| r.status);
        let id = Uuid::now_v7();
        let event = view.as_domain().decide_operations_report(last, status, reason, id, actor(by, role))?;
        let plan = plan.ok_or(StoreError::Plan(PlanError::NoPlan))?;
        let reason_ct = match status {
            OperationsStatus::Aborted => {
                let key = self.case_key(&view).await?;
                Some(sealed::seal_report_reason(&key, &id, &plan.id, reason.trim()))
            }
            _ => None,
        };
        let reports_before = i64::try_from(reports.len()).unwrap_or(i64::MAX);
        let mut ops =
            vec![Op::Exit(ExitOp::InsertReport { id, case, plan: plan.id, status, by, reason_ct, reports_before })];
        if status == OperationsStatus::Aborted {
            ops.push(Op::SetCaseState {
                id: case,
                from: CaseState::HandedOff,
                to: CaseState::Located,
                close_reason: None,
            });
        }
        self.submit(ops, vec![event]).await?;
        Ok(())
    }

    /// Every report of operations on a case, oldest first.
    pub async fn operations_reports(&self, case: CaseId) -> Result<Vec<ReportView>, StoreError> {
        let raw = self.backend.operations_reports(case).await?;
        let mut out = Vec::with_capacity(raw.len());
        for r in raw {
            let status = r.status.parse().map_err(|_| StoreError::Database("unknown operations status".into()))?;
            let reason = match (&r.reason_ct, r.key_alive) {
                (None, _) => None,
                (Some(_), false) => Some(Body::Shredded),
                (Some(ct), true) => match self.keys.data_key(self.backend.as_ref(), r.key_id).await? {
                    Some(key) => {
                        let plain = sealed::open_report_reason(&key, &r.id, &r.plan, ct)?;
                        Some(Body::Text(String::from_utf8_lossy(&plain).into_owned()))
                    }
                    None => Some(Body::Shredded),
                },
            };
            out.push(ReportView { id: r.id, plan: r.plan, status, by: UserId(r.by), reason, at_ms: r.at_ms });
        }
        Ok(out)
    }

    /// The owner or a coordinator records the exit, once operations completed it; never whoever
    /// approved the plan (four eyes). The case moves to `exited`.
    pub async fn record_exit(&self, case: CaseId, by: UserId, role: Role) -> Result<(), StoreError> {
        let view = self.existing_case(case).await?;
        let plan = self.handed_off_plan(case).await?;
        let last = match &plan {
            Some(p) => self.operations_reports(case).await?.into_iter().rfind(|r| r.plan == p.id).map(|r| r.status),
            None => None,
        };
        let approver = plan.as_ref().and_then(|p| p.reviewer);
        let event = view.as_domain().decide_exit(view.assigned_to, approver, last, actor(by, role))?;
        let op = Op::SetCaseState { id: case, from: CaseState::HandedOff, to: CaseState::Exited, close_reason: None };
        self.submit(vec![op], vec![event]).await?;
        Ok(())
    }

    /// Records one fact of an exited case's outcome.
    pub async fn record_outcome(
        &self,
        case: CaseId,
        fact: OutcomeFact,
        by: UserId,
        role: Role,
    ) -> Result<(), StoreError> {
        let view = self.existing_case(case).await?;
        let event = view.as_domain().decide_outcome(view.assigned_to, fact, actor(by, role))?;
        let op = ExitOp::InsertOutcome { id: Uuid::now_v7(), case, aspect: fact.aspect(), value: fact.value(), by };
        self.submit(vec![Op::Exit(op)], vec![event]).await?;
        Ok(())
    }

    /// The outcome facts recorded for a case, oldest first.
    pub async fn outcomes(&self, case: CaseId) -> Result<Vec<OutcomeView>, StoreError> {
        let raw = self.backend.case_outcomes(case).await?;
        raw.into_iter()
            .map(|o| {
                let fact = OutcomeFact::parse(&o.aspect, &o.value)
                    .map_err(|_| StoreError::Database("unknown outcome fact".into()))?;
                Ok(OutcomeView { fact, by: UserId(o.by), at_ms: o.at_ms })
            })
            .collect()
    }

    async fn case_key(&self, view: &CaseView) -> Result<safepassage_keys::DataKey, StoreError> {
        self.keys
            .data_key(self.backend.as_ref(), view.key_id)
            .await?
            .ok_or(StoreError::Conflict("the case was shredded"))
    }

    /// The case, plan `plan`'s facts, and whether it is the case's newest version.
    async fn plan_facts(&self, case: CaseId, plan: Uuid) -> Result<(CaseView, PlanFacts, bool), StoreError> {
        let view = self.existing_case(case).await?;
        let plans = self.plans(case).await?;
        let found = plans.iter().position(|p| p.id == plan).ok_or(StoreError::NotFound("plan"))?;
        Ok((view, plans[found].facts(), found == 0))
    }

    async fn open_plan(&self, p: RawPlan) -> Result<PlanView, StoreError> {
        let version = u32::try_from(p.version).map_err(|_| StoreError::Database("bad plan version".into()))?;
        let status = p.status.parse().map_err(|_| StoreError::Database("unknown plan status".into()))?;
        let key = match p.key_alive {
            true => self.keys.data_key(self.backend.as_ref(), p.key_id).await?,
            false => None,
        };
        let (content, comment) = match &key {
            Some(key) => {
                let plain = sealed::open_plan(key, &p.id, &p.case, version, &p.author, &p.body_ct)?;
                let content: PlanContent = serde_json::from_slice(&plain)
                    .map_err(|_| StoreError::Database("a plan body is not understood".into()))?;
                let comment = match (&p.comment_ct, p.reviewer) {
                    (Some(ct), Some(reviewer)) => {
                        let plain = sealed::open_plan_comment(key, &p.id, &reviewer, ct)?;
                        Some(Body::Text(String::from_utf8_lossy(&plain).into_owned()))
                    }
                    _ => None,
                };
                (Some(content), comment)
            }
            None => (None, p.comment_ct.as_ref().map(|_| Body::Shredded)),
        };
        Ok(PlanView {
            id: p.id,
            case: CaseId(p.case),
            version,
            status,
            author: UserId(p.author),
            reviewer: p.reviewer.map(UserId),
            content,
            comment,
            created_ms: p.created_ms,
            submitted_ms: p.submitted_ms,
            decided_ms: p.decided_ms,
            handed_off_ms: p.handed_off_ms,
        })
    }
}
