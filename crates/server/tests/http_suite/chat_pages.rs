//! The applicant's pages as a browser without JavaScript sees them: forms, redirects, the one
//! cookie, escaping, languages, quick exit, codenames, page weight and nothing from elsewhere.

use safepassage_server::ServerConfig;

use super::chat_api::{issued_codename, unknown_codename};
use super::{client, TestServer};

/// The `sp_chat` value in a response's `Set-Cookie`, with the whole header.
fn set_cookie(response: &reqwest::Response) -> Option<(String, String)> {
    let header = response.headers().get_all("set-cookie").iter().find_map(|v| {
        let v = v.to_str().ok()?;
        v.starts_with("sp_chat=").then(|| v.to_owned())
    })?;
    let value = header.trim_start_matches("sp_chat=").split(';').next().unwrap_or("").to_owned();
    Some((value, header))
}

async fn page(client: &reqwest::Client, server: &TestServer, path: &str) -> (reqwest::StatusCode, String) {
    let response = client.get(server.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn post_form(
    client: &reqwest::Client,
    server: &TestServer,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client.post(server.url(path)).form(form).send().await.unwrap()
}

#[tokio::test]
async fn a_first_visit_gets_the_page_and_no_cookie() {
    let server = TestServer::start().await;
    let response = client().get(server.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("set-cookie").is_none(), "no conversation, no cookie");
    let h = response.headers();
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert!(h["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"ru\">"), "Russian by default");
    for hook in [
        "<form id=\"send-form\" method=\"post\" action=\"/chat/send\"",
        "<textarea id=\"message\" name=\"text\"",
        "<input type=\"hidden\" name=\"lang\" value=\"ru\">",
        "<button id=\"send\"",
        "<a id=\"refresh\" href=\"/?lang=ru\"",
        "<form id=\"quick-exit-form\" method=\"post\" action=\"/chat/exit?lang=ru\"",
        "<button id=\"quick-exit\" type=\"submit\">",
        "<nav id=\"language\"",
        "<form id=\"codename-form\" method=\"post\" action=\"/chat/codename\"",
        "<input id=\"codename\" name=\"codename\"",
        "<button id=\"codename-submit\"",
        "<ol id=\"messages\"",
        "id=\"notice\"",
        "<label for=\"message\">",
        "<label for=\"codename\">",
        "<main>",
    ] {
        assert!(html.contains(hook), "missing {hook}");
    }
    for lang in ["ru", "uk", "en"] {
        assert!(html.contains(&format!("href=\"/?lang={lang}\" hreflang=\"{lang}\"")), "switch to {lang}");
    }
    assert!(!html.contains("data-seq"), "no messages without a conversation");
    assert!(!html.to_lowercase().contains("surrender") && !html.contains("сдач") && !html.contains("здач"));
}

#[tokio::test]
async fn without_javascript_a_message_starts_the_conversation_and_shows_escaped() {
    let server = TestServer::start().await;
    let browser = client();
    let attack = "<script>alert(1)</script> & \"quotes\"";
    let response = post_form(&browser, &server, "/chat/send", &[("text", attack), ("lang", "ru")]).await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/?lang=ru");
    let (token, header) = set_cookie(&response).expect("the conversation's cookie");
    assert!(token.len() >= 40 && !location.contains(&token), "the token is never in a URL");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(header.contains(flag), "{header} lacks {flag}");
    }
    assert!(!header.contains("Secure"), "plain HTTP unless configured");
    assert!(
        !header.to_lowercase().contains("expires") && !header.to_lowercase().contains("max-age"),
        "a session cookie"
    );

    let (status, html) = page(&browser, &server, &location).await;
    assert_eq!(status, 200);
    assert!(html.contains("Здравствуйте. Это служба помощи."), "the intake's greeting");
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34;"), "{html}");
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("class=\"msg from-bot\""));
    assert!(html.contains("class=\"msg from-applicant\""));
    assert!(html.contains("data-live=\"1\""));

    // An operator answers; a reload shows it.
    let conversation = server.state.conversation_for_token(&token).await.unwrap().unwrap();
    server.state.staff_says(&conversation, "Ответ оператора").await.unwrap();
    let response = browser.get(server.url("/")).send().await.unwrap();
    assert!(response.headers().get("set-cookie").is_none(), "the cookie is set once");
    let html = response.text().await.unwrap();
    assert!(html.contains("class=\"msg from-staff\""));
    assert!(html.contains("Ответ оператора"));

    // A second message goes to the same conversation.
    let response = post_form(&browser, &server, "/chat/send", &[("text", "ещё"), ("lang", "ru")]).await;
    assert_eq!(response.status(), 303);
    assert!(set_cookie(&response).is_none());
    // Greeting, the first message (English by its letters), "who are you?", the operator, the
    // second message, and the intake asking again.
    let messages = server.state.store.messages(conversation.id, 0, 10).await.unwrap();
    assert_eq!(messages.len(), 6);
    assert_eq!(messages[2].sender, safepassage_domain::Sender::Bot);
}

#[tokio::test]
async fn the_cookie_is_secure_when_configured() {
    let config = ServerConfig { secure_cookies: true, ..ServerConfig::default() };
    let server = TestServer::start_with(config).await;
    let response = post_form(&client(), &server, "/chat/send", &[("text", "hi"), ("lang", "en")]).await;
    let header = response.headers()["set-cookie"].to_str().unwrap();
    assert!(header.starts_with("__Host-sp_chat="), "{header}");
    assert!(header.contains("Secure"), "{header}");
}

#[tokio::test]
async fn refused_texts_come_back_on_the_page_without_starting_anything() {
    let server = TestServer::start().await;
    let browser = client();
    let response = post_form(&browser, &server, "/chat/send", &[("text", "   "), ("lang", "en")]).await;
    assert_eq!(response.status(), 400);
    assert!(set_cookie(&response).is_none(), "no conversation from an empty message");
    let html = response.text().await.unwrap();
    assert!(html.contains("Write a message before sending."), "{html}");
    assert!(html.contains("<html lang=\"en\">"));

    let long = "x".repeat(4097);
    let response = post_form(&browser, &server, "/chat/send", &[("text", &long), ("lang", "uk")]).await;
    assert_eq!(response.status(), 400);
    let html = response.text().await.unwrap();
    assert!(html.contains("Повідомлення задовге"));
    assert!(html.contains(&long), "the text stays in the box to be shortened");
    assert!(server.state.store.queue(10).await.unwrap().is_empty());

    let response = browser.post(server.url("/chat/send")).form(&[("lang", "ru")]).send().await.unwrap();
    assert_eq!(response.status(), 400, "a form without text");
}

#[tokio::test]
async fn the_language_switch_and_the_conversations_language() {
    let server = TestServer::start().await;
    let browser = client();
    let (_, uk) = page(&browser, &server, "/?lang=uk").await;
    assert!(uk.contains("<html lang=\"uk\">"));
    assert!(uk.contains("Напишіть нам"));
    assert!(uk.contains("hreflang=\"uk\" lang=\"uk\" aria-current=\"true\""));
    let (_, en) = page(&browser, &server, "/?lang=en").await;
    assert!(en.contains("<html lang=\"en\">") && en.contains("Write to us"));
    let (_, unknown) = page(&browser, &server, "/?lang=de").await;
    assert!(unknown.contains("<html lang=\"ru\">"), "an unknown language falls back to Russian");

    // A conversation started in Ukrainian keeps its language without `?lang=`.
    post_form(&browser, &server, "/chat/send", &[("text", "Привіт"), ("lang", "uk")]).await;
    let (_, html) = page(&browser, &server, "/").await;
    assert!(html.contains("<html lang=\"uk\">"));
    assert!(html.contains("Вітаємо."), "greeted in Ukrainian");
    let (_, html) = page(&browser, &server, "/?lang=en").await;
    assert!(html.contains("<html lang=\"en\">"), "the switch still wins");
}

#[tokio::test]
async fn quick_exit_leads_to_the_configured_neutral_page() {
    let server = TestServer::start().await;
    let (_, html) = page(&client(), &server, "/").await;
    assert!(html.contains("data-neutral=\"https://www.google.com/search?hl=ru&#38;q="), "{html}");
    let (_, html) = page(&client(), &server, "/?lang=en").await;
    assert!(html.contains("data-neutral=\"https://www.google.com/search?hl=en&#38;q=weather\""), "{html}");
    let config = ServerConfig {
        quick_exit_url: Some("https://example.org/weather?city=x&y=1".into()),
        ..ServerConfig::default()
    };
    let server = TestServer::start_with(config).await;
    let (_, html) = page(&client(), &server, "/").await;
    assert!(html.contains("data-neutral=\"https://example.org/weather?city=x&#38;y=1\""), "{html}");
    let mut config = ServerConfig { quick_exit_url: Some("javascript:alert(1)".into()), ..ServerConfig::default() };
    config.quick_exit_urls.insert(safepassage_domain::Language::Uk, "https://example.org/uk".into());
    let server = TestServer::start_with(config).await;
    let (_, html) = page(&client(), &server, "/").await;
    assert!(!html.contains("javascript:"), "only http(s) URLs are used");
    let (_, html) = page(&client(), &server, "/?lang=uk").await;
    assert!(html.contains("data-neutral=\"https://example.org/uk\""), "the language's own page");
}

#[tokio::test]
async fn a_codename_on_the_page_joins_and_says_so_once() {
    let server = TestServer::start().await;
    let (case, codename) = issued_codename(&server).await;
    let browser = client();
    // A returning applicant may begin with the codename: the conversation starts here.
    let response =
        post_form(&browser, &server, "/chat/codename", &[("codename", &codename.grouped()), ("lang", "en")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/?lang=en");
    let (token, _) = set_cookie(&response).unwrap();
    let (_, html) = page(&browser, &server, "/?lang=en").await;
    assert!(html.contains("We will continue where we left off."), "{html}");
    let (_, html) = page(&browser, &server, "/?lang=en").await;
    assert!(!html.contains("We will continue where we left off."), "a notice shows once");
    let conversation = server.state.conversation_for_token(&token).await.unwrap().unwrap();
    assert_eq!(conversation.case, Some(case));
    assert!(!html.contains(codename.digits()) && !html.contains(&codename.grouped()), "never echoed");
}

#[tokio::test]
async fn codename_refusals_on_the_page_are_all_alike() {
    let server = TestServer::start().await;
    let (_, codename) = issued_codename(&server).await;
    let browser = client();
    post_form(&browser, &server, "/chat/send", &[("text", "hi"), ("lang", "en")]).await;
    let mut notices = Vec::new();
    let mut attempts: Vec<String> = vec!["123".into(), "not a codename".into()];
    attempts.extend((0..5).map(unknown_codename));
    attempts.push(codename.grouped());
    for attempt in &attempts {
        let response = post_form(&browser, &server, "/chat/codename", &[("codename", attempt), ("lang", "en")]).await;
        assert_eq!(response.status(), 303);
        let (_, html) = page(&browser, &server, "/?lang=en").await;
        let start = html.find("id=\"notice\"").unwrap();
        notices.push(html[start..start + html[start..].find("</p>").unwrap()].to_owned());
    }
    assert!(notices[0].contains("This codename was not accepted."), "{}", notices[0]);
    assert!(notices.iter().all(|n| n == &notices[0]), "{notices:?}");
}

#[tokio::test]
async fn a_stale_cookie_is_removed_and_a_cross_site_post_refused() {
    let server = TestServer::start().await;
    let response =
        client().get(server.url("/")).header("cookie", "sp_chat=abcdefghijklmnopqrstuvwxyz").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let (value, header) = set_cookie(&response).unwrap();
    assert!(value.is_empty() && header.contains("Max-Age=0"), "{header}");

    let response = client()
        .post(server.url("/chat/send"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("text", "planted"), ("lang", "ru")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(set_cookie(&response).is_none());
    assert!(server.state.store.queue(10).await.unwrap().is_empty());
}

/// Paths of our own assets a page links: `href="/static/..."` and `src="/static/..."`.
fn linked_assets(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"/static/", "src=\"/static/"] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            let tail = &rest[i + attr.len() - "/static/".len()..];
            out.push(tail[..tail.find('"').unwrap()].to_owned());
            rest = &rest[i + attr.len()..];
        }
    }
    out
}

#[tokio::test]
async fn a_page_weighs_under_50_kb_and_loads_nothing_from_elsewhere() {
    let server = TestServer::start().await;
    let browser = client();
    post_form(&browser, &server, "/chat/send", &[("text", "Здравствуйте, мне нужна помощь."), ("lang", "ru")]).await;
    let (_, html) = page(&browser, &server, "/").await;
    let assets = linked_assets(&html);
    assert_eq!(assets, ["/static/chat.css", "/static/chat.js"]);
    let mut total = html.len();
    let mut texts = vec![("page".to_owned(), html.clone())];
    for asset in &assets {
        let body = client().get(server.url(asset)).send().await.unwrap().text().await.unwrap();
        total += body.len();
        texts.push((asset.clone(), body));
    }
    assert!(total < 50 * 1024, "page, CSS and script weigh {total} bytes");

    let quick_exit = "https://www.google.com/search?hl=ru&#38;q=";
    for (name, text) in &texts {
        let text = text.replace(quick_exit, "");
        assert!(!text.contains("http://") && !text.contains("https://"), "{name} names another site");
        assert!(!text.contains("//cdn") && !text.contains("url("), "{name} loads something");
    }
    // The CSP allows no inline script or style: none may be there.
    assert!(!html.contains("style="), "inline style");
    assert!(!html.contains("<style"), "style element");
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains("<script src=\"/static/chat.js\" defer></script>"));
    assert!(!html.contains(" onclick=") && !html.contains(" onload=") && !html.contains(" onsubmit="));
    let js = &texts[2].1;
    assert!(!js.contains("innerHTML") && !js.contains("localStorage") && !js.contains("sessionStorage"));
    assert!(js.contains("location.replace"));
}
