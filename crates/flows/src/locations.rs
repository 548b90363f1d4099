//! A tree of administrative locations (country > state > district > ward) with names and
//! aliases, and the fuzzy search the router's location tests use on people's text.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub name: String,
    pub aliases: Vec<String>,
    pub level: usize,
    /// `Rwanda > Kigali City > Gasabo`
    pub path: String,
    pub parent: Option<usize>,
}

/// All locations, flattened with links to their parents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocationTree {
    pub items: Vec<Location>,
}

pub const LEVEL_STATE: usize = 1;
pub const LEVEL_DISTRICT: usize = 2;
pub const LEVEL_WARD: usize = 3;

/// Most locations read from one definition; beyond is refused as hostile.
const MAX_LOCATIONS: usize = 100_000;

impl LocationTree {
    /// Reads the format's `locations` asset: a list of roots with `name`, `aliases`, `children`.
    pub fn from_json(v: &serde_json::Value) -> Result<Self, String> {
        let mut tree = LocationTree::default();
        let roots = v.as_array().ok_or("locations must be a list")?;
        for r in roots {
            tree.add(r, 0, None, "")?;
        }
        Ok(tree)
    }

    fn add(&mut self, v: &serde_json::Value, level: usize, parent: Option<usize>, prefix: &str) -> Result<(), String> {
        if self.items.len() >= MAX_LOCATIONS || level > 8 {
            return Err("too many locations".into());
        }
        let name = v.get("name").and_then(|n| n.as_str()).ok_or("location without a name")?.to_string();
        let aliases = v
            .get("aliases")
            .and_then(|a| a.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
            .unwrap_or_default();
        let path = if prefix.is_empty() { name.clone() } else { format!("{prefix} > {name}") };
        let idx = self.items.len();
        self.items.push(Location { name, aliases, level, path: path.clone(), parent });
        if let Some(children) = v.get("children").and_then(|c| c.as_array()) {
            for c in children {
                self.add(c, level + 1, Some(idx), &path)?;
            }
        }
        Ok(())
    }

    fn is_within(&self, idx: usize, ancestor: usize) -> bool {
        let mut cur = self.items.get(idx).and_then(|l| l.parent);
        while let Some(p) = cur {
            if p == ancestor {
                return true;
            }
            cur = self.items.get(p).and_then(|l| l.parent);
        }
        false
    }

    fn find_by_name(&self, name: &str, level: usize, parent: Option<usize>) -> Vec<usize> {
        let wanted = normalize(name);
        if wanted.is_empty() {
            return Vec::new();
        }
        self.items
            .iter()
            .enumerate()
            .filter(|(i, l)| {
                l.level == level
                    && parent.is_none_or(|p| self.is_within(*i, p))
                    && (normalize(&l.name) == wanted || l.aliases.iter().any(|a| normalize(a) == wanted))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Finds locations at `level` named in `text`: the whole text first, then each single
    /// word, then each run of two, three and four words.
    pub fn find_fuzzy(&self, text: &str, level: usize, parent: Option<usize>) -> Vec<usize> {
        let found = self.find_by_name(text, level, parent);
        if !found.is_empty() {
            return found;
        }
        let norm = normalize(text);
        let words: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
        for n in 1..=4.min(words.len()) {
            for w in words.windows(n) {
                let found = self.find_by_name(&w.join(" "), level, parent);
                if !found.is_empty() {
                    return found;
                }
            }
        }
        Vec::new()
    }

    pub fn path(&self, idx: usize) -> String {
        self.items.get(idx).map(|l| l.path.clone()).unwrap_or_default()
    }
}

/// Lowercase, with every run of punctuation or spaces made one space.
fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars() {
        if c.is_alphanumeric() || matches!(c, '\u{0300}'..='\u{036f}') || is_mark(c) {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_string()
}

/// Combining marks (Arabic harakat and the like) belong to the word they sit on.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{064b}'..='\u{065f}' | '\u{0670}' | '\u{06d6}'..='\u{06ed}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> LocationTree {
        let j = serde_json::json!([{"name": "Rwanda", "children": [
            {"name": "Kigali City", "aliases": ["Kigali"], "children": [{"name": "Gasabo", "children": [{"name": "Gisozi"}]}]},
            {"name": "Île-de-France"}
        ]}]);
        LocationTree::from_json(&j).unwrap()
    }

    #[test]
    fn finds_names_and_aliases_in_text() {
        let t = tree();
        let s = t.find_fuzzy("¡Kigali!", LEVEL_STATE, None);
        assert_eq!(t.path(s[0]), "Rwanda > Kigali City");
        let s = t.find_fuzzy("je suis de l'Île-de-France", LEVEL_STATE, None);
        assert_eq!(t.path(s[0]), "Rwanda > Île-de-France");
        assert!(t.find_fuzzy("Boston", LEVEL_STATE, None).is_empty());
        let k = t.find_fuzzy("kigali", LEVEL_STATE, None)[0];
        let d = t.find_fuzzy("I live in gasabo", LEVEL_DISTRICT, Some(k));
        assert_eq!(t.path(d[0]), "Rwanda > Kigali City > Gasabo");
    }
}
