//! `multipart/form-data` bodies, as browsers send a file upload: just enough to find named
//! parts in a body already read (bounded) into memory. Hostile input gives `None`, never a panic.

use axum::http::{header, HeaderMap};

/// Parts a console form may have; more is not a form of ours.
const MAX_PARTS: usize = 16;
/// The headers of one part (a name, a file name, a type) fit in far less.
const MAX_PART_HEADERS: usize = 8 * 1024;

/// One part of the body: its field name, its file name if it is a file, its bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Part<'b> {
    pub name: String,
    pub filename: Option<String>,
    pub body: &'b [u8],
}

/// The boundary of a multipart body, when the request has one.
pub(crate) fn boundary(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mut params = value.split(';');
    if !params.next()?.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let b = params.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("boundary").then(|| v.trim().trim_matches('"').to_owned())
    })?;
    // RFC 2046: 1 to 70 characters.
    (!b.is_empty() && b.len() <= 70).then_some(b)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Every part of `body`, in order; None when it is not a well-formed multipart body.
pub(crate) fn parts<'b>(body: &'b [u8], boundary: &str) -> Option<Vec<Part<'b>>> {
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let start = find(body, delimiter.as_bytes())?;
    let mut rest = body.get(start + delimiter.len()..)?;
    let mut out = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Some(out);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        if out.len() == MAX_PARTS {
            return None;
        }
        let head_end = find(&rest[..rest.len().min(MAX_PART_HEADERS)], b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..head_end]).ok()?;
        let content = &rest[head_end + 4..];
        let end = find(content, next_delimiter.as_bytes())?;
        let (name, filename) = disposition(head)?;
        out.push(Part { name, filename, body: &content[..end] });
        rest = &content[end + next_delimiter.len()..];
    }
}

/// `name` and `filename` of a part's `Content-Disposition: form-data; ...` header.
fn disposition(head: &str) -> Option<(String, Option<String>)> {
    let line = head.split("\r\n").find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case("content-disposition").then_some(v)
    })?;
    let mut params = line.split(';');
    if !params.next()?.trim().eq_ignore_ascii_case("form-data") {
        return None;
    }
    let (mut name, mut filename) = (None, None);
    for p in params {
        let Some((k, v)) = p.split_once('=') else { continue };
        let v = v.trim().trim_matches('"').to_owned();
        match k.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(v),
            "filename" => filename = Some(v),
            _ => {}
        }
    }
    Some((name?, filename))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc123\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"flows.json\"\r\nContent-Type: application/json\r\n\r\n\
{\"a\":\r\n1}\r\n--XyZ--\r\n";

    #[test]
    fn parts_are_found_with_names_and_bodies() {
        let parts = parts(BODY, "XyZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].body), ("csrf", &b"abc123"[..]));
        assert_eq!(parts[1].filename.as_deref(), Some("flows.json"));
        assert_eq!(parts[1].body, b"{\"a\":\r\n1}");
    }

    #[test]
    fn the_boundary_comes_from_the_content_type() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "multipart/form-data; boundary=\"XyZ\"".parse().unwrap());
        assert_eq!(boundary(&h).as_deref(), Some("XyZ"));
        h.insert(header::CONTENT_TYPE, "application/x-www-form-urlencoded".parse().unwrap());
        assert_eq!(boundary(&h), None);
    }

    #[test]
    fn broken_bodies_are_refused_without_panic() {
        for len in 0..BODY.len() - 4 {
            let _ = parts(&BODY[..len], "XyZ");
        }
        assert_eq!(parts(b"--XyZ\r\nno headers end", "XyZ"), None);
        assert_eq!(parts(b"nothing", "XyZ"), None);
        let many = format!("{}--XyZ--", "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n".repeat(40));
        assert_eq!(parts(many.as_bytes(), "XyZ"), None);
    }
}
