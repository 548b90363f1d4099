//! Rewrites the expressions inside a template: an expression that a transform changes is
//! printed anew, one it leaves alone (or cannot parse) keeps its text byte for byte.

use crate::ast::Expr;
use crate::parser::parse_expression;
use crate::template::{scan_raw, Segment};

use super::print::print;

/// Applies `tx` to every `@identifier` (with an allowed top level) and `@(...)` of `template`.
/// `tx` returns whether it changed the tree.
pub fn template(template: &str, allowed: &[&str], tx: &mut dyn FnMut(&mut Expr) -> bool) -> String {
    let allowed: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
    let mut out = String::with_capacity(template.len());
    for seg in scan_raw(template, Some(&allowed)) {
        match seg {
            Segment::Body(b) => out.push_str(&b),
            Segment::Identifier(s) => {
                out.push('@');
                out.push_str(&expression(&s, tx));
            }
            Segment::Expression(s) => {
                out.push_str("@(");
                out.push_str(&expression(&s, tx));
                out.push(')');
            }
        }
    }
    out
}

fn expression(src: &str, tx: &mut dyn FnMut(&mut Expr) -> bool) -> String {
    match parse_expression(src) {
        Ok(mut e) => {
            if tx(&mut e) {
                print(&e)
            } else {
                src.to_string()
            }
        }
        Err(_) => src.to_string(),
    }
}

/// Calls `f` on every node, parents before children; `f` returns true when it replaced the
/// node, and the replacement's children are then not visited (so a rename cannot recurse).
pub fn visit(e: &mut Expr, f: &mut dyn FnMut(&mut Expr) -> bool) -> bool {
    if f(e) {
        return true;
    }
    match e {
        Expr::Property(t, _) | Expr::Negate(t) | Expr::Group(t) | Expr::Lambda(_, t) => visit(t, f),
        Expr::Index(t, i) => {
            let a = visit(t, f);
            let b = visit(i, f);
            a || b
        }
        Expr::Call(callee, args) => {
            let mut changed = visit(callee, f);
            for a in args.iter_mut() {
                changed |= visit(a, f);
            }
            changed
        }
        Expr::Binary(_, l, r) => {
            let a = visit(l, f);
            let b = visit(r, f);
            a || b
        }
        Expr::Number(_) | Expr::Text(_) | Expr::Boolean(_) | Expr::Null | Expr::Name(_) => false,
    }
}

/// Renames a top-level context name: `webhook` → `webhook.json`.
pub fn rename_context(e: &mut Expr, from: &str, to: &[&str]) -> bool {
    visit(e, &mut |node| {
        if matches!(node, Expr::Name(n) if n == from) {
            let mut new = Expr::Name(to.first().copied().unwrap_or(from).to_string());
            for part in to.iter().skip(1) {
                new = Expr::Property(Box::new(new), (*part).to_string());
            }
            *node = new;
            return true;
        }
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_only_what_is_allowed_and_keeps_the_rest() {
        let out = template(
            r#"@webhook @(webhook["foo"]) @contact.fields.webhook @results.webhook.extra flows@@nyaruka.com"#,
            &["webhook"],
            &mut |e| rename_context(e, "webhook", &["webhook", "json"]),
        );
        assert_eq!(
            out,
            r#"@webhook.json @(webhook.json["foo"]) @contact.fields.webhook @results.webhook.extra flows@@nyaruka.com"#
        );
    }

    #[test]
    fn unchanged_expressions_keep_their_spacing() {
        let out =
            template("@( 1+2 ) @(webhook)", &["webhook"], &mut |e| rename_context(e, "webhook", &["webhook", "json"]));
        assert_eq!(out, "@( 1+2 ) @(webhook.json)");
    }
}
