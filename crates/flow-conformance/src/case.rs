//! One conformance case as read from a JSONL line, and the outcome of running it; the whole
//! line is kept too, for the properties some kinds put beside `input`.

use serde_json::Value as J;

/// A case: its id, suite, kind, input, expectation and the services it needs.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub suite: String,
    pub kind: String,
    pub input: J,
    pub expected: J,
    pub needs: Vec<String>,
    /// The file's one line on what is portable and how it is compared, shown with failures.
    pub compare: Option<String>,
    /// The whole line, for properties some kinds keep beside `input` (`to_version`, …).
    pub raw: J,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail(String),
    /// Needs a service the platform refuses by design (an outside call from the bot).
    Refused(String),
}

impl Case {
    /// Reads one line; `Err` says why it is not a case.
    pub fn parse(line: &str, fallback_suite: &str) -> Result<Case, String> {
        let j: J = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
        let s = |k: &str| j.get(k).and_then(J::as_str).map(String::from);
        Ok(Case {
            id: s("id").unwrap_or_else(|| "?".into()),
            suite: s("suite").unwrap_or_else(|| fallback_suite.to_string()),
            kind: s("kind").unwrap_or_default(),
            input: j.get("input").cloned().unwrap_or(J::Null),
            expected: j.get("expected").cloned().unwrap_or(J::Null),
            needs: j
                .get("needs")
                .and_then(J::as_array)
                .map(|a| a.iter().filter_map(J::as_str).map(String::from).collect())
                .unwrap_or_default(),
            compare: s("compare"),
            raw: j.clone(),
        })
    }

    /// The first need naming a service we refuse: webhooks, LLMs, e-mail, airtime and other
    /// calls from the bot to the outside world. A plain webhook is the exception when the case
    /// brings its `http_mocks`: the engine calls webhooks for flows an administrator allowed,
    /// and the mocks answer in the process, so such a case is run and compared.
    pub fn refused_need(&self) -> Option<String> {
        const REFUSED: &[&str] =
            &["webhook", "resthook", "llm", "email", "airtime", "classifier", "broadcast", "start_session", "http"];
        const MOCKABLE: &[&str] = &["webhook", "http"];
        let mocked = self.input.get("http_mocks").is_some_and(J::is_object);
        self.needs
            .iter()
            .find(|n| {
                let n = n.to_lowercase();
                let plain_webhook = MOCKABLE.contains(&n.as_str()) || n == "call_webhook";
                REFUSED.iter().any(|r| n.contains(r)) && !(mocked && plain_webhook)
            })
            .cloned()
    }
}
