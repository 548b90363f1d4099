//! `demo`: the platform with demo staff accounts, conversations and cases. Seeds only once, so
//! running it again is harmless; then serves like `serve`.

use std::process::ExitCode;

use safepassage_domain::{Role, UserId};
use safepassage_store::Store;

use super::demo_world::Cast;

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
    let at = listeners.addresses()?;
    let mut settings = settings.clone();
    let _providers = super::demo_channels::add(&mut settings, at.public).await?;
    // The demo publishes its figures, so the public page can be seen (with so few contacts,
    // disclosure control hides most of them: that is what it is for).
    settings.server.figures.public = true;
    print_logins(&at)?;
    println!("Public figures: http://{}/figures", at.public);
    super::serve::serve(store, &settings, listeners).await
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
    let coordinator2 = super::user::create_active(
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
    let cast = Cast {
        operator: id_of(Role::Operator),
        specialist: id_of(Role::Specialist),
        coordinator: id_of(Role::Coordinator),
        coordinator2,
        operations: id_of(Role::Operations),
    };
    super::demo_world::seed(store, &cast).await?;
    // The demo analyst sees the internal figures: the demo's few contacts would all be hidden.
    store.set_figures_internal(id_of(Role::Analyst), true, UserId::SYSTEM).await?;
    Ok(())
}

fn print_logins(at: &super::serve::Addresses) -> anyhow::Result<()> {
    let secret = totp_rs::Secret::Raw(DEMO_TOTP_SECRET.to_vec()).to_encoded().to_string();
    println!("{}", at.line("Safe Passage demo"));
    for line in super::demo_channels::describe(at.public) {
        println!("{line}");
    }
    println!("Demo logins (password; every account shares the TOTP secret {secret}):");
    for role in Role::ALL {
        let name = format!("demo.{role}");
        println!("  {name:<17} {}", demo_password(role));
    }
    println!(
        "  demo.coordinator2 {} (a second coordinator: four eyes on exit plans)",
        demo_password(Role::Coordinator)
    );
    let uri = super::user::totp("demo.operator", DEMO_TOTP_SECRET)?.get_url();
    println!("TOTP enrolment URI (any demo account): {uri}");
    Ok(())
}
