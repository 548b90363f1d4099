//! Runs one action of a node. Each family of actions lives in its own module; what they change
//! goes into the session and is reported as events.

mod contact;
mod groups;
mod handover;
pub(crate) mod messages;
mod outside;
mod run_state;

use super::sprint::Sprint;
use crate::definition::{Action, ActionKind, Flow, Node};

pub(crate) fn execute(sp: &mut Sprint<'_>, run: usize, flow: &Flow, node: &Node, step: &str, action: &Action) {
    let uuid = action.uuid.as_str();
    match &action.kind {
        ActionKind::SendMsg(a) => messages::send_msg(sp, run, flow, step, uuid, a),
        ActionKind::SayMsg(a) => messages::say_msg(sp, run, flow, step, uuid, a),
        ActionKind::PlayAudio(a) => messages::play_audio(sp, run, flow, step, uuid, a),
        ActionKind::SetRunResult(a) => run_state::set_run_result(sp, run, flow, node, step, uuid, a),
        ActionKind::SetRunLocal(a) => run_state::set_run_local(sp, run, step, a),
        ActionKind::SetContactField(a) => contact::set_contact_field(sp, run, step, a),
        ActionKind::SetContactName(a) => contact::set_contact_name(sp, run, step, a),
        ActionKind::SetContactLanguage(a) => contact::set_contact_language(sp, run, step, a),
        ActionKind::SetContactTimezone(a) => contact::set_contact_timezone(sp, run, step, a),
        ActionKind::SetContactStatus(a) => contact::set_contact_status(sp, step, a),
        ActionKind::SetContactChannel(a) => contact::set_contact_channel(sp, step, a),
        ActionKind::AddContactUrn(a) => contact::add_contact_urn(sp, run, step, a),
        ActionKind::AddContactGroups(a) => groups::add_contact_groups(sp, run, step, a),
        ActionKind::RemoveContactGroups(a) => groups::remove_contact_groups(sp, run, step, a),
        ActionKind::AddInputLabels(a) => groups::add_input_labels(sp, run, step, a),
        ActionKind::EnterFlow(a) => handover::enter_flow(sp, run, flow, a),
        ActionKind::OpenTicket(a) => handover::open_ticket(sp, run, step, a),
        ActionKind::RequestOptin(a) => handover::request_optin(sp, flow, step, a),
        ActionKind::Outside(o) => outside::execute(sp, run, node, step, o),
    }
    sp.touch(run);
}
