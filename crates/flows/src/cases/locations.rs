//! Location tests: a state, district or ward named in people's text, within the parents
//! given, from the environment's location tree.

use super::{false_result, true_result};
use crate::eval::Evaluator;
use crate::functions::{arity, err, text};
use crate::locations::{LocationTree, LEVEL_DISTRICT, LEVEL_STATE, LEVEL_WARD};
use crate::value::XValue;

type R = Result<XValue, XValue>;

fn tree<'e>(ev: &'e Evaluator<'_>) -> Result<&'e LocationTree, XValue> {
    ev.env.locations.as_ref().ok_or_else(|| err("can't find locations in environment which is not location enabled"))
}

pub fn has_state(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let t = text(&a[0])?;
    let tree = tree(ev)?;
    Ok(match tree.find_fuzzy(&t, LEVEL_STATE, None).first() {
        Some(&s) => true_result(XValue::text(tree.path(s))),
        None => false_result(),
    })
}

pub fn has_district(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(2))?;
    let t = text(&a[0])?;
    let state = match a.get(1) {
        Some(s) => text(s)?,
        None => String::new(),
    };
    let tree = tree(ev)?;
    if let Some(&s) = tree.find_fuzzy(&state, LEVEL_STATE, None).first() {
        if let Some(&d) = tree.find_fuzzy(&t, LEVEL_DISTRICT, Some(s)).first() {
            return Ok(true_result(XValue::text(tree.path(d))));
        }
    }
    // Without a state, a district is accepted when only one has that name.
    if state.is_empty() {
        let found = tree.find_fuzzy(&t, LEVEL_DISTRICT, None);
        if found.len() == 1 {
            return Ok(true_result(XValue::text(tree.path(found[0]))));
        }
    }
    Ok(false_result())
}

pub fn has_ward(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    if a.len() != 1 && a.len() != 3 {
        return Err(err(format!("takes one or three arguments, got {}", a.len())));
    }
    let t = text(&a[0])?;
    let (state, district) = match a {
        [_, s, d] => (text(s)?, text(d)?),
        _ => (String::new(), String::new()),
    };
    let tree = tree(ev)?;
    if let Some(&s) = tree.find_fuzzy(&state, LEVEL_STATE, None).first() {
        if let Some(&d) = tree.find_fuzzy(&district, LEVEL_DISTRICT, Some(s)).first() {
            if let Some(&w) = tree.find_fuzzy(&t, LEVEL_WARD, Some(d)).first() {
                return Ok(true_result(XValue::text(tree.path(w))));
            }
        }
    }
    if district.is_empty() {
        let found = tree.find_fuzzy(&t, LEVEL_WARD, None);
        if found.len() == 1 {
            return Ok(true_result(XValue::text(tree.path(found[0]))));
        }
    }
    Ok(false_result())
}
