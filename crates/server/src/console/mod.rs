//! The operator console: staff log in (password and TOTP), work the queue, answer conversations,
//! move cases, and administer accounts. Server-rendered HTML; JavaScript only for live updates.

mod access;
mod account;
mod admin;
mod archive;
mod assign;
mod auth;
mod bot_results;
mod case;
mod case_map;
mod cases;
mod codename;
mod codename_mask;
mod confirm;
mod conversation;
mod conversation_case;
mod cookies;
mod csrf;
mod errors;
mod events;
mod exit_plan;
mod figures;
mod figures_mapping;
mod flows;
mod form;
mod handoff;
mod holding;
mod home;
mod lang;
mod locations;
mod notes;
mod queue;
mod relatives;
mod roles;
mod screening;
mod session;
mod shred;
#[cfg(test)]
mod texts;
mod timeline;
mod totp;
mod views;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::{middleware, Extension, Router};

use crate::{AppState, I18n};

/// What the console keeps beside the shared state: the texts for pages drawn by middleware
/// (which runs before the app state is at hand). (A TOTP code is taken in the store, so that it
/// opens one session whichever node it reaches.)
pub(crate) struct ConsoleState {
    i18n: Arc<I18n>,
}

pub(crate) fn routes() -> Router<AppState> {
    let console = Arc::new(ConsoleState { i18n: Arc::new(crate::i18n::load()) });
    Router::new()
        .route("/console", get(home::page))
        .route("/console/login", get(auth::login_page).post(auth::login))
        .route("/console/logout", post(auth::logout))
        .route("/console/queue", get(queue::page))
        .route("/console/events", get(events::queue))
        .route("/console/conversations/{id}", get(conversation::page))
        .route("/console/conversations/{id}/events", get(events::conversation))
        .route("/console/conversations/{id}/take", post(queue::take))
        .route("/console/conversations/{id}/reply", post(conversation::reply))
        .route("/console/conversations/{id}/close", post(conversation::close))
        .route("/console/conversations/{id}/case", post(conversation::open_case))
        .route("/console/cases", get(cases::list))
        .route("/console/cases/{id}", get(case::page))
        .route("/console/cases/{id}/transition", get(confirm::ask).post(case::transition))
        .route("/console/cases/{id}/composition", post(case::composition))
        .route("/console/cases/{id}/assign", post(assign::assign))
        .route("/console/handoffs", get(cases::handoffs))
        .route("/console/admin/users", get(admin::users).post(admin::add_user))
        .route("/console/flows", get(flows::page))
        .route(flows::IMPORT_PATH, post(flows::import))
        .route("/console/flows/intake", post(flows::intake))
        .route("/console/flows/export", get(flows::export_all))
        .route("/console/flows/files/{id}", get(flows::file))
        .route("/console/flows/{uuid}", get(flows::outline))
        .route("/console/flows/{uuid}/export", get(flows::export_one))
        .route("/console/cases/{id}/shred", get(shred::page).post(shred::shred))
        .route(account::SETUP_PATH, get(account::setup_page).post(account::setup))
        .route(account::ACCOUNT_PATH, get(account::page))
        .route("/console/account/password", post(account::change_password))
        .route("/console/account/phone", post(account::set_phone))
        .route("/console/account/totp/new", post(account::new_totp))
        .route("/console/account/totp", post(account::confirm_totp))
        .route("/console/admin/users/{id}/disable", post(admin::disable))
        .route("/console/admin/users/{id}/enable", post(admin::enable))
        .route("/console/admin/users/{id}/unlock", post(admin::unlock))
        .route("/console/admin/users/{id}/role", post(admin::set_role))
        .route("/console/admin/users/{id}/reset", get(admin::reset_page).post(admin::reset))
        .route("/console/cases/{id}/flag", post(screening::flag))
        .route("/console/signals", get(screening::signals))
        .route("/console/cases/{id}/locations", post(locations::add))
        // The exit path: plans with four eyes, hand-off, the package for operations, outcome.
        .route("/console/cases/{id}/plan", get(exit_plan::edit).post(exit_plan::save))
        .route("/console/cases/{id}/plan/submit", post(exit_plan::submit))
        .route("/console/cases/{id}/plan/approve", post(exit_plan::approve))
        .route("/console/cases/{id}/plan/return", post(exit_plan::send_back))
        .route("/console/cases/{id}/plan/send", post(exit_plan::send_instructions))
        .route("/console/cases/{id}/handoff", post(exit_plan::hand_off))
        .route("/console/cases/{id}/exit", post(exit_plan::record_exit))
        .route("/console/cases/{id}/outcome", post(exit_plan::outcome))
        .route("/console/handoffs/{id}", get(handoff::page))
        .route("/console/handoffs/{id}/package.geojson", get(handoff::export_geojson))
        .route("/console/handoffs/{id}/package.txt", get(handoff::export_text))
        .route("/console/handoffs/{id}/report", post(handoff::report))
        // Who holds a case: waiting and silence.
        .route("/console/cases/{id}/next-contact", post(holding::set_next_contact))
        .route("/console/cases/events", get(events::cases))
        .route("/console/cases/{id}/notes", post(notes::add))
        .route("/console/cases/{id}/codename", post(codename::issue))
        .route("/console/conversations/{id}/relative", post(relatives::link))
        .route("/console/cases/archive", get(archive::page))
        .route("/console/figures", get(figures::page))
        .route("/console/figures.csv", get(figures::csv))
        .route("/console/figures.json", get(figures::json))
        .route(figures_mapping::PATH, get(figures_mapping::page).post(figures_mapping::save))
        .route("/console/admin/users/{id}/figures", post(figures_mapping::set_access))
        // Innermost first: the CSRF check runs before any handler, its refusals get the
        // request id like every other error page, and everything sees the console's state.
        .layer(middleware::from_fn(csrf::check))
        .layer(middleware::from_fn(crate::error::page_request_ids))
        .layer(Extension(console))
}

/// The clock, read at the edge (the domain never reads it).
pub(crate) use safepassage_conversation::clock::now_ms;
pub(crate) use views::vocab_id;
