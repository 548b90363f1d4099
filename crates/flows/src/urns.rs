//! URNs (`tel:+250781234567`, `twitterid:54784326227#nyaruka`, `mailto:a@b.c`): parsing into
//! parts, validation of the scheme, and the human form shown to operators.

/// Schemes the format knows.
const SCHEMES: &[&str] = &[
    "discord",
    "ext",
    "facebook",
    "fcm",
    "freshchat",
    "instagram",
    "jiochat",
    "line",
    "mailto",
    "rocketchat",
    "slack",
    "tel",
    "telegram",
    "twitter",
    "twitterid",
    "viber",
    "vk",
    "webchat",
    "wechat",
    "whatsapp",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urn {
    pub scheme: String,
    pub path: String,
    pub query: String,
    pub display: String,
}

/// Splits `scheme:path?query#display`; `None` if there is no scheme or path.
pub fn parse(s: &str) -> Option<Urn> {
    let (scheme, rest) = s.split_once(':')?;
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return None;
    }
    let (rest, display) = match rest.split_once('#') {
        Some((r, d)) => (r, d.to_string()),
        None => (rest, String::new()),
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, q.to_string()),
        None => (rest, String::new()),
    };
    if path.is_empty() {
        return None;
    }
    Some(Urn { scheme: scheme.to_string(), path: path.to_string(), query, display })
}

/// Parses and checks the scheme is one the format knows.
pub fn validate(s: &str) -> Result<Urn, String> {
    let u = parse(s).ok_or_else(|| format!("{s} is not a valid URN"))?;
    if !SCHEMES.contains(&u.scheme.as_str()) {
        return Err(format!("{s} is not a valid URN: unknown scheme"));
    }
    if u.scheme == "tel" && !u.path.trim_start_matches('+').chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("{s} is not a valid URN: invalid phone number"));
    }
    Ok(u)
}

/// The form shown to people: a display name if any, a phone number in its national style
/// where we know it, otherwise the path.
pub fn format(u: &Urn) -> String {
    if !u.display.is_empty() {
        return u.display.clone();
    }
    if u.scheme == "tel" {
        if let Some(n) = format_phone_national(&u.path) {
            return n;
        }
    }
    u.path.clone()
}

fn format_phone_national(path: &str) -> Option<String> {
    let digits = path.strip_prefix('+')?;
    if let Some(n) = digits.strip_prefix('1') {
        if n.len() == 10 {
            return Some(format!("({}) {}-{}", &n[0..3], &n[3..6], &n[6..]));
        }
    }
    if let Some(n) = digits.strip_prefix("250") {
        if n.len() == 9 {
            return Some(format!("0{} {} {}", &n[0..3], &n[3..6], &n[6..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        let u = parse("twitterid:3263621177#bobby").unwrap();
        assert_eq!((u.scheme.as_str(), u.path.as_str(), u.display.as_str()), ("twitterid", "3263621177", "bobby"));
        assert!(parse("not a urn").is_none());
        assert!(validate("NOT URN").is_err());
    }

    #[test]
    fn national_phone_forms() {
        assert_eq!(format(&parse("tel:+12024561111").unwrap()), "(202) 456-1111");
        assert_eq!(format(&parse("tel:+250781234567").unwrap()), "0781 234 567");
        assert_eq!(format(&parse("mailto:foo@bar.com").unwrap()), "foo@bar.com");
    }
}
