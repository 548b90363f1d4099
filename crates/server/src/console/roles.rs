//! Roles in types: each handler names the area of the console it belongs to, and the
//! `Allowed<Area>` extractor lets in only that area's roles (DESIGN.md's table of people).

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use safepassage_domain::Role;

use super::session::Staff;
use super::{errors, lang};
use crate::AppState;

/// A part of the console and the roles that may enter it. Which objects inside it a person may
/// see is decided per object in `access`.
pub(crate) trait Area {
    const ROLES: &'static [Role];
}

macro_rules! area {
    ($(#[$doc:meta])* $name:ident => [$($role:ident),*]) => {
        $(#[$doc])*
        pub(crate) struct $name;
        impl Area for $name {
            const ROLES: &'static [Role] = &[$(Role::$role),*];
        }
    };
}

area!(
    /// The start page and logout: anyone with a session.
    AnyStaff => [Operator, Specialist, Coordinator, Operations, Analyst, Admin]
);
area!(
    /// The waiting queue and taking from it: the people who answer chats. Specialists take too,
    /// since they open cases from conversations (issue 3).
    QueueWork => [Operator, Specialist]
);
area!(
    /// Transcripts: who answers them, and coordinators for the conversations of open cases.
    Conversations => [Operator, Specialist, Coordinator]
);
area!(
    /// Case pages and moves. Operations never: they see the hand-off package alone.
    CaseWork => [Operator, Specialist, Coordinator]
);
area!(
    /// Lists of cases: "mine" for operators and specialists, every open one for coordinators.
    CaseLists => [Operator, Specialist, Coordinator]
);
area!(
    /// Group size and composition (the domain also checks the role).
    Composition => [Specialist, Coordinator]
);
area!(
    /// Cases handed to the operations unit.
    HandOffs => [Operations]
);
area!(
    /// The figures: counts only, never a single case (DESIGN.md's table of people).
    Figures => [Analyst]
);
area!(
    /// Users and roles; never case content.
    Administration => [Admin]
);
area!(
    /// Crypto-shredding a case: coordinators decide what is destroyed.
    Shredding => [Coordinator]
);
area!(
    /// Giving a case to a specialist: coordinators hold the unassigned list.
    Assigning => [Coordinator]
);
area!(
    /// Provocation screening signals, which link cases to each other: coordinators only.
    Screening => [Coordinator]
);
area!(
    /// Writing an exit plan, sending its instructions, recording the exit and its outcome: the
    /// case's owner or a coordinator (the domain and `access` decide which case).
    PlanWork => [Operator, Specialist, Coordinator]
);
area!(
    /// Approving or returning a plan, handing it to operations: coordinators (four eyes are the
    /// domain's: never the plan's author).
    PlanReview => [Coordinator]
);
area!(
    /// Waiting and silence: the holder (or a coordinator) sets when the next contact is due;
    /// the domain checks who holds the case.
    Holding => [Operator, Specialist, Coordinator]
);
area!(
    /// Relatives: the specialist answering a relative's conversation links it to their case.
    Linking => [Specialist]
);
area!(
    /// The archive of closed and exited cases: coordinators find them, read-only.
    Archive => [Coordinator]
);

/// Proof that the session's user has a role of area `A`.
pub(crate) struct Allowed<A: Area> {
    pub staff: Staff,
    area: PhantomData<fn() -> A>,
}

impl<A: Area> FromRequestParts<AppState> for Allowed<A> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Allowed<A>, Response> {
        let staff = Staff::from_request_parts(parts, state).await?;
        if staff.pending {
            return Err(super::views::see_other(super::account::SETUP_PATH));
        }
        if A::ROLES.contains(&staff.role) {
            Ok(Allowed { staff, area: PhantomData })
        } else {
            let lang = lang::choose(&parts.headers, &parts.uri);
            Err(errors::forbidden(&state.i18n, lang).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Admins and analysts reach no area with case content; operations none with chat history.
    #[test]
    fn content_areas_exclude_admins_analysts_and_operations() {
        for roles in [
            QueueWork::ROLES,
            Conversations::ROLES,
            CaseLists::ROLES,
            Composition::ROLES,
            CaseWork::ROLES,
            PlanWork::ROLES,
        ] {
            for role in [Role::Admin, Role::Analyst, Role::Operations] {
                assert!(!roles.contains(&role), "{role}");
            }
        }
        assert!(!CaseWork::ROLES.contains(&Role::Admin) && !CaseWork::ROLES.contains(&Role::Analyst));
        assert_eq!(Administration::ROLES, &[Role::Admin]);
    }
}
