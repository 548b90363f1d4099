//! `demo`: the platform with demo staff accounts, conversations and cases. Seeds only once, so
//! running it again is harmless; then serves like `serve`.

use std::process::ExitCode;

use safepassage_domain::{CaseKind, CaseState, Channel, Language, Role, Sender, Transition, UserId};
use safepassage_store::{NoteKind, Store};

use crate::settings::Settings;

/// Demo logins are public knowledge: never use the demo database for real work.
const DEMO_TOTP_SECRET: &[u8; 20] = b"safepassage-demo-20b";

fn demo_password(role: Role) -> String {
    format!("demo-{role}-password")
}

pub async fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    let store = super::open(settings).await?;
    if store.user_by_name("demo.operator").await?.is_none() {
        seed(&store).await?;
    }
    // The shipped flows join the library, so the console lists and exports them.
    if store.flow_library_version().await? == 0 {
        let shipped = safepassage_server::flow_library::shipped_export().as_bytes();
        safepassage_server::flow_library::import_file(&store, shipped, UserId::SYSTEM, None).await?;
    }
    let listeners = super::serve::Listeners::bind(settings).await?;
    print_logins(&listeners.addresses()?)?;
    super::serve::serve(store, settings, listeners).await
}

async fn seed(store: &Store) -> anyhow::Result<()> {
    let mut ids = Vec::new();
    for role in Role::ALL {
        let id =
            super::user::create_active(store, role, &format!("demo.{role}"), &demo_password(role), DEMO_TOTP_SECRET)
                .await?;
        ids.push((role, id));
    }
    // A second coordinator, so that a plan one coordinator wrote can be approved (four eyes).
    super::user::create_active(
        store,
        Role::Coordinator,
        "demo.coordinator2",
        &demo_password(Role::Coordinator),
        DEMO_TOTP_SECRET,
    )
    .await?;
    let id_of = |role: Role| {
        ids.iter().find(|(r, _)| *r == role).map(|(_, id)| *id).unwrap_or(safepassage_domain::UserId(uuid::Uuid::nil()))
    };

    let waiting = store.start_conversation(Channel::Web, Language::Ru, None, None).await?;
    store.append_message(&waiting, Sender::Applicant, "Здравствуйте. Мужа призвали, что ему делать?").await?;
    store
        .append_message(&waiting, Sender::Bot, "Здравствуйте. Вы на связи со службой помощи. Оператор скоро ответит.")
        .await?;
    store.queue_conversation(waiting.id, false).await?;

    let registered = store.start_conversation(Channel::Telegram, Language::Uk, Some("demo-telegram-1"), None).await?;
    store.append_message(&registered, Sender::Applicant, "Добрий день. Хочу зареєструватися.").await?;
    let specialist = id_of(Role::Specialist);
    let case = store.open_case(Some(registered.id), CaseKind::Group, specialist).await?;
    store
        .transition_case(case, Transition::Advance { to: CaseState::Registered }, specialist, Role::Specialist)
        .await?;
    store.set_group_composition(case, 4, 1, specialist, Role::Specialist).await?;
    store.add_note(case, NoteKind::Note, specialist, "Group of four, one officer. Prefers evening contact.").await?;

    let english = store.start_conversation(Channel::Web, Language::En, None, None).await?;
    store.append_message(&english, Sender::Applicant, "Hello, I am asking for my brother.").await?;
    store.queue_conversation(english.id, true).await?;
    Ok(())
}

fn print_logins(at: &super::serve::Addresses) -> anyhow::Result<()> {
    let secret = totp_rs::Secret::Raw(DEMO_TOTP_SECRET.to_vec()).to_encoded().to_string();
    println!("{}", at.line("Safe Passage demo"));
    println!("Demo logins (password; every account shares the TOTP secret {secret}):");
    for role in Role::ALL {
        println!("  demo.{role:<12} {}", demo_password(role));
    }
    println!(
        "  demo.coordinator2 {} (a second coordinator: four eyes on exit plans)",
        demo_password(Role::Coordinator)
    );
    let uri = super::user::totp("demo.operator", DEMO_TOTP_SECRET)?.get_url();
    println!("TOTP enrolment URI (any demo account): {uri}");
    Ok(())
}
