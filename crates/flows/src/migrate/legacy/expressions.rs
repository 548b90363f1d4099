//! Legacy (excellent v1) templates turned into current ones, as the reference did it: context
//! references (`@contact.age`, `@flow.color.category`, `@step.value`) are renamed, functions
//! (`UPPER(…)`, `WORD(…, 1)`) get their current names and argument bases, `<>` becomes `!=`.
//! Older filter (`@contact.name|upper_case`) and equals (`=UPPER(contact)`) styles of flows
//! before version 8 are first turned into v1 expressions.
//!
//! Migration never fails: text it cannot read stays as written, and the loader's validation
//! then judges the result.

/// Top-level names of the legacy context; anything else after `@` is plain text.
const TOP_LEVELS: &[&str] = &["channel", "child", "contact", "date", "extra", "flow", "parent", "step"];

/// URN schemes the legacy context knew on a contact (`@contact.tel`).
pub const URN_SCHEMES: &[&str] = &[
    "ext",
    "facebook",
    "fcm",
    "freshchat",
    "instagram",
    "jiochat",
    "line",
    "mailto",
    "tel",
    "telegram",
    "twitter",
    "twitterid",
    "viber",
    "vk",
    "wechat",
    "whatsapp",
];

/// Migrates a legacy template. With `default_to_self`, each expression that errors evaluates
/// to its own legacy text (what an `expression` rule set's operand did).
pub fn migrate_template(text: &str, default_to_self: bool) -> String {
    migrate_template_with(text, default_to_self, false)
}

/// As [`migrate_template`]; with `raw_dates`, `@date.today` and sums with dates stay dates
/// rather than formatted text, as the operands of date tests need.
pub fn migrate_template_with(text: &str, default_to_self: bool, raw_dates: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '@' {
            out.push(c);
            i += 1;
            continue;
        }
        match chars.get(i + 1) {
            Some('@') => {
                out.push_str("@@");
                i += 2;
            }
            Some('(') => match balanced_end(&chars, i + 1) {
                Some(end) => {
                    let inner: String = chars[i + 2..end].iter().collect();
                    let migrated = migrate_expression_with(&inner, raw_dates);
                    out.push_str(&wrap(&migrated, default_to_self.then(|| format!("@({inner})"))));
                    i = end + 1;
                }
                None => {
                    out.extend(&chars[i..]);
                    i = chars.len();
                }
            },
            Some(n) if n.is_alphabetic() => {
                let mut end = i + 1;
                while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_' || chars[end] == '.') {
                    end += 1;
                }
                // A trailing dot ends the sentence, not the reference.
                while end > i + 1 && chars[end - 1] == '.' {
                    end -= 1;
                }
                let path: String = chars[i + 1..end].iter().collect();
                let top = path.split('.').next().unwrap_or("").to_lowercase();
                if TOP_LEVELS.contains(&top.as_str()) {
                    let migrated = name_ref(&path, raw_dates);
                    out.push_str(&wrap(&migrated, default_to_self.then(|| format!("@{path}"))));
                } else {
                    out.push('@');
                    out.push_str(&path);
                }
                i = end;
            }
            _ => {
                out.push('@');
                i += 1;
            }
        }
    }
    out
}

/// `@path` when the expression is a plain lookup, else `@(expression)`; with `error_as`, an
/// error becomes that text.
fn wrap(expression: &str, error_as: Option<String>) -> String {
    let expression = match error_as {
        Some(e) => format!("if(is_error({expression}), {}, {expression})", quote(&e)),
        None => expression.to_string(),
    };
    let plain = expression.chars().next().is_some_and(char::is_alphabetic)
        && expression.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        && !expression.ends_with('.');
    if plain {
        format!("@{expression}")
    } else {
        format!("@({expression})")
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Index of the `)` closing the `(` at `open`, skipping string literals.
fn balanced_end(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    for (j, &c) in chars.iter().enumerate().skip(open) {
        match c {
            '"' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// A legacy context path in its current form (the reference's mapping table).
pub fn context_reference(path: &str) -> String {
    let lower = path.to_lowercase();
    let parts: Vec<&str> = lower.split('.').collect();
    let mapped = map_parts(&parts).unwrap_or_else(|| lower.clone());
    fix_numeric_lookups(&mapped)
}

fn map_parts(parts: &[&str]) -> Option<String> {
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    // `flow.contact…`, `step.contact…`, `parent.contact…`, `child.contact…`
    let (prefix, rest) = match parts {
        ["flow" | "step", "contact", ..] => ("", &parts[1..]),
        [p @ ("parent" | "child"), "contact", ..] => (if *p == "parent" { "parent." } else { "child." }, &parts[1..]),
        ["flow" | "step", p @ ("parent" | "child"), "contact", ..] => {
            (if *p == "parent" { "parent." } else { "child." }, &parts[2..])
        }
        _ => ("", parts),
    };
    if rest.first() == Some(&"contact") {
        let out = match &rest[1..] {
            [] => format!("{prefix}contact.display"),
            [k @ ("uuid" | "id" | "name" | "first_name" | "created_on" | "language")] => format!("{prefix}contact.{k}"),
            ["groups"] => format!("join({prefix}contact.groups, \",\")"),
            ["tel_e164"] => format!("urn_parts({prefix}urns.tel).path"),
            [s] if URN_SCHEMES.contains(s) => format!("format_urn({prefix}urns.{s})"),
            [s, "display"] if URN_SCHEMES.contains(s) => format!("format_urn({prefix}urns.{s})"),
            [s, "path"] if URN_SCHEMES.contains(s) => format!("urn_parts({prefix}urns.{s}).path"),
            [s, "scheme"] if URN_SCHEMES.contains(s) => format!("urn_parts({prefix}urns.{s}).scheme"),
            [s, "urn"] if URN_SCHEMES.contains(s) => format!("{prefix}urns.{s}"),
            [k] if word(k) => format!("{prefix}fields.{k}"),
            _ => return None,
        };
        return Some(out);
    }
    let results = |base: &str, key: &str, prop: Option<&str>, first: bool| -> Option<String> {
        if !word(key) {
            return None;
        }
        let idx = if first { "[0]" } else { "" };
        Some(match prop {
            None | Some("value") if first => format!("{base}.{key}.values[0]"),
            None | Some("value") => format!("{base}.{key}.value"),
            Some("category") if first => format!("{base}.{key}.categories_localized{idx}"),
            Some("category") => format!("{base}.{key}.category_localized"),
            Some("text") => format!("{base}.{key}.input"),
            Some("time") => format!("{base}.{key}.created_on"),
            Some(_) => return None,
        })
    };
    match parts {
        ["flow"] => Some("results".into()),
        ["flow", key] => results("results", key, None, false),
        ["flow", key, prop] => results("results", key, Some(*prop), false),
        ["child"] => Some("child.results".into()),
        ["child", key] => results("child.results", key, None, true),
        ["child", key, prop] => results("child.results", key, Some(*prop), true),
        ["parent"] | ["extra", "flow"] => Some("parent.results".into()),
        ["parent", key] | ["extra", "flow", key] => results("parent.results", key, None, true),
        ["parent", key, prop] | ["extra", "flow", key, prop] => results("parent.results", key, Some(*prop), true),
        ["step"] | ["step", "value"] => Some("format_input(input)".into()),
        ["step", "text"] => Some("input.text".into()),
        ["step", "time"] => Some("input.created_on".into()),
        ["step", "attachments"] => {
            Some("foreach(foreach(input.attachments, attachment_parts), extract, \"url\")".into())
        }
        ["step", "attachments", n] if n.chars().all(|c| c.is_ascii_digit()) => {
            Some(format!("attachment_parts(input.attachments[{n}]).url"))
        }
        ["channel"] | ["channel", "tel" | "tel_e164"] => Some("contact.channel.address".into()),
        ["channel", "name"] => Some("contact.channel.name".into()),
        ["date"] | ["date", "now"] => Some("now()".into()),
        ["date", "today"] => Some("format_date(today())".into()),
        ["date", "tomorrow"] => Some("format_date(datetime_add(now(), 1, \"D\"))".into()),
        ["date", "yesterday"] => Some("format_date(datetime_add(now(), -1, \"D\"))".into()),
        ["extra"] => Some("legacy_extra".into()),
        ["extra", rest @ ..] if rest.iter().all(|p| word(p)) => Some(format!("legacy_extra.{}", rest.join("."))),
        _ => None,
    }
}

/// `.1` → `["1"]`: a lookup that starts with a digit is not an identifier any more.
fn fix_numeric_lookups(path: &str) -> String {
    let chars: Vec<char> = path.chars().collect();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            let mut end = i + 1;
            while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
                end += 1;
            }
            out.push_str("[\"");
            out.extend(&chars[i + 1..end]);
            out.push_str("\"]");
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Name(String),
    Num(String),
    Op(String),
    Open,
    Close,
    Comma,
}

fn tokenize(expr: &str) -> Option<Vec<Tok>> {
    let chars: Vec<char> = expr.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return None,
                    Some('"') if chars.get(i + 1) == Some(&'"') => {
                        s.push('"');
                        i += 2;
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some(&ch) => {
                        s.push(ch);
                        i += 1;
                    }
                }
            }
            toks.push(Tok::Str(s));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            toks.push(Tok::Num(chars[start..i].iter().collect()));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
            toks.push(Tok::Name(chars[start..i].iter().collect()));
        } else if c == '(' {
            toks.push(Tok::Open);
            i += 1;
        } else if c == ')' {
            toks.push(Tok::Close);
            i += 1;
        } else if c == ',' {
            toks.push(Tok::Comma);
            i += 1;
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if ["<>", "<=", ">="].contains(&two.as_str()) {
                toks.push(Tok::Op(if two == "<>" { "!=".into() } else { two }));
                i += 2;
            } else if "+-*/^&=<>".contains(c) {
                toks.push(Tok::Op(c.to_string()));
                i += 1;
            } else {
                return None;
            }
        }
    }
    Some(toks)
}

/// Migrates the inside of `@(…)`; text it cannot read comes back as written.
pub fn migrate_expression(expr: &str) -> String {
    migrate_expression_with(expr, false)
}

/// As [`migrate_expression`]; with `raw_dates`, dates stay dates instead of becoming the
/// formatted text a message would show (what the operands of date tests need).
pub fn migrate_expression_with(expr: &str, raw_dates: bool) -> String {
    let Some(toks) = tokenize(expr) else { return expr.to_string() };
    let mut p = Parser { toks: &toks, pos: 0, raw_dates, depth: 0 };
    match p.expression(0) {
        Some(out) if p.pos == toks.len() => out,
        _ => expr.to_string(),
    }
}

/// Deepest nesting of parentheses and operators the migration follows.
const MAX_DEPTH: usize = 64;

/// A precedence parser over legacy tokens that writes the current form as it goes. The
/// legacy operators bind, loosest first: `=` `!=`, then `<` `<=` `>` `>=`, `&`, `+` `-`,
/// `*` `/`, `^`, and a leading `-`; all group to the left.
struct Parser<'t> {
    toks: &'t [Tok],
    pos: usize,
    raw_dates: bool,
    depth: usize,
}

fn binding(op: &str) -> Option<u8> {
    Some(match op {
        "=" | "!=" => 1,
        "<" | "<=" | ">" | ">=" => 2,
        "&" => 3,
        "+" | "-" => 4,
        "*" | "/" => 5,
        "^" => 6,
        _ => return None,
    })
}

impl Parser<'_> {
    fn expression(&mut self, min: u8) -> Option<String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let mut left = self.unary()?;
        while let Some(Tok::Op(op)) = self.toks.get(self.pos) {
            let Some(level) = binding(op).filter(|l| *l > min) else { break };
            let op = op.clone();
            self.pos += 1;
            let right = self.expression(level)?;
            left = if level == 4 {
                add_or_subtract(&left, &op, &right, self.raw_dates)
            } else {
                format!("{left} {op} {right}")
            };
        }
        self.depth -= 1;
        Some(left)
    }

    fn unary(&mut self) -> Option<String> {
        if matches!(self.toks.get(self.pos), Some(Tok::Op(o)) if o == "-") {
            self.pos += 1;
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return None;
            }
            let inner = self.unary()?;
            self.depth -= 1;
            return Some(format!("-{inner}"));
        }
        self.primary()
    }

    fn primary(&mut self) -> Option<String> {
        let tok = self.toks.get(self.pos)?.clone();
        self.pos += 1;
        match tok {
            Tok::Str(s) => Some(quote(&s)),
            Tok::Num(n) => Some(n),
            Tok::Open => {
                let inner = self.expression(0)?;
                self.close()?;
                Some(format!("({inner})"))
            }
            Tok::Name(name) => {
                if self.toks.get(self.pos) != Some(&Tok::Open) {
                    return Some(name_ref(&name, self.raw_dates));
                }
                self.pos += 1;
                let mut args = Vec::new();
                if self.toks.get(self.pos) != Some(&Tok::Close) {
                    loop {
                        args.push(self.expression(0)?);
                        if self.toks.get(self.pos) == Some(&Tok::Comma) {
                            self.pos += 1;
                        } else {
                            break;
                        }
                    }
                }
                self.close()?;
                Some(call(&name, args))
            }
            Tok::Op(_) | Tok::Close | Tok::Comma => None,
        }
    }

    fn close(&mut self) -> Option<()> {
        (self.toks.get(self.pos) == Some(&Tok::Close)).then(|| self.pos += 1)
    }
}

/// What a migrated operand is known to be, as the reference guessed it: a whole-number
/// literal is a number, a call is what that function returns, anything else is unknown.
fn inferred_type(operand: &str) -> &'static str {
    let digits = operand.strip_prefix(['-', '+']).unwrap_or(operand);
    if !digits.is_empty() && digits.len() <= 10 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return "number";
    }
    let name_end = operand.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(operand.len());
    if name_end == 0 || !operand[name_end..].starts_with('(') {
        return "";
    }
    match &operand[..name_end] {
        "abs" | "max" | "mean" | "min" | "mod" | "sum" | "rand" | "round" | "round_down" | "round_up" => "number",
        "datetime_add" | "datetime_from_parts" | "datetime" | "now" => "datetime",
        "date" | "format_date" | "today" => "date",
        "time" | "time_from_parts" => "time",
        _ => "",
    }
}

/// Legacy `+` and `-` added days to dates and times to datetimes; the current language keeps
/// arithmetic for numbers, so each sum becomes what its operands call for, and a sum whose
/// operands cannot be told becomes `legacy_add`, which decides when it runs.
fn add_or_subtract(left: &str, op: &str, right: &str, raw_dates: bool) -> String {
    let minus = op == "-";
    match (inferred_type(left), inferred_type(right)) {
        ("number", "number") => format!("{left} {op} {right}"),
        ("datetime", "number") => {
            format!("datetime_add({left}, {}{right}, \"D\")", if minus { "-" } else { "" })
        }
        ("date", "number") => {
            let added = format!("datetime_add({left}, {}{right}, \"D\")", if minus { "-" } else { "" });
            if raw_dates {
                added
            } else {
                format!("format_date({added})")
            }
        }
        ("datetime", "time") => {
            let minutes = format!("format_time({right}, \"tt\") * 60 + format_time({right}, \"m\")");
            if minus {
                format!("datetime_add({left}, -({minutes}), \"m\")")
            } else {
                format!("datetime_add({left}, {minutes}, \"m\")")
            }
        }
        (_, "time") if !minus => format!("replace_time({left}, {right})"),
        _ if minus => format!("legacy_add({left}, -{right})"),
        _ => format!("legacy_add({left}, {right})"),
    }
}

fn name_ref(name: &str, raw_dates: bool) -> String {
    let lower = name.to_lowercase();
    match lower.as_str() {
        "true" | "false" => lower,
        "date.today" if raw_dates => "today()".into(),
        "date.tomorrow" if raw_dates => "datetime_add(today(), 1, \"D\")".into(),
        "date.yesterday" if raw_dates => "datetime_add(today(), -1, \"D\")".into(),
        _ => {
            let top = lower.split('.').next().unwrap_or("");
            if TOP_LEVELS.contains(&top) {
                context_reference(name)
            } else {
                name.to_string()
            }
        }
    }
}

/// A legacy function call in its current form.
fn call(name: &str, args: Vec<String>) -> String {
    let lower = name.to_lowercase();
    let a = |i: usize| args.get(i).cloned().unwrap_or_default();
    let minus_one = |s: String| match s.parse::<i64>() {
        Ok(n) => (n - 1).to_string(),
        Err(_) => format!("{s} - 1"),
    };
    let renamed = |new: &str| format!("{new}({})", args.join(", "));
    match lower.as_str() {
        "first_word" => format!("word({}, 0)", a(0)),
        "word" => format!("word({}, {})", a(0), minus_one(a(1))),
        "word_slice" => {
            let mut out = format!("word_slice({}, {}", a(0), minus_one(a(1)));
            if args.len() > 2 {
                out.push_str(&format!(", {}", minus_one(a(2))));
            }
            out + ")"
        }
        "field" => format!("field({}, {}, {})", a(0), minus_one(a(1)), a(2)),
        "proper" => renamed("title"),
        "len" => renamed("length"),
        "concatenate" => args.join(" & "),
        "sum" => format!("({})", args.join(" + ")),
        "substitute" => renamed("replace"),
        "rept" => renamed("repeat"),
        "unichar" => renamed("char"),
        "unicode" => renamed("code"),
        "randbetween" => renamed("rand_between"),
        "rounddown" | "trunc" | "int" => renamed("round_down"),
        "roundup" => renamed("round_up"),
        "datevalue" => renamed("datetime"),
        "timevalue" => renamed("time"),
        "date" => renamed("date_from_parts"),
        "time" => renamed("time_from_parts"),
        "edate" => format!("datetime_add({}, {}, \"M\")", a(0), a(1)),
        "days" => format!("datetime_diff({}, {}, \"D\")", a(1), a(0)),
        "day" => format!("format_date({}, \"D\")", a(0)),
        "month" => format!("format_date({}, \"M\")", a(0)),
        "year" => format!("format_date({}, \"YYYY\")", a(0)),
        "weekday" => format!("(weekday({}) + 1)", a(0)),
        "fixed" => renamed("format_number"),
        "read_digits" => renamed("read_chars"),
        "power" => format!("({} ^ {})", a(0), a(1)),
        "average" => renamed("mean"),
        _ => renamed(&lower),
    }
}

/// Flows before version 8: `@contact.name|upper_case` filters and `=UPPER(contact)` expressions
/// become v1 expressions, as RapidPro's version 8 migration did.
pub fn migrate_v7_template(text: &str) -> String {
    let mut out = text.to_string();
    if out.contains('=') {
        out = equals_style(&out);
    }
    if out.contains('@') && out.contains('|') {
        out = filter_style(&out);
    }
    out
}

fn filter_style(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '@' && chars.get(i + 1).is_some_and(|c| c.is_alphabetic()) && (i == 0 || !is_word(chars[i - 1]))
        {
            let mut end = i + 1;
            while end < chars.len()
                && (is_word(chars[end]) || chars[end] == '.' || chars[end] == '|' || chars[end] == ':')
            {
                if chars[end] == ':' && chars.get(end + 1) == Some(&'"') {
                    if let Some(close) = chars[end + 2..].iter().position(|c| *c == '"') {
                        end += close + 3;
                        continue;
                    }
                }
                end += 1;
            }
            while end > i + 1 && matches!(chars[end - 1], '.' | '|' | ':') {
                end -= 1;
            }
            let expr: String = chars[i + 1..end].iter().collect();
            if expr.contains('|') {
                out.push_str(&format!("@({})", convert_filters(&expr)));
            } else {
                out.push('@');
                out.push_str(&expr);
            }
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn convert_filters(expr: &str) -> String {
    let mut parts = expr.split('|');
    let mut out = parts.next().unwrap_or("").to_string();
    for filter in parts {
        let (name, param) = match filter.split_once(':') {
            Some((n, p)) => (n, p.trim_matches(|c| c == '"' || c == '\'')),
            None => (filter, ""),
        };
        out = match name.to_lowercase().as_str() {
            "lower_case" => format!("LOWER({out})"),
            "upper_case" => format!("UPPER({out})"),
            "capitalize" | "title_case" => format!("PROPER({out})"),
            "first_word" => format!("FIRST_WORD({out})"),
            "remove_first_word" => format!("REMOVE_FIRST_WORD({out})"),
            "read_digits" => format!("READ_DIGITS({out})"),
            "time_delta" => format!("{out} + {param}").replace("+ -", "- "),
            _ => out,
        };
    }
    out
}

fn equals_style(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i] == '='
            && chars.get(i + 1).is_some_and(|c| is_word(*c) || *c == '(')
            && (i == 0 || !is_word(chars[i - 1]));
        if !starts {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < chars.len() && (is_word(chars[end]) || chars[end] == '.') {
            end += 1;
        }
        while end > i + 1 && chars[end - 1] == '.' {
            end -= 1;
        }
        if chars.get(end) == Some(&'(') {
            match balanced_end(&chars, end) {
                Some(close) => end = close + 1,
                None => {
                    out.extend(&chars[i..]);
                    break;
                }
            }
        }
        let body: String = chars[i + 1..end].iter().collect();
        let top = body.split('.').next().unwrap_or("").to_lowercase();
        if body.ends_with(')') {
            if body.starts_with('(') {
                out.push('@');
                out.push_str(&body);
            } else {
                out.push_str(&format!("@({body})"));
            }
        } else if TOP_LEVELS.contains(&top.as_str()) {
            out.push('@');
            out.push_str(&body);
        } else {
            out.push('=');
            out.push_str(&body);
        }
        i = end.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_references_are_renamed() {
        assert_eq!(migrate_template("Hi @contact.name", false), "Hi @contact.name");
        assert_eq!(migrate_template("Hi @contact", false), "Hi @contact.display");
        assert_eq!(migrate_template("Age @contact.age.", false), "Age @fields.age.");
        assert_eq!(migrate_template("@flow.color", false), "@results.color.value");
        assert_eq!(migrate_template("@flow.color.category", false), "@results.color.category_localized");
        assert_eq!(migrate_template("@step.value", false), "@(format_input(input))");
        assert_eq!(migrate_template("@contact.tel", false), "@(format_urn(urns.tel))");
        assert_eq!(migrate_template("@contact.groups", false), "@(join(contact.groups, \",\"))");
        assert_eq!(migrate_template("@extra.flow.age", false), "@(parent.results.age.values[0])");
        assert_eq!(migrate_template("@date.today", false), "@(format_date(today()))");
        assert_eq!(migrate_template("mail me at x@example.com", false), "mail me at x@example.com");
        assert_eq!(migrate_template("@@contact", false), "@@contact");
    }

    #[test]
    fn expressions_are_rewritten() {
        assert_eq!(migrate_template("@(UPPER(contact.name))", false), "@(upper(contact.name))");
        assert_eq!(migrate_template("@(WORD(step.value, 2))", false), "@(word(format_input(input), 1))");
        assert_eq!(migrate_template("@(flow.age <> 3)", false), "@(results.age.value != 3)");
        assert_eq!(
            migrate_template("@(\"say \"\"hi\"\"\" & contact)", false),
            "@(\"say \\\"hi\\\"\" & contact.display)"
        );
        // The reference cannot tell what `length` gives, so the sum is left to `legacy_add`.
        assert_eq!(migrate_template("@(LEN(flow.name) + 1)", false), "@(legacy_add(length(results.name.value), 1))");
        assert_eq!(migrate_template("@(ABS(-3) - 1)", false), "@(abs(-3) - 1)");
        assert_eq!(migrate_template("@(-2 ^ 2 & \"x\" = \"4x\")", false), "@(-2 ^ 2 & \"x\" = \"4x\")");
        assert_eq!(migrate_template("@(broken", false), "@(broken");
    }

    #[test]
    fn operands_default_to_themselves() {
        assert_eq!(migrate_template("@contact.age", true), "@(if(is_error(fields.age), \"@contact.age\", fields.age))");
    }

    #[test]
    fn old_styles_become_v1() {
        assert_eq!(migrate_v7_template("Hi @contact.name|upper_case"), "Hi @(UPPER(contact.name))");
        assert_eq!(migrate_v7_template("Hi =UPPER(contact.name) ok"), "Hi @(UPPER(contact.name)) ok");
        assert_eq!(migrate_v7_template("2 = 2"), "2 = 2");
        assert_eq!(migrate_v7_template("Due @date|time_delta:\"3\""), "Due @(date + 3)");
    }
}
