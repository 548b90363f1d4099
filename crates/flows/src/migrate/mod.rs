//! Migrates flow definitions from older 13.x and 14.x spec versions up to 14.4.2, step by step
//! as the reference engine does, on plain JSON so that unknown properties pass through.

pub mod legacy;
mod primitives;
pub mod print;
pub mod refactor;
mod templates;
mod v13;
mod v14;

use std::fmt;

use serde_json::Value;

use primitives::Obj;

/// A spec version: `13.2.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// Reads `13`, `13.2` or `13.2.0` (a `v` prefix and pre-release tags are ignored).
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim().trim_start_matches('v');
        let core = s.split(['-', '+']).next()?;
        let mut parts = core.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().map(str::parse).transpose().ok()?.unwrap_or(0);
        let patch = parts.next().map(str::parse).transpose().ok()?.unwrap_or(0);
        if parts.next().is_some() {
            return None;
        }
        Some(Version(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The newest version migrations lead to.
pub const LATEST: Version = Version(14, 4, 2);

type Migration = fn(&mut Obj);

const MIGRATIONS: &[(Version, Migration)] = &[
    (Version(13, 1, 0), v13::v13_1_0),
    (Version(13, 2, 0), v13::v13_2_0),
    (Version(13, 3, 0), v13::v13_3_0),
    (Version(13, 4, 0), v13::v13_4_0),
    (Version(13, 5, 0), v13::v13_5_0),
    (Version(13, 6, 0), v13::v13_6_0),
    (Version(13, 6, 1), v13::v13_6_1),
    (Version(14, 0, 0), v14::v14_0_0),
    (Version(14, 1, 0), v14::v14_1_0),
    (Version(14, 2, 0), v14::v14_2_0),
    (Version(14, 3, 0), v14::v14_3_0),
    (Version(14, 3, 1), v14::v14_3_1),
    (Version(14, 4, 0), v14::v14_4_0),
    (Version(14, 4, 1), v14::v14_4_1),
    (Version(14, 4, 2), v14::v14_4_2),
];

/// Migrates `flow` to `to` (the latest when `None`). A flow already at or past `to` comes back
/// unchanged; one older than spec 13 (the legacy format) or newer than this engine is refused.
pub fn migrate(flow: Value, to: Option<Version>) -> Result<Value, String> {
    let Value::Object(mut obj) = flow else {
        return Err("flow definition isn't an object".into());
    };
    let written = primitives::text(&obj, "spec_version").to_string();
    let from = Version::parse(&written)
        .ok_or_else(|| format!("unable to read flow header: invalid spec_version '{written}'"))?;
    if from < Version(13, 0, 0) {
        return Err(format!(
            "spec version {from} is the legacy format (before 13); re-export the flow from a current RapidPro or TextIt"
        ));
    }
    if from > LATEST {
        return Err(format!("spec version {from} is newer than this engine supports ({LATEST})"));
    }
    let to = to.unwrap_or(LATEST);
    for (version, step) in MIGRATIONS {
        if *version > from && *version <= to {
            step(&mut obj);
            obj.insert("spec_version".into(), Value::String(version.to_string()));
        }
    }
    Ok(Value::Object(obj))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!(Version::parse("13"), Some(Version(13, 0, 0)));
        assert_eq!(Version::parse("14.4.2"), Some(Version(14, 4, 2)));
        assert!(Version(13, 6, 1) < Version(14, 0, 0));
        assert_eq!(Version::parse("x"), None);
    }

    #[test]
    fn migrates_step_by_step_and_keeps_unknown_fields() {
        let f = json!({"uuid": "u", "name": "n", "spec_version": "13.1.0", "language": "base", "type": "messaging",
                       "nodes": [], "_ui": {"nodes": {}}});
        let out = migrate(f, None).unwrap();
        assert_eq!(out["spec_version"], "14.4.2");
        assert_eq!(out["language"], "und");
        assert_eq!(out["_ui"], json!({"nodes": {}}));
        let f = json!({"uuid": "u", "spec_version": "11.12", "nodes": []});
        assert!(migrate(f, None).unwrap_err().contains("legacy"));
    }
}
