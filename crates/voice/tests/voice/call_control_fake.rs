//! The call-update request against the fake provider API.

use safepassage_voice::fake_call_api::FakeCallApi;
use safepassage_voice::{CallControl, CallControlError, Response, Verb};

const ACCOUNT: &str = "AC0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const TOKEN: &str = "auth-token-for-tests";
const CALL: &str = "CAe0f1a2b3c4d5e6f708192a3b4c5d6e7f";

#[tokio::test]
async fn updates_reach_the_provider_with_the_documented_form() {
    let api = FakeCallApi::start(ACCOUNT, TOKEN).await.unwrap();
    let control = CallControl::new(api.base_url(), ACCOUNT, TOKEN).unwrap();
    let twiml = Response(vec![Verb::Hangup]).to_xml();
    control.update_call_twiml(CALL, &twiml).await.unwrap();
    control.redirect_call(CALL, "https://hotline.example/voice/operator?x=1&y=2").await.unwrap();
    control.hang_up(CALL).await.unwrap();
    let updates = api.updates();
    assert_eq!(
        updates,
        vec![
            (CALL.to_owned(), vec![("Twiml".to_owned(), twiml)]),
            (
                CALL.to_owned(),
                vec![
                    ("Url".to_owned(), "https://hotline.example/voice/operator?x=1&y=2".to_owned()),
                    ("Method".to_owned(), "POST".to_owned()),
                ]
            ),
            (CALL.to_owned(), vec![("Status".to_owned(), "completed".to_owned())]),
        ]
    );
}

#[tokio::test]
async fn wrong_credentials_and_ended_calls_are_reported_without_secrets() {
    let api = FakeCallApi::start(ACCOUNT, TOKEN).await.unwrap();
    let wrong = CallControl::new(api.base_url(), ACCOUNT, "not-the-token").unwrap();
    let error = wrong.hang_up(CALL).await.unwrap_err();
    assert_eq!(error, CallControlError::Unauthorized(401));
    let other_account = CallControl::new(api.base_url(), "AC999", TOKEN).unwrap();
    assert_eq!(other_account.hang_up(CALL).await.unwrap_err(), CallControlError::Unauthorized(401));
    assert!(api.updates().is_empty());

    api.end_call(CALL);
    let control = CallControl::new(api.base_url(), ACCOUNT, TOKEN).unwrap();
    let error = control.hang_up(CALL).await.unwrap_err();
    assert_eq!(error, CallControlError::CallNotFound);
    for shown in [error.to_string(), format!("{error:?}"), format!("{control:?}")] {
        assert!(!shown.contains(CALL) && !shown.contains(TOKEN) && !shown.contains(ACCOUNT));
    }
}

#[tokio::test]
async fn an_unreachable_provider_is_a_connect_error() {
    let api = FakeCallApi::start(ACCOUNT, TOKEN).await.unwrap();
    let base = api.base_url().to_owned();
    drop(api);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let control = CallControl::new(&base, ACCOUNT, TOKEN).unwrap();
    assert_eq!(control.hang_up(CALL).await.unwrap_err(), CallControlError::Connect);
}
