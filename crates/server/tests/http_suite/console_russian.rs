//! The console in Russian: a staff member who picks Russian gets the queue, a case page and the
//! login page in Russian, and the choice is remembered like the other languages.

use safepassage_domain::{Language, Role};

use super::console::{location, login, set_cookies};
use super::{client, TestServer};

#[tokio::test]
async fn every_console_page_offers_russian() {
    let server = TestServer::start().await;
    let login_page = client().get(server.url("/console/login")).send().await.unwrap().text().await.unwrap();
    assert!(login_page.contains("<html lang=\"uk\">"), "still Ukrainian by default");
    assert!(
        login_page.contains("href=\"/console/login?lang=ru\" hreflang=\"ru\" lang=\"ru\">Русский</a>"),
        "the switch offers Russian: {login_page}"
    );
}

#[tokio::test]
async fn a_staff_member_who_picks_russian_works_in_russian() {
    let server = TestServer::start().await;
    let operator = server.staff(Role::Operator, "intake").await;
    let session = login(&server, &operator).await;
    let (_, conversation, _) = crate::http_suite::queued_chat(&server.state, Language::Uk).await;

    // The switch: the queue in Russian, and a cookie that remembers it.
    let switched = session.get("/console/queue?lang=ru").await;
    assert_eq!(switched.status(), 200);
    assert!(set_cookies(&switched).iter().any(|s| s.starts_with("sp_console_lang=ru") && s.contains("Path=/console")));
    let queue = switched.text().await.unwrap();
    assert!(queue.contains("<html lang=\"ru\">"), "{queue}");
    assert!(queue.contains("<h2 id=\"waiting-heading\">Ожидают</h2>"), "{queue}");
    assert!(queue.contains(&format!("data-conversation=\"{}\"", conversation.id)), "{queue}");
    assert!(queue.contains("<td class=\"language\">украинский</td>"), "{queue}");
    assert!(queue.contains("<td class=\"channel\">веб-чат</td>"), "{queue}");
    assert!(queue.contains(">Взять<"), "{queue}");
    assert!(queue.contains("hreflang=\"ru\" lang=\"ru\" aria-current=\"true\">Русский</a>"), "{queue}");

    // A case page, without asking again: the choice is remembered.
    let path = format!("/console/conversations/{}", conversation.id);
    assert_eq!(session.post(&format!("{path}/take"), &[]).await.status(), 303);
    let case_path = location(&session.post(&format!("{path}/case"), &[("kind", "group")]).await);
    assert!(case_path.starts_with("/console/cases/"), "{case_path}");
    let case = session.page(&case_path).await;
    assert!(case.contains("<html lang=\"ru\">"), "{case}");
    assert!(case.contains("data-state=\"inquiry\"") && case.contains("обращение"), "{case}");
    assert!(case.contains("Зарегистрировать"), "the moves in Russian: {case}");
    assert!(case.contains("intake открыл(а) дело (групповое)."), "the timeline in Russian: {case}");
    assert!(!case.contains("opened the case") && !case.contains("відкрив"), "no other language: {case}");

    // After logging out, the login page too.
    let out = session.post("/console/logout", &[]).await;
    assert_eq!(out.status(), 303);
    let login_page = session.page(&location(&out)).await;
    assert!(login_page.contains("<html lang=\"ru\">"), "{login_page}");
    assert!(login_page.contains("Код из приложения-аутентификатора"), "{login_page}");
    assert!(login_page.contains("<button id=\"login\" type=\"submit\">Войти</button>"), "{login_page}");
    assert!(login_page.contains("Вы вышли."), "the notice too: {login_page}");
}
