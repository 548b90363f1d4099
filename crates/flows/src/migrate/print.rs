//! Prints an expression tree back as text, the way the reference engine does after a
//! refactoring: names lower case, operators spaced, strings quoted, groups kept.

use crate::ast::{BinOp, Expr};
use crate::number;

fn op_text(op: BinOp) -> &'static str {
    match op {
        BinOp::Eq => "=",
        BinOp::Neq => "!=",
        BinOp::Lt => "<",
        BinOp::Lte => "<=",
        BinOp::Gt => ">",
        BinOp::Gte => ">=",
        BinOp::Concat => "&",
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Pow => "^",
    }
}

/// A string literal as Go's `strconv.Quote` writes it.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn print(e: &Expr) -> String {
    match e {
        Expr::Number(n) => number::to_text(n),
        Expr::Text(s) => quote(s),
        Expr::Boolean(b) => b.to_string(),
        Expr::Null => "null".into(),
        Expr::Name(n) => n.to_lowercase(),
        Expr::Property(t, k) => format!("{}.{k}", print(t)),
        Expr::Index(t, i) => format!("{}[{}]", print(t), print(i)),
        Expr::Call(f, args) => {
            let args: Vec<String> = args.iter().map(print).collect();
            format!("{}({})", print(f), args.join(", "))
        }
        Expr::Negate(x) => format!("-{}", print(x)),
        Expr::Binary(op, l, r) => format!("{} {} {}", print(l), op_text(*op), print(r)),
        Expr::Lambda(params, body) => format!("({}) => {}", params.join(", "), print(body)),
        Expr::Group(x) => format!("({})", print(x)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse_expression;

    #[test]
    fn prints_as_the_reference_does() {
        for (src, want) in [
            (r#"webhook["foo"]"#, r#"webhook["foo"]"#),
            ("IF(a.b, 1 + 2 * (3), \"x\")", "if(a.b, 1 + 2 * (3), \"x\")"),
            ("-x ^ 2", "-x ^ 2"),
            ("(x) => x & \"a\\\"b\"", "(x) => x & \"a\\\"b\""),
        ] {
            assert_eq!(print(&parse_expression(src).unwrap()), want, "{src}");
        }
    }
}
