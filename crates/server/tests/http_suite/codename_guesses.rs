//! Codename guesses over HTTP: a flood of wrong guesses from many conversations cannot make a
//! correct codename fail for another applicant (the global limit paces the slow hashes, it does
//! not refuse), while guessing stays bounded per conversation and overall.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use safepassage_server::{RateLimit, ServerConfig};
use serde_json::json;

use super::chat_api::{issued_codename, new_session, unknown_codename};
use super::TestServer;

async fn guess(base: &str, token: &str, codename: &str) -> u16 {
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{base}/api/v1/chat/codename"))
        .bearer_auth(token)
        .json(&json!({ "codename": codename }))
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

/// `conversations` guessers, each sending `per_conversation` well-formed wrong codenames one
/// after another; counts the answers.
async fn flood(server: &TestServer, conversations: usize, per_conversation: usize, done: Arc<AtomicUsize>) -> Vec<u16> {
    let mut tokens = Vec::new();
    for _ in 0..conversations {
        tokens.push(new_session(server, "ru").await.0);
    }
    let mut tasks = Vec::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let base = server.base.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for j in 0..per_conversation {
                answers.push(guess(&base, &token, &unknown_codename((i * 7 + j) as u8)).await);
                done.fetch_add(1, Ordering::SeqCst);
            }
            answers
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all
}

#[tokio::test]
async fn a_flood_of_wrong_guesses_does_not_make_a_correct_codename_fail() {
    // The shipped limits. Before this design one budget of 60 attempts a minute served everyone:
    // 80 wrong guesses spent it, and the right codename was refused.
    let server = TestServer::start().await;
    let (_, codename) = issued_codename(&server).await;
    let done = Arc::new(AtomicUsize::new(0));
    let flooding = {
        let done = done.clone();
        async { flood(&server, 16, 5, done).await }
    };
    let applicant = async {
        let deadline = Instant::now() + Duration::from_secs(20);
        while done.load(Ordering::SeqCst) < 65 {
            assert!(Instant::now() < deadline, "the flood did not get going");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // A fresh applicant, in the middle of the flood.
        let (token, _) = new_session(&server, "ru").await;
        let started = Instant::now();
        let status = guess(&server.base, &token, &codename.grouped()).await;
        (status, started.elapsed())
    };
    let (answers, (status, waited)) = tokio::join!(flooding, applicant);
    assert_eq!(answers.len(), 80);
    assert!(answers.iter().all(|s| *s == 403), "every wrong guess is refused alike: {answers:?}");
    assert_eq!(status, 200, "the correct codename was refused during the flood");
    assert!(waited < Duration::from_secs(10), "it waited {waited:?}");
}

#[tokio::test]
async fn guessing_stays_bounded_per_conversation_and_overall() {
    let pace = RateLimit { count: 10, per: Duration::from_secs(1), burst: 5 };
    let server = TestServer::start_with(ServerConfig { codename_hashes: pace, ..Default::default() }).await;

    // Per conversation: five, then refused, even for the right codename.
    let (_, codename) = issued_codename(&server).await;
    let (token, _) = new_session(&server, "ru").await;
    for seed in 0..5 {
        assert_eq!(guess(&server.base, &token, &unknown_codename(seed)).await, 403);
    }
    assert_eq!(guess(&server.base, &token, &codename.grouped()).await, 403, "the sixth attempt is refused");

    // Overall: 40 hashes from 8 fresh conversations at once take at least (40 - 5) / 10 s, so
    // no number of conversations guesses faster than the pace.
    let started = Instant::now();
    let answers = flood(&server, 8, 5, Arc::new(AtomicUsize::new(0))).await;
    let elapsed = started.elapsed();
    assert!(answers.iter().all(|s| *s == 403));
    assert!(elapsed >= Duration::from_millis(3300), "40 guesses in {elapsed:?}: faster than 10 a second");

    // A conversation with an attempt waiting cannot queue another beside it.
    let (token, _) = new_session(&server, "ru").await;
    let (one, two) = (unknown_codename(1), unknown_codename(2));
    let (a, b) = tokio::join!(guess(&server.base, &token, &one), guess(&server.base, &token, &two));
    assert_eq!((a, b), (403, 403));
}
