//! Evaluates expression trees against a context. Errors are values; the work is bounded by a
//! step budget and a depth limit, so no expression can hang or exhaust memory.

use std::sync::Arc;

use crate::ast::{BinOp, Expr};
use crate::convert;
use crate::env::Env;
use crate::functions;
use crate::number;
use crate::value::{Lambda, XFunction, XValue};

/// Bounds on one evaluation, after the reference engine's: a cost budget per expression where
/// text costs its length in bytes and everything else (a node visited, an item made) costs 1,
/// so that memory and work are both bounded however functions are combined.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The cost budget of one expression (the reference's is 10,000,000).
    pub max_steps: u64,
    /// Nesting of calls into lambdas and sub-expressions.
    pub max_depth: usize,
    /// Longest text any single value may reach, in bytes.
    pub max_text_len: usize,
    /// Most items any single array may hold.
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_steps: 10_000_000, max_depth: 128, max_text_len: 10_000_000, max_items: 1_000_000 }
    }
}

/// What the top-level names of expressions (`@contact`, `@input`, …) resolve to: an object
/// value, or a context that builds each name's value only when an expression asks for it.
pub trait Scope {
    /// The value of top-level `name`, or `None` when the context has no such property.
    fn lookup(&self, name: &str) -> Option<XValue>;
}

impl Scope for XValue {
    fn lookup(&self, name: &str) -> Option<XValue> {
        match self {
            XValue::Object(o) => o.get(name).cloned(),
            _ => None,
        }
    }
}

/// One evaluation: environment, context, locals of the lambdas being run, and the budget left.
pub struct Evaluator<'a> {
    pub env: &'a Env,
    context: &'a dyn Scope,
    locals: Vec<(String, XValue)>,
    steps_left: u64,
    depth: usize,
    random_state: u64,
    pub limits: Limits,
}

impl<'a> Evaluator<'a> {
    pub fn new(env: &'a Env, context: &'a dyn Scope, limits: Limits) -> Self {
        Self {
            env,
            context,
            locals: Vec::new(),
            steps_left: limits.max_steps,
            depth: 0,
            random_state: env.random_seed,
            limits,
        }
    }

    /// The next number in [0, 1) from the seeded generator (splitmix64): deterministic for a
    /// given seed, so a flow run can be replayed.
    pub fn next_random(&mut self) -> rust_decimal::Decimal {
        self.random_state = self.random_state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.random_state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // 53 bits, like a float's mantissa, scaled into [0, 1).
        let bits = i64::try_from(z >> 11).unwrap_or(0);
        rust_decimal::Decimal::from(bits) / rust_decimal::Decimal::from(1i64 << 53)
    }

    /// Spends `n` steps; false once the budget is gone.
    pub fn spend(&mut self, n: u64) -> bool {
        if self.steps_left < n {
            self.steps_left = 0;
            return false;
        }
        self.steps_left -= n;
        true
    }

    pub fn budget_error() -> XValue {
        XValue::error("expression is too complex to evaluate")
    }

    /// Checks a produced text against the output bound, and charges for it by its length in
    /// bytes, so many medium texts cannot add up to a large allocation either.
    pub fn check_text(&mut self, s: String) -> XValue {
        if s.len() > self.limits.max_text_len {
            XValue::error("text is too long")
        } else if !self.spend(u64::try_from(s.len()).unwrap_or(u64::MAX)) {
            Self::budget_error()
        } else {
            XValue::Text(s)
        }
    }

    /// Charges for `n` items about to be allocated; false once the budget is gone.
    pub fn charge_items(&mut self, n: usize) -> bool {
        self.spend(u64::try_from(n).unwrap_or(u64::MAX))
    }

    pub fn eval(&mut self, e: &Expr) -> XValue {
        if !self.spend(1) {
            return Self::budget_error();
        }
        if self.depth >= self.limits.max_depth {
            return XValue::error("expression is nested too deeply");
        }
        self.depth += 1;
        let v = self.eval_inner(e);
        self.depth -= 1;
        v
    }

    fn eval_inner(&mut self, e: &Expr) -> XValue {
        match e {
            Expr::Number(n) => XValue::Number(*n),
            Expr::Text(s) => XValue::Text(s.clone()),
            Expr::Boolean(b) => XValue::Boolean(*b),
            Expr::Null => XValue::Null,
            Expr::Group(inner) => self.eval(inner),
            Expr::Name(n) => self.resolve_name(n),
            Expr::Property(target, key) => {
                let v = self.eval(target);
                resolve(&v, key)
            }
            Expr::Index(target, idx) => {
                let v = self.eval(target);
                if v.is_error() {
                    return v;
                }
                let i = self.eval(idx);
                index(&v, &i)
            }
            Expr::Call(callee, args) => {
                let f = self.eval(callee);
                let f = match f {
                    XValue::Function(f) => f,
                    XValue::Error(_) => return f,
                    other => return XValue::error(format!("{} is not a function", describe_callee(callee, &other))),
                };
                let args: Vec<XValue> = args.iter().map(|a| self.eval(a)).collect();
                self.call(&f, &args)
            }
            Expr::Negate(inner) => {
                let v = self.eval(inner);
                match convert::to_number(&v) {
                    Ok(n) => XValue::Number(-n),
                    Err(e) => XValue::Error(e),
                }
            }
            Expr::Binary(op, l, r) => {
                let a = self.eval(l);
                let b = self.eval(r);
                self.binary(*op, &a, &b)
            }
            Expr::Lambda(params, body) => XValue::Function(XFunction::Lambda(Arc::new(Lambda {
                params: params.clone(),
                body: (**body).clone(),
                captured: self.locals.clone(),
            }))),
        }
    }

    fn resolve_name(&self, name: &str) -> XValue {
        if let Some((_, v)) = self.locals.iter().rev().find(|(n, _)| n == name) {
            return v.clone();
        }
        if let Some(f) = functions::lookup(name) {
            return XValue::Function(XFunction::Builtin(f));
        }
        match self.context.lookup(name) {
            Some(v) => v,
            None => XValue::error(format!("context has no property '{name}'")),
        }
    }

    /// Calls a function value; an error result names the function, as the reference does.
    pub fn call(&mut self, f: &XFunction, args: &[XValue]) -> XValue {
        if !self.spend(1) {
            return Self::budget_error();
        }
        let result = match f {
            XFunction::Builtin(name) => functions::call(self, name, args),
            XFunction::Lambda(l) => self.call_lambda(l, args),
        };
        // What a call makes is charged where it is made, as the reference does: text by its
        // length, anything else as one.
        let cost = match &result {
            XValue::Text(t) => u64::try_from(t.len()).unwrap_or(u64::MAX),
            _ => 1,
        };
        if !self.spend(cost) {
            return Self::budget_error();
        }
        match result {
            XValue::Error(e) => XValue::error(format!("error calling {}(...): {}", f.name(), e.message)),
            v => v,
        }
    }

    fn call_lambda(&mut self, l: &Lambda, args: &[XValue]) -> XValue {
        if args.len() != l.params.len() {
            return XValue::error(format!("expected {} arguments, got {}", l.params.len(), args.len()));
        }
        if self.depth >= self.limits.max_depth {
            return XValue::error("expression is nested too deeply");
        }
        let saved = std::mem::replace(&mut self.locals, l.captured.clone());
        self.locals.extend(l.params.iter().cloned().zip(args.iter().cloned()));
        let v = self.eval(&l.body);
        self.locals = saved;
        v
    }

    fn binary(&mut self, op: BinOp, a: &XValue, b: &XValue) -> XValue {
        match op {
            BinOp::Concat => match (convert::to_text(a), convert::to_text(b)) {
                (Ok(x), Ok(y)) => self.check_text(x + &y),
                (Err(e), _) | (_, Err(e)) => XValue::Error(e),
            },
            BinOp::Eq | BinOp::Neq => match (convert::to_text(a), convert::to_text(b)) {
                (Ok(x), Ok(y)) => XValue::Boolean((x == y) == (op == BinOp::Eq)),
                (Err(e), _) | (_, Err(e)) => XValue::Error(e),
            },
            _ => {
                let (x, y) = match (convert::to_number(a), convert::to_number(b)) {
                    (Ok(x), Ok(y)) => (x, y),
                    (Err(e), _) | (_, Err(e)) => return XValue::Error(e),
                };
                let overflow = || XValue::error("number is out of range");
                match op {
                    BinOp::Add => x.checked_add(y).map_or_else(overflow, XValue::Number),
                    BinOp::Sub => x.checked_sub(y).map_or_else(overflow, XValue::Number),
                    BinOp::Mul => x.checked_mul(y).map_or_else(overflow, XValue::Number),
                    BinOp::Div => {
                        if y.is_zero() {
                            XValue::error("division by zero")
                        } else {
                            number::divide(x, y).map_or_else(overflow, XValue::Number)
                        }
                    }
                    BinOp::Pow => number::power(x, y).map_or_else(overflow, XValue::Number),
                    BinOp::Lt => XValue::Boolean(x < y),
                    BinOp::Lte => XValue::Boolean(x <= y),
                    BinOp::Gt => XValue::Boolean(x > y),
                    BinOp::Gte => XValue::Boolean(x >= y),
                    BinOp::Concat | BinOp::Eq | BinOp::Neq => XValue::Null,
                }
            }
        }
    }
}

fn describe_callee(callee: &Expr, v: &XValue) -> String {
    match callee {
        Expr::Name(n) => n.clone(),
        _ => v.describe(),
    }
}

/// `value.key`: a property of an object (case-insensitive), an item of an array by number.
pub fn resolve(v: &XValue, key: &str) -> XValue {
    match v {
        XValue::Error(_) => v.clone(),
        XValue::Object(o) => match o.get(key) {
            Some(x) => x.clone(),
            None => XValue::error(format!("object has no property '{key}'")),
        },
        XValue::Array(_) if key.bytes().all(|b| b.is_ascii_digit()) => match number::parse(key) {
            Some(n) => index(v, &XValue::Number(n)),
            None => XValue::error(format!("array has no property '{key}'")),
        },
        other => XValue::error(format!("{} has no property '{key}'", other.describe())),
    }
}

/// `value[i]`: arrays by number (negative from the end), objects by key. Unlike `value.key`, a
/// key the object lacks gives null, not an error, as in the reference.
pub fn index(v: &XValue, i: &XValue) -> XValue {
    if let XValue::Error(_) = i {
        return i.clone();
    }
    match v {
        XValue::Array(a) => {
            let len = i64::try_from(a.len()).unwrap_or(i64::MAX);
            let mut idx = match convert::to_integer(i) {
                Ok(idx) => idx,
                Err(e) => return XValue::Error(e),
            };
            if idx >= len || idx < -len {
                return XValue::error(format!("index {idx} out of range for {len} items"));
            }
            if idx < 0 {
                idx += len;
            }
            usize::try_from(idx).ok().and_then(|i| a.get(i).cloned()).unwrap_or(XValue::Null)
        }
        XValue::Object(o) => match convert::to_text(i) {
            Ok(k) => o.get(&k).cloned().unwrap_or(XValue::Null),
            Err(e) => XValue::Error(e),
        },
        _ => XValue::error(format!("{} doesn't support lookups", v.describe())),
    }
}
