//! The syntax tree of an excellent expression, as the parser builds it and the evaluator
//! walks it. Every node is owned; the tree's depth is bounded by the parser.

use rust_decimal::Decimal;

/// Binary operators, from loosest to tightest binding: `= !=`, `< <= > >=`, `&`, `+ -`, `* /`, `^`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    Concat,
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

#[derive(Debug, Clone)]
pub enum Expr {
    Number(Decimal),
    Text(String),
    Boolean(bool),
    Null,
    /// A bare name: a lambda parameter, a function, or a top-level context value.
    Name(String),
    /// `value.name`
    Property(Box<Expr>, String),
    /// `value[expr]`
    Index(Box<Expr>, Box<Expr>),
    /// `callee(args…)`
    Call(Box<Expr>, Vec<Expr>),
    Negate(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `(a, b) => body`
    Lambda(Vec<String>, Box<Expr>),
    /// `(expr)`: kept so that a refactored expression prints as it was written.
    Group(Box<Expr>),
}
