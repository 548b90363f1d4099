//! The request signature against the worked examples in `tests/fixtures/`, and tampering.

use safepassage_voice::{signature, signature_is_valid};

struct Example {
    url: String,
    token: String,
    params: Vec<(String, String)>,
    signature: String,
}

fn examples() -> Vec<Example> {
    let text = include_str!("../fixtures/twilio_signature_examples.txt");
    text.split("\n---\n")
        .map(|block| {
            let mut example =
                Example { url: String::new(), token: String::new(), params: Vec::new(), signature: String::new() };
            for line in block.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
                let (key, rest) = line.split_once(' ').unwrap();
                match key {
                    "url" => example.url = rest.to_owned(),
                    "token" => example.token = rest.to_owned(),
                    "signature" => example.signature = rest.to_owned(),
                    "param" => {
                        let (name, value) = rest.split_once(' ').unwrap();
                        example.params.push((name.to_owned(), value.to_owned()));
                    }
                    other => panic!("unknown fixture line {other}"),
                }
            }
            example
        })
        .collect()
}

#[test]
fn the_documented_examples_are_reproduced() {
    let examples = examples();
    assert_eq!(examples.len(), 3);
    for example in &examples {
        assert_eq!(signature(&example.token, &example.url, &example.params), example.signature, "{}", example.url);
        assert!(signature_is_valid(&example.token, &example.url, &example.params, Some(&example.signature)));
    }
}

#[test]
fn any_tampering_invalidates() {
    let example = &examples()[0];
    let valid = |token: &str, url: &str, params: &[(String, String)], header: Option<&str>| {
        signature_is_valid(token, url, params, header)
    };
    let header = Some(example.signature.as_str());

    let mut changed_value = example.params.clone();
    changed_value[1].1 = "1235".into();
    assert!(!valid(&example.token, &example.url, &changed_value, header));

    let mut added = example.params.clone();
    added.push(("Extra".into(), String::new()));
    assert!(!valid(&example.token, &example.url, &added, header));

    let mut removed = example.params.clone();
    removed.pop();
    assert!(!valid(&example.token, &example.url, &removed, header));

    let other_url = example.url.replace("foo=1", "foo=2");
    assert!(!valid(&example.token, &other_url, &example.params, header));
    let http_url = example.url.replace("https://", "http://");
    assert!(!valid(&example.token, &http_url, &example.params, header));

    assert!(!valid("12346", &example.url, &example.params, header));
    assert!(!valid(&example.token, &example.url, &example.params, None));
    assert!(!valid(&example.token, &example.url, &example.params, Some("")));
    let mut flipped = example.signature.clone();
    flipped.replace_range(0..1, "S");
    assert!(!valid(&example.token, &example.url, &example.params, Some(&flipped)));
    let truncated = &example.signature[..example.signature.len() - 1];
    assert!(!valid(&example.token, &example.url, &example.params, Some(truncated)));
}
