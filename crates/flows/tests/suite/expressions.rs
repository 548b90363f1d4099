//! The expression language end to end: templates over a context, operators, functions,
//! router tests, and the bounds that keep hostile templates from hanging or crashing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use safepassage_flows::template::{render_template, render_template_value};
use safepassage_flows::{evaluate_template, evaluate_template_value, Env, Limits, XValue};

fn env() -> Env {
    let mut e = Env::new(Utc.with_ymd_and_hms(2024, 3, 1, 9, 30, 0).unwrap());
    e.date_format = "DD-MM-YYYY".into();
    e.timezone = "Europe/Kyiv".parse().unwrap();
    e.default_country = Some("UA".into());
    e
}

fn context() -> XValue {
    XValue::object_from([
        (
            "contact",
            XValue::object_from([
                ("name", XValue::text("Olena Kovalenko")),
                ("language", XValue::text("ukr")),
                ("fields", XValue::object_from([("unit", XValue::text("")), ("age", XValue::int(31))])),
                (
                    "groups",
                    XValue::array(vec![XValue::object_from([
                        ("uuid", XValue::text("g-1")),
                        ("name", XValue::text("Waiting")),
                    ])]),
                ),
            ]),
        ),
        ("input", XValue::object_from([("text", XValue::text("I want to talk to an operator now"))])),
    ])
}

fn eval(t: &str) -> Result<String, String> {
    evaluate_template(&env(), &context(), t, None, Limits::default()).map_err(|e| e.message)
}

#[test]
fn identifiers_expressions_and_escapes() {
    assert_eq!(eval("Hello @contact.name!").unwrap(), "Hello Olena Kovalenko!");
    assert_eq!(eval("@(upper(contact.language))").unwrap(), "UKR");
    assert_eq!(eval("write to help@@example.org").unwrap(), "write to help@example.org");
    assert_eq!(eval("@(title(\"a (b)\"))").unwrap(), "A (B)");
    assert_eq!(eval("@CONTACT.NAME").unwrap(), "Olena Kovalenko");
}

#[test]
fn operators_follow_the_format() {
    assert_eq!(eval("@(1 + 2 * 3)").unwrap(), "7");
    assert_eq!(eval("@(10 / 4)").unwrap(), "2.5");
    assert_eq!(eval("@(2 = \"2\")").unwrap(), "true");
    assert_eq!(eval("@(\"a\" & 1 + 1)").unwrap(), "a2");
    assert_eq!(eval("@(-contact.fields.age)").unwrap(), "-31");
    assert!(eval("@(1 / 0)").is_err());
    assert!(eval("@(\"x\" < 2)").is_err());
}

#[test]
fn missing_values_are_errors_that_default_can_catch() {
    assert!(eval("@(contact.nickname)").is_err());
    assert_eq!(eval("@(default(contact.nickname, \"friend\"))").unwrap(), "friend");
    assert_eq!(eval("@(default(contact.fields.unit, \"unknown\"))").unwrap(), "unknown");
    assert_eq!(eval("@(is_error(contact.groups[5]))").unwrap(), "true");
}

#[test]
fn typed_values_survive_single_expressions() {
    let v = evaluate_template_value(&env(), &context(), "@(array(1, \"x\"))", None, Limits::default()).unwrap();
    assert!(matches!(v, XValue::Array(ref a) if a.len() == 2));
    let v = evaluate_template_value(&env(), &context(), "n = @(1)", None, Limits::default()).unwrap();
    assert!(matches!(v, XValue::Text(ref s) if s == "n = 1"));
}

#[test]
fn router_tests_return_match_objects() {
    assert_eq!(eval("@(has_any_word(input.text, \"operator людина\"))").unwrap(), "true");
    assert_eq!(eval("@(has_any_word(input.text, \"operator\").match)").unwrap(), "operator");
    assert_eq!(eval("@(has_any_word(\"Мені потрібна ЛЮДИНА\", \"людина\").match)").unwrap(), "ЛЮДИНА");
    assert_eq!(eval("@(has_number_between(\"I am 31 years\", 18, 65).match)").unwrap(), "31");
    assert_eq!(eval("@(has_group(contact.groups, \"g-1\").match.name)").unwrap(), "Waiting");
    assert_eq!(eval("@(has_phone(\"call 067 123 45 67\").match)").unwrap(), "+380671234567");
    assert_eq!(eval("@(has_date(\"on 24.02.2022\").match)").unwrap(), "2022-02-24T11:30:00.000000+02:00");
    assert_eq!(eval("@(has_text(\"   \"))").unwrap(), "false");
}

#[test]
fn dates_use_the_environment() {
    assert_eq!(eval("@(today())").unwrap(), "2024-03-01");
    assert_eq!(eval("@(format_date(\"2024-03-08\"))").unwrap(), "08-03-2024");
    assert_eq!(eval("@(datetime(\"08/03/2024 14:05\"))").unwrap(), "2024-03-08T14:05:00.000000+02:00");
    assert_eq!(eval("@(datetime_add(\"2024-03-30 12:00\", 1, \"D\"))").unwrap(), "2024-03-31T12:00:00.000000+03:00");
}

#[test]
fn lambdas_and_higher_order_functions() {
    assert_eq!(eval("@(foreach(array(1, 2, 3), (n) => n * n))").unwrap(), "[1, 4, 9]");
    assert_eq!(eval("@(join(filter(split(\"a b c\"), (w) => w != \"b\"), \"+\"))").unwrap(), "a+c");
}

#[test]
fn hostile_templates_are_bounded() {
    // Output that would grow past the bound is an error, not an allocation.
    assert!(eval("@(repeat(\"x\", 1000000000))").is_err());
    assert!(eval("@(repeat(repeat(\"ab\", 30000), 30000))").is_err());
    // Nested iteration runs out of budget instead of running for minutes.
    let nested = "@(foreach(split(repeat(\"a \", 5000)), (x) => foreach(split(repeat(\"b \", 5000)), (y) => x & y)))";
    assert!(eval(nested).is_err());
    // Deep nesting is refused by the parser.
    assert!(eval(&format!("@({}1{})", "(".repeat(10_000), ")".repeat(10_000))).is_err());
    assert!(eval(&format!("@({}1)", "-".repeat(10_000))).is_err());
    // Huge numbers overflow into errors.
    assert!(eval("@(9 ^ 9999)").is_err());
    assert!(eval("@(99999999999999999999999999 * 99999999999999999999999)").is_err());
    // Hostile patterns cannot blow up: the regex engine is linear and size-limited.
    assert!(eval("@(regex_match(repeat(\"a\", 5000), \"(a*)*b\"))").is_err());
}

#[test]
fn garbage_never_panics() {
    // A small deterministic fuzz: every template built from these pieces must evaluate to
    // text or an error, never panic.
    let pieces = [
        "@",
        "(",
        ")",
        "\"",
        "\\",
        ".",
        "[",
        "]",
        ",",
        "=>",
        "-",
        "^",
        "&",
        "=",
        "<",
        "1",
        "0.5",
        "x",
        "upper",
        "foreach",
        "array",
        "contact",
        "@@",
        " ",
        "null",
        "true",
        "é",
        "😀",
        "has_phone",
        "/0",
    ];
    let mut state: u64 = 0x5eed;
    for _ in 0..3000 {
        let mut t = String::from("@(");
        for _ in 0..12 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let idx = usize::try_from(state >> 33).unwrap() % pieces.len();
            t.push_str(pieces[idx]);
        }
        let _ = eval(&t);
        let _ = eval(&t[2..]);
    }
}

// ---- semantics of the reference engine (goflow), written as our own cases ----

#[test]
fn errors_are_values_that_functions_pass_on() {
    let (v, _) = render_template_value(&env(), &context(), "@(7 / 0)", None, Limits::default());
    assert!(v.is_error());
    assert_eq!(eval("@(is_error(7 / 0))").unwrap(), "true");
    assert_eq!(eval("@(is_error(contact.name))").unwrap(), "false");
    // A function given an error returns it (or one of its own).
    assert!(eval("@(upper(7 / 0))").is_err());
    assert!(eval("@(array(\"a\", 7 / 0))").is_err());
    assert!(eval("@(count(7 / 0))").is_err());
    assert!(eval("@(if(7 / 0, \"yes\", \"no\"))").is_err());
    // Only the chosen branch of `if` matters, and `default` catches what it is given.
    assert_eq!(eval("@(if(false, 7 / 0, \"no\"))").unwrap(), "no");
    assert_eq!(eval("@(is_error(if(true, 7 / 0, \"no\")))").unwrap(), "true");
    assert_eq!(eval("@(default(7 / 0, \"fallback\"))").unwrap(), "fallback");
    // `default` decides by the value's text: an empty array reads as `[]` and is kept.
    assert_eq!(eval("@(default(array(), \"fallback\"))").unwrap(), "[]");
    assert_eq!(eval("@(default(contact.fields.unit, \"none\"))").unwrap(), "none");
}

#[test]
fn a_failed_expression_leaves_no_text_and_reports_its_error() {
    let t = "Dear @contact.name, @(7 / 0)your unit is @contact.fields.missing.";
    let out = render_template(&env(), &context(), t, None, Limits::default());
    assert_eq!(out.text, "Dear Olena Kovalenko, your unit is .");
    assert_eq!(out.errors.len(), 2);
    assert_eq!(out.errors[0].expression, "@(7 / 0)");
    assert_eq!(out.errors[1].expression, "@contact.fields.missing");
    assert!(out.errors[1].to_string().starts_with("error evaluating @contact.fields.missing: "));
    // The text-only API still fails as a whole, naming every failure.
    let whole = eval(t).unwrap_err();
    assert!(whole.contains("@(7 / 0)") && whole.contains("@contact.fields.missing"), "{whole}");
    // Beside text, a lone failed expression is its error value.
    let (v, e) = render_template_value(&env(), &context(), " @(7 / 0) ", None, Limits::default());
    assert!(v.is_error() && e.is_none());
    let (v, e) = render_template_value(&env(), &context(), "x @(7 / 0)", None, Limits::default());
    assert!(matches!(v, XValue::Text(ref s) if s == "x "));
    assert!(e.is_some());
}

#[test]
fn unknown_top_level_names_stay_as_written() {
    assert_eq!(eval("@hello there").unwrap(), "@hello there");
    assert_eq!(eval("say @hello.world to @contact.name").unwrap(), "say @hello.world to Olena Kovalenko");
    assert_eq!(eval("mail olena@kyiv.example.org").unwrap(), "mail olena@kyiv.example.org");
    // A function name is not a top-level property either.
    assert_eq!(eval("@upper").unwrap(), "@upper");
    // Written explicitly, the same name is an error.
    assert!(eval("@(hello)").is_err());
    let v = evaluate_template_value(&env(), &context(), "@hello", None, Limits::default()).unwrap();
    assert!(matches!(v, XValue::Text(ref s) if s == "@hello"));
    // A known top-level with a missing property is evaluated, and fails.
    assert!(eval("@contact.nickname").is_err());
}

#[test]
fn legacy_add_adds_days_to_dates_and_numbers_to_numbers() {
    assert_eq!(eval("@(legacy_add(2, \"3.5\"))").unwrap(), "5.5");
    assert_eq!(eval("@(legacy_add(\"2024-03-01 10:00\", 3))").unwrap(), "2024-03-04T10:00:00.000000+02:00");
    assert_eq!(eval("@(legacy_add(-1.9, date(\"2024-03-01\")))").unwrap(), "2024-02-29T00:00:00.000000+02:00");
    assert!(eval("@(legacy_add(today(), now()))").is_err());
    assert!(eval("@(legacy_add(\"soon\", 1))").is_err());
    assert!(eval("@(legacy_add(today(), 3000000000))").is_err());
    assert!(eval("@(legacy_add(7 / 0, 1))").is_err());
}

#[test]
fn case_mapping_is_one_character_for_one_as_in_go() {
    assert_eq!(eval("@(upper(\"Straße\"))").unwrap(), "STRAßE");
    assert_eq!(eval("@(lower(\"İZMİR ΟΔΟΣ\"))").unwrap(), "izmir οδοσ");
    assert_eq!(eval("@(upper(\"ґанок\"))").unwrap(), "ҐАНОК");
    assert_eq!(eval("@(title(\"o'brien ǆafer ÉCOLE\"))").unwrap(), "O'Brien ǅafer École");
}

#[test]
fn limits_are_the_reference_budget() {
    // Text the reference can make, we can make too.
    assert_eq!(eval("@(text_length(repeat(\"ab\", 100000)))").unwrap(), "200000");
    assert_eq!(eval("@(count(split(repeat(\"a \", 50000))))").unwrap(), "50000");
    // Past the budget (text costs its bytes), an error.
    assert!(eval("@(repeat(\"ab\", 6000000))").is_err());
    assert!(eval("@(repeat(\"ab\", -1))").is_err());
    assert!(eval("@(text_length(repeat(repeat(\"x\", 3000000), 2) & repeat(\"y\", 5000000)))").is_err());
    // Numbers out of range are errors, integers past 32 bits too.
    assert!(eval("@(number(\"1e400\"))").is_err());
    assert!(eval("@(word(\"a b\", 3000000000))").is_err());
    // An invalid character code is the replacement character, as in Go.
    assert_eq!(eval("@(char(-5))").unwrap(), "\u{FFFD}");
}

#[test]
fn brackets_give_null_for_a_missing_key_and_dots_an_error() {
    assert_eq!(eval("[@(contact[\"nickname\"])]").unwrap(), "[]");
    assert_eq!(eval("@(is_error(contact[\"nickname\"]))").unwrap(), "false");
    assert_eq!(eval("@(is_error(contact.nickname))").unwrap(), "true");
    assert_eq!(eval("@(contact.groups[\"0\"].name)").unwrap(), "Waiting");
    assert_eq!(eval("@(contact.groups[-1].name)").unwrap(), "Waiting");
    assert!(eval("@(contact.groups[1])").is_err());
    assert!(eval("@(contact.name[0])").is_err());
}

#[test]
fn split_without_delimiters_splits_words() {
    assert_eq!(eval("@(split(\"one.two  three!\"))").unwrap(), "[one, two, three]");
    assert_eq!(eval("@(split(\"one.two  three\", \"\"))").unwrap(), "[one, two, three]");
    assert_eq!(eval("@(split(\"one.two  three\", \" \"))").unwrap(), "[one.two, three]");
    assert_eq!(eval("@(word_count(\"one,two\", \"\"))").unwrap(), "2");
}

#[test]
fn text_becomes_a_number_only_in_plain_decimal_notation() {
    assert_eq!(eval("@(number(\" 42.50 \") + 1)").unwrap(), "43.5");
    assert_eq!(eval("@(number(\".75\"))").unwrap(), "0.75");
    assert_eq!(eval("@(number(\"-.5\") * 2)").unwrap(), "-1");
    // What people type that only looks like a number stays text.
    for typed in ["+380", "2e3", "7.", "1,5", "1 000", "0x1F", "--2", "½"] {
        assert!(eval(&format!("@(number(\"{typed}\"))")).is_err(), "{typed} read as a number");
    }
    assert!(eval("@(\"3e2\" + 1)").is_err());
    assert_eq!(eval("@(\"12\" > \"9\")").unwrap(), "true");
}

#[test]
fn numbers_past_what_the_engine_holds_are_errors_not_panics() {
    let huge = "9".repeat(30);
    assert!(eval(&format!("@(number(\"{huge}\"))")).is_err());
    assert!(eval("@(79228162514264337593543950335 + 1)").is_err());
    assert!(eval("@(79228162514264337593543950335 * 2)").is_err());
    assert!(eval("@(-79228162514264337593543950335 - 1)").is_err());
    assert!(eval("@(10 ^ 40)").is_err());
    assert!(eval("@(sum(array(79228162514264337593543950335, 1)))").is_err());
    assert!(eval("@(mean(79228162514264337593543950335, 79228162514264337593543950335))").is_err());
    assert!(eval("@(percent(79228162514264337593543950335))").is_err());
    // Rounding to absurd places keeps or zeroes the value, as the reference clamps them.
    assert_eq!(eval("@(round(31.337, 3000000))").unwrap(), "31.337");
    assert_eq!(eval("@(round(31.337, -3000000))").unwrap(), "0");
    assert_eq!(eval("@(round_down(31.337, -3000000))").unwrap(), "0");
    assert!(eval("@(round_up(31.337, -3000000))").is_err());
}

#[test]
fn names_may_be_written_in_any_script() {
    let ctx = XValue::object_from([
        ("імʼя", XValue::text("Тарас")),
        ("città", XValue::object_from([("назва", XValue::text("Львів"))])),
        ("rows", XValue::array(vec![XValue::array(vec![XValue::text("a"), XValue::text("b")])])),
    ]);
    let run = |t: &str| evaluate_template(&env(), &ctx, t, None, Limits::default()).map_err(|e| e.message);
    assert_eq!(run("@(upper(città.назва))").unwrap(), "ЛЬВІВ");
    assert_eq!(run("Привіт, @città.назва!").unwrap(), "Привіт, Львів!");
    assert_eq!(run("@(rows[0][1])").unwrap(), "b");
    assert_eq!(run("@rows.0").unwrap(), "[a, b]");
    // `.0.1` after a name is read as the decimal key `0.1`, which no array has.
    assert!(run("@(rows.0.1)").is_err());
    assert!(evaluate_template_value(&env(), &ctx, "@rows.0.1", None, Limits::default()).is_err());
}

#[test]
fn collection_functions_refuse_what_they_cannot_compare() {
    assert_eq!(eval("@(sort(array(\"pear\", \"Apple\", \"fig\")))").unwrap(), "[Apple, fig, pear]");
    assert_eq!(eval("@(sort(array(10, 9, -1.5)))").unwrap(), "[-1.5, 9, 10]");
    assert_eq!(eval("@(sort(array(date(\"05-03-2024\"), date(\"01-03-2024\"))))").unwrap(), "[2024-03-01, 2024-03-05]");
    assert!(eval("@(sort(array(1, \"1\")))").is_err());
    assert!(eval("@(sort(array(\"a\", null)))").is_err());
    assert!(eval("@(sort(array(array(1), array(0))))").is_err());
    assert_eq!(eval("@(contains(array(1, 2), 2))").unwrap(), "true");
    assert!(eval("@(contains(array(1, 2), 1 / 0))").is_err());
}

#[test]
fn month_differences_count_calendar_months() {
    assert_eq!(eval("@(datetime_diff(\"31-01-2024\", \"01-02-2024\", \"M\"))").unwrap(), "1");
    assert_eq!(eval("@(datetime_diff(\"02-06-2024\", \"28-02-2024\", \"M\"))").unwrap(), "-4");
    assert_eq!(eval("@(datetime_diff(\"15-01-2023\", \"15-01-2024\", \"M\"))").unwrap(), "12");
}

#[test]
fn remove_first_word_keeps_what_follows_from_the_second_word() {
    assert_eq!(eval("@(remove_first_word(\"«Добрий» день, друзі\"))").unwrap(), "день, друзі");
    assert_eq!(eval("@(remove_first_word(\"(hello)\"))").unwrap(), "");
    assert_eq!(eval("@(remove_first_word(\"one\"))").unwrap(), "");
    assert_eq!(eval("@(remove_first_word(\"  one, two! three\"))").unwrap(), "two! three");
}
