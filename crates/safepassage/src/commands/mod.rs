//! One module per command; each takes resolved settings and returns the process exit code.

mod audit;
mod cases;
mod channels;
mod demo;
mod demo_channels;
mod demo_world;
mod flows;
mod keys;
mod serve;
mod user;

use std::process::ExitCode;

use anyhow::Context;
use safepassage_store::Store;

use crate::cli::{AuditCommand, CasesCommand, ChannelsCommand, Command, FlowsCommand, KeysCommand};
use crate::settings::Settings;

pub async fn run(command: Command, settings: Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => serve::run(open(&settings).await?, &settings).await,
        Command::Demo => demo::run(&settings).await,
        Command::Migrate => {
            let backend = Store::migrate(&settings.database).await?;
            println!("{backend} schema is up to date ({})", settings.database_for_display());
            Ok(ExitCode::SUCCESS)
        }
        Command::User(command) => user::run(&open(&settings).await?, command).await,
        Command::Audit(AuditCommand::Verify { expect }) => {
            let expect = expect.as_deref().map(audit::parse_head).transpose()?;
            audit::verify(&open(&settings).await?, expect.as_ref()).await
        }
        Command::Audit(AuditCommand::Head) => audit::head(&open(&settings).await?).await,
        Command::Keys(KeysCommand::Rotate) => keys::rotate(&open(&settings).await?).await,
        Command::Flows(FlowsCommand::Check { file, allow }) => flows::check(&file, &allow),
        Command::Flows(FlowsCommand::Import { file, allow, intake, flow }) => {
            let intake = flows::intake(intake.as_deref(), flow.as_deref())?;
            flows::import(&open(&settings).await?, &file, &allow, intake).await
        }
        Command::Cases(CasesCommand::Shred { id, reason }) => {
            let (case, reason) = cases::parse(&id, &reason)?;
            cases::shred(&open(&settings).await?, case, reason).await
        }
        Command::Channels(ChannelsCommand::Telegram(command)) => channels::telegram(&settings, command).await,
    }
}

/// Opens the store; a refusal (wrong key, missing key over data, exposed key file) ends here
/// with its message and a non-zero exit.
pub async fn open(settings: &Settings) -> anyhow::Result<Store> {
    Store::open(settings.store_config())
        .await
        .with_context(|| format!("cannot open the store at {}", settings.database_for_display()))
}
