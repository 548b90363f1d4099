//! The exit path in the store: plans versioned and sealed, four eyes on approval and on the exit,
//! concurrent decisions with exactly one winner, operations' reports in order, an abort sending
//! the case back, and the outcome.

use safepassage_domain::{
    ArrivalStatus, CaseId, CaseKind, CaseState, Channel, Event, ExitChoice, Language, LocationReport, LocationSource,
    OperationsStatus, OutcomeFact, PlanContent, PlanError, PlanStatus, Role, Sender, Transition, UserId,
};
use safepassage_store::{Store, StoreError};

use super::TestDb;
use crate::both_backends;

/// A plan whose every field says something recognisable.
pub fn plan(instructions: &str) -> PlanContent {
    PlanContent {
        rendezvous: "37U DQ 12345 67890".into(),
        rendezvous_note: "by the water tower".into(),
        window_from_ms: 1_800_000_000_000,
        window_to_ms: 1_800_000_600_000,
        signals: "white cloth on the left arm".into(),
        instructions: instructions.into(),
        language: Language::Ru,
        avoid: "the main road".into(),
        risks: "mines in the field".into(),
    }
}

/// A case held by `owner`, moved to `located` through the plain moves, with a conversation.
pub async fn located_case(store: &Store, owner: UserId) -> CaseId {
    let conversation = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let case = store.open_case(Some(conversation.id), CaseKind::Individual, owner).await.unwrap();
    for to in [CaseState::Registered, CaseState::Deployed, CaseState::Located] {
        if to == CaseState::Located {
            let report =
                LocationReport::from_input("48.0159, 37.8028", Some(50), LocationSource::StaffCall, None, now())
                    .unwrap();
            store.record_location(case, &report, owner).await.unwrap();
        }
        store.transition_case(case, Transition::Advance { to }, owner, Role::Specialist).await.unwrap();
    }
    case
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn state(store: &Store, case: CaseId) -> CaseState {
    store.case(case).await.unwrap().unwrap().state
}

fn refused(result: Result<(), StoreError>, expected: PlanError) {
    match result {
        Err(StoreError::Plan(e)) => assert_eq!(e, expected),
        other => panic!("expected {expected:?}, got {other:?}"),
    }
}

both_backends!(a_plan_goes_through_four_eyes_to_the_exit, |db: TestDb| async move {
    let store = db.open().await;
    let owner = store.create_user("sp.plan", Role::Specialist, "x".into(), b"s").await.unwrap();
    let (a, b, c) = (
        store.create_user("co.a", Role::Coordinator, "x".into(), b"s").await.unwrap(),
        store.create_user("co.b", Role::Coordinator, "x".into(), b"s").await.unwrap(),
        store.create_user("co.c", Role::Coordinator, "x".into(), b"s").await.unwrap(),
    );
    let unit = store.create_user("ops.unit", Role::Operations, "x".into(), b"s").await.unwrap();
    let case = located_case(&store, owner).await;

    // No plain move skips the plan.
    let skip =
        store.transition_case(case, Transition::Advance { to: CaseState::PlanApproved }, a, Role::Coordinator).await;
    assert!(matches!(skip, Err(StoreError::Case(_))), "{skip:?}");

    // v1 by the owner, returned with a comment.
    let (v1, n) = store.save_plan(case, &plan("Идите к башне."), owner, Role::Specialist).await.unwrap();
    assert_eq!(n, 1);
    refused(store.submit_plan(case, a, Role::Coordinator).await, PlanError::NotAuthor);
    store.submit_plan(case, owner, Role::Specialist).await.unwrap();
    assert_eq!(store.plans_to_approve(10).await.unwrap().iter().map(|p| p.plan).collect::<Vec<_>>(), vec![v1]);
    refused(store.approve_plan(case, v1, owner, Role::Specialist).await, PlanError::OwnPlan);
    store.return_plan(case, v1, "move the window to the night", a, Role::Coordinator).await.unwrap();
    let plans = store.plans(case).await.unwrap();
    assert_eq!(plans[0].status, PlanStatus::Returned);
    assert_eq!(plans[0].comment.as_ref().and_then(|c| c.text()), Some("move the window to the night"));
    assert_eq!(plans[0].content.as_ref().map(|c| c.instructions.as_str()), Some("Идите к башне."));
    assert!(store.plans_to_approve(10).await.unwrap().is_empty());

    // v2 written by a coordinator: its author, a coordinator too, is refused.
    let (v2, n) = store.save_plan(case, &plan("Идите ночью."), a, Role::Coordinator).await.unwrap();
    assert_eq!(n, 2);
    store.submit_plan(case, a, Role::Coordinator).await.unwrap();
    refused(store.approve_plan(case, v2, a, Role::Coordinator).await, PlanError::OwnPlan);
    refused(store.approve_plan(case, v1, b, Role::Coordinator).await, PlanError::NotNewest);
    assert_eq!(state(&store, case).await, CaseState::Located);

    // Two coordinators approve at once: exactly one wins.
    let (rb, rc) = tokio::join!(
        store.approve_plan(case, v2, b, Role::Coordinator),
        store.approve_plan(case, v2, c, Role::Coordinator)
    );
    assert_eq!([rb.is_ok(), rc.is_ok()].iter().filter(|ok| **ok).count(), 1, "{rb:?} {rc:?}");
    assert_eq!(state(&store, case).await, CaseState::PlanApproved);
    let approvals = store
        .timeline(case.0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e.event, Event::PlanApproved { .. }))
        .count();
    assert_eq!(approvals, 1);

    // A change after approval is a new version and takes the approval back.
    let (v3, n) = store.save_plan(case, &plan("Идите ночью, без фонаря."), owner, Role::Specialist).await.unwrap();
    assert_eq!(n, 3);
    assert_eq!(state(&store, case).await, CaseState::Located);
    let plans = store.plans(case).await.unwrap();
    assert_eq!((plans[0].id, plans[0].status), (v3, PlanStatus::Draft));
    assert_eq!((plans[1].id, plans[1].status), (v2, PlanStatus::Approved), "the approved version is kept, frozen");
    refused(store.hand_off(case, b, Role::Coordinator).await, PlanError::WrongState(CaseState::Located));
    store.submit_plan(case, owner, Role::Specialist).await.unwrap();
    store.approve_plan(case, v3, b, Role::Coordinator).await.unwrap();

    // The instructions go to the applicant's newest conversation, with their event.
    let message = store.send_plan_instructions(case, owner, Role::Specialist).await.unwrap();
    assert_eq!((message.sender, message.body.text()), (Sender::Staff, Some("Идите ночью, без фонаря.")));
    let sent = store.messages(message.conversation, 0, 100).await.unwrap();
    assert!(sent.iter().any(|m| m.body.text() == Some("Идите ночью, без фонаря.")));

    refused(store.hand_off(case, owner, Role::Specialist).await, PlanError::NotCoordinator);
    store.hand_off(case, a, Role::Coordinator).await.unwrap();
    assert_eq!(state(&store, case).await, CaseState::HandedOff);
    assert_eq!(store.handed_off_plan(case).await.unwrap().map(|p| p.id), Some(v3));

    // Reports in order; two at once on the same last report: one wins.
    refused(
        store.report_operations(case, OperationsStatus::Completed, "", unit, Role::Operations).await,
        PlanError::ReportOutOfOrder("completed"),
    );
    refused(
        store.report_operations(case, OperationsStatus::Accepted, "", a, Role::Coordinator).await,
        PlanError::NotOperations,
    );
    store.report_operations(case, OperationsStatus::Accepted, "", unit, Role::Operations).await.unwrap();
    let (r1, r2) = tokio::join!(
        store.report_operations(case, OperationsStatus::UnderWay, "", unit, Role::Operations),
        store.report_operations(case, OperationsStatus::UnderWay, "", unit, Role::Operations)
    );
    assert_eq!([r1.is_ok(), r2.is_ok()].iter().filter(|ok| **ok).count(), 1, "{r1:?} {r2:?}");
    refused(store.record_exit(case, owner, Role::Specialist).await, PlanError::NotCompleted);
    store.report_operations(case, OperationsStatus::Completed, "", unit, Role::Operations).await.unwrap();
    let reports = store.operations_reports(case).await.unwrap();
    assert_eq!(
        reports.iter().map(|r| r.status).collect::<Vec<_>>(),
        [OperationsStatus::Accepted, OperationsStatus::UnderWay, OperationsStatus::Completed]
    );

    // Whoever approved never records the exit.
    refused(store.record_exit(case, b, Role::Coordinator).await, PlanError::ApproverRecordsExit);
    refused(store.record_exit(case, unit, Role::Operations).await, PlanError::NotOwnerOrCoordinator);
    store.record_exit(case, owner, Role::Specialist).await.unwrap();
    assert_eq!(state(&store, case).await, CaseState::Exited);

    let pow = OutcomeFact::Arrival { status: ArrivalStatus::PrisonerOfWar };
    store.record_outcome(case, pow, owner, Role::Specialist).await.unwrap();
    store.record_outcome(case, OutcomeFact::GuaranteesExplained, owner, Role::Specialist).await.unwrap();
    store
        .record_outcome(case, OutcomeFact::Choice { choice: ExitChoice::Exchange }, owner, Role::Specialist)
        .await
        .unwrap();
    let facts: Vec<_> = store.outcomes(case).await.unwrap().into_iter().map(|o| o.fact).collect();
    assert_eq!(facts.len(), 3);
    assert_eq!(facts[0], pow);
    let kinds: Vec<&str> = store.timeline(case.0, 1000).await.unwrap().iter().map(|e| e.event.kind()).collect();
    for kind in [
        "plan_drafted",
        "plan_submitted",
        "plan_returned",
        "plan_approved",
        "plan_instructions_sent",
        "case_handed_off",
        "operations_reported",
        "exit_recorded",
        "outcome_recorded",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
});

both_backends!(an_abort_sends_the_case_back_to_its_owner, |db: TestDb| async move {
    let store = db.open().await;
    let owner = store.create_user("sp.abort", Role::Specialist, "x".into(), b"s").await.unwrap();
    let coordinator = store.create_user("co.abort", Role::Coordinator, "x".into(), b"s").await.unwrap();
    let unit = store.create_user("ops.abort", Role::Operations, "x".into(), b"s").await.unwrap();
    let case = located_case(&store, owner).await;
    let (v1, _) = store.save_plan(case, &plan("Ждите сигнала."), owner, Role::Specialist).await.unwrap();
    store.submit_plan(case, owner, Role::Specialist).await.unwrap();
    store.approve_plan(case, v1, coordinator, Role::Coordinator).await.unwrap();
    store.hand_off(case, coordinator, Role::Coordinator).await.unwrap();
    store.report_operations(case, OperationsStatus::Accepted, "", unit, Role::Operations).await.unwrap();
    refused(
        store.report_operations(case, OperationsStatus::Aborted, " ", unit, Role::Operations).await,
        PlanError::Missing("reason"),
    );
    store
        .report_operations(case, OperationsStatus::Aborted, "the crossing is shelled", unit, Role::Operations)
        .await
        .unwrap();
    let view = store.case(case).await.unwrap().unwrap();
    assert_eq!((view.state, view.assigned_to), (CaseState::Located, Some(owner)));
    let reports = store.operations_reports(case).await.unwrap();
    assert_eq!(reports.last().and_then(|r| r.reason.as_ref()).and_then(|r| r.text()), Some("the crossing is shelled"));
    assert!(store.handed_off_plan(case).await.unwrap().is_none());
    // The old approval does not carry the case again: a new version must be approved.
    refused(store.hand_off(case, coordinator, Role::Coordinator).await, PlanError::WrongState(CaseState::Located));
    refused(
        store.approve_plan(case, v1, coordinator, Role::Coordinator).await,
        PlanError::WrongStatus(PlanStatus::Approved),
    );
    let (v2, n) = store.save_plan(case, &plan("Ждите другого сигнала."), owner, Role::Specialist).await.unwrap();
    assert_eq!(n, 2);
    store.submit_plan(case, owner, Role::Specialist).await.unwrap();
    store.approve_plan(case, v2, coordinator, Role::Coordinator).await.unwrap();
    store.hand_off(case, coordinator, Role::Coordinator).await.unwrap();
    // A new hand-off starts its reports afresh.
    store.report_operations(case, OperationsStatus::Accepted, "", unit, Role::Operations).await.unwrap();
    assert_eq!(store.case(case).await.unwrap().unwrap().state, CaseState::HandedOff);
});

both_backends!(a_shredded_plan_reads_as_gone, |db: TestDb| async move {
    let store = db.open().await;
    let owner = store.create_user("sp.shred", Role::Specialist, "x".into(), b"s").await.unwrap();
    let coordinator = store.create_user("co.shred", Role::Coordinator, "x".into(), b"s").await.unwrap();
    let case = located_case(&store, owner).await;
    let (v1, _) = store.save_plan(case, &plan("Секрет."), owner, Role::Specialist).await.unwrap();
    store.submit_plan(case, owner, Role::Specialist).await.unwrap();
    store.return_plan(case, v1, "нет", coordinator, Role::Coordinator).await.unwrap();
    store.shred_case(case, coordinator, safepassage_domain::ShredReason::SafetyRisk).await.unwrap();
    let plans = store.plans(case).await.unwrap();
    assert_eq!(plans.len(), 1);
    assert!(plans[0].content.is_none());
    assert_eq!(plans[0].comment, Some(safepassage_store::Body::Shredded));
});
