use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

use super::*;
use crate::env::Env;

struct Fields;

impl Resolver for Fields {
    fn field_type(&self, key: &str) -> Option<ValueType> {
        match key {
            "age" => Some(ValueType::Number),
            "joined" => Some(ValueType::Datetime),
            "district" | "nickname" => Some(ValueType::Text),
            _ => None,
        }
    }
    fn group_exists(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case("volunteers")
    }
    fn flow_exists(&self, _name: &str) -> bool {
        false
    }
}

/// A contact for the tests: Ana Lima, 34, joined 2024-02-10, two phone numbers.
struct Person;

impl Queryable for Person {
    fn query_property(&self, _env: &Env, key: &str, prop_type: PropType) -> Vec<QValue> {
        let text = |s: &str| vec![QValue::Text(s.to_string())];
        match (prop_type, key) {
            (PropType::Attribute, "name") => text("Ana Maria Lima"),
            (PropType::Attribute, "language") => text("por"),
            (PropType::Attribute, "status") => text("active"),
            (PropType::Attribute, "created_on") => {
                vec![QValue::Datetime(NaiveDate::from_ymd_opt(2024, 1, 5).unwrap().and_hms_opt(9, 0, 0).unwrap())]
            }
            (PropType::Urn, "tel") => vec![QValue::Text("+15550001111".into()), QValue::Text("+15550002222".into())],
            (PropType::Attribute, "urn") => vec![QValue::Text("+15550001111".into())],
            (PropType::Field, "age") => vec![QValue::Number(Decimal::from(34))],
            (PropType::Field, "joined") => {
                vec![QValue::Datetime(NaiveDate::from_ymd_opt(2024, 2, 10).unwrap().and_hms_opt(23, 30, 0).unwrap())]
            }
            (PropType::Field, "district") => text("Gasabo"),
            _ => Vec::new(),
        }
    }
}

fn env() -> Env {
    Env::new(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap())
}

fn matches(q: &str) -> bool {
    let query = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    validate(&env(), &query, &Fields).unwrap_or_else(|e| panic!("{q}: {e}"));
    evaluate(&env(), &query, &Fields, &Person)
}

fn refused(q: &str) -> ErrorKind {
    match parse(q) {
        Err(e) => e.kind,
        Ok(query) => match validate(&env(), &query, &Fields) {
            Err(e) => e.kind,
            Ok(()) => panic!("{q} was accepted"),
        },
    }
}

#[test]
fn parses_to_the_canonical_form() {
    let cases = [
        ("name ~ \"ana\"", "name ~ \"ana\""),
        ("AGE>18", "fields.age > 18"),
        ("age > 18 and district = gasabo", "fields.age > 18 AND fields.district = \"gasabo\""),
        ("a OR b c", "name = \"a\" OR (name = \"b\" AND name = \"c\")"),
        ("(age = 1 or age = 2) (age = 3)", "(fields.age = 1 OR fields.age = 2) AND fields.age = 3"),
        ("tel has 555", "urns.tel ~ 555"),
        ("fields.status is x", "fields.status = \"x\""),
        ("language = \"\"", "language = \"\""),
        ("555-000-1111", "urns.tel ~ 5550001111"),
        ("tel:+15550001111", "urns.tel = \"+15550001111\""),
        ("ana lima", "name ~ \"ana\" AND name ~ \"lima\""),
        ("a", "name = \"a\""),
        ("(age = 1 and (age = 2 and age = 3))", "fields.age = 1 AND fields.age = 2 AND fields.age = 3"),
    ];
    for (input, want) in cases {
        assert_eq!(parse(input).map(|q| q.to_string()).as_deref(), Ok(want), "{input}");
    }
}

#[test]
fn refuses_bad_syntax_with_clear_errors() {
    for q in
        ["", "   ", "name =", "name = \"open", "(age = 1", "age = 1)", "AND name = x", "name = x OR", "name ! x", "()"]
    {
        let e = parse(q).expect_err(q);
        assert_eq!(e.kind, ErrorKind::Syntax, "{q}");
        assert!(!e.message.is_empty());
    }
    assert_eq!(parse(&"x".repeat(MAX_QUERY_CHARS + 1)).unwrap_err().kind, ErrorKind::TooLong);
    let deep = format!("{}age = 1{}", "(".repeat(MAX_NESTING + 1), ")".repeat(MAX_NESTING + 1));
    assert_eq!(parse(&deep).unwrap_err().kind, ErrorKind::TooComplex);
    let many = vec!["age = 1"; MAX_CONDITIONS + 1].join(" OR ");
    assert_eq!(parse(&many).unwrap_err().kind, ErrorKind::TooComplex);
    assert_eq!(parse("foo.bar = 1").unwrap_err().kind, ErrorKind::UnknownPropertyType);
}

#[test]
fn validates_against_fields_and_types() {
    assert_eq!(refused("shoe_size = 4"), ErrorKind::UnknownProperty);
    assert_eq!(refused("age ~ 3"), ErrorKind::UnsupportedContains);
    assert_eq!(refused("district > 3"), ErrorKind::UnsupportedComparison);
    assert_eq!(refused("age = old"), ErrorKind::InvalidNumber);
    assert_eq!(refused("joined = someday"), ErrorKind::InvalidDate);
    assert_eq!(refused("name ~ a"), ErrorKind::InvalidPartialName);
    assert_eq!(refused("tel ~ 55"), ErrorKind::InvalidPartialUrn);
    assert_eq!(refused("status = sleeping"), ErrorKind::InvalidStatus);
    assert_eq!(refused("status = \"\""), ErrorKind::UnsupportedSetCheck);
    assert_eq!(refused("language = english"), ErrorKind::InvalidLanguage);
    assert_eq!(refused("group = nobody"), ErrorKind::InvalidGroup);
    assert_eq!(refused("flow = intake"), ErrorKind::InvalidFlow);
    assert!(parse("group = Volunteers").map(|q| validate(&env(), &q, &Fields)).is_ok_and(|r| r.is_ok()));
}

#[test]
fn evaluates_text_number_date_and_urns() {
    assert!(matches("name ~ \"lim\""));
    assert!(matches("name ~ maria"));
    assert!(!matches("name ~ lia"));
    assert!(matches("name = \"ana maria lima\""));
    assert!(matches("ana"));
    assert!(matches("age > 18"));
    assert!(matches("age >= 34 AND age <= 34"));
    assert!(!matches("age < 34"));
    assert!(matches("age != 35"));
    assert!(matches("language = POR"));
    assert!(matches("status = active"));
    assert!(matches("district = GASABO"));
    assert!(matches("district != kicukiro"));
    assert!(matches("nickname = \"\""));
    assert!(!matches("nickname != \"\""));
    assert!(matches("district != \"\""));
    assert!(matches("joined = 2024-02-10"));
    assert!(matches("joined > 2024-02-09"));
    assert!(!matches("joined > 2024-02-10"));
    assert!(matches("joined < 2024-02-11"));
    assert!(matches("created_on < 2024-02-01"));
    assert!(matches("tel ~ 0002222"));
    assert!(matches("tel = +15550002222"));
    assert!(!matches("tel != +15550002222"));
    assert!(matches("urn ~ 0001111"));
    assert!(matches("555-000-2222"));
    assert!(matches("age > 40 OR district = gasabo"));
    assert!(!matches("age > 40 district = gasabo"));
    assert!(matches("(age > 40 OR name ~ ana) AND (status = active)"));
}

#[test]
fn never_panics_on_odd_input() {
    let odd = [
        "\"",
        "\\",
        "(((((",
        ")))))",
        "=",
        "!=!=",
        "name ~ \"\\",
        "a\u{0}b",
        "名前 ~ 太郎",
        "😀 ~ 😀",
        "age > 1e400",
        "age > 99999999999999999999999999999999999999",
        "joined = 31-02-2024",
        "or or or",
        "and",
        "has",
        "is is is",
        "fields. = 1",
        "urns.tel ~ 12345",
        "tickets > 0",
        "last_seen_on = \"\"",
    ];
    for q in odd {
        if let Ok(query) = parse(q) {
            if validate(&env(), &query, &Fields).is_ok() {
                let _ = evaluate(&env(), &query, &Fields, &Person);
            }
        }
    }
}

#[test]
fn random_input_never_panics() {
    use crate::ids::{Rng, SplitMix64};
    let pieces = [
        "name",
        "age",
        "joined",
        "tel",
        "urns.tel",
        "fields.age",
        "foo.bar",
        "=",
        "!=",
        "~",
        ">",
        "<",
        ">=",
        "<=",
        "has",
        "is",
        "and",
        "OR",
        "(",
        ")",
        "\"",
        "\"x y\"",
        "\\",
        "ana",
        "18",
        "2024-02-10",
        "+1555",
        "-",
        ":",
        "é",
        "😀",
        " ",
        "!",
        "''",
        "tel:+1555000",
    ];
    let mut rng = SplitMix64::new(42);
    for _ in 0..3000 {
        let n = (rng.next_u64() % 12) as usize;
        let q: String =
            (0..n).map(|_| pieces[(rng.next_u64() % pieces.len() as u64) as usize]).collect::<Vec<_>>().join(" ");
        if let Ok(query) = parse(&q) {
            let _ = query.to_string();
            if validate(&env(), &query, &Fields).is_ok() {
                let _ = evaluate(&env(), &query, &Fields, &Person);
            }
        }
    }
}
