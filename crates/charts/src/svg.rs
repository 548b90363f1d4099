//! What both charts share: escaping, element ids, number text, width estimates, the colour-blind
//! safe palette and the fill patterns that tell series apart without colour.

use std::fmt::Write;

/// Writing to a `String` cannot fail.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}
pub(crate) use w;

/// Okabe–Ito: eight colours told apart with every common colour-vision deficiency. Black is last
/// because black bars with white marks read as "missing" more easily than the others.
pub(crate) const PALETTE: [&str; 8] =
    ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#56b4e9", "#cc79a7", "#f0e442", "#000000"];
/// The light colours take dark pattern marks, the dark ones white marks.
const LIGHT: [bool; 8] = [false, true, false, false, true, false, true, false];
/// Patterns cycle on a different period from the colours, so nine or more series still differ.
const PATTERNS: usize = 6;

pub(crate) const TEXT: &str = "#222222";
pub(crate) const MUTED_TEXT: &str = "#555555";
pub(crate) const GRID: &str = "#d0d0d0";
pub(crate) const AXIS: &str = "#444444";

pub(crate) const LABEL_MAX_CHARS: usize = 60;
pub(crate) const TEXT_MAX_CHARS: usize = 1_000;

/// The colour of series `index`.
pub(crate) fn colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// The `fill` of series `index`: its colour, or a pattern over its colour (series 0 is solid).
pub(crate) fn series_fill(id: &str, index: usize) -> String {
    if index.is_multiple_of(PATTERNS) {
        colour(index).to_owned()
    } else {
        format!("url(#{id}-s{index})")
    }
}

/// `<pattern>` definitions for `series` series and for suppressed values, to go in `<defs>`.
/// Only references inside the document: `url(#…)` to these ids.
pub(crate) fn pattern_defs(out: &mut String, id: &str, series: usize) {
    for index in 0..series {
        let kind = index % PATTERNS;
        if kind == 0 {
            continue;
        }
        let c = colour(index);
        let mark = if LIGHT[index % PALETTE.len()] { "#000000" } else { "#ffffff" };
        w!(out, r#"<pattern id="{id}-s{index}" patternUnits="userSpaceOnUse" width="8" height="8">"#);
        w!(out, r#"<rect width="8" height="8" fill="{c}"/>"#);
        let marks = match kind {
            1 => r#"<path d="M0,8L8,0M-2,2L2,-2M6,10L10,6" stroke-width="1.6""#,
            2 => r#"<path d="M2,2h1.5v1.5h-1.5ZM6,6h1.5v1.5h-1.5Z" stroke-width="0.5""#,
            3 => r#"<path d="M0,2H8M0,6H8" stroke-width="1.4""#,
            4 => r#"<path d="M0,0L8,8M8,0L0,8" stroke-width="1.2""#,
            _ => r#"<path d="M2,0V8M6,0V8" stroke-width="1.4""#,
        };
        w!(out, r#"{marks} stroke="{mark}" fill="{mark}" stroke-opacity="0.7" fill-opacity="0.7"/></pattern>"#);
    }
    // Suppressed: grey hatching on white, unlike any series (those all have a coloured ground).
    w!(
        out,
        r##"<pattern id="{id}-suppressed" patternUnits="userSpaceOnUse" width="6" height="6"><rect width="6" height="6" fill="#ffffff"/><path d="M0,6L6,0M-1.5,1.5L1.5,-1.5M4.5,7.5L7.5,4.5" stroke="#777777" stroke-width="1.2"/></pattern>"##
    );
}

/// The `fill` of a suppressed bar.
pub(crate) fn suppressed_fill(id: &str) -> String {
    format!("url(#{id}-suppressed)")
}

/// The caller's id prefix made safe as the start of an XML id and inside `url(#…)`: ASCII
/// letters, digits, `-` and `_` kept, anything else turned into `-`, and `chart-` put in front
/// when it does not start with a letter. An id already made of those characters is unchanged.
pub(crate) fn clean_id(id: &str) -> String {
    let mut out: String =
        id.chars().take(64).map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "chart-");
    }
    out
}

/// Text for an SVG text node or attribute: markup characters escaped, characters XML 1.0 does
/// not allow dropped (line breaks too: every text here is one line), at most `max_chars` long
/// (an ellipsis marks a cut).
pub(crate) fn escape(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for (kept, c) in text.chars().filter(|&c| !c.is_control() && c != '\u{fffe}' && c != '\u{ffff}').enumerate() {
        if kept == max_chars {
            out.push('…');
            break;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// How many characters `escape` keeps of `text` (an ellipsis counts as one).
pub(crate) fn shown_chars(text: &str, max_chars: usize) -> usize {
    let count = text.chars().filter(|&c| !c.is_control() && c != '\u{fffe}' && c != '\u{ffff}').count();
    if count > max_chars {
        max_chars + 1
    } else {
        count
    }
}

/// A rough width of `chars` characters at `font_size` in a sans-serif face: no font metrics on
/// the server, so layout leaves room for the average Latin or Cyrillic letter.
pub(crate) fn text_width(chars: usize, font_size: f64) -> f64 {
    chars as f64 * font_size * 0.6
}

/// A count with its thousands grouped by a narrow no-break space (the SI and ISO 80000 way,
/// right in Russian, Ukrainian and English alike): `1 234 567`.
pub(crate) fn group_digits(value: u128) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() * 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_escaping_and_digits() {
        assert_eq!(clean_id("calls-2026"), "calls-2026");
        assert_eq!(clean_id("1 <x>"), "chart-1--x-");
        assert_eq!(clean_id(""), "chart-");
        assert_eq!(escape("a<b>&\"'\u{7}c", 100), "a&lt;b&gt;&amp;&quot;&#39;c");
        assert_eq!(escape("Житомир", 3), "Жит…");
        assert_eq!(shown_chars("Житомир", 3), 4);
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1_234_567), "1\u{202f}234\u{202f}567");
    }
}
